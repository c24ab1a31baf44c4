package io.territorysync.rules;

import io.territorysync.rules.RuleSet.Criterion;
import io.territorysync.rules.RuleSet.Member;
import io.territorysync.rules.RuleSet.Rule;
import io.territorysync.rules.RuleSet.TerritoryRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionEndEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads a rules file into a {@link RuleSet}, collecting every structural problem with its line and
 * column (the validator then checks it against the org).
 *
 * <pre>
 * model: Global_Sales
 * mode: exclusive            # or multi (native: every matching territory)
 * exclusive: {per: type}     # one territory per Territory2Type, or per model
 * territories:
 *   NA_US_West_ENT:
 *     priority: 10
 *     rules:
 *       - name: west-enterprise
 *         filter: 1 AND 2 AND 3
 *         criteria:
 *           - {field: BillingCountry, operation: equals, value: "United States, USA, US"}
 *           - {field: BillingPostalCode, operation: postalRange, value: 90000-96199}
 *           - {field: Segment__c, operation: equals, value: Enterprise}
 *     exclude: [001xx000003DGb2AAG]
 *     users: [{user: jane@acme.com, role: Owner}]
 * overrides:
 *   - {account: 001xx000003DGb0AAG, territory: Strategic_Accounts}
 * </pre>
 */
public final class RulesReader {

  /**
   * Most characters (code points) in a rules file: about 3.5 times the demo rules of a 5M-account
   * org with 5,000 territories (2.26 million characters). A larger file is refused before it is
   * parsed.
   */
  public static final int MAX_CODE_POINTS = 8_000_000;

  /**
   * Most bytes of a rules file (on disk or sent to the API): 8 MiB, a file of the largest size in
   * ASCII, below the HTTP server's 10 MiB body limit.
   */
  public static final int MAX_BYTES = 8 * 1024 * 1024;

  /** Deepest nesting of mappings and lists; a rules file needs about 9. */
  public static final int MAX_DEPTH = 40;

  /** Most aliases ({@code *name}) in a file. */
  public static final int MAX_ALIASES = 500;

  /**
   * Most characters the file may hold once every alias is expanded, so that aliases of a large
   * value ({@code values: [*s, *s, …]}) cannot grow into gigabytes in memory.
   */
  public static final long MAX_EXPANDED = 2L * MAX_CODE_POINTS;

  private static final Set<String> TOP =
      Set.of("model", "mode", "exclusive", "territories", "overrides", "description", "version");
  private static final Set<String> TERRITORY =
      Set.of("priority", "rules", "exclude", "users", "description");
  private static final Set<String> RULE =
      Set.of("name", "filter", "criteria", "inherited", "description");
  private static final Set<String> CRITERION =
      Set.of("field", "operation", "value", "values", "caseSensitive");
  private static final Set<String> MEMBER = Set.of("user", "username", "email", "role");

  private final String source;
  private final List<RuleProblem> problems = new ArrayList<>();

  private RulesReader(String source) {
    this.source = source;
  }

  /**
   * The outcome: the rule set (null when the file is not even a mapping) and every problem found.
   */
  public record Result(RuleSet rules, List<RuleProblem> problems) {
    public boolean ok() {
      return rules != null && problems.stream().noneMatch(p -> !p.warning());
    }
  }

  /** Reads {@code text}; {@code source} names the file in messages. */
  public static Result read(String text, String source) {
    RulesReader r = new RulesReader(source);
    RuleSet rules = r.parse(text);
    return new Result(rules, List.copyOf(r.problems));
  }

  private RuleSet parse(String text) {
    Optional<Node> root;
    try {
      int codePoints = text.codePointCount(0, text.length());
      if (codePoints > MAX_CODE_POINTS) {
        problems.add(
            RuleProblem.error(
                new Pos(1, 1),
                "the rules file holds "
                    + codePoints
                    + " characters; at most "
                    + MAX_CODE_POINTS
                    + " are read"));
        return null;
      }
      LoadSettings settings =
          LoadSettings.builder()
              .setLabel(source)
              .setCodePointLimit(MAX_CODE_POINTS * 4)
              .setMaxAliasesForCollections(MAX_ALIASES)
              .setAllowRecursiveKeys(false)
              .build();
      if (!withinLimits(settings, text)) {
        return null;
      }
      root = new Compose(settings).composeString(text);
    } catch (MarkedYamlEngineException e) {
      Pos pos = e.getProblemMark().map(RulesReader::pos).orElse(Pos.NONE);
      problems.add(RuleProblem.error(pos, "not valid YAML: " + e.getProblem()));
      return null;
    } catch (ReaderException e) {
      problems.add(
          RuleProblem.error(
              at(text, e.getPosition()),
              "not valid YAML: the character U+"
                  + String.format("%04X", e.getCodePoint())
                  + " is not allowed"));
      return null;
    } catch (YamlEngineException e) {
      problems.add(RuleProblem.error(Pos.NONE, "not valid YAML: " + e.getMessage()));
      return null;
    }
    if (root.isEmpty() || !(root.get() instanceof MappingNode top)) {
      problems.add(
          RuleProblem.error(
              root.map(RulesReader::pos).orElse(new Pos(1, 1)),
              "a rules file is a mapping with model, mode and territories"));
      return null;
    }
    Map<String, NodeTuple> keys = keys(top, TOP, "rules file");
    String model = string(keys.get("model"));
    if (model == null) {
      if (!keys.containsKey("model")) {
        problems.add(
            RuleProblem.error(
                pos(top), "model is missing: the DeveloperName of the Territory2Model to assign"));
      }
    }
    RuleSet.Mode mode = RuleSet.Mode.MULTI;
    if (keys.containsKey("mode")) {
      String m = string(keys.get("mode"));
      if (m != null) {
        switch (m.toLowerCase(Locale.ROOT)) {
          case "multi" -> mode = RuleSet.Mode.MULTI;
          case "exclusive" -> mode = RuleSet.Mode.EXCLUSIVE;
          default ->
              problems.add(
                  RuleProblem.error(
                      pos(keys.get("mode").getValueNode()),
                      "mode must be multi or exclusive, not '" + m + "'"));
        }
      }
    }
    RuleSet.ExclusivePer per = RuleSet.ExclusivePer.TYPE;
    if (keys.containsKey("exclusive")) {
      Node ex = keys.get("exclusive").getValueNode();
      if (ex instanceof MappingNode exMap) {
        Map<String, NodeTuple> exKeys = keys(exMap, Set.of("per"), "exclusive");
        String p = string(exKeys.get("per"));
        if (p != null) {
          switch (p.toLowerCase(Locale.ROOT)) {
            case "type" -> per = RuleSet.ExclusivePer.TYPE;
            case "model" -> per = RuleSet.ExclusivePer.MODEL;
            default ->
                problems.add(
                    RuleProblem.error(
                        pos(exKeys.get("per").getValueNode()),
                        "exclusive.per must be type or model, not '" + p + "'"));
          }
        }
      } else {
        problems.add(RuleProblem.error(pos(ex), "exclusive must be a mapping such as {per: type}"));
      }
      if (mode != RuleSet.Mode.EXCLUSIVE) {
        problems.add(
            RuleProblem.warning(
                pos(keys.get("exclusive").getKeyNode()),
                "exclusive settings are ignored unless mode is exclusive"));
      }
    }
    List<TerritoryRules> territories = new ArrayList<>();
    NodeTuple t = keys.get("territories");
    if (t == null) {
      problems.add(RuleProblem.error(pos(top), "territories is missing"));
    } else if (t.getValueNode() instanceof MappingNode map) {
      Map<String, Pos> seen = new HashMap<>();
      for (NodeTuple entry : map.getValue()) {
        String name = scalar(entry.getKeyNode());
        if (name == null) {
          problems.add(
              RuleProblem.error(
                  pos(entry.getKeyNode()), "a territory is named by its DeveloperName"));
          continue;
        }
        Pos previous = seen.putIfAbsent(name.toLowerCase(Locale.ROOT), pos(entry.getKeyNode()));
        if (previous != null) {
          problems.add(
              RuleProblem.error(
                  pos(entry.getKeyNode()),
                  "territory "
                      + name
                      + " is listed twice (first at line "
                      + previous.line()
                      + ")"));
          continue;
        }
        territories.add(territory(name, entry));
      }
    } else if (!(t.getValueNode() instanceof ScalarNode s && s.getValue().isEmpty())) {
      problems.add(
          RuleProblem.error(
              pos(t.getValueNode()),
              "territories must be a mapping of territory DeveloperName to its rules"));
    }
    List<RuleSet.Override> overrides = new ArrayList<>();
    NodeTuple o = keys.get("overrides");
    if (o != null) {
      if (o.getValueNode() instanceof SequenceNode seq) {
        for (Node item : seq.getValue()) {
          if (!(item instanceof MappingNode m)) {
            problems.add(
                RuleProblem.error(
                    pos(item), "an override is {account: <id>, territory: <DeveloperName>}"));
            continue;
          }
          Map<String, NodeTuple> k = keys(m, Set.of("account", "territory"), "override");
          String account = string(k.get("account"));
          String territory = string(k.get("territory"));
          if (account == null || territory == null) {
            problems.add(RuleProblem.error(pos(m), "an override needs account and territory"));
            continue;
          }
          overrides.add(new RuleSet.Override(account, territory, pos(m)));
        }
      } else {
        problems.add(
            RuleProblem.error(
                pos(o.getValueNode()), "overrides must be a list of {account, territory}"));
      }
    }
    return new RuleSet(
        source,
        model,
        mode,
        per,
        List.copyOf(territories),
        List.copyOf(overrides),
        keys.containsKey("model") ? pos(keys.get("model").getValueNode()) : pos(top));
  }

  private TerritoryRules territory(String name, NodeTuple entry) {
    Pos at = pos(entry.getKeyNode());
    Node value = entry.getValueNode();
    if (value instanceof ScalarNode s && s.getValue().isEmpty()) {
      return new TerritoryRules(name, 0, List.of(), List.of(), List.of(), at);
    }
    if (!(value instanceof MappingNode map)) {
      problems.add(
          RuleProblem.error(
              pos(value),
              "territory " + name + " must be a mapping with rules, priority, exclude or users"));
      return new TerritoryRules(name, 0, List.of(), List.of(), List.of(), at);
    }
    Map<String, NodeTuple> k = keys(map, TERRITORY, "territory " + name);
    int priority = 0;
    if (k.containsKey("priority")) {
      Integer p = integer(k.get("priority").getValueNode(), "priority");
      priority = p == null ? 0 : p;
    }
    List<Rule> rules = new ArrayList<>();
    NodeTuple r = k.get("rules");
    if (r != null) {
      if (r.getValueNode() instanceof SequenceNode seq) {
        int n = 0;
        Set<String> names = new java.util.HashSet<>();
        for (Node item : seq.getValue()) {
          n++;
          Rule rule = rule(name, n, item);
          if (rule != null) {
            if (!names.add(rule.name().toLowerCase(Locale.ROOT))) {
              problems.add(
                  RuleProblem.error(
                      rule.pos(),
                      "rule name '" + rule.name() + "' is used twice in territory " + name));
            }
            rules.add(rule);
          }
        }
      } else {
        problems.add(
            RuleProblem.error(pos(r.getValueNode()), "rules of " + name + " must be a list"));
      }
    }
    List<String> exclude = new ArrayList<>();
    NodeTuple ex = k.get("exclude");
    if (ex != null) {
      exclude.addAll(strings(ex.getValueNode(), "exclude"));
    }
    List<Member> users = new ArrayList<>();
    NodeTuple u = k.get("users");
    if (u != null) {
      if (u.getValueNode() instanceof SequenceNode seq) {
        for (Node item : seq.getValue()) {
          if (item instanceof ScalarNode s) {
            users.add(new Member(s.getValue(), null, pos(s)));
          } else if (item instanceof MappingNode m) {
            Map<String, NodeTuple> mk = keys(m, MEMBER, "user");
            String user =
                string(mk.getOrDefault("user", mk.getOrDefault("username", mk.get("email"))));
            if (user == null) {
              problems.add(
                  RuleProblem.error(pos(m), "a user entry needs user (username or email)"));
              continue;
            }
            users.add(new Member(user, string(mk.get("role")), pos(m)));
          } else {
            problems.add(
                RuleProblem.error(pos(item), "a user entry is a username, or {user, role}"));
          }
        }
      } else {
        problems.add(RuleProblem.error(pos(u.getValueNode()), "users must be a list"));
      }
    }
    return new TerritoryRules(
        name, priority, List.copyOf(rules), List.copyOf(exclude), List.copyOf(users), at);
  }

  private Rule rule(String territory, int number, Node node) {
    if (!(node instanceof MappingNode map)) {
      problems.add(
          RuleProblem.error(
              pos(node),
              "rule " + number + " of " + territory + " must be a mapping with criteria"));
      return null;
    }
    Map<String, NodeTuple> k = keys(map, RULE, "rule");
    String name = k.containsKey("name") ? string(k.get("name")) : null;
    if (name == null) {
      name = "rule-" + number;
    }
    boolean inherited = false;
    if (k.containsKey("inherited")) {
      Boolean b = bool(k.get("inherited").getValueNode(), "inherited");
      inherited = b != null && b;
    }
    List<Criterion> criteria = new ArrayList<>();
    NodeTuple c = k.get("criteria");
    if (c == null) {
      problems.add(
          RuleProblem.error(pos(map), "rule " + name + " of " + territory + " has no criteria"));
    } else if (c.getValueNode() instanceof SequenceNode seq) {
      if (seq.getValue().isEmpty()) {
        problems.add(
            RuleProblem.error(pos(seq), "rule " + name + " of " + territory + " has no criteria"));
      }
      for (Node item : seq.getValue()) {
        Criterion criterion = criterion(item);
        if (criterion != null) {
          criteria.add(criterion);
        }
      }
    } else {
      problems.add(RuleProblem.error(pos(c.getValueNode()), "criteria must be a list"));
    }
    String filter = k.containsKey("filter") ? string(k.get("filter")) : null;
    Pos filterPos = k.containsKey("filter") ? pos(k.get("filter").getValueNode()) : null;
    return new Rule(name, filter, List.copyOf(criteria), inherited, pos(map), filterPos);
  }

  private Criterion criterion(Node node) {
    if (!(node instanceof MappingNode map)) {
      problems.add(RuleProblem.error(pos(node), "a criterion is {field, operation, value}"));
      return null;
    }
    Map<String, NodeTuple> k = keys(map, CRITERION, "criterion");
    String opName = string(k.get("operation"));
    if (opName == null) {
      if (!k.containsKey("operation")) {
        problems.add(RuleProblem.error(pos(map), "criterion has no operation"));
      }
      return null;
    }
    Optional<Operation> op = Operation.parse(opName);
    if (op.isEmpty()) {
      problems.add(
          RuleProblem.error(
              pos(k.get("operation").getValueNode()),
              "unknown operation '"
                  + opName
                  + "'; use one of "
                  + String.join(
                      ", ",
                      java.util.Arrays.stream(Operation.values()).map(Operation::label).toList())));
      return null;
    }
    String field = string(k.get("field"));
    Pos fieldPos = k.containsKey("field") ? pos(k.get("field").getValueNode()) : pos(map);
    if (field == null && !op.get().geographic()) {
      if (!k.containsKey("field")) {
        problems.add(RuleProblem.error(pos(map), "criterion has no field"));
      }
      return null;
    }
    NodeTuple v = k.getOrDefault("value", k.get("values"));
    List<String> values = new ArrayList<>();
    Pos valuePos = v == null ? pos(map) : pos(v.getValueNode());
    if (v == null) {
      if (!op.get().unary()) {
        problems.add(
            RuleProblem.error(
                pos(map),
                "criterion on "
                    + (field == null ? "Billing coordinates" : field)
                    + " has no value"));
        return null;
      }
    } else {
      values = values(v.getValueNode(), op.get());
      if (values == null) {
        return null;
      }
    }
    boolean caseSensitive = false;
    if (k.containsKey("caseSensitive")) {
      Boolean b = bool(k.get("caseSensitive").getValueNode(), "caseSensitive");
      caseSensitive = b != null && b;
    }
    return new Criterion(
        field, op.get(), List.copyOf(values), caseSensitive, pos(map), fieldPos, valuePos);
  }

  private List<String> values(Node node, Operation op) {
    if (op == Operation.WITHIN_RADIUS) {
      if (!(node instanceof MappingNode m)) {
        problems.add(RuleProblem.error(pos(node), "withinRadius takes {lat, lon, km}"));
        return null;
      }
      Map<String, NodeTuple> k = keys(m, Set.of("lat", "lon", "km", "miles"), "withinRadius");
      String lat = string(k.get("lat"));
      String lon = string(k.get("lon"));
      String km = k.containsKey("miles") ? milesToKm(string(k.get("miles"))) : string(k.get("km"));
      if (lat == null || lon == null || km == null) {
        problems.add(RuleProblem.error(pos(m), "withinRadius needs lat, lon and km (or miles)"));
        return null;
      }
      return List.of(lat, lon, km);
    }
    if (op == Operation.WITHIN_POLYGON) {
      if (!(node instanceof SequenceNode seq)) {
        problems.add(
            RuleProblem.error(pos(node), "withinPolygon takes a list of [lat, lon] points"));
        return null;
      }
      List<String> points = new ArrayList<>();
      for (Node point : seq.getValue()) {
        if (point instanceof SequenceNode p
            && p.getValue().size() == 2
            && p.getValue().get(0) instanceof ScalarNode a
            && p.getValue().get(1) instanceof ScalarNode b) {
          points.add(a.getValue() + "," + b.getValue());
        } else {
          problems.add(RuleProblem.error(pos(point), "a polygon point is [lat, lon]"));
          return null;
        }
      }
      return points;
    }
    if (node instanceof ScalarNode s) {
      if (op == Operation.MATCHES) {
        return List.of(s.getValue());
      }
      List<String> out = new ArrayList<>();
      for (String part : s.getValue().split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
      if (out.isEmpty() && !s.getValue().isEmpty()) {
        out.add(s.getValue());
      }
      return out;
    }
    if (node instanceof SequenceNode seq) {
      List<String> out = new ArrayList<>();
      for (Node item : seq.getValue()) {
        if (item instanceof ScalarNode s) {
          out.add(s.getValue().trim());
        } else {
          problems.add(RuleProblem.error(pos(item), "values in a list must be plain values"));
          return null;
        }
      }
      return out;
    }
    problems.add(RuleProblem.error(pos(node), "value must be a value or a list of values"));
    return null;
  }

  private static String milesToKm(String miles) {
    try {
      return Double.toString(Double.parseDouble(miles) * 1.609344);
    } catch (NumberFormatException | NullPointerException e) {
      return miles;
    }
  }

  /** Bytes that are not text in the expected charset, with where the first bad one is. */
  public static final class Undecodable extends java.nio.charset.CharacterCodingException {
    private final transient Pos pos;
    private final String reason;

    Undecodable(Pos pos, String reason) {
      this.pos = pos;
      this.reason = reason;
    }

    /** The problem, positioned at the first bad byte. */
    public RuleProblem problem() {
      return RuleProblem.error(pos, reason);
    }

    @Override
    public String getMessage() {
      return reason + " at line " + pos.line() + ", column " + pos.column();
    }
  }

  /**
   * Decodes a rules file strictly: a byte sequence that is not valid in {@code charset} is refused
   * with its line and column rather than silently replaced.
   */
  public static String decode(byte[] bytes, java.nio.charset.Charset charset) throws Undecodable {
    java.nio.charset.CharsetDecoder decoder =
        charset
            .newDecoder()
            .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
            .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
    java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 16);
    java.nio.charset.CoderResult r = decoder.decode(in, out, true);
    if (r.isError()) {
      out.flip();
      String before = out.toString();
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < before.length(); i++) {
        if (before.charAt(i) == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      throw new Undecodable(
          new Pos(line, before.length() - lineStart + 1),
          "not valid " + charset.name() + " (byte " + (in.position() + 1) + ")");
    }
    decoder.flush(out);
    out.flip();
    return out.toString();
  }

  // ----------------------------------------------------------------------------- limits

  /** An open mapping or list while scanning: its anchor and expanded size so far. */
  private static final class Open {
    final Anchor anchor;
    long size = 1;

    Open(Anchor anchor) {
      this.anchor = anchor;
    }
  }

  /**
   * Scans the parser's events (the parser keeps its own stack, so any depth is safe here) before
   * the document is composed into nodes (which recurses): refuses nesting deeper than {@link
   * #MAX_DEPTH}, more than {@link #MAX_ALIASES} aliases, and aliases that would expand the file
   * beyond {@link #MAX_EXPANDED} characters.
   */
  private boolean withinLimits(LoadSettings settings, String text) {
    java.util.ArrayDeque<Open> open = new java.util.ArrayDeque<>();
    Map<Anchor, Long> anchored = new HashMap<>();
    long expanded = 0;
    int aliases = 0;
    for (Event e : new Parse(settings).parseString(text)) {
      long size;
      if (e instanceof CollectionStartEvent start) {
        if (open.size() >= MAX_DEPTH) {
          problems.add(
              RuleProblem.error(
                  pos(e), "mappings and lists are nested more than " + MAX_DEPTH + " deep"));
          return false;
        }
        open.push(new Open(start.getAnchor().orElse(null)));
        size = 1;
      } else if (e instanceof CollectionEndEvent) {
        Open closed = open.pop();
        if (closed.anchor != null) {
          anchored.put(closed.anchor, closed.size);
        }
        if (!open.isEmpty()) {
          open.peek().size += closed.size;
        }
        continue;
      } else if (e instanceof ScalarEvent scalar) {
        size = 1 + scalar.getValue().length();
        scalar.getAnchor().ifPresent(a -> anchored.put(a, 1L + scalar.getValue().length()));
      } else if (e instanceof AliasEvent alias) {
        if (++aliases > MAX_ALIASES) {
          problems.add(
              RuleProblem.error(
                  pos(e), "more than " + MAX_ALIASES + " aliases (*name) in the file"));
          return false;
        }
        size = anchored.getOrDefault(alias.getAlias(), 1L);
      } else {
        continue;
      }
      expanded += size;
      if (expanded > MAX_EXPANDED) {
        problems.add(
            RuleProblem.error(
                pos(e),
                "aliases expand the file to more than "
                    + MAX_EXPANDED
                    + " characters (an alias bomb?)"));
        return false;
      }
      if (!open.isEmpty() && !(e instanceof CollectionStartEvent)) {
        open.peek().size += size;
      }
    }
    return true;
  }

  /** The line and column of the {@code codePoint}-th code point of {@code text}. */
  private static Pos at(String text, int codePoint) {
    int line = 1;
    int column = 1;
    int i = 0;
    for (int n = 0; n < codePoint && i < text.length(); n++) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (c == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new Pos(line, column);
  }

  private static Pos pos(Event e) {
    return e.getStartMark().map(RulesReader::pos).orElse(Pos.NONE);
  }

  // ----------------------------------------------------------------------------- helpers

  private Map<String, NodeTuple> keys(MappingNode map, Set<String> allowed, String what) {
    Map<String, NodeTuple> out = new java.util.LinkedHashMap<>();
    for (NodeTuple t : map.getValue()) {
      String key = scalar(t.getKeyNode());
      if (key == null) {
        problems.add(RuleProblem.error(pos(t.getKeyNode()), "keys must be plain names"));
        continue;
      }
      if (!allowed.contains(key)) {
        String near =
            allowed.stream()
                .filter(
                    a -> {
                      int limit = Math.max(2, a.length() / 3);
                      return EditDistance.between(a, key, limit) <= limit;
                    })
                .findFirst()
                .map(a -> " (did you mean " + a + "?)")
                .orElse("");
        problems.add(
            RuleProblem.error(
                pos(t.getKeyNode()),
                "unknown key '"
                    + key
                    + "' in "
                    + what
                    + near
                    + "; allowed: "
                    + String.join(", ", new java.util.TreeSet<>(allowed))));
        continue;
      }
      if (out.put(key, t) != null) {
        problems.add(
            RuleProblem.error(pos(t.getKeyNode()), "'" + key + "' is given twice in " + what));
      }
    }
    return out;
  }

  private String string(NodeTuple t) {
    if (t == null) {
      return null;
    }
    Node v = t.getValueNode();
    if (v instanceof ScalarNode s) {
      if (s.getValue().isEmpty()) {
        problems.add(RuleProblem.error(pos(v), scalar(t.getKeyNode()) + " is empty"));
        return null;
      }
      return s.getValue().trim();
    }
    problems.add(RuleProblem.error(pos(v), scalar(t.getKeyNode()) + " must be a plain value"));
    return null;
  }

  private Integer integer(Node v, String what) {
    if (v instanceof ScalarNode s) {
      try {
        return Integer.parseInt(s.getValue().trim());
      } catch (NumberFormatException e) {
        problems.add(
            RuleProblem.error(
                pos(v), what + " must be a whole number, not '" + s.getValue() + "'"));
        return null;
      }
    }
    problems.add(RuleProblem.error(pos(v), what + " must be a whole number"));
    return null;
  }

  private Boolean bool(Node v, String what) {
    if (v instanceof ScalarNode s
        && (s.getValue().equalsIgnoreCase("true") || s.getValue().equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s.getValue());
    }
    problems.add(RuleProblem.error(pos(v), what + " must be true or false"));
    return null;
  }

  private List<String> strings(Node v, String what) {
    if (v instanceof SequenceNode seq) {
      List<String> out = new ArrayList<>();
      for (Node item : seq.getValue()) {
        if (item instanceof ScalarNode s && !s.getValue().isBlank()) {
          out.add(s.getValue().trim());
        } else {
          problems.add(RuleProblem.error(pos(item), what + " entries must be plain values"));
        }
      }
      return out;
    }
    if (v instanceof ScalarNode s) {
      List<String> out = new ArrayList<>();
      for (String part : s.getValue().split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
      return out;
    }
    problems.add(RuleProblem.error(pos(v), what + " must be a list"));
    return List.of();
  }

  private static String scalar(Node n) {
    return n instanceof ScalarNode s ? s.getValue() : null;
  }

  private static Pos pos(Node n) {
    return n.getStartMark().map(RulesReader::pos).orElse(Pos.NONE);
  }

  private static Pos pos(Mark m) {
    return new Pos(m.getLine() + 1, m.getColumn() + 1);
  }
}
