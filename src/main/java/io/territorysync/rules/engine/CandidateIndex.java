package io.territorysync.rules.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Finds the territories an account could belong to without testing every territory.
 *
 * <p>Each territory's rules are turned into clauses (the disjunctive normal form of what its rules
 * require: {@code (1 AND 2) OR 3} is two clauses); a clause needs, per field, at most one indexable
 * criterion. Per field the index keeps, for every value (equality keys in hash maps, prefixes by
 * length, postal and numeric ranges as sorted segments), the bitmap of clauses that value
 * satisfies, and the bitmap of clauses that do not constrain the field. An account's candidates are
 * the clauses left after AND-ing, field by field, "satisfied or unconstrained": one hash lookup and
 * a few word operations per field, whatever the number of rules. Candidates are then tested in
 * full.
 */
final class CandidateIndex {

  private final int words;
  private final long[] all;
  private final int[] clauseTerritory;
  private final SlotIndex[] slots;
  private final int[] indexedSlots;

  /** Prefixes by character: a node's bits are the clauses of the prefix ending there. */
  private static final class Trie {
    long[] bits;
    char[] chars = new char[0];
    Trie[] next = new Trie[0];

    Trie() {}

    Trie(Map<String, long[]> prefixes, int words) {
      prefixes.forEach(
          (prefix, clauses) -> {
            Trie node = this;
            for (int i = 0; i < prefix.length(); i++) {
              Trie child = node.next(prefix.charAt(i));
              if (child == null) {
                child = new Trie();
                node.chars = java.util.Arrays.copyOf(node.chars, node.chars.length + 1);
                node.next = java.util.Arrays.copyOf(node.next, node.next.length + 1);
                node.chars[node.chars.length - 1] = prefix.charAt(i);
                node.next[node.next.length - 1] = child;
              }
              node = child;
            }
            node.bits = clauses;
          });
    }

    Trie next(char ch) {
      for (int i = 0; i < chars.length; i++) {
        if (chars[i] == ch) {
          return next[i];
        }
      }
      return null;
    }
  }

  /** Sorted, non-overlapping segments [bounds[i], bounds[i+1]) with the clauses of each. */
  private record Segments(double[] bounds, long[][] bits) {
    long[] find(double x) {
      int i = java.util.Arrays.binarySearch(bounds, x);
      if (i < 0) {
        i = -i - 2;
      }
      return i < 0 || i >= bits.length ? null : bits[i];
    }
  }

  /** One field's part of the index. */
  private static final class SlotIndex {
    long[] dontCare;
    Map<String, long[]> exact;
    Trie prefix;
    Map<String, long[]> postalPrefix;
    int[] postalPrefixLengths;
    int[] postalDigits;
    Segments[] postal;
    Segments range;
  }

  private static final class Builder {
    final long[] involved;
    final Map<String, long[]> exact = new HashMap<>();
    final Map<String, long[]> prefix = new HashMap<>();
    final Map<String, long[]> postalPrefix = new HashMap<>();
    final Map<Integer, List<double[]>> postal = new HashMap<>();
    final List<double[]> range = new ArrayList<>();

    Builder(int words) {
      involved = new long[words];
    }
  }

  /**
   * @param clauseTerritory the territory of each clause
   * @param clauseKeys per clause, per slot, the keys of the one criterion indexed for that slot
   */
  CandidateIndex(
      int slotCount,
      int[] clauseTerritory,
      List<Map<Integer, List<CompiledCriterion.IndexKey>>> clauseKeys) {
    this.clauseTerritory = clauseTerritory;
    int clauses = clauseTerritory.length;
    words = Math.max(1, (clauses + 63) >>> 6);
    all = new long[words];
    for (int c = 0; c < clauses; c++) {
      set(all, c);
    }
    Builder[] b = new Builder[slotCount];
    for (int c = 0; c < clauses; c++) {
      for (Map.Entry<Integer, List<CompiledCriterion.IndexKey>> e : clauseKeys.get(c).entrySet()) {
        int slot = e.getKey();
        if (b[slot] == null) {
          b[slot] = new Builder(words);
        }
        Builder bs = b[slot];
        set(bs.involved, c);
        for (CompiledCriterion.IndexKey k : e.getValue()) {
          if (k instanceof CompiledCriterion.Exact x) {
            set(bs.exact.computeIfAbsent(x.value(), v -> new long[words]), c);
          } else if (k instanceof CompiledCriterion.Prefix p) {
            set(
                (p.postal() ? bs.postalPrefix : bs.prefix)
                    .computeIfAbsent(p.prefix(), v -> new long[words]),
                c);
          } else if (k instanceof CompiledCriterion.Postal p) {
            bs.postal
                .computeIfAbsent(p.digits(), d -> new ArrayList<>())
                .add(new double[] {p.from(), p.to() + 1, c});
          } else if (k instanceof CompiledCriterion.Range r) {
            bs.range.add(new double[] {r.from(), r.to(), c});
          }
        }
      }
    }
    slots = new SlotIndex[slotCount];
    List<Integer> indexed = new ArrayList<>();
    for (int s = 0; s < slotCount; s++) {
      Builder bs = b[s];
      if (bs == null) {
        continue;
      }
      SlotIndex x = new SlotIndex();
      x.dontCare = new long[words];
      for (int w = 0; w < words; w++) {
        x.dontCare[w] = all[w] & ~bs.involved[w];
      }
      if (!bs.exact.isEmpty()) {
        x.exact = bs.exact;
      }
      if (!bs.prefix.isEmpty()) {
        x.prefix = new Trie(bs.prefix, words);
      }
      if (!bs.postalPrefix.isEmpty()) {
        x.postalPrefix = bs.postalPrefix;
        x.postalPrefixLengths = lengths(bs.postalPrefix);
      }
      if (!bs.postal.isEmpty()) {
        x.postalDigits = bs.postal.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        x.postal = new Segments[x.postalDigits.length];
        for (int i = 0; i < x.postalDigits.length; i++) {
          x.postal[i] = segments(bs.postal.get(x.postalDigits[i]), words);
        }
      }
      if (!bs.range.isEmpty()) {
        x.range = segments(bs.range, words);
      }
      slots[s] = x;
      indexed.add(s);
    }
    indexedSlots = indexed.stream().mapToInt(Integer::intValue).toArray();
  }

  int words() {
    return words;
  }

  int clauses() {
    return clauseTerritory.length;
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

  private static void set(long[] bits, int i) {
    bits[i >>> 6] |= 1L << i;
  }

  private static int[] lengths(Map<String, long[]> m) {
    return m.keySet().stream().mapToInt(String::length).distinct().sorted().toArray();
  }

  /** Builds segments from intervals {from, to (exclusive), clause}. */
  private static Segments segments(List<double[]> intervals, int words) {
    TreeSet<Double> points = new TreeSet<>();
    for (double[] iv : intervals) {
      points.add(iv[0]);
      points.add(iv[1]);
    }
    double[] bounds = points.stream().mapToDouble(Double::doubleValue).toArray();
    long[][] bits = new long[Math.max(0, bounds.length - 1)][];
    // sweep: intervals sorted by start; a segment's clauses are those covering its start
    List<double[]> byStart = new ArrayList<>(intervals);
    byStart.sort((p, q) -> Double.compare(p[0], q[0]));
    for (int i = 0; i < bits.length; i++) {
      double lo = bounds[i];
      long[] in = null;
      for (double[] iv : byStart) {
        if (iv[0] > lo) {
          break;
        }
        if (lo < iv[1]) {
          if (in == null) {
            in = new long[words];
          }
          set(in, (int) iv[2]);
        }
      }
      bits[i] = in;
    }
    return new Segments(bounds, bits);
  }

  /**
   * Leaves in {@code cand} the clauses {@code a} could satisfy; {@code hit} is scratch space of
   * {@link #words()} longs.
   */
  void candidates(AccountRecord a, long[] cand, long[] hit) {
    System.arraycopy(all, 0, cand, 0, words);
    for (int s : indexedSlots) {
      SlotIndex x = slots[s];
      long[] one = null;
      boolean merged = false;
      String lower = a.lower[s];
      if (lower != null) {
        if (x.exact != null) {
          long[] b = x.exact.get(lower);
          if (b != null) {
            one = b;
          }
        }
        if (x.prefix != null) {
          Trie node = x.prefix;
          for (int i = 0; node != null; i++) {
            if (node.bits != null) {
              if (one == null) {
                one = node.bits;
              } else {
                merged = merge(one, node.bits, hit, merged);
              }
            }
            node = i < lower.length() ? node.next(lower.charAt(i)) : null;
          }
        }
        if (x.postalPrefix != null) {
          String n = CriterionCompiler.normalizePostal(a.text(s));
          for (int len : x.postalPrefixLengths) {
            if (len > n.length()) {
              break;
            }
            long[] b = x.postalPrefix.get(n.substring(0, len));
            if (b != null) {
              if (one == null) {
                one = b;
              } else {
                merged = merge(one, b, hit, merged);
              }
            }
          }
        }
        if (x.postal != null) {
          String text = a.text(s);
          for (int i = 0; i < x.postalDigits.length; i++) {
            long n = io.territorysync.rules.Operation.postalNumber(text, x.postalDigits[i]);
            long[] b = n >= 0 ? x.postal[i].find(n) : null;
            if (b != null) {
              if (one == null) {
                one = b;
              } else {
                merged = merge(one, b, hit, merged);
              }
            }
          }
        }
      }
      if (x.range != null) {
        double v = a.number(s);
        long[] b = Double.isNaN(v) ? null : x.range.find(v);
        if (b != null) {
          if (one == null) {
            one = b;
          } else {
            merged = merge(one, b, hit, merged);
          }
        }
      }
      long[] dc = x.dontCare;
      if (one == null) {
        for (int w = 0; w < words; w++) {
          cand[w] &= dc[w];
        }
      } else {
        long[] src = merged ? hit : one;
        for (int w = 0; w < words; w++) {
          cand[w] &= dc[w] | src[w];
        }
      }
    }
  }

  /** ORs {@code b} into {@code hit}, first copying {@code one} there if not merged yet. */
  private boolean merge(long[] one, long[] b, long[] hit, boolean merged) {
    if (!merged) {
      System.arraycopy(one, 0, hit, 0, words);
    }
    for (int w = 0; w < words; w++) {
      hit[w] |= b[w];
    }
    return true;
  }

  /** Calls {@code out} with the territory of every clause left in {@code cand}. */
  void territories(long[] cand, IntSink out) {
    for (int w = 0; w < words; w++) {
      long bits = cand[w];
      while (bits != 0) {
        int c = (w << 6) + Long.numberOfTrailingZeros(bits);
        out.accept(clauseTerritory[c]);
        bits &= bits - 1;
      }
    }
  }

  /** Receives candidate territory indexes. */
  @FunctionalInterface
  interface IntSink {
    void accept(int territory);
  }
}
