package io.territorysync.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.territorysync.rollup.RollupConfig;
import io.territorysync.rollup.Rollups;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Page 3, Territories: the hierarchy as a tree with each territory's rollups for a period (the
 * figures of {@code GET /api/territories}, read through the same {@link Rollups}), the balance of a
 * territory among its siblings as a chart with the tolerance band, and the users in it. Large trees
 * open a few levels deep; deeper levels are fetched by htmx when opened.
 */
@Path("/console/territories")
@Produces(MediaType.TEXT_HTML)
public class TerritoriesPage {

  /** About this many rows are shown before the reader opens a branch. */
  static final int INITIAL_ROWS = 150;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One territory of the tree with its figures for the period. */
  public record Node(
      String id,
      String name,
      String developerName,
      String parentId,
      String type,
      int depth,
      int children,
      String path,
      boolean expanded,
      Number accounts,
      Number subtreeAccounts,
      Number potential,
      Number subtreePotential,
      Number pipeline,
      Number subtreePipeline,
      Number won,
      Number subtreeWon,
      Number wonCount,
      Number subtreeWonCount,
      Number winRate,
      Number users,
      Number subtreeUsers,
      Number quota,
      Number attainment,
      String potentialBalance,
      String workloadBalance) {

    /** Whether its potential or workload is outside its siblings' tolerance band. */
    public boolean outOfBalance() {
      return off(potentialBalance) || off(workloadBalance);
    }

    /** Whether the territory has a quota for the period (its attainment may be 0). */
    public boolean hasQuota() {
      return quota != null;
    }

    /** "over" or "under" when the potential is outside the band, else null. */
    public String potentialFlag() {
      return off(potentialBalance) ? potentialBalance.toLowerCase(java.util.Locale.ROOT) : null;
    }

    /** "over" or "under" when the account count is outside the band, else null. */
    public String workloadFlag() {
      return off(workloadBalance) ? workloadBalance.toLowerCase(java.util.Locale.ROOT) : null;
    }

    /** The depth for the indentation classes (capped). */
    public int indent() {
      return Math.min(depth, 8);
    }

    /** The attainment meter's width class (w0 … w100). */
    public String attainmentWidth() {
      if (attainment == null) {
        return "w0";
      }
      long pct = Math.round(Math.min(1.0, Math.max(0.0, attainment.doubleValue())) * 20) * 5;
      return "w" + pct;
    }

    private static boolean off(String status) {
      return "Over".equals(status) || "Under".equals(status);
    }
  }

  /** The selected territory: its figures, its siblings' balance charts and its users. */
  public record Detail(
      Node node,
      Node parent,
      int siblings,
      String potentialChart,
      String workloadChart,
      Number potentialCv,
      Number workloadCv,
      List<Map<String, Object>> users) {}

  /** The whole page. */
  public record View(
      String period,
      List<String> periods,
      Map<String, Object> model,
      int territories,
      List<Node> rows,
      List<Node> outOfBalance,
      Number unassignedAccounts,
      Number unassignedPotential,
      Object runId,
      double tolerance,
      Detail detail) {}

  @CheckedTemplate(basePath = "console/territories")
  static class Templates {
    static native TemplateInstance page(View view);

    static native TemplateInstance rows(List<Node> rows, String period);

    static native TemplateInstance detail(Detail detail, String period, double tolerance);
  }

  @Inject Rollups rollups;
  @Inject RollupConfig config;

  @GET
  public TemplateInstance page(
      @QueryParam("period") String period,
      @QueryParam("t") String t,
      @QueryParam("open") Integer open)
      throws SQLException {
    List<String> periods = rollups.periods();
    String p = period != null && periods.contains(period) ? period : first(periods);
    Tree tree = tree(p);
    Node selected = t == null ? null : tree.nodes.get(t);
    if (selected == null && !tree.roots.isEmpty()) {
      selected = tree.nodes.get(tree.roots.get(0));
    }
    List<Node> rows = tree.initialRows(selected == null ? null : selected.id(), open);
    List<Node> out = new ArrayList<>();
    for (Node n : tree.nodes.values()) {
      if (n.outOfBalance()) {
        out.add(n);
      }
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> latest = (Map<String, Object>) tree.api.get("unassigned");
    @SuppressWarnings("unchecked")
    Map<String, Object> unassigned =
        latest == null ? null : (Map<String, Object>) latest.get("unassigned");
    return Templates.page(
        new View(
            p,
            periods,
            rollups.model(),
            tree.nodes.size(),
            rows,
            out,
            unassigned == null ? null : (Number) unassigned.get("accounts"),
            unassigned == null ? null : (Number) unassigned.get("potential"),
            latest == null ? null : latest.get("runId"),
            config.balanceTolerance(),
            selected == null ? null : detail(tree, selected)));
  }

  /** The children of a territory, as table rows (closed), for htmx to insert under it. */
  @GET
  @Path("{id}/children")
  public TemplateInstance children(@PathParam("id") String id, @QueryParam("period") String period)
      throws SQLException {
    Tree tree = tree(period);
    if (!tree.nodes.containsKey(id)) {
      throw new NotFoundException();
    }
    List<Node> rows = new ArrayList<>();
    for (String c : tree.children.getOrDefault(id, List.of())) {
      rows.add(tree.node(c, false));
    }
    return Templates.rows(rows, period);
  }

  /** One territory's detail panel (figures, sibling charts, users), for htmx. */
  @GET
  @Path("{id}/detail")
  public TemplateInstance detail(@PathParam("id") String id, @QueryParam("period") String period)
      throws SQLException {
    Tree tree = tree(period);
    Node node = tree.nodes.get(id);
    if (node == null) {
      throw new NotFoundException();
    }
    return Templates.detail(detail(tree, node), period, config.balanceTolerance());
  }

  private Detail detail(Tree tree, Node node) throws SQLException {
    List<Node> siblings = new ArrayList<>();
    if (node.parentId() != null) {
      for (String s : tree.children.getOrDefault(node.parentId(), List.of())) {
        Node sibling = tree.nodes.get(s);
        if (java.util.Objects.equals(sibling.type(), node.type())) {
          siblings.add(sibling);
        }
      }
    }
    Map<String, Object> balance = null;
    for (Map<String, Object> b : tree.balance) {
      if (java.util.Objects.equals(b.get("parentId"), node.parentId())
          && node.parentId() != null
          && java.util.Objects.equals(b.get("typeId"), tree.rows.get(node.id()).get("typeId"))) {
        balance = b;
      }
    }
    double tol = config.balanceTolerance();
    String potential =
        siblings.size() < 2
            ? null
            : chart(
                siblings, node, Node::subtreePotential, Node::potentialBalance, "Potential", tol);
    String workload =
        siblings.size() < 2
            ? null
            : chart(siblings, node, Node::subtreeAccounts, Node::workloadBalance, "Accounts", tol);
    return new Detail(
        node,
        node.parentId() == null ? null : tree.nodes.get(node.parentId()),
        siblings.size(),
        potential,
        workload,
        balance == null ? null : (Number) balance.get("potentialCv"),
        balance == null ? null : (Number) balance.get("workloadCv"),
        rollups.users(node.id()));
  }

  /**
   * A Chart.js bar chart of a measure across siblings with the tolerance band (mean × (1 ±
   * tolerance)) drawn as a filled area between two lines; territories outside it are drawn in the
   * "out of balance" colour and named so in their label.
   */
  static String chart(
      List<Node> siblings,
      Node selected,
      java.util.function.Function<Node, Number> measure,
      java.util.function.Function<Node, String> status,
      String what,
      double tolerance) {
    List<String> labels = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    List<String> colours = new ArrayList<>();
    List<String> borders = new ArrayList<>();
    List<Integer> borderWidths = new ArrayList<>();
    double sum = 0;
    for (Node s : siblings) {
      Number v = measure.apply(s);
      double d = v == null ? 0 : v.doubleValue();
      sum += d;
      String st = status.apply(s);
      boolean off = "Over".equals(st) || "Under".equals(st);
      labels.add(s.name() + (off ? " (" + st.toLowerCase(java.util.Locale.ROOT) + ")" : ""));
      values.add(d);
      colours.add(off ? OUT_OF_BALANCE : WITHIN);
      boolean me = s.id().equals(selected.id());
      borders.add(me ? "#1b2233" : off ? "#8a1241" : "#2b7d70");
      borderWidths.add(me ? 3 : 1);
    }
    double mean = sum / siblings.size();
    List<Double> hi = new ArrayList<>();
    List<Double> lo = new ArrayList<>();
    for (int i = 0; i < siblings.size(); i++) {
      hi.add(mean * (1 + tolerance));
      lo.add(mean * (1 - tolerance));
    }
    String band = Math.round(tolerance * 100) + " %";
    Map<String, Object> bars = new LinkedHashMap<>();
    bars.put("type", "bar");
    bars.put("label", what + " (subtree)");
    bars.put("data", values);
    bars.put("backgroundColor", colours);
    bars.put("borderColor", borders);
    bars.put("borderWidth", borderWidths);
    bars.put("order", 2);
    Map<String, Object> upper = line("mean + " + band, hi, false);
    Map<String, Object> lower = line("mean − " + band, lo, "-1");
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("type", "bar");
    config.put("data", Map.of("labels", labels, "datasets", List.of(bars, upper, lower)));
    config.put(
        "options",
        Map.of(
            "plugins",
            Map.of("legend", Map.of("position", "bottom", "labels", Map.of("boxWidth", 12))),
            "scales",
            Map.of(
                "y",
                Map.of("beginAtZero", true),
                "x",
                Map.of("ticks", Map.of("autoSkip", false, "maxRotation", 50)))));
    try {
      return JSON.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Bars inside the band (Tol's muted teal) and outside it (muted rose). */
  static final String WITHIN = "#44AA99";

  static final String OUT_OF_BALANCE = "#CC6677";

  private static Map<String, Object> line(String label, List<Double> data, Object fill) {
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("type", "line");
    l.put("label", label);
    l.put("data", data);
    l.put("borderColor", "#8a6d00");
    l.put("borderDash", List.of(6, 4));
    l.put("borderWidth", 1.5);
    l.put("pointRadius", 0);
    l.put("fill", fill);
    l.put("backgroundColor", "rgba(221, 204, 119, 0.28)");
    l.put("order", 1);
    return l;
  }

  private static String first(List<String> periods) {
    return periods.isEmpty() ? null : periods.get(0);
  }

  private Tree tree(String period) throws SQLException {
    String p = period == null || period.isBlank() ? first(rollups.periods()) : period;
    return new Tree(rollups.territories(p), rollups.typeLabels());
  }

  /** The rollups of one period arranged as a tree. */
  static final class Tree {
    final Map<String, Object> api;
    final Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
    final Map<String, List<String>> children = new HashMap<>();
    final List<String> roots = new ArrayList<>();
    final Map<String, Node> nodes = new LinkedHashMap<>();
    final List<Map<String, Object>> balance;
    private final Map<String, String> types;

    @SuppressWarnings("unchecked")
    Tree(Map<String, Object> api, Map<String, String> types) {
      this.api = api;
      this.types = types;
      this.balance = (List<Map<String, Object>>) api.get("balance");
      for (Map<String, Object> r : (List<Map<String, Object>>) api.get("territories")) {
        rows.putIfAbsent((String) r.get("territoryId"), r);
      }
      List<Map<String, Object>> sorted = new ArrayList<>(rows.values());
      sorted.sort(
          java.util.Comparator.comparing(
              r -> String.valueOf(r.get("name") == null ? r.get("developerName") : r.get("name")),
              String.CASE_INSENSITIVE_ORDER));
      for (Map<String, Object> r : sorted) {
        String id = (String) r.get("territoryId");
        String parent = (String) r.get("parentId");
        if (parent != null && rows.containsKey(parent)) {
          children.computeIfAbsent(parent, k -> new ArrayList<>()).add(id);
        } else {
          roots.add(id);
        }
      }
      for (String root : roots) {
        index(root, 0, "");
      }
    }

    private void index(String id, int depth, String path) {
      Map<String, Object> r = rows.get(id);
      nodes.put(id, build(r, depth, path, false));
      String childPath = path.isEmpty() ? id : path + " " + id;
      for (String c : children.getOrDefault(id, List.of())) {
        index(c, depth + 1, childPath);
      }
    }

    Node node(String id, boolean expanded) {
      Node n = nodes.get(id);
      return expanded == n.expanded() ? n : build(rows.get(id), n.depth(), n.path(), expanded);
    }

    private Node build(Map<String, Object> r, int depth, String path, boolean expanded) {
      String id = (String) r.get("territoryId");
      String name = (String) r.get("name");
      String typeId = (String) r.get("typeId");
      return new Node(
          id,
          name == null ? (String) r.get("developerName") : name,
          (String) r.get("developerName"),
          (String) r.get("parentId") != null && rows.containsKey((String) r.get("parentId"))
              ? (String) r.get("parentId")
              : null,
          typeId == null ? null : types.getOrDefault(typeId, typeId),
          depth,
          children.getOrDefault(id, List.of()).size(),
          path,
          expanded,
          (Number) r.get("accountCount"),
          (Number) r.get("subtreeAccountCount"),
          (Number) r.get("potential"),
          (Number) r.get("subtreePotential"),
          (Number) r.get("openPipeline"),
          (Number) r.get("subtreeOpenPipeline"),
          (Number) r.get("closedWonAmount"),
          (Number) r.get("subtreeClosedWonAmount"),
          (Number) r.get("closedWonCount"),
          (Number) r.get("subtreeClosedWonCount"),
          (Number) r.get("winRate"),
          (Number) r.get("assignedUsers"),
          (Number) r.get("subtreeAssignedUsers"),
          (Number) r.get("quota"),
          (Number) r.get("quotaAttainment"),
          (String) r.get("potentialBalance"),
          (String) r.get("workloadBalance"));
    }

    /**
     * The rows shown first: {@code levels} levels open, or by default whole levels from the top
     * while they stay under {@link #INITIAL_ROWS}; plus the branch down to the selected territory.
     */
    List<Node> initialRows(String selected, Integer levels) {
      Set<String> open = new HashSet<>();
      List<String> level = new ArrayList<>(roots);
      int shown = level.size();
      int depth = 0;
      while (!level.isEmpty() && (levels == null || depth++ < levels)) {
        List<String> next = new ArrayList<>();
        for (String id : level) {
          next.addAll(children.getOrDefault(id, List.of()));
        }
        if (next.isEmpty() || (levels == null && shown + next.size() > INITIAL_ROWS)) {
          break;
        }
        open.addAll(level);
        shown += next.size();
        level = next;
      }
      if (selected != null && nodes.containsKey(selected)) {
        String p = nodes.get(selected).parentId();
        while (p != null) {
          open.add(p);
          p = nodes.get(p).parentId();
        }
      }
      List<Node> out = new ArrayList<>();
      for (String root : roots) {
        visit(root, open, out);
      }
      return out;
    }

    private void visit(String id, Set<String> open, List<Node> out) {
      boolean expanded = open.contains(id) && !children.getOrDefault(id, List.of()).isEmpty();
      out.add(node(id, expanded));
      if (expanded) {
        for (String c : children.get(id)) {
          visit(c, open, out);
        }
      }
    }
  }
}
