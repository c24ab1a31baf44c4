package io.territorysync.realign;

import io.territorysync.rules.Operation;
import io.territorysync.rules.RuleSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;

/**
 * The geography criterion that tells sibling territories apart (a postal range, or a list of
 * states, regions or cities), the units it is cut into, and how a member's criterion is rewritten
 * when units move.
 *
 * @param field the Account field ({@code BillingPostalCode}, {@code BillingState}, …)
 * @param operation {@code postalRange}, or {@code equals}/{@code in} for value lists
 * @param digits for postal ranges: the digits the ranges compare
 * @param blockDigits for postal ranges: the leading digits of a unit (3: ZIP3 blocks)
 */
record Dimension(String field, Operation operation, int digits, int blockDigits) {

  /** Operations whose values can be traded between territories. */
  static final Set<Operation> TRADEABLE =
      Set.of(Operation.EQUALS, Operation.IN, Operation.POSTAL_RANGE);

  boolean ranges() {
    return operation == Operation.POSTAL_RANGE;
  }

  /** Size of one postal block. */
  long block() {
    return digits > blockDigits ? pow10(digits - blockDigits) : 1;
  }

  /** {@code [from, to]} pairs of a postalRange criterion's values. */
  static List<long[]> parseRanges(List<String> values) {
    List<long[]> out = new ArrayList<>();
    for (String v : values) {
      String[] p = v.split("\\.\\.|-");
      out.add(new long[] {Long.parseLong(p[0].trim()), Long.parseLong(p[1].trim())});
    }
    return out;
  }

  static int rangeDigits(List<String> values) {
    return values.get(0).split("\\.\\.|-")[0].trim().length();
  }

  /** A unit's key for a value-list dimension. */
  static String valueKey(String value) {
    return value == null ? null : value.trim().toLowerCase(Locale.ROOT);
  }

  /** The postal number of {@code postal} for this dimension (-1 when it has too few digits). */
  long postalNumber(String postal) {
    return postal == null ? -1 : Operation.postalNumber(postal, digits);
  }

  /** A member's criterion with its values replaced by {@code values} (written in order). */
  static RuleSet.Criterion withValues(RuleSet.Criterion c, List<String> values) {
    return new RuleSet.Criterion(
        c.field(),
        c.operation(),
        List.copyOf(values),
        c.caseSensitive(),
        c.pos(),
        c.fieldPos(),
        c.valuePos());
  }

  /** Merged, sorted ranges as rules-file values ({@code 09800-09899}). */
  List<String> rangeValues(Collection<long[]> ranges) {
    TreeMap<Long, Long> sorted = new TreeMap<>();
    for (long[] r : ranges) {
      sorted.merge(r[0], r[1], Math::max);
    }
    List<String> out = new ArrayList<>();
    long from = -1;
    long to = -2;
    for (var e : sorted.entrySet()) {
      if (e.getKey() <= to + 1) {
        to = Math.max(to, e.getValue());
      } else {
        if (from >= 0) {
          out.add(pad(from) + "-" + pad(to));
        }
        from = e.getKey();
        to = e.getValue();
      }
    }
    if (from >= 0) {
      out.add(pad(from) + "-" + pad(to));
    }
    return out;
  }

  /** Removes {@code cut} from {@code ranges}. */
  static List<long[]> subtract(List<long[]> ranges, long[] cut) {
    List<long[]> out = new ArrayList<>();
    for (long[] r : ranges) {
      if (cut[1] < r[0] || cut[0] > r[1]) {
        out.add(r);
        continue;
      }
      if (r[0] < cut[0]) {
        out.add(new long[] {r[0], cut[0] - 1});
      }
      if (r[1] > cut[1]) {
        out.add(new long[] {cut[1] + 1, r[1]});
      }
    }
    return out;
  }

  String pad(long n) {
    return String.format(Locale.ROOT, "%0" + digits + "d", n);
  }

  String label(long from, long to) {
    long b = block();
    if (b > 1 && from % b == 0 && to == from + b - 1) {
      return pad(from).substring(0, blockDigits);
    }
    return pad(from) + "-" + pad(to);
  }

  static long pow10(int n) {
    long p = 1;
    for (int i = 0; i < n; i++) {
      p *= 10;
    }
    return p;
  }
}
