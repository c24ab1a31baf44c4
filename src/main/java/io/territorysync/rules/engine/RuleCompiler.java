package io.territorysync.rules.engine;

import io.territorysync.rules.BooleanFilter;
import io.territorysync.rules.EditDistance;
import io.territorysync.rules.FieldKind;
import io.territorysync.rules.Pos;
import io.territorysync.rules.RuleProblem;
import io.territorysync.rules.RuleSet;
import io.territorysync.rules.RulesContext;
import io.territorysync.salesforce.SalesforceId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a {@link RuleSet} against what the org says ({@link RulesContext}) and compiles it. Every
 * problem is reported, each with its position; nothing is compiled when there is one.
 */
public final class RuleCompiler {

  /** The compiled rules (null when there are errors) and every problem found. */
  public record Compilation(CompiledRules rules, List<RuleProblem> problems) {
    public boolean ok() {
      return rules != null;
    }

    public List<RuleProblem> errors() {
      return problems.stream().filter(p -> !p.warning()).toList();
    }
  }

  private final RuleSet set;
  private final RulesContext ctx;
  private final List<RuleProblem> problems = new ArrayList<>();
  private final FieldSlots slots = new FieldSlots();

  private RuleCompiler(RuleSet set, RulesContext ctx) {
    this.set = set;
    this.ctx = ctx;
  }

  /** Checks and compiles {@code set} against {@code ctx}. */
  public static Compilation compile(RuleSet set, RulesContext ctx) {
    return new RuleCompiler(set, ctx).run();
  }

  /** A territory being assembled: from the org, the file, or both. */
  private static final class Node {
    final String developerName;
    String id;
    String typeId;
    String parentId;
    int typePriority;
    RuleSet.TerritoryRules file;
    final List<Integer> localRules = new ArrayList<>();
    int index;

    Node(String developerName) {
      this.developerName = developerName;
    }
  }

  private Compilation run() {
    List<CompiledRules.Member> members = new ArrayList<>();
    RulesContext.Model model = null;
    if (set.model() != null && !ctx.models().isEmpty()) {
      model = ctx.model(set.model()).orElse(null);
      if (model == null) {
        problems.add(
            RuleProblem.error(
                set.modelPos(),
                "unknown Territory2Model '"
                    + set.model()
                    + "'; the org has "
                    + String.join(
                        ", ",
                        ctx.models().values().stream()
                            .map(RulesContext.Model::developerName)
                            .sorted()
                            .toList())));
      } else if (!"Active".equalsIgnoreCase(model.state())) {
        problems.add(
            RuleProblem.warning(
                set.modelPos(),
                "model "
                    + model.developerName()
                    + " is "
                    + model.state()
                    + ", not Active: opportunities only take territories of the Active model"));
      }
    } else if (ctx.models().isEmpty()) {
      problems.add(
          RuleProblem.warning(
              set.modelPos(),
              "the model and territories were not checked: the mirror has no territory model yet (run a sync first)"));
    }

    // Territories: the model's from the org, then the file's.
    Map<String, Node> nodes = new LinkedHashMap<>();
    Map<String, Node> byId = new HashMap<>();
    boolean orgKnown =
        model != null && !ctx.territories().getOrDefault(model.id(), Map.of()).isEmpty();
    if (orgKnown) {
      for (RulesContext.Territory t : ctx.territories().get(model.id()).values()) {
        Node n = new Node(t.developerName());
        n.id = t.id();
        n.typeId = t.typeId();
        n.parentId = t.parentId();
        n.typePriority = ctx.typePriority(t);
        nodes.put(t.developerName().toLowerCase(Locale.ROOT), n);
        byId.put(t.id(), n);
      }
    }
    for (RuleSet.TerritoryRules tr : set.territories()) {
      Node n = nodes.get(tr.developerName().toLowerCase(Locale.ROOT));
      if (n == null) {
        if (orgKnown) {
          problems.add(
              RuleProblem.error(
                  tr.pos(),
                  "unknown territory '"
                      + tr.developerName()
                      + "' in model "
                      + set.model()
                      + suggestion(tr.developerName(), orgNames(nodes))));
          // still compiled below, so that its criteria's errors are reported too
        }
        n = new Node(tr.developerName());
        nodes.put(tr.developerName().toLowerCase(Locale.ROOT), n);
      }
      n.file = tr;
    }
    List<Node> ordered = new ArrayList<>(nodes.values());
    ordered.sort(Comparator.comparing(x -> x.developerName.toLowerCase(Locale.ROOT)));
    for (int i = 0; i < ordered.size(); i++) {
      ordered.get(i).index = i;
    }

    // Slots of the fields the rules read; coordinates always get slots for geographic rules.
    int latSlot = slots.slot("BillingLatitude", FieldKind.NUMBER);
    int lonSlot = slots.slot("BillingLongitude", FieldKind.NUMBER);

    // Rules.
    List<CompiledRules.Rule> rules = new ArrayList<>();
    CriterionCompiler criteria = new CriterionCompiler(problems);
    boolean warnedUnchecked = false;
    for (Node n : ordered) {
      if (n.file == null) {
        continue;
      }
      for (RuleSet.Rule r : n.file.rules()) {
        List<CompiledCriterion> compiled = new ArrayList<>();
        boolean broken = false;
        for (RuleSet.Criterion c : r.criteria()) {
          int slot = -1;
          FieldKind kind = FieldKind.TEXT;
          if (!c.operation().geographic()) {
            RulesContext.Field f = ctx.field(c.field()).orElse(null);
            if (f == null) {
              if (ctx.describedFields()) {
                problems.add(
                    RuleProblem.error(
                        c.fieldPos(),
                        "unknown Account field '"
                            + c.field()
                            + "'"
                            + suggestion(
                                c.field(),
                                ctx.accountFields().values().stream()
                                    .map(RulesContext.Field::name)
                                    .toList())));
                broken = true;
                continue;
              }
              if (!warnedUnchecked) {
                problems.add(
                    RuleProblem.warning(
                        c.fieldPos(),
                        "field '"
                            + c.field()
                            + "' was not checked against the org: its Account fields are not described yet (a sync that needs them describes them)"));
                warnedUnchecked = true;
              }
              f = new RulesContext.Field(stripAccount(c.field()), FieldKind.TEXT);
            }
            kind = f.kind();
            slot = slots.slot(f.name(), kind);
          }
          CompiledCriterion cc = criteria.compile(c, slot, kind, latSlot, lonSlot);
          if (cc == null) {
            broken = true;
          } else {
            compiled.add(cc);
          }
        }
        BooleanFilter filter = null;
        int count = r.criteria().size();
        if (r.filter() != null) {
          try {
            filter = BooleanFilter.parse(r.filter(), count);
            int mixed = io.territorysync.rules.MixedFilterLogic.offset(r.filter());
            if (mixed >= 0) {
              Pos p =
                  r.filterPos() == null
                      ? r.pos()
                      : new Pos(r.filterPos().line(), r.filterPos().column() + mixed);
              problems.add(
                  RuleProblem.error(
                      p,
                      "bad filter '"
                          + r.filter()
                          + "': "
                          + io.territorysync.rules.MixedFilterLogic.MESSAGE));
              broken = true;
            }
            BitSet used = filter.references();
            for (int i = 1; i <= count; i++) {
              if (!used.get(i)) {
                problems.add(
                    RuleProblem.error(
                        r.filterPos(),
                        "criterion "
                            + i
                            + " of rule "
                            + r.name()
                            + " is not used by its filter '"
                            + r.filter()
                            + "'"));
                broken = true;
              }
            }
          } catch (BooleanFilter.SyntaxError e) {
            Pos p =
                r.filterPos() == null
                    ? r.pos()
                    : new Pos(r.filterPos().line(), r.filterPos().column() + e.offset());
            problems.add(
                RuleProblem.error(
                    p,
                    "bad filter '"
                        + (r.filter().length() > 80
                            ? r.filter().substring(0, 80) + "…"
                            : r.filter())
                        + "': "
                        + e.getMessage()));
            broken = true;
          }
        } else if (count > 0) {
          filter = BooleanFilter.allOf(count);
        }
        if (!broken && filter != null) {
          int idx = rules.size();
          rules.add(
              new CompiledRules.Rule(
                  idx,
                  r.name(),
                  n.index,
                  compiled.toArray(CompiledCriterion[]::new),
                  filter,
                  r.inherited()));
          n.localRules.add(idx);
        }
      }
    }

    // Effective rules: local plus inherited from every ancestor.
    int[][] effective = new int[ordered.size()][];
    for (Node n : ordered) {
      List<Integer> eff = new ArrayList<>(n.localRules);
      Set<String> visited = new HashSet<>();
      Node p = n.parentId == null ? null : byId.get(n.parentId);
      while (p != null && visited.add(p.developerName)) {
        for (int r : p.localRules) {
          if (rules.get(r).inherited()) {
            eff.add(r);
          }
        }
        p = p.parentId == null ? null : byId.get(p.parentId);
      }
      effective[n.index] = eff.stream().mapToInt(Integer::intValue).toArray();
    }

    // Exclusive groups and ranks.
    boolean exclusive = set.mode() == RuleSet.Mode.EXCLUSIVE;
    Map<String, Integer> groups = new HashMap<>();
    CompiledRules.Territory[] territories = new CompiledRules.Territory[ordered.size()];
    List<Node> byRank = new ArrayList<>(ordered);
    byRank.sort(
        Comparator.comparingInt((Node x) -> -x.typePriority)
            .thenComparingInt(x -> -(x.file == null ? 0 : x.file.priority()))
            .thenComparing(x -> x.developerName.toLowerCase(Locale.ROOT)));
    int[] rank = new int[ordered.size()];
    for (int i = 0; i < byRank.size(); i++) {
      rank[byRank.get(i).index] = i;
    }
    for (Node n : ordered) {
      int group =
          set.exclusivePer() == RuleSet.ExclusivePer.MODEL
              ? 0
              : groups.computeIfAbsent(n.typeId == null ? "" : n.typeId, k -> groups.size());
      territories[n.index] =
          new CompiledRules.Territory(
              n.index,
              n.developerName,
              n.id,
              n.typeId,
              n.typePriority,
              n.file == null ? 0 : n.file.priority(),
              group,
              rank[n.index]);
    }
    if (exclusive && orgKnown) {
      checkTies(ordered, territories, effective, rules);
    } else if (exclusive) {
      // without the org's territory types every territory would fall in one group: the check
      // would report ties that the run, which always has the mirrored model, never sees
      problems.add(
          RuleProblem.warning(
              set.modelPos(),
              "exclusive ties were not checked: the mirror has no territories or types of this"
                  + " model yet (run a sync first)"));
    }

    // Overrides and exclusions.
    Map<String, List<Integer>> overrides = new HashMap<>();
    for (RuleSet.Override o : set.overrides()) {
      String id = SalesforceId.normalize(o.accountId()).orElse(null);
      Node n = nodes.get(o.territory().toLowerCase(Locale.ROOT));
      if (id == null) {
        problems.add(
            RuleProblem.error(
                o.pos(), "override account '" + o.accountId() + "' is not a Salesforce id"));
      } else if (n == null && !orgKnown) {
        // the run, which has the mirrored model, checks it
        problems.add(
            RuleProblem.warning(
                o.pos(),
                "override territory '"
                    + o.territory()
                    + "' was not checked: the mirror has no territories of this model yet"));
      } else if (n == null) {
        problems.add(
            RuleProblem.error(
                o.pos(),
                "override territory '"
                    + o.territory()
                    + "' is not in the model"
                    + suggestion(o.territory(), orgNames(nodes))));
      } else {
        overrides.computeIfAbsent(id, k -> new ArrayList<>()).add(n.index);
      }
    }
    Map<String, List<Integer>> exclusions = new HashMap<>();
    for (Node n : ordered) {
      if (n.file == null) {
        continue;
      }
      for (String raw : n.file.exclude()) {
        String id = SalesforceId.normalize(raw).orElse(null);
        if (id == null) {
          problems.add(
              RuleProblem.error(
                  n.file.pos(),
                  "exclude of " + n.developerName + ": '" + raw + "' is not a Salesforce id"));
          continue;
        }
        if (overrides.getOrDefault(id, List.of()).contains(n.index)) {
          problems.add(
              RuleProblem.error(
                  n.file.pos(),
                  "account " + id + " is both pinned to and excluded from " + n.developerName));
        }
        exclusions.computeIfAbsent(id, k -> new ArrayList<>()).add(n.index);
      }
      for (RuleSet.Member m : n.file.users()) {
        String userId = ctx.users().get(m.user().toLowerCase(Locale.ROOT));
        if (userId != null) {
          members.add(new CompiledRules.Member(userId, n.index, m.role()));
        }
        if (!ctx.users().isEmpty() && userId == null) {
          problems.add(
              RuleProblem.error(
                  m.pos(),
                  "unknown user '"
                      + m.user()
                      + "' for "
                      + n.developerName
                      + " (no active user has that username or email)"));
        }
      }
    }

    if (problems.stream().anyMatch(p -> !p.warning())) {
      return new Compilation(null, sorted());
    }

    // Candidate index: every territory's rules as clauses of required, indexable criteria.
    List<Integer> clauseTerritory = new ArrayList<>();
    List<Map<Integer, List<CompiledCriterion.IndexKey>>> clauseKeys = new ArrayList<>();
    List<Integer> unanchored = new ArrayList<>();
    for (int t = 0; t < territories.length; t++) {
      if (effective[t].length == 0) {
        continue;
      }
      boolean anchored = true;
      for (List<CompiledCriterion> clause : clauses(effective[t], rules)) {
        Map<Integer, List<CompiledCriterion.IndexKey>> keys = new HashMap<>();
        for (CompiledCriterion c : clause) {
          if (c.keys() != null && !c.keys().isEmpty()) {
            keys.putIfAbsent(CandidateIndex.slotOf(c.keys().get(0)), c.keys());
          }
        }
        anchored &= !keys.isEmpty();
        clauseTerritory.add(t);
        clauseKeys.add(keys);
      }
      if (!anchored) {
        unanchored.add(t);
      }
    }
    CandidateIndex index =
        new CandidateIndex(
            slots.size(),
            clauseTerritory.stream().mapToInt(Integer::intValue).toArray(),
            clauseKeys);
    CompiledRules compiled =
        new CompiledRules(
            set,
            slots,
            territories,
            rules.toArray(CompiledRules.Rule[]::new),
            effective,
            index,
            unanchored.stream().mapToInt(Integer::intValue).toArray(),
            freeze(overrides, false),
            freeze(exclusions, true),
            exclusive,
            model == null ? null : model.id(),
            model != null && "Active".equalsIgnoreCase(model.state()),
            List.copyOf(members));
    return new Compilation(compiled, sorted());
  }

  private List<RuleProblem> sorted() {
    List<RuleProblem> out = new ArrayList<>(problems);
    out.sort(
        Comparator.comparingInt((RuleProblem p) -> p.pos().line())
            .thenComparingInt(p -> p.pos().column()));
    return out;
  }

  private static Map<String, int[]> freeze(Map<String, List<Integer>> m, boolean sort) {
    Map<String, int[]> out = new HashMap<>();
    m.forEach(
        (k, v) -> {
          int[] a = v.stream().mapToInt(Integer::intValue).distinct().toArray();
          if (sort) {
            Arrays.sort(a);
          }
          out.put(k, a);
        });
    return out;
  }

  private static String stripAccount(String field) {
    return field.regionMatches(true, 0, "Account.", 0, 8) ? field.substring(8) : field;
  }

  private static List<String> orgNames(Map<String, Node> nodes) {
    return nodes.values().stream().filter(x -> x.id != null).map(x -> x.developerName).toList();
  }

  /** The closest known name (as the org spells it), if one is within two edits. */
  private static String suggestion(String name, java.util.Collection<String> known) {
    String best = null;
    int bestDistance = 3;
    for (String k : known) {
      int d = EditDistance.between(name, k, 3);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best == null ? "" : " (did you mean " + best + "?)";
  }

  // --------------------------------------------------------------------------- clauses

  /** Above this many clauses a territory's requirements are loosened (it is tested more often). */
  private static final int MAX_CLAUSES = 16;

  /**
   * The territory's effective rules in disjunctive normal form: clauses of criteria that must all
   * hold. Criteria under NOT, and products too large to expand, are left out: a clause may be
   * looser than the rules, never stricter.
   */
  private static List<List<CompiledCriterion>> clauses(
      int[] effective, List<CompiledRules.Rule> rules) {
    List<List<CompiledCriterion>> out = List.of(List.of());
    for (int r : effective) {
      CompiledRules.Rule rule = rules.get(r);
      List<List<CompiledCriterion>> ruleClauses = dnf(rule.filter(), rule.criteria());
      List<List<CompiledCriterion>> product = product(out, ruleClauses);
      if (product != null) {
        out = product;
      }
    }
    return out;
  }

  private static List<List<CompiledCriterion>> dnf(BooleanFilter f, CompiledCriterion[] criteria) {
    if (f instanceof BooleanFilter.Ref ref) {
      return List.of(List.of(criteria[ref.number() - 1]));
    }
    if (f instanceof BooleanFilter.And and) {
      List<List<CompiledCriterion>> out = List.of(List.of());
      for (BooleanFilter p : and.parts()) {
        List<List<CompiledCriterion>> product = product(out, dnf(p, criteria));
        if (product != null) {
          out = product;
        }
      }
      return out;
    }
    if (f instanceof BooleanFilter.Or or) {
      List<List<CompiledCriterion>> out = new ArrayList<>();
      for (BooleanFilter p : or.parts()) {
        List<List<CompiledCriterion>> part = dnf(p, criteria);
        if (part.stream().anyMatch(List::isEmpty)) {
          return List.of(List.of());
        }
        out.addAll(part);
      }
      return out.size() > MAX_CLAUSES ? List.of(List.of()) : out;
    }
    return List.of(List.of());
  }

  /** Every clause of {@code a} joined with every clause of {@code b}; null when too many. */
  private static List<List<CompiledCriterion>> product(
      List<List<CompiledCriterion>> a, List<List<CompiledCriterion>> b) {
    if ((long) a.size() * b.size() > MAX_CLAUSES) {
      return null;
    }
    List<List<CompiledCriterion>> out = new ArrayList<>();
    for (List<CompiledCriterion> x : a) {
      for (List<CompiledCriterion> y : b) {
        List<CompiledCriterion> both = new ArrayList<>(x);
        both.addAll(y);
        out.add(both);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------------ exclusive ties

  /**
   * Two territories of one exclusive group with equal precedence that could match the same account.
   */
  private void checkTies(
      List<Node> ordered,
      CompiledRules.Territory[] territories,
      int[][] effective,
      List<CompiledRules.Rule> rules) {
    Map<String, List<Node>> tied = new TreeMap<>();
    for (Node n : ordered) {
      if (effective[n.index].length == 0 || n.file == null) {
        continue;
      }
      CompiledRules.Territory t = territories[n.index];
      tied.computeIfAbsent(
              t.group() + "/" + t.typePriority() + "/" + t.priority(), k -> new ArrayList<>())
          .add(n);
    }
    for (List<Node> same : tied.values()) {
      for (int i = 0; i < same.size(); i++) {
        for (int j = i + 1; j < same.size(); j++) {
          Node a = same.get(i);
          Node b = same.get(j);
          if (!disjoint(effective[a.index], effective[b.index], rules)) {
            problems.add(
                RuleProblem.error(
                    b.file.pos(),
                    "in exclusive mode "
                        + b.developerName
                        + " and "
                        + a.developerName
                        + " (line "
                        + a.file.pos().line()
                        + ") can match the same account with equal precedence (same type priority and priority "
                        + b.file.priority()
                        + "); give one a higher priority or make their criteria exclusive"));
          }
        }
      }
    }
  }

  /** Whether no account can match both territories' rules: some required criteria contradict. */
  private static boolean disjoint(int[] ra, int[] rb, List<CompiledRules.Rule> rules) {
    for (int x : ra) {
      for (int y : rb) {
        List<CompiledCriterion> ca = required(rules.get(x));
        List<CompiledCriterion> cb = required(rules.get(y));
        for (CompiledCriterion p : ca) {
          for (CompiledCriterion q : cb) {
            if (contradict(p, q)) {
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  private static List<CompiledCriterion> required(CompiledRules.Rule r) {
    BitSet req = requiredAtoms(r.filter());
    List<CompiledCriterion> out = new ArrayList<>();
    for (int i = req.nextSetBit(1); i >= 0; i = req.nextSetBit(i + 1)) {
      out.add(r.criteria()[i - 1]);
    }
    return out;
  }

  private static BitSet requiredAtoms(BooleanFilter f) {
    if (f instanceof BooleanFilter.Ref ref) {
      return ref.references();
    }
    if (f instanceof BooleanFilter.And and) {
      BitSet b = new BitSet();
      and.parts().forEach(p -> b.or(requiredAtoms(p)));
      return b;
    }
    if (f instanceof BooleanFilter.Or or) {
      BitSet b = null;
      for (BooleanFilter p : or.parts()) {
        BitSet r = requiredAtoms(p);
        if (b == null) {
          b = r;
        } else {
          b.and(r);
        }
      }
      return b == null ? new BitSet() : b;
    }
    return new BitSet();
  }

  private static boolean contradict(CompiledCriterion p, CompiledCriterion q) {
    if (p.keys() == null || q.keys() == null) {
      return false;
    }
    for (CompiledCriterion.IndexKey a : p.keys()) {
      for (CompiledCriterion.IndexKey b : q.keys()) {
        if (CandidateIndex.slotOf(a) != CandidateIndex.slotOf(b) || !overlap(a, b)) {
          continue;
        }
        return false;
      }
    }
    // Contradict only when both constrain the same slot and no key of one overlaps a key of the
    // other.
    return sameSlot(p, q);
  }

  private static boolean sameSlot(CompiledCriterion p, CompiledCriterion q) {
    Set<Integer> a = new HashSet<>();
    p.keys().forEach(k -> a.add(CandidateIndex.slotOf(k)));
    for (CompiledCriterion.IndexKey k : q.keys()) {
      if (!a.contains(CandidateIndex.slotOf(k))) {
        return false;
      }
    }
    return a.size() == 1;
  }

  private static boolean overlap(CompiledCriterion.IndexKey a, CompiledCriterion.IndexKey b) {
    if (a instanceof CompiledCriterion.Exact x && b instanceof CompiledCriterion.Exact y) {
      return x.value().equals(y.value());
    }
    if (a instanceof CompiledCriterion.Postal x && b instanceof CompiledCriterion.Postal y) {
      return x.digits() != y.digits() || (x.from() <= y.to() && y.from() <= x.to());
    }
    if (a instanceof CompiledCriterion.Range x && b instanceof CompiledCriterion.Range y) {
      return x.from() < y.to() && y.from() < x.to();
    }
    if (a instanceof CompiledCriterion.Prefix x && b instanceof CompiledCriterion.Prefix y) {
      return x.postal() != y.postal()
          || x.prefix().startsWith(y.prefix())
          || y.prefix().startsWith(x.prefix());
    }
    if (a instanceof CompiledCriterion.Prefix x && b instanceof CompiledCriterion.Exact y) {
      return x.postal() || y.value().startsWith(x.prefix());
    }
    if (b instanceof CompiledCriterion.Prefix && a instanceof CompiledCriterion.Exact) {
      return overlap(b, a);
    }
    return true;
  }
}
