package io.territorysync.rules.engine;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.territorysync.rules.FieldKind;
import io.territorysync.rules.Operation;
import io.territorysync.rules.Pos;
import io.territorysync.rules.RuleProblem;
import io.territorysync.rules.RuleSet.Criterion;
import io.territorysync.salesforce.SalesforceId;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns one criterion into a {@link CompiledCriterion}, checking its operands against the field's
 * kind.
 */
final class CriterionCompiler {

  /** Longest regular expression a {@code matches} criterion may have. */
  static final int MAX_REGEX = 1000;

  /** Largest compiled program a regular expression may have (matching time per character). */
  static final int MAX_PROGRAM = 5000;

  private final List<RuleProblem> problems;

  CriterionCompiler(List<RuleProblem> problems) {
    this.problems = problems;
  }

  /** The compiled criterion, or null (with a problem recorded) when it cannot be compiled. */
  CompiledCriterion compile(Criterion c, int slot, FieldKind kind, int latSlot, int lonSlot) {
    Operation op = c.operation();
    List<String> v = c.values();
    String field = c.field();
    String desc = describe(c);
    if (op.geographic()) {
      return geographic(c, latSlot, lonSlot, desc);
    }
    if (op == Operation.IS_BLANK) {
      return new CompiledCriterion(desc, a -> a.values[slot] == null, null);
    }
    if (op == Operation.IS_NOT_BLANK) {
      return new CompiledCriterion(desc, a -> a.values[slot] != null, null);
    }
    if (v.isEmpty()) {
      return fail(c.valuePos(), op.label() + " on " + field + " needs a value");
    }
    return switch (kind) {
      case NUMBER -> number(c, slot, desc);
      case BOOLEAN -> bool(c, slot, desc);
      case DATE, DATETIME -> date(c, slot, kind, desc);
      default -> text(c, slot, kind, desc);
    };
  }

  private CompiledCriterion text(Criterion c, int slot, FieldKind kind, String desc) {
    Operation op = c.operation();
    boolean cs = c.caseSensitive();
    List<String> operands = new ArrayList<>();
    for (String s : c.values()) {
      String t = s.trim();
      if (kind == FieldKind.ID
          && (op == Operation.EQUALS
              || op == Operation.IN
              || op == Operation.NOT_EQUAL
              || op == Operation.NOT_IN)) {
        String id = SalesforceId.normalize(t).orElse(null);
        if (id == null) {
          return fail(
              c.valuePos(),
              "'" + t + "' is not a Salesforce id (15 or 18 characters) for " + c.field());
        }
        t = id;
      }
      operands.add(cs ? t : t.toLowerCase(Locale.ROOT));
    }
    switch (op) {
      case EQUALS, IN, NOT_EQUAL, NOT_IN -> {
        Set<String> set = new HashSet<>(operands);
        boolean negate = op == Operation.NOT_EQUAL || op == Operation.NOT_IN;
        CompiledCriterion.Pred in =
            cs
                ? a -> a.values[slot] != null && set.contains(a.text(slot))
                : a -> a.lower[slot] != null && set.contains(a.lower[slot]);
        if (kind == FieldKind.ID) {
          Set<String> ids = new HashSet<>();
          operands.forEach(o -> ids.add(o.toLowerCase(Locale.ROOT)));
          in = a -> a.lower[slot] != null && ids.contains(idLower(a.lower[slot]));
        }
        if (negate) {
          CompiledCriterion.Pred positive = in;
          return new CompiledCriterion(desc, a -> !positive.test(a), null);
        }
        List<CompiledCriterion.IndexKey> keys = new ArrayList<>();
        if (kind != FieldKind.ID && kind != FieldKind.MULTI_PICKLIST) {
          for (String o : operands) {
            keys.add(new CompiledCriterion.Exact(slot, o.toLowerCase(Locale.ROOT)));
          }
        }
        return new CompiledCriterion(desc, in, keys.isEmpty() ? null : keys);
      }
      case CONTAINS, NOT_CONTAIN -> {
        CompiledCriterion.Pred any = anyOperand(cs, slot, operands, String::contains);
        return new CompiledCriterion(
            desc, op == Operation.CONTAINS ? any : a -> !any.test(a), null);
      }
      case STARTS_WITH -> {
        CompiledCriterion.Pred any = anyOperand(cs, slot, operands, String::startsWith);
        List<CompiledCriterion.IndexKey> keys = new ArrayList<>();
        operands.forEach(
            o -> keys.add(new CompiledCriterion.Prefix(slot, o.toLowerCase(Locale.ROOT), false)));
        return new CompiledCriterion(desc, any, keys);
      }
      case LESS_THAN, GREATER_THAN, LESS_OR_EQUAL, GREATER_OR_EQUAL -> {
        if (operands.size() != 1) {
          return fail(c.valuePos(), op.label() + " takes one value, not " + operands.size());
        }
        String o = operands.get(0);
        return new CompiledCriterion(
            desc,
            a -> {
              String x = cs ? a.text(slot) : a.lower[slot];
              return x != null && compare(op, x.compareTo(o));
            },
            null);
      }
      case INCLUDES, EXCLUDES -> {
        List<Set<String>> groups = new ArrayList<>();
        for (String o : operands) {
          groups.add(split(o));
        }
        CompiledCriterion.Pred includes =
            a -> {
              String x = cs ? a.text(slot) : a.lower[slot];
              if (x == null) {
                return false;
              }
              Set<String> have = split(x);
              for (Set<String> g : groups) {
                if (have.containsAll(g)) {
                  return true;
                }
              }
              return false;
            };
        return new CompiledCriterion(
            desc, op == Operation.INCLUDES ? includes : a -> !includes.test(a), null);
      }
      case MATCHES -> {
        // RE2 matches in time linear in the value, so no pattern can stall a run or a request
        Pattern p;
        String regex = c.values().get(0);
        if (regex.length() > MAX_REGEX) {
          return fail(
              c.valuePos(),
              "the regular expression for "
                  + c.field()
                  + " is "
                  + regex.length()
                  + " characters; at most "
                  + MAX_REGEX);
        }
        try {
          p = Pattern.compile(regex, cs ? 0 : Pattern.CASE_INSENSITIVE);
        } catch (PatternSyntaxException e) {
          return fail(
              c.valuePos(),
              "not a valid regular expression for "
                  + c.field()
                  + ": "
                  + e.getDescription()
                  + (e.getPattern() == null || e.getPattern().isEmpty()
                      ? ""
                      : " at '" + e.getPattern() + "'")
                  + " (RE2 syntax: no backreferences, lookahead or lookbehind)");
        }
        if (p.programSize() > MAX_PROGRAM) {
          // (a{1000}){1000} is valid RE2 but a million steps for each character of each value
          return fail(
              c.valuePos(),
              "the regular expression for "
                  + c.field()
                  + " is too complex ("
                  + p.programSize()
                  + " steps; at most "
                  + MAX_PROGRAM
                  + "): use fewer or smaller repetition counts");
        }
        String prefix = kind.textual() ? literalPrefix(c.values().get(0)) : "";
        return new CompiledCriterion(
            desc,
            a -> {
              String x = a.text(slot);
              return x != null && p.matcher(x).matches();
            },
            prefix.isEmpty() ? null : List.of(new CompiledCriterion.Prefix(slot, prefix, false)));
      }
      case POSTAL_RANGE -> {
        List<long[]> ranges = new ArrayList<>();
        List<CompiledCriterion.IndexKey> keys = new ArrayList<>();
        for (String o : c.values()) {
          String[] parts = o.split("\\.\\.|-");
          if (parts.length != 2
              || !parts[0].trim().matches("\\d+")
              || !parts[1].trim().matches("\\d+")) {
            return fail(
                c.valuePos(),
                "a postal range is digits-digits such as 90000-96199, not '" + o + "'");
          }
          String from = parts[0].trim();
          String to = parts[1].trim();
          if (from.length() != to.length()) {
            return fail(
                c.valuePos(),
                "both ends of the postal range '" + o + "' need the same number of digits");
          }
          if (from.length() > 18) {
            return fail(c.valuePos(), "postal range '" + o + "' has too many digits");
          }
          long f = Long.parseLong(from);
          long t = Long.parseLong(to);
          if (f > t) {
            return fail(c.valuePos(), "postal range '" + o + "' starts after it ends");
          }
          ranges.add(new long[] {from.length(), f, t});
          keys.add(new CompiledCriterion.Postal(slot, from.length(), f, t));
        }
        return new CompiledCriterion(
            desc,
            a -> {
              String x = a.text(slot);
              if (x == null) {
                return false;
              }
              for (long[] r : ranges) {
                long n = Operation.postalNumber(x, (int) r[0]);
                if (n >= r[1] && n <= r[2]) {
                  return true;
                }
              }
              return false;
            },
            keys);
      }
      case POSTAL_PREFIX -> {
        List<String> prefixes = new ArrayList<>();
        List<CompiledCriterion.IndexKey> keys = new ArrayList<>();
        for (String o : c.values()) {
          String n = normalizePostal(o);
          if (n.isEmpty()) {
            return fail(c.valuePos(), "empty postal prefix");
          }
          prefixes.add(n);
          keys.add(new CompiledCriterion.Prefix(slot, n, true));
        }
        return new CompiledCriterion(
            desc,
            a -> {
              String x = a.text(slot);
              if (x == null) {
                return false;
              }
              String n = normalizePostal(x);
              for (String p : prefixes) {
                if (n.startsWith(p)) {
                  return true;
                }
              }
              return false;
            },
            keys);
      }
      default -> {
        return fail(c.pos(), op.label() + " does not apply to the text field " + c.field());
      }
    }
  }

  private CompiledCriterion number(Criterion c, int slot, String desc) {
    Operation op = c.operation();
    List<Double> n = new ArrayList<>();
    for (String s : c.values()) {
      try {
        n.add(Double.parseDouble(s.trim()));
      } catch (NumberFormatException e) {
        return fail(c.valuePos(), c.field() + " is a number; '" + s + "' is not");
      }
    }
    switch (op) {
      case EQUALS, IN, NOT_EQUAL, NOT_IN -> {
        Set<Double> set = new HashSet<>(n);
        CompiledCriterion.Pred in =
            a -> {
              double x = a.number(slot);
              return !Double.isNaN(x) && set.contains(x);
            };
        if (op == Operation.NOT_EQUAL || op == Operation.NOT_IN) {
          return new CompiledCriterion(desc, a -> !in.test(a), null);
        }
        List<CompiledCriterion.IndexKey> keys = new ArrayList<>();
        n.forEach(x -> keys.add(new CompiledCriterion.Range(slot, x, Math.nextUp(x))));
        return new CompiledCriterion(desc, in, keys);
      }
      case LESS_THAN, GREATER_THAN, LESS_OR_EQUAL, GREATER_OR_EQUAL -> {
        if (n.size() != 1) {
          return fail(c.valuePos(), op.label() + " takes one value, not " + n.size());
        }
        double o = n.get(0);
        CompiledCriterion.IndexKey key =
            switch (op) {
              case LESS_THAN -> new CompiledCriterion.Range(slot, Double.NEGATIVE_INFINITY, o);
              case LESS_OR_EQUAL ->
                  new CompiledCriterion.Range(slot, Double.NEGATIVE_INFINITY, Math.nextUp(o));
              case GREATER_THAN ->
                  new CompiledCriterion.Range(slot, Math.nextUp(o), Double.POSITIVE_INFINITY);
              default -> new CompiledCriterion.Range(slot, o, Double.POSITIVE_INFINITY);
            };
        return new CompiledCriterion(
            desc,
            a -> {
              double x = a.number(slot);
              return !Double.isNaN(x) && compare(op, Double.compare(x, o));
            },
            List.of(key));
      }
      case BETWEEN -> {
        if (n.size() != 2 || n.get(0) > n.get(1)) {
          return fail(c.valuePos(), "between takes two numbers, lowest first");
        }
        double lo = n.get(0);
        double hi = n.get(1);
        return new CompiledCriterion(
            desc,
            a -> {
              double x = a.number(slot);
              return x >= lo && x <= hi;
            },
            List.of(new CompiledCriterion.Range(slot, lo, Math.nextUp(hi))));
      }
      default -> {
        return fail(c.pos(), op.label() + " does not apply to the number field " + c.field());
      }
    }
  }

  private CompiledCriterion bool(Criterion c, int slot, String desc) {
    Operation op = c.operation();
    if (c.values().size() != 1
        || !(c.values().get(0).equalsIgnoreCase("true")
            || c.values().get(0).equalsIgnoreCase("false"))) {
      return fail(c.valuePos(), c.field() + " is true or false");
    }
    boolean wanted = Boolean.parseBoolean(c.values().get(0));
    return switch (op) {
      case EQUALS, IN ->
          new CompiledCriterion(desc, a -> Boolean.valueOf(wanted).equals(a.values[slot]), null);
      case NOT_EQUAL, NOT_IN ->
          new CompiledCriterion(desc, a -> !Boolean.valueOf(wanted).equals(a.values[slot]), null);
      default -> fail(c.pos(), op.label() + " does not apply to the checkbox " + c.field());
    };
  }

  private CompiledCriterion date(Criterion c, int slot, FieldKind kind, String desc) {
    Operation op = c.operation();
    List<Long> n = new ArrayList<>();
    for (String s : c.values()) {
      try {
        n.add(
            kind == FieldKind.DATE
                ? LocalDate.parse(s.trim()).toEpochDay()
                : OffsetDateTime.parse(s.trim()).toInstant().toEpochMilli());
      } catch (RuntimeException e) {
        return fail(
            c.valuePos(),
            c.field()
                + " is a "
                + (kind == FieldKind.DATE ? "date (2026-01-31)" : "datetime (2026-01-31T00:00:00Z)")
                + "; '"
                + s
                + "' is not");
      }
    }
    return switch (op) {
      case EQUALS, IN ->
          new CompiledCriterion(
              desc, a -> a.values[slot] != null && n.contains((Long) a.values[slot]), null);
      case NOT_EQUAL, NOT_IN ->
          new CompiledCriterion(
              desc, a -> a.values[slot] == null || !n.contains((Long) a.values[slot]), null);
      case LESS_THAN, GREATER_THAN, LESS_OR_EQUAL, GREATER_OR_EQUAL ->
          n.size() != 1
              ? fail(c.valuePos(), op.label() + " takes one value")
              : new CompiledCriterion(
                  desc,
                  a ->
                      a.values[slot] != null
                          && compare(op, Long.compare((Long) a.values[slot], n.get(0))),
                  null);
      case BETWEEN ->
          n.size() != 2
              ? fail(c.valuePos(), "between takes two values")
              : new CompiledCriterion(
                  desc,
                  a ->
                      a.values[slot] != null
                          && (Long) a.values[slot] >= n.get(0)
                          && (Long) a.values[slot] <= n.get(1),
                  null);
      default -> fail(c.pos(), op.label() + " does not apply to the date field " + c.field());
    };
  }

  private CompiledCriterion geographic(Criterion c, int latSlot, int lonSlot, String desc) {
    List<Double> n = new ArrayList<>();
    for (String s : c.values()) {
      for (String part : s.split(",")) {
        try {
          n.add(Double.parseDouble(part.trim()));
        } catch (NumberFormatException e) {
          return fail(c.valuePos(), "'" + part.trim() + "' is not a number");
        }
      }
    }
    if (c.operation() == Operation.WITHIN_RADIUS) {
      if (n.size() != 3 || Math.abs(n.get(0)) > 90 || Math.abs(n.get(1)) > 180 || n.get(2) <= 0) {
        return fail(
            c.valuePos(), "withinRadius needs lat (-90..90), lon (-180..180) and a positive km");
      }
      double lat = n.get(0);
      double lon = n.get(1);
      double km = n.get(2);
      // A bounding box rejects most accounts before the great-circle distance is computed.
      double[] box = Geo.box(lat, lon, km);
      double latMin = box[0];
      double latMax = box[1];
      double lonSpan = box[2];
      return new CompiledCriterion(
          desc,
          a -> {
            double x = a.number(latSlot);
            double y = a.number(lonSlot);
            if (Double.isNaN(x) || Double.isNaN(y) || x < latMin || x > latMax) {
              return false;
            }
            double dLon = Math.abs(y - lon);
            if (dLon > 180) {
              dLon = 360 - dLon;
            }
            return dLon <= lonSpan && Geo.distanceKm(x, y, lat, lon) <= km;
          },
          List.of(new CompiledCriterion.Range(latSlot, latMin, Math.nextUp(latMax))));
    }
    if (n.size() < 6 || n.size() % 2 != 0) {
      return fail(c.valuePos(), "withinPolygon needs at least three [lat, lon] points");
    }
    double[] lats = new double[n.size() / 2];
    double[] lons = new double[n.size() / 2];
    for (int i = 0; i < lats.length; i++) {
      lats[i] = n.get(2 * i);
      lons[i] = n.get(2 * i + 1);
      if (Math.abs(lats[i]) > 90 || Math.abs(lons[i]) > 180) {
        return fail(c.valuePos(), "polygon point " + (i + 1) + " is not a valid [lat, lon]");
      }
    }
    return new CompiledCriterion(
        desc,
        a -> {
          double x = a.number(latSlot);
          double y = a.number(lonSlot);
          return !Double.isNaN(x) && !Double.isNaN(y) && Geo.inPolygon(x, y, lats, lons);
        },
        List.of(
            new CompiledCriterion.Range(
                latSlot,
                java.util.Arrays.stream(lats).min().orElseThrow(),
                Math.nextUp(java.util.Arrays.stream(lats).max().orElseThrow()))));
  }

  private CompiledCriterion fail(Pos pos, String message) {
    problems.add(RuleProblem.error(pos, message));
    return null;
  }

  static boolean compare(Operation op, int cmp) {
    return switch (op) {
      case LESS_THAN -> cmp < 0;
      case GREATER_THAN -> cmp > 0;
      case LESS_OR_EQUAL -> cmp <= 0;
      default -> cmp >= 0;
    };
  }

  static Set<String> split(String v) {
    Set<String> out = new HashSet<>();
    for (String p : v.split(";")) {
      if (!p.isBlank()) {
        out.add(p.trim());
      }
    }
    return out;
  }

  /**
   * Holds when the account's value in {@code slot} (lower-cased unless {@code cs}) matches one of
   * the {@code operands} by {@code match} (value, operand).
   */
  private static CompiledCriterion.Pred anyOperand(
      boolean cs,
      int slot,
      List<String> operands,
      java.util.function.BiPredicate<String, String> match) {
    String[] each = operands.toArray(String[]::new);
    return a -> {
      String x = cs ? a.text(slot) : a.lower[slot];
      if (x == null) {
        return false;
      }
      for (String o : each) {
        if (match.test(x, o)) {
          return true;
        }
      }
      return false;
    };
  }

  /**
   * The lower-case literal text every whole-value match of {@code regex} starts with ("" when
   * unknown): its leading plain characters, unless the pattern alternates at the top level or
   * starts with a group or flag.
   */
  static String literalPrefix(String regex) {
    int depth = 0;
    boolean inClass = false;
    boolean escaped = false;
    for (int i = 0; i < regex.length(); i++) {
      char ch = regex.charAt(i);
      if (escaped) {
        escaped = false;
      } else if (ch == '\\') {
        escaped = true;
      } else if (inClass) {
        inClass = ch != ']';
      } else if (ch == '[') {
        inClass = true;
      } else if (ch == '(') {
        depth++;
      } else if (ch == ')') {
        depth--;
      } else if (ch == '|' && depth == 0) {
        return "";
      }
    }
    int i = regex.startsWith("^") ? 1 : 0;
    StringBuilder sb = new StringBuilder();
    while (i < regex.length() && plain(regex.charAt(i))) {
      sb.append(regex.charAt(i++));
    }
    if (i < regex.length() && "*?{".indexOf(regex.charAt(i)) >= 0 && sb.length() > 0) {
      sb.setLength(sb.length() - 1); // the last character is optional or repeated
    }
    return sb.toString().toLowerCase(Locale.ROOT);
  }

  private static boolean plain(char ch) {
    return (ch >= 'a' && ch <= 'z')
        || (ch >= 'A' && ch <= 'Z')
        || (ch >= '0' && ch <= '9')
        || " _-,'&/:;@%!=<>\"~`".indexOf(ch) >= 0;
  }

  /** Upper case, letters and digits only. */
  static String normalizePostal(String postal) {
    StringBuilder sb = new StringBuilder(postal.length());
    for (int i = 0; i < postal.length(); i++) {
      char ch = postal.charAt(i);
      if (Character.isLetterOrDigit(ch)) {
        sb.append(Character.toUpperCase(ch));
      }
    }
    return sb.toString();
  }

  private static String idLower(String id) {
    return SalesforceId.normalize(id).map(s -> s.toLowerCase(Locale.ROOT)).orElse(id);
  }

  static String describe(Criterion c) {
    if (c.operation().geographic()) {
      return "Billing coordinates " + c.operation().label() + " " + c.values();
    }
    return c.field()
        + " "
        + c.operation().label()
        + (c.values().isEmpty()
            ? ""
            : " " + (c.values().size() == 1 ? c.values().get(0) : c.values().toString()))
        + (c.caseSensitive() ? " (case-sensitive)" : "");
  }
}
