package io.territorysync.rules.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Finds the territories an account could belong to without testing every territory: equality keys
 * in hash maps, prefixes by length, postal and numeric ranges as sorted segments. A territory is a
 * candidate when one of its anchor keys hits; candidates are then tested fully.
 */
final class CandidateIndex {

  private final Map<String, int[]>[] exact;
  private final Map<String, int[]>[] prefix;
  private final int[][] prefixLengths;
  private final Map<String, int[]>[] postalPrefix;
  private final int[][] postalPrefixLengths;
  private final Segments[][] postal;
  private final int[][] postalDigits;
  private final Segments[] range;

  /** Sorted, non-overlapping segments [bounds[i], bounds[i+1]) with the territories of each. */
  private record Segments(double[] bounds, int[][] ids) {
    int[] find(double x) {
      int i = Arrays.binarySearch(bounds, x);
      if (i < 0) {
        i = -i - 2;
      }
      return i < 0 || i >= ids.length ? null : ids[i];
    }
  }

  private static final class Builder {
    final Map<String, List<Integer>> exact = new HashMap<>();
    final Map<String, List<Integer>> prefix = new HashMap<>();
    final Map<String, List<Integer>> postalPrefix = new HashMap<>();
    final Map<Integer, List<double[]>> postal = new HashMap<>();
    final List<double[]> range = new ArrayList<>();
  }

  @SuppressWarnings("unchecked")
  CandidateIndex(int slots, List<List<CompiledCriterion.IndexKey>> anchorKeysByTerritory) {
    Builder[] b = new Builder[slots];
    for (int t = 0; t < anchorKeysByTerritory.size(); t++) {
      List<CompiledCriterion.IndexKey> keys = anchorKeysByTerritory.get(t);
      if (keys == null) {
        continue;
      }
      for (CompiledCriterion.IndexKey k : keys) {
        int slot = slotOf(k);
        if (b[slot] == null) {
          b[slot] = new Builder();
        }
        Builder bs = b[slot];
        final int territory = t;
        if (k instanceof CompiledCriterion.Exact e) {
          bs.exact.computeIfAbsent(e.value(), x -> new ArrayList<>()).add(territory);
        } else if (k instanceof CompiledCriterion.Prefix p) {
          (p.postal() ? bs.postalPrefix : bs.prefix)
              .computeIfAbsent(p.prefix(), x -> new ArrayList<>())
              .add(territory);
        } else if (k instanceof CompiledCriterion.Postal p) {
          bs.postal
              .computeIfAbsent(p.digits(), x -> new ArrayList<>())
              .add(new double[] {p.from(), p.to() + 1, territory});
        } else if (k instanceof CompiledCriterion.Range r) {
          bs.range.add(new double[] {r.from(), r.to(), territory});
        }
      }
    }
    exact = new Map[slots];
    prefix = new Map[slots];
    prefixLengths = new int[slots][];
    postalPrefix = new Map[slots];
    postalPrefixLengths = new int[slots][];
    postal = new Segments[slots][];
    postalDigits = new int[slots][];
    range = new Segments[slots];
    for (int s = 0; s < slots; s++) {
      Builder bs = b[s];
      if (bs == null) {
        continue;
      }
      if (!bs.exact.isEmpty()) {
        exact[s] = freeze(bs.exact);
      }
      if (!bs.prefix.isEmpty()) {
        prefix[s] = freeze(bs.prefix);
        prefixLengths[s] = lengths(bs.prefix);
      }
      if (!bs.postalPrefix.isEmpty()) {
        postalPrefix[s] = freeze(bs.postalPrefix);
        postalPrefixLengths[s] = lengths(bs.postalPrefix);
      }
      if (!bs.postal.isEmpty()) {
        postalDigits[s] =
            bs.postal.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        postal[s] = new Segments[postalDigits[s].length];
        for (int i = 0; i < postalDigits[s].length; i++) {
          postal[s][i] = segments(bs.postal.get(postalDigits[s][i]));
        }
      }
      if (!bs.range.isEmpty()) {
        range[s] = segments(bs.range);
      }
    }
  }

  static int slotOf(CompiledCriterion.IndexKey k) {
    if (k instanceof CompiledCriterion.Exact e) {
      return e.slot();
    }
    if (k instanceof CompiledCriterion.Prefix p) {
      return p.slot();
    }
    if (k instanceof CompiledCriterion.Postal p) {
      return p.slot();
    }
    return ((CompiledCriterion.Range) k).slot();
  }

  private static Map<String, int[]> freeze(Map<String, List<Integer>> m) {
    Map<String, int[]> out = new HashMap<>(m.size() * 2);
    m.forEach((k, v) -> out.put(k, v.stream().mapToInt(Integer::intValue).distinct().toArray()));
    return out;
  }

  private static int[] lengths(Map<String, List<Integer>> m) {
    return m.keySet().stream().mapToInt(String::length).distinct().sorted().toArray();
  }

  /** Builds segments from intervals {from, to (exclusive), territory}. */
  private static Segments segments(List<double[]> intervals) {
    TreeSet<Double> points = new TreeSet<>();
    for (double[] iv : intervals) {
      points.add(iv[0]);
      points.add(iv[1]);
    }
    double[] bounds = points.stream().mapToDouble(Double::doubleValue).toArray();
    int[][] ids = new int[Math.max(0, bounds.length - 1)][];
    for (int i = 0; i < ids.length; i++) {
      double lo = bounds[i];
      List<Integer> in = new ArrayList<>();
      for (double[] iv : intervals) {
        if (iv[0] <= lo && lo < iv[1]) {
          in.add((int) iv[2]);
        }
      }
      ids[i] = in.isEmpty() ? null : in.stream().mapToInt(Integer::intValue).distinct().toArray();
    }
    return new Segments(bounds, ids);
  }

  /** Calls {@code out} with every candidate territory of {@code a} (possibly more than once). */
  void candidates(AccountRecord a, IntSink out) {
    int slots = exact.length;
    for (int s = 0; s < slots; s++) {
      String lower = a.lower[s];
      if (lower != null) {
        if (exact[s] != null) {
          emit(exact[s].get(lower), out);
        }
        if (prefix[s] != null) {
          for (int len : prefixLengths[s]) {
            if (len > lower.length()) {
              break;
            }
            emit(prefix[s].get(lower.substring(0, len)), out);
          }
        }
        if (postalPrefix[s] != null) {
          String n = CriterionCompiler.normalizePostal(a.text(s));
          for (int len : postalPrefixLengths[s]) {
            if (len > n.length()) {
              break;
            }
            emit(postalPrefix[s].get(n.substring(0, len)), out);
          }
        }
        if (postal[s] != null) {
          String text = a.text(s);
          for (int i = 0; i < postalDigits[s].length; i++) {
            long n = CriterionCompiler.postalNumber(text, postalDigits[s][i]);
            if (n >= 0) {
              emit(postal[s][i].find(n), out);
            }
          }
        }
      }
      if (range[s] != null) {
        double x = a.number(s);
        if (!Double.isNaN(x)) {
          emit(range[s].find(x), out);
        }
      }
    }
  }

  private static void emit(int[] ids, IntSink out) {
    if (ids != null) {
      for (int id : ids) {
        out.accept(id);
      }
    }
  }

  /** Receives candidate territory indexes. */
  @FunctionalInterface
  interface IntSink {
    void accept(int territory);
  }
}
