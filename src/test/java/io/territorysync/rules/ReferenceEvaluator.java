package io.territorysync.rules;

import io.territorysync.salesforce.SalesforceId;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A plain interpreter of rule sets, written from docs/rules.md without the engine's index or
 * compiled predicates: every territory, every rule, every criterion, for every account. The
 * differential tests hold the engine to it.
 */
final class ReferenceEvaluator {

  private final RuleSet set;
  private final RulesContext ctx;
  private final String modelId;
  private final Map<String, RulesContext.Territory> territories = new LinkedHashMap<>();
  private final Map<String, RuleSet.TerritoryRules> file = new HashMap<>();

  ReferenceEvaluator(RuleSet set, RulesContext ctx) {
    this.set = set;
    this.ctx = ctx;
    this.modelId = ctx.model(set.model()).orElseThrow().id();
    ctx.territories().get(modelId).values().forEach(t -> territories.put(t.developerName(), t));
    set.territories().forEach(t -> file.put(t.developerName().toLowerCase(Locale.ROOT), t));
  }

  /** DeveloperNames of the territories {@code account} belongs to. */
  Set<String> territoriesOf(Map<String, Object> account) {
    String id = SalesforceId.to18((String) account.get("Id"));
    List<String> matched = new ArrayList<>();
    for (RulesContext.Territory t : territories.values()) {
      List<RuleSet.Rule> rules = effective(t);
      if (rules.isEmpty() || excluded(t, id)) {
        continue;
      }
      boolean all = true;
      for (RuleSet.Rule r : rules) {
        all &= ruleHolds(r, account);
      }
      if (all) {
        matched.add(t.developerName());
      }
    }
    Set<String> pinned = new LinkedHashSet<>();
    for (RuleSet.Override o : set.overrides()) {
      if (SalesforceId.to18(o.accountId()).equals(id)) {
        pinned.add(territories.get(exact(o.territory())).developerName());
      }
    }
    Set<String> all = new LinkedHashSet<>(matched);
    all.addAll(pinned);
    if (set.mode() == RuleSet.Mode.MULTI) {
      return all;
    }
    Map<String, String> best = new HashMap<>();
    for (String t : all) {
      String group =
          set.exclusivePer() == RuleSet.ExclusivePer.MODEL ? "" : territories.get(t).typeId();
      String current = best.get(group);
      if (current == null || better(t, current, pinned)) {
        best.put(group, t);
      }
    }
    return new HashSet<>(best.values());
  }

  private boolean better(String a, String b, Set<String> pinned) {
    if (pinned.contains(a) != pinned.contains(b)) {
      return pinned.contains(a);
    }
    Comparator<String> order =
        Comparator.comparingInt((String t) -> -ctx.typePriority(territories.get(t)))
            .thenComparingInt(t -> -priority(t))
            .thenComparing(t -> t.toLowerCase(Locale.ROOT));
    return order.compare(a, b) < 0;
  }

  private int priority(String t) {
    RuleSet.TerritoryRules tr = file.get(t.toLowerCase(Locale.ROOT));
    return tr == null ? 0 : tr.priority();
  }

  private String exact(String name) {
    return territories.keySet().stream()
        .filter(k -> k.equalsIgnoreCase(name))
        .findFirst()
        .orElseThrow();
  }

  private boolean excluded(RulesContext.Territory t, String id) {
    RuleSet.TerritoryRules tr = file.get(t.developerName().toLowerCase(Locale.ROOT));
    return tr != null && tr.exclude().stream().anyMatch(x -> SalesforceId.to18(x).equals(id));
  }

  private List<RuleSet.Rule> effective(RulesContext.Territory t) {
    List<RuleSet.Rule> out = new ArrayList<>();
    RuleSet.TerritoryRules own = file.get(t.developerName().toLowerCase(Locale.ROOT));
    if (own != null) {
      out.addAll(own.rules());
    }
    String parent = t.parentId();
    Set<String> seen = new HashSet<>();
    while (parent != null && seen.add(parent)) {
      RulesContext.Territory p = byId(parent);
      if (p == null) {
        break;
      }
      RuleSet.TerritoryRules pr = file.get(p.developerName().toLowerCase(Locale.ROOT));
      if (pr != null) {
        pr.rules().stream().filter(RuleSet.Rule::inherited).forEach(out::add);
      }
      parent = p.parentId();
    }
    return out;
  }

  private RulesContext.Territory byId(String id) {
    return territories.values().stream().filter(t -> t.id().equals(id)).findFirst().orElse(null);
  }

  private boolean ruleHolds(RuleSet.Rule r, Map<String, Object> account) {
    boolean[] o = new boolean[r.criteria().size()];
    for (int i = 0; i < o.length; i++) {
      o[i] = holds(r.criteria().get(i), account);
    }
    if (r.filter() == null) {
      for (boolean b : o) {
        if (!b) {
          return false;
        }
      }
      return true;
    }
    return new FilterLogic(r.filter(), o).value();
  }

  /**
   * The reference's own reading of filter logic, independent of the product's parser: a level is
   * operands joined by one operator (AND or OR, as Salesforce requires), an operand is a criterion
   * number, NOT operand, or a parenthesised level.
   */
  private static final class FilterLogic {
    private final java.util.List<String> tokens = new java.util.ArrayList<>();
    private final boolean[] outcomes;
    private int next;

    FilterLogic(String text, boolean[] outcomes) {
      this.outcomes = outcomes;
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("\\(|\\)|[0-9]+|[A-Za-z]+").matcher(text);
      while (m.find()) {
        tokens.add(m.group().toUpperCase(java.util.Locale.ROOT));
      }
    }

    boolean value() {
      boolean v = level();
      if (next != tokens.size()) {
        throw new IllegalStateException("trailing " + tokens.subList(next, tokens.size()));
      }
      return v;
    }

    private boolean level() {
      boolean v = operand();
      String op = null;
      while (next < tokens.size() && !tokens.get(next).equals(")")) {
        String t = tokens.get(next++);
        if (op != null && !op.equals(t)) {
          throw new IllegalStateException("AND and OR mixed in " + tokens);
        }
        op = t;
        boolean w = operand();
        v = op.equals("AND") ? v && w : v || w;
      }
      return v;
    }

    private boolean operand() {
      String t = tokens.get(next++);
      if (t.equals("NOT")) {
        return !operand();
      }
      if (t.equals("(")) {
        boolean v = level();
        if (!tokens.get(next++).equals(")")) {
          throw new IllegalStateException("missing ) in " + tokens);
        }
        return v;
      }
      return outcomes[Integer.parseInt(t) - 1];
    }
  }

  /** One criterion, straight from the documented semantics. */
  boolean holds(RuleSet.Criterion c, Map<String, Object> account) {
    Operation op = c.operation();
    if (op == Operation.WITHIN_RADIUS || op == Operation.WITHIN_POLYGON) {
      Object lat = account.get("BillingLatitude");
      Object lon = account.get("BillingLongitude");
      if (!(lat instanceof Double x) || !(lon instanceof Double y)) {
        return false;
      }
      if (op == Operation.WITHIN_RADIUS) {
        double plat = Double.parseDouble(c.values().get(0));
        double plon = Double.parseDouble(c.values().get(1));
        double km = Double.parseDouble(c.values().get(2));
        return haversine(x, y, plat, plon) <= km;
      }
      List<double[]> pts = new ArrayList<>();
      for (String p : c.values()) {
        String[] xy = p.split(",");
        pts.add(new double[] {Double.parseDouble(xy[0].trim()), Double.parseDouble(xy[1].trim())});
      }
      return inPolygon(x, y, pts);
    }
    String field = c.field().replaceFirst("(?i)^account\\.", "");
    FieldKind kind = ctx.field(field).map(RulesContext.Field::kind).orElse(FieldKind.TEXT);
    Object raw = account.get(field);
    if (raw instanceof String s && s.isBlank()) {
      raw = null;
    }
    if (op == Operation.IS_BLANK) {
      return raw == null;
    }
    if (op == Operation.IS_NOT_BLANK) {
      return raw != null;
    }
    if (kind == FieldKind.NUMBER) {
      Double x = raw == null ? null : ((Number) raw).doubleValue();
      List<Double> v = c.values().stream().map(Double::parseDouble).toList();
      return switch (op) {
        case EQUALS, IN -> x != null && v.contains(x);
        case NOT_EQUAL, NOT_IN -> x == null || !v.contains(x);
        case LESS_THAN -> x != null && x < v.get(0);
        case GREATER_THAN -> x != null && x > v.get(0);
        case LESS_OR_EQUAL -> x != null && x <= v.get(0);
        case GREATER_OR_EQUAL -> x != null && x >= v.get(0);
        case BETWEEN -> x != null && x >= v.get(0) && x <= v.get(1);
        default -> throw new IllegalArgumentException(op.label());
      };
    }
    if (kind == FieldKind.DATE) {
      Long x = raw == null ? null : ((LocalDate) raw).toEpochDay();
      List<Long> v = c.values().stream().map(s -> LocalDate.parse(s).toEpochDay()).toList();
      return switch (op) {
        case EQUALS, IN -> x != null && v.contains(x);
        case NOT_EQUAL, NOT_IN -> x == null || !v.contains(x);
        case LESS_THAN -> x != null && x < v.get(0);
        case GREATER_THAN -> x != null && x > v.get(0);
        case LESS_OR_EQUAL -> x != null && x <= v.get(0);
        case GREATER_OR_EQUAL -> x != null && x >= v.get(0);
        case BETWEEN -> x != null && x >= v.get(0) && x <= v.get(1);
        default -> throw new IllegalArgumentException(op.label());
      };
    }
    if (kind == FieldKind.BOOLEAN) {
      boolean wanted = Boolean.parseBoolean(c.values().get(0));
      boolean equal = Boolean.valueOf(wanted).equals(raw);
      return op == Operation.NOT_EQUAL || op == Operation.NOT_IN ? !equal : equal;
    }
    String x = raw == null ? null : raw.toString().trim();
    boolean cs = c.caseSensitive();
    String xc = x == null ? null : cs ? x : x.toLowerCase(Locale.ROOT);
    List<String> v =
        c.values().stream().map(s -> cs ? s.trim() : s.trim().toLowerCase(Locale.ROOT)).toList();
    switch (op) {
      case EQUALS, IN:
        return xc != null && v.contains(xc);
      case NOT_EQUAL, NOT_IN:
        return xc == null || !v.contains(xc);
      case CONTAINS:
        return xc != null && v.stream().anyMatch(xc::contains);
      case NOT_CONTAIN:
        return xc == null || v.stream().noneMatch(xc::contains);
      case STARTS_WITH:
        return xc != null && v.stream().anyMatch(xc::startsWith);
      case LESS_THAN:
        return xc != null && xc.compareTo(v.get(0)) < 0;
      case GREATER_THAN:
        return xc != null && xc.compareTo(v.get(0)) > 0;
      case LESS_OR_EQUAL:
        return xc != null && xc.compareTo(v.get(0)) <= 0;
      case GREATER_OR_EQUAL:
        return xc != null && xc.compareTo(v.get(0)) >= 0;
      case INCLUDES, EXCLUDES:
        {
          if (xc == null) {
            return op == Operation.EXCLUDES;
          }
          Set<String> have = parts(xc);
          boolean any = v.stream().anyMatch(g -> have.containsAll(parts(g)));
          return op == Operation.INCLUDES ? any : !any;
        }
      case MATCHES:
        return x != null
            && Pattern.compile(
                    c.values().get(0), cs ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)
                .matcher(x)
                .matches();
      case POSTAL_RANGE:
        {
          if (x == null) {
            return false;
          }
          String digits = x.replaceAll("[^0-9]", "");
          for (String range : c.values()) {
            String[] ab = range.split("\\.\\.|-");
            int d = ab[0].trim().length();
            if (digits.length() >= d) {
              long n = Long.parseLong(digits.substring(0, d));
              if (n >= Long.parseLong(ab[0].trim()) && n <= Long.parseLong(ab[1].trim())) {
                return true;
              }
            }
          }
          return false;
        }
      case POSTAL_PREFIX:
        {
          if (x == null) {
            return false;
          }
          String n = x.replaceAll("[^\\p{L}\\p{N}]", "").toUpperCase(Locale.ROOT);
          return c.values().stream()
              .anyMatch(
                  p -> n.startsWith(p.replaceAll("[^\\p{L}\\p{N}]", "").toUpperCase(Locale.ROOT)));
        }
      default:
        throw new IllegalArgumentException(op.label());
    }
  }

  private static Set<String> parts(String v) {
    Set<String> s = new HashSet<>();
    for (String p : v.split(";")) {
      if (!p.isBlank()) {
        s.add(p.trim());
      }
    }
    return s;
  }

  private static double haversine(double lat1, double lon1, double lat2, double lon2) {
    double r = 6371.0088;
    double p1 = Math.toRadians(lat1);
    double p2 = Math.toRadians(lat2);
    double dp = Math.toRadians(lat2 - lat1);
    double dl = Math.toRadians(lon2 - lon1);
    double h =
        Math.pow(Math.sin(dp / 2), 2) + Math.cos(p1) * Math.cos(p2) * Math.pow(Math.sin(dl / 2), 2);
    return 2 * r * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  private static boolean inPolygon(double x, double y, List<double[]> pts) {
    boolean in = false;
    for (int i = 0, j = pts.size() - 1; i < pts.size(); j = i++) {
      double[] a = pts.get(i);
      double[] b = pts.get(j);
      if ((a[0] > x) != (b[0] > x)) {
        double cross = a[1] + (x - a[0]) * (b[1] - a[1]) / (b[0] - a[0]);
        if (y < cross) {
          in = !in;
        } else if (y == cross) {
          return true;
        }
      }
    }
    return in;
  }
}
