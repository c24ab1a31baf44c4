package io.territorysync.rules.engine;

import io.territorysync.rules.BooleanFilter;
import io.territorysync.rules.RuleSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A rule set compiled for speed: every territory's effective rules (its own and those inherited
 * from ancestors) with compiled criteria, a candidate index so an account is tested only against
 * territories it could belong to, named-account overrides, exclusions and the exclusive-mode
 * precedence. Thread-safe; each thread evaluates with its own {@link Scratch}.
 */
public final class CompiledRules {

  /**
   * A territory of the model.
   *
   * @param rank order within its exclusive group: lower wins (type priority, then explicit
   *     priority, then DeveloperName)
   */
  public record Territory(
      int index,
      String developerName,
      String id,
      String typeId,
      int typePriority,
      int priority,
      int group,
      int rank) {}

  /** A compiled rule: owner territory, criteria and filter. */
  public record Rule(
      int index,
      String name,
      int owner,
      CompiledCriterion[] criteria,
      BooleanFilter filter,
      boolean inherited,
      CompiledCriterion.Pred holds) {

    /** The rule: criteria evaluated lazily, as the filter needs them. */
    Rule(
        int index,
        String name,
        int owner,
        CompiledCriterion[] criteria,
        BooleanFilter filter,
        boolean inherited) {
      this(index, name, owner, criteria, filter, inherited, lazy(filter, criteria));
    }

    private static CompiledCriterion.Pred lazy(BooleanFilter f, CompiledCriterion[] criteria) {
      if (f instanceof BooleanFilter.Ref ref) {
        return criteria[ref.number() - 1].pred();
      }
      if (f instanceof BooleanFilter.Not not) {
        CompiledCriterion.Pred p = lazy(not.part(), criteria);
        return a -> !p.test(a);
      }
      boolean and = f instanceof BooleanFilter.And;
      List<BooleanFilter> parts =
          and ? ((BooleanFilter.And) f).parts() : ((BooleanFilter.Or) f).parts();
      CompiledCriterion.Pred[] ps =
          parts.stream().map(p -> lazy(p, criteria)).toArray(CompiledCriterion.Pred[]::new);
      if (ps.length == 2) {
        CompiledCriterion.Pred x = ps[0];
        CompiledCriterion.Pred y = ps[1];
        return and ? a -> x.test(a) && y.test(a) : a -> x.test(a) || y.test(a);
      }
      if (ps.length == 3) {
        CompiledCriterion.Pred x = ps[0];
        CompiledCriterion.Pred y = ps[1];
        CompiledCriterion.Pred z = ps[2];
        return and
            ? a -> x.test(a) && y.test(a) && z.test(a)
            : a -> x.test(a) || y.test(a) || z.test(a);
      }
      return and
          ? a -> {
            for (CompiledCriterion.Pred p : ps) {
              if (!p.test(a)) {
                return false;
              }
            }
            return true;
          }
          : a -> {
            for (CompiledCriterion.Pred p : ps) {
              if (p.test(a)) {
                return true;
              }
            }
            return false;
          };
    }

    /** Evaluates every criterion into {@code outcomes} (for explanations), then the filter. */
    boolean test(AccountRecord a, boolean[] outcomes) {
      for (int i = 0; i < criteria.length; i++) {
        outcomes[i] = criteria[i].pred().test(a);
      }
      return filter.test(outcomes);
    }
  }

  /**
   * Where an account lands: territories, and for each the rule that put it there (-1: named-account
   * override).
   */
  public record Assignment(
      String accountId, int[] territories, int[] rules, boolean excludedFromRealign) {}

  private final RuleSet source;
  private final FieldSlots slots;
  private final Territory[] territories;
  private final Rule[] rules;
  private final int[][] effective;
  private final CandidateIndex index;
  private final int[] unanchored;
  private final Map<String, int[]> overrides;
  private final Map<String, int[]> exclusions;
  private final boolean exclusive;
  private final int maxCriteria;
  private final String modelId;
  private final boolean modelActive;
  private final List<Member> members;

  /** A user the rules file lists on a territory, resolved to the org's user id. */
  public record Member(String userId, int territory, String role) {}

  /** The target Territory2Model's id (null when the org's models were not known). */
  public String modelId() {
    return modelId;
  }

  /** Whether the target model is the org's Active model (opportunities follow only that one). */
  public boolean modelActive() {
    return modelActive;
  }

  /** The users the rules list per territory. */
  public List<Member> members() {
    return members;
  }

  CompiledRules(
      RuleSet source,
      FieldSlots slots,
      Territory[] territories,
      Rule[] rules,
      int[][] effective,
      CandidateIndex index,
      int[] unanchored,
      Map<String, int[]> overrides,
      Map<String, int[]> exclusions,
      boolean exclusive,
      String modelId,
      boolean modelActive,
      List<Member> members) {
    this.modelId = modelId;
    this.modelActive = modelActive;
    this.members = members;
    this.source = source;
    this.slots = slots;
    this.territories = territories;
    this.rules = rules;
    this.effective = effective;
    this.index = index;
    this.unanchored = unanchored;
    this.overrides = overrides;
    this.exclusions = exclusions;
    this.exclusive = exclusive;
    this.maxCriteria = Arrays.stream(rules).mapToInt(r -> r.criteria().length).max().orElse(0);
  }

  public RuleSet source() {
    return source;
  }

  /** The account fields to load, by slot. */
  public FieldSlots slots() {
    return slots;
  }

  public List<Territory> territories() {
    return List.of(territories);
  }

  public Territory territory(int index) {
    return territories[index];
  }

  public Rule rule(int index) {
    return rules[index];
  }

  /** Effective rules (rule indexes) of a territory. */
  public int[] effectiveRules(int territory) {
    return effective[territory];
  }

  /** Territories no index key could anchor: tested for every account. */
  public int unanchoredCount() {
    return unanchored.length;
  }

  public boolean exclusive() {
    return exclusive;
  }

  /** Per-thread working memory. */
  public final class Scratch {
    private final long[] cand = new long[index.words()];
    private final long[] hit = new long[index.words()];
    private final int[] seen = new int[territories.length];
    private int stamp;
    private final int[] candidates = new int[territories.length];
    private int count;
    private final int[] matched = new int[territories.length];
    private final int[] matchedRule = new int[territories.length];
    private final int[] groupBest = new int[territories.length + 1];

    /** Candidates the index gave the last account (for profiling). */
    int candidateCount() {
      return count;
    }

    private void add(int t) {
      if (seen[t] != stamp) {
        seen[t] = stamp;
        candidates[count++] = t;
      }
    }
  }

  public Scratch scratch() {
    return new Scratch();
  }

  /** The territories {@code a} belongs to under these rules. */
  public Assignment assign(AccountRecord a, Scratch s) {
    if (++s.stamp == 0) {
      Arrays.fill(s.seen, 0);
      s.stamp = 1;
    }
    s.count = 0;
    index.candidates(a, s.cand, s.hit);
    index.territories(s.cand, s::add);
    int[] excluded = exclusions.get(a.id);
    int n = 0;
    for (int c = 0; c < s.count; c++) {
      int t = s.candidates[c];
      if (excluded != null && contains(excluded, t)) {
        continue;
      }
      int[] rs = effective[t];
      if (rs.length == 0) {
        continue;
      }
      boolean all = true;
      for (int r : rs) {
        if (!rules[r].holds().test(a)) {
          all = false;
          break;
        }
      }
      if (all) {
        s.matched[n] = t;
        s.matchedRule[n] = rs[0];
        n++;
      }
    }
    int[] pinned = overrides.get(a.id);
    if (pinned != null) {
      for (int t : pinned) {
        int at = indexOf(s.matched, n, t);
        if (at >= 0) {
          s.matchedRule[at] = -1;
        } else {
          s.matched[n] = t;
          s.matchedRule[n] = -1;
          n++;
        }
      }
    }
    if (exclusive && n > 1) {
      n = keepBestPerGroup(s, n, pinned);
    }
    int[] ts = Arrays.copyOf(s.matched, n);
    int[] rs = Arrays.copyOf(s.matchedRule, n);
    return new Assignment(a.id, ts, rs, a.excludedFromRealign);
  }

  private int keepBestPerGroup(Scratch s, int n, int[] pinned) {
    // groupBest[g] holds 1 + position of the best match of group g so far (0: none)
    int kept = 0;
    int[] touched = new int[n];
    int groups = 0;
    for (int i = 0; i < n; i++) {
      Territory t = territories[s.matched[i]];
      int g = t.group();
      int best = s.groupBest[g] - 1;
      if (best < 0) {
        s.groupBest[g] = i + 1;
        touched[groups++] = g;
      } else if (better(s, i, best, pinned)) {
        s.groupBest[g] = i + 1;
      }
    }
    int[] keepT = new int[groups];
    int[] keepR = new int[groups];
    for (int k = 0; k < groups; k++) {
      int pos = s.groupBest[touched[k]] - 1;
      keepT[k] = s.matched[pos];
      keepR[k] = s.matchedRule[pos];
      s.groupBest[touched[k]] = 0;
    }
    for (int k = 0; k < groups; k++) {
      s.matched[k] = keepT[k];
      s.matchedRule[k] = keepR[k];
      kept++;
    }
    return kept;
  }

  private boolean better(Scratch s, int i, int j, int[] pinned) {
    boolean pi = s.matchedRule[i] < 0;
    boolean pj = s.matchedRule[j] < 0;
    if (pi != pj) {
      return pi;
    }
    return territories[s.matched[i]].rank() < territories[s.matched[j]].rank();
  }

  private static boolean contains(int[] sorted, int v) {
    return Arrays.binarySearch(sorted, v) >= 0;
  }

  private static int indexOf(int[] a, int n, int v) {
    for (int i = 0; i < n; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    return -1;
  }

  // --------------------------------------------------------------------------------- explain

  /** One criterion's outcome for an account. */
  public record CriterionOutcome(int number, String description, boolean matched, Object value) {}

  /** One rule's outcome: matched or not, every criterion, the first that failed. */
  public record RuleOutcome(
      String rule,
      String ownerTerritory,
      boolean inherited,
      boolean matched,
      List<CriterionOutcome> criteria,
      String firstFailed) {}

  /** Why an account is, or is not, in a territory. */
  public record Explanation(
      String territory,
      boolean assigned,
      String reason,
      List<RuleOutcome> rules,
      double closeness) {}

  /** Explains {@code a} against territory {@code territory}. */
  public Explanation explain(AccountRecord a, int territory, Assignment assignment) {
    Territory t = territories[territory];
    List<RuleOutcome> outcomes = new ArrayList<>();
    int satisfied = 0;
    int total = 0;
    boolean allRules = effective[territory].length > 0;
    for (int r : effective[territory]) {
      Rule rule = rules[r];
      boolean[] o = new boolean[rule.criteria().length];
      boolean ok = rule.test(a, o);
      allRules &= ok;
      List<CriterionOutcome> cs = new ArrayList<>();
      String first = null;
      for (int i = 0; i < o.length; i++) {
        CompiledCriterion c = rule.criteria()[i];
        cs.add(new CriterionOutcome(i + 1, c.description(), o[i], valueFor(a, c)));
        total++;
        if (o[i]) {
          satisfied++;
        } else if (first == null) {
          first = (i + 1) + ": " + c.description();
        }
      }
      outcomes.add(
          new RuleOutcome(
              rule.name(),
              territories[rule.owner()].developerName(),
              rule.owner() != territory,
              ok,
              cs,
              ok ? null : first));
    }
    boolean assigned = false;
    for (int x : assignment.territories()) {
      assigned |= x == territory;
    }
    String reason;
    int[] excluded = exclusions.get(a.id);
    int[] pinned = overrides.get(a.id);
    if (pinned != null && contains(sorted(pinned), territory)) {
      reason = "named-account override";
    } else if (excluded != null && contains(excluded, territory)) {
      reason = "excluded from this territory";
    } else if (effective[territory].length == 0) {
      reason = "the territory has no rules";
    } else if (allRules && !assigned) {
      reason =
          "matched, but another territory of its "
              + (t.group() == 0 && territories.length > 0 ? "model" : "type")
              + " takes precedence in exclusive mode";
    } else if (allRules) {
      reason = "every rule matched";
    } else {
      reason = "a rule did not match";
    }
    return new Explanation(
        t.developerName(), assigned, reason, outcomes, total == 0 ? 0 : (double) satisfied / total);
  }

  /** Territories the account is closest to without being assigned, best first. */
  public List<Explanation> nearMisses(AccountRecord a, Assignment assignment, int limit) {
    List<Explanation> out = new ArrayList<>();
    for (int t = 0; t < territories.length; t++) {
      if (effective[t].length == 0) {
        continue;
      }
      boolean assigned = false;
      for (int x : assignment.territories()) {
        assigned |= x == t;
      }
      if (!assigned) {
        Explanation e = explain(a, t, assignment);
        if (e.closeness() > 0) {
          out.add(e);
        }
      }
    }
    out.sort(
        Comparator.comparingDouble(Explanation::closeness)
            .reversed()
            .thenComparing(Explanation::territory));
    return out.subList(0, Math.min(limit, out.size()));
  }

  private Object valueFor(AccountRecord a, CompiledCriterion c) {
    String d = c.description();
    int space = d.indexOf(' ');
    if (d.startsWith("Billing coordinates")) {
      int lat = slots.find("BillingLatitude");
      int lon = slots.find("BillingLongitude");
      return lat < 0 || lon < 0 ? null : a.values[lat] + "," + a.values[lon];
    }
    int slot = space < 0 ? -1 : slots.find(d.substring(0, space));
    return slot < 0 ? null : a.values[slot];
  }

  private static int[] sorted(int[] a) {
    int[] c = a.clone();
    Arrays.sort(c);
    return c;
  }
}
