package io.territorysync.console;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A realignment plan ({@code RealignmentJobs.Job#view()}, the same map as {@code GET
 * /api/realignment/{id}}) as the console shows it: progress while it runs, then the figures, a
 * before/after chart per sibling group with the tolerance band, and the moves.
 */
public record PlanView(
    long id,
    String status,
    String phase,
    int percent,
    String bestScore,
    String error,
    String scope,
    String measure,
    double tolerance,
    double maxMoved,
    boolean contiguity,
    Report report) {

  /** Sibling groups drawn as charts (those with moves or out of balance first). */
  static final int CHARTS = 6;

  /** Moves listed. */
  static final int MOVES = 200;

  /** The proposal's report. */
  public record Report(
      long territories,
      long withinBefore,
      long withinAfter,
      double withinBeforeShare,
      double withinAfterShare,
      long unitsMoved,
      long accountsMoved,
      double accountsMovedShare,
      double pipelineMoved,
      long ownersAffected,
      long territoriesChanged,
      long accountsInScope,
      long greedyWithinAfter,
      long greedyAccountsMoved,
      double greedyPipelineMoved,
      boolean diagnosisWithin,
      List<String> blockedBy,
      double worstDeviation,
      String worstTerritory,
      List<Move> moves,
      int moreMoves,
      String marks,
      long located,
      List<Group> groups,
      int moreGroups,
      String warning,
      boolean valid,
      List<String> problems,
      long totalMs) {}

  /**
   * A unit that changes territory: the territories' ids and palette colours, and the centroid of
   * its located accounts (null when none has coordinates).
   */
  public record Move(
      String unit,
      String field,
      String from,
      String to,
      String fromId,
      String toId,
      long accounts,
      double pipeline,
      Double lat,
      Double lon) {

    /** The marks of the moves map: a unit's centroid, its territories and colours, its figures. */
    Map<String, Object> mark() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("unit", unit);
      m.put("field", field);
      m.put("from", from);
      m.put("to", to);
      m.put("fromColour", ConsoleFormat.territoryIndex(fromId));
      m.put("toColour", ConsoleFormat.territoryIndex(toId));
      m.put("accounts", accounts);
      m.put("pipeline", pipeline);
      m.put("lat", lat);
      m.put("lon", lon);
      return m;
    }
  }

  /** A sibling group: its chart and its territories. */
  public record Group(
      String parent,
      String dimension,
      double meanBefore,
      double meanAfter,
      String chart,
      List<Row> rows) {}

  /** A territory of a group before and after. */
  public record Row(
      String territory,
      String id,
      boolean tradeable,
      String reason,
      double before,
      double after,
      String statusBefore,
      String statusAfter) {}

  public boolean running() {
    return "running".equals(status);
  }

  public boolean done() {
    return "done".equals(status);
  }

  static PlanView of(Map<String, Object> v) {
    Map<String, Object> req = RunsPage.map(v.get("request"));
    Map<String, Object> r = RunsPage.map(v.get("report"));
    return new PlanView(
        RunsPage.num(v.get("id")),
        (String) v.get("status"),
        (String) v.get("phase"),
        (int) Math.round(ViewData.dbl(v.get("progress")) * 100),
        (String) v.get("bestScore"),
        (String) v.get("error"),
        (String) req.get("scope"),
        (String) req.get("measure"),
        ViewData.dbl(req.get("tolerance")),
        ViewData.dbl(req.get("maxMoved")),
        Boolean.TRUE.equals(req.get("contiguity")),
        r.isEmpty() ? null : report(r));
  }

  private static Report report(Map<String, Object> r) {
    Map<String, Object> within = RunsPage.map(r.get("withinTolerance"));
    Map<String, Object> d = RunsPage.map(r.get("disruption"));
    Map<String, Object> g = RunsPage.map(r.get("greedyBaseline"));
    Map<String, Object> diag = RunsPage.map(r.get("diagnosis"));
    double tolerance = ViewData.dbl(r.get("tolerance"));
    List<Move> moves = new ArrayList<>();
    Set<String> touched = new HashSet<>();
    for (Object o : ViewData.list(r.get("moves"))) {
      Map<String, Object> m = RunsPage.map(o);
      moves.add(
          new Move(
              (String) m.get("unit"),
              (String) m.get("field"),
              (String) m.get("from"),
              (String) m.get("to"),
              (String) m.get("fromId"),
              (String) m.get("toId"),
              RunsPage.num(m.get("accounts")),
              ViewData.dbl(m.get("pipeline")),
              m.get("lat") instanceof Number lat ? lat.doubleValue() : null,
              m.get("lon") instanceof Number lon ? lon.doubleValue() : null));
      touched.add((String) m.get("from"));
      touched.add((String) m.get("to"));
    }
    List<Group> groups = new ArrayList<>();
    for (Object o : ViewData.list(r.get("groups"))) {
      Map<String, Object> gm = RunsPage.map(o);
      List<Row> rows = new ArrayList<>();
      for (Object t : ViewData.list(gm.get("territories"))) {
        Map<String, Object> tm = RunsPage.map(t);
        rows.add(
            new Row(
                (String) tm.get("territory"),
                (String) tm.get("id"),
                Boolean.TRUE.equals(tm.get("tradeable")),
                (String) tm.get("reason"),
                ViewData.dbl(RunsPage.map(tm.get("before")).get("measure")),
                ViewData.dbl(RunsPage.map(tm.get("after")).get("measure")),
                (String) tm.get("statusBefore"),
                (String) tm.get("statusAfter")));
      }
      double meanAfter = ViewData.dbl(gm.get("meanAfter"));
      groups.add(
          new Group(
              (String) gm.get("parent"),
              (String) gm.get("dimension"),
              ViewData.dbl(gm.get("meanBefore")),
              meanAfter,
              null,
              rows));
    }
    // groups with moves first, then those out of balance, then the rest
    List<Group> ordered =
        groups.stream()
            .sorted(
                Comparator.comparingInt(
                    (Group x) ->
                        x.rows().stream().anyMatch(w -> touched.contains(w.territory()))
                            ? 0
                            : x.rows().stream().anyMatch(w -> !"Within".equals(w.statusBefore()))
                                ? 1
                                : 2))
            .toList();
    List<Group> charted = new ArrayList<>();
    for (Group x : ordered.subList(0, Math.min(CHARTS, ordered.size()))) {
      charted.add(
          new Group(
              x.parent(),
              x.dimension(),
              x.meanBefore(),
              x.meanAfter(),
              chart(x, tolerance, (String) r.get("measure")),
              x.rows()));
    }
    List<Move> listed = moves.subList(0, Math.min(MOVES, moves.size()));
    return new Report(
        RunsPage.num(within.get("territories")),
        RunsPage.num(within.get("before")),
        RunsPage.num(within.get("after")),
        ViewData.dbl(within.get("beforeShare")),
        ViewData.dbl(within.get("afterShare")),
        RunsPage.num(d.get("unitsMoved")),
        RunsPage.num(d.get("accountsMoved")),
        ViewData.dbl(d.get("accountsMovedShare")),
        ViewData.dbl(d.get("pipelineMoved")),
        RunsPage.num(d.get("ownersAffected")),
        RunsPage.num(d.get("territoriesChanged")),
        RunsPage.num(r.get("accountsInScope")),
        RunsPage.num(g.get("withinAfter")),
        RunsPage.num(g.get("accountsMoved")),
        ViewData.dbl(g.get("pipelineMoved")),
        Boolean.TRUE.equals(diag.get("withinTolerance")),
        ViewData.list(diag.get("blockedBy")).stream().map(String::valueOf).toList(),
        ViewData.dbl(diag.get("worstDeviation")),
        (String) diag.get("worstTerritory"),
        listed,
        Math.max(0, moves.size() - MOVES),
        ViewData.json(listed.stream().filter(x -> x.lat() != null).map(Move::mark).toList()),
        listed.stream().filter(x -> x.lat() != null).count(),
        charted,
        groups.size() - charted.size(),
        (String) r.get("warning"),
        !Boolean.FALSE.equals(r.get("valid")),
        ViewData.list(r.get("problems")).stream().map(String::valueOf).toList(),
        RunsPage.num(RunsPage.map(r.get("timing")).get("totalMs")));
  }

  /**
   * Bars of each territory's measure before and after, with the band the tolerance allows around
   * the group's mean after the plan (dashed lines, the band shaded).
   */
  private static String chart(Group g, double tolerance, String measure) {
    List<String> labels = g.rows().stream().map(Row::territory).toList();
    int n = labels.size();
    List<Double> low = new ArrayList<>();
    List<Double> high = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      low.add(round(g.meanAfter() * (1 - tolerance)));
      high.add(round(g.meanAfter() * (1 + tolerance)));
    }
    List<Object> datasets = new ArrayList<>();
    datasets.add(
        Map.of(
            "label",
            "before",
            "data",
            g.rows().stream().map(Row::before).toList(),
            "backgroundColor",
            "#B9C0CF",
            "order",
            2));
    datasets.add(
        Map.of(
            "label",
            "after",
            "data",
            g.rows().stream().map(Row::after).toList(),
            "backgroundColor",
            "#2456C7",
            "order",
            2));
    datasets.add(band("band −" + pct(tolerance), low, false));
    datasets.add(band("band +" + pct(tolerance), high, true));
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("type", "bar");
    config.put("data", Map.of("labels", labels, "datasets", datasets));
    config.put(
        "options",
        Map.of(
            "plugins",
            Map.of("legend", Map.of("position", "bottom")),
            "scales",
            Map.of(
                "y",
                Map.of("beginAtZero", true, "title", Map.of("display", true, "text", measure)),
                "x",
                Map.of("ticks", Map.of("autoSkip", false, "maxRotation", 45)))));
    return ViewData.json(config);
  }

  private static Map<String, Object> band(String label, List<Double> values, boolean fillBelow) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "line");
    m.put("label", label);
    m.put("data", values);
    m.put("borderColor", "#117733");
    m.put("borderDash", List.of(6, 4));
    m.put("borderWidth", 2);
    m.put("pointRadius", 0);
    m.put("backgroundColor", "rgba(17,119,51,0.10)");
    m.put("fill", fillBelow ? "-1" : false);
    m.put("order", 1);
    return m;
  }

  private static String pct(double share) {
    return Math.round(share * 1000) / 10.0 + "%";
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
