package io.territorysync.rules;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Writes a {@link RuleSet} in the rules-file format (what {@link RulesReader} reads back). */
public final class RulesWriter {

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./@+-][A-Za-z0-9 _./@+-]*");

  private RulesWriter() {}

  /** The YAML text of {@code set}, with {@code header} lines as comments on top. */
  public static String write(RuleSet set, List<String> header) {
    StringBuilder sb = new StringBuilder();
    for (String h : header) {
      sb.append("# ").append(h).append('\n');
    }
    sb.append("model: ").append(scalar(set.model())).append('\n');
    sb.append("mode: ").append(set.mode().name().toLowerCase(Locale.ROOT)).append('\n');
    if (set.mode() == RuleSet.Mode.EXCLUSIVE) {
      sb.append("exclusive:\n  per: ")
          .append(set.exclusivePer().name().toLowerCase(Locale.ROOT))
          .append('\n');
    }
    sb.append("territories:\n");
    for (RuleSet.TerritoryRules t : set.territories()) {
      sb.append("  ").append(scalar(t.developerName())).append(":");
      if (t.priority() == 0
          && t.rules().isEmpty()
          && t.exclude().isEmpty()
          && t.users().isEmpty()) {
        sb.append(" {}\n");
        continue;
      }
      sb.append('\n');
      if (t.priority() != 0) {
        sb.append("    priority: ").append(t.priority()).append('\n');
      }
      if (!t.rules().isEmpty()) {
        sb.append("    rules:\n");
        for (RuleSet.Rule r : t.rules()) {
          sb.append("      - name: ").append(scalar(r.name())).append('\n');
          if (r.filter() != null) {
            sb.append("        filter: ").append(quote(r.filter())).append('\n');
          }
          if (r.inherited()) {
            sb.append("        inherited: true\n");
          }
          sb.append("        criteria:\n");
          for (RuleSet.Criterion c : r.criteria()) {
            sb.append("          - ");
            if (!c.operation().geographic()) {
              sb.append("{field: ").append(scalar(c.field())).append(", ");
            } else {
              sb.append("{");
            }
            sb.append("operation: ").append(c.operation().label());
            if (!c.operation().unary()) {
              sb.append(", value: ").append(value(c));
            }
            if (c.caseSensitive()) {
              sb.append(", caseSensitive: true");
            }
            sb.append("}\n");
          }
        }
      }
      if (!t.exclude().isEmpty()) {
        sb.append("    exclude: [").append(String.join(", ", t.exclude())).append("]\n");
      }
      if (!t.users().isEmpty()) {
        sb.append("    users:\n");
        for (RuleSet.Member m : t.users()) {
          sb.append("      - {user: ").append(scalar(m.user()));
          if (m.role() != null) {
            sb.append(", role: ").append(scalar(m.role()));
          }
          sb.append("}\n");
        }
      }
    }
    if (!set.overrides().isEmpty()) {
      sb.append("overrides:\n");
      for (RuleSet.Override o : set.overrides()) {
        sb.append("  - {account: ")
            .append(o.accountId())
            .append(", territory: ")
            .append(scalar(o.territory()))
            .append("}\n");
      }
    }
    return sb.toString();
  }

  private static String value(RuleSet.Criterion c) {
    List<String> v = c.values();
    if (c.operation() == Operation.WITHIN_RADIUS) {
      return "{lat: " + v.get(0) + ", lon: " + v.get(1) + ", km: " + v.get(2) + "}";
    }
    if (c.operation() == Operation.WITHIN_POLYGON) {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < v.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append('[').append(v.get(i)).append(']');
      }
      return sb.append(']').toString();
    }
    if (v.size() == 1) {
      return scalar(v.get(0));
    }
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < v.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(scalar(v.get(i)));
    }
    return sb.append(']').toString();
  }

  private static String scalar(String s) {
    if (PLAIN.matcher(s).matches()
        && !s.endsWith(" ")
        && !List.of("true", "false", "null", "yes", "no", "on", "off")
            .contains(s.toLowerCase(Locale.ROOT))
        && !s.matches("[-+]?[0-9][0-9_]*(\\.[0-9]*)?([eE][-+]?[0-9]+)?")
        && !s.contains(": ")
        && !s.startsWith("-")) {
      return s;
    }
    return quote(s);
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
