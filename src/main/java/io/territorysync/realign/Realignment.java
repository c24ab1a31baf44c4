package io.territorysync.realign;

import io.agroal.api.AgroalDataSource;
import io.territorysync.assignment.AssignmentConfig;
import io.territorysync.rollup.FiscalPeriods;
import io.territorysync.rollup.RollupConfig;
import io.territorysync.rollup.RollupStage;
import io.territorysync.rules.AccountSource;
import io.territorysync.rules.MirrorRules;
import io.territorysync.rules.Operation;
import io.territorysync.rules.RuleSet;
import io.territorysync.rules.RulesContext;
import io.territorysync.rules.RulesService;
import io.territorysync.rules.RulesWriter;
import io.territorysync.rules.engine.AccountRecord;
import io.territorysync.rules.engine.CompiledRules;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jboss.logging.Logger;

/**
 * Plans a realignment of the rules in force: reads the mirror (territories, accounts, associations,
 * opportunities), cuts the scope's sibling groups into geography units, lets the solver move units
 * between siblings, and writes the proposal as a rules file with a report. Reads only: nothing is
 * written to the database or to Salesforce.
 */
@ApplicationScoped
public class Realignment {

  private static final Logger LOG = Logger.getLogger(Realignment.class);
  private static final int BATCH = 20_000;

  /** What to plan. */
  public record Request(
      String scope,
      Measure measure,
      double tolerance,
      double maxMoved,
      boolean contiguity,
      Duration timeLimit) {}

  /** The outcome: the report, the proposed rules file, whether it validates. */
  public record Proposal(Map<String, Object> report, String rules, boolean valid) {}

  /** Where a plan is: a phase and the share of it done. */
  public interface Progress {
    void report(String phase, double done, PlanScore best);
  }

  @Inject RulesService rulesService;
  @Inject MirrorRules mirror;
  @Inject AccountSource accounts;
  @Inject AgroalDataSource dataSource;
  @Inject AssignmentConfig assignmentConfig;
  @Inject RollupConfig rollupConfig;
  @Inject RollupStage rollupStage;
  @Inject RealignConfig config;

  /** A request with the configured defaults for what {@code given} leaves null. */
  public Request request(
      String scope, String measure, Double tolerance, Double maxMoved, Boolean contiguity) {
    Measure m =
        Measure.parse(measure == null ? config.measure() : measure)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "measure must be accounts, potential, pipeline or workload, not '"
                            + measure
                            + "'"));
    double tol = tolerance == null ? config.tolerance() : tolerance;
    double max = maxMoved == null ? config.maxMoved() : maxMoved;
    if (tol < 0 || tol >= 1) {
      throw new IllegalArgumentException("tolerance must be at least 0 and below 1, not " + tol);
    }
    if (max < 0 || max > 1) {
      throw new IllegalArgumentException("max-moved must be between 0 and 1, not " + max);
    }
    return new Request(
        scope == null || scope.isBlank() ? null : scope.trim(),
        m,
        tol,
        max,
        contiguity == null ? config.contiguity() : contiguity,
        config.timeLimit());
  }

  /** Plans {@code request}. */
  public Proposal plan(Request request, Progress progress) throws SQLException {
    long t0 = System.nanoTime();
    progress.report("loading", 0, null);
    RulesService.InForce inForce = inForce();
    CompiledRules compiled = inForce.rules();
    RuleSet set = compiled.source();
    Loaded data = load(request, compiled, set, mirror.context(), progress, true);
    long loadMs = (System.nanoTime() - t0) / 1_000_000;
    RealignModel model = data.model;
    LOG.infof(
        "Realignment of %s: %d group(s), %d territories, %d unit(s), %d account(s) in scope"
            + " (%d read); loaded in %d ms",
        request.scope() == null ? "the whole model" : request.scope(),
        model.groups().size(),
        model.territories().size(),
        model.units().size(),
        model.scopeAccounts(),
        data.read,
        loadMs);
    progress.report("solving", 0, null);
    long s0 = System.nanoTime();
    int[] greedy = new GreedyPlanner().plan(model, request.timeLimit(), Planner.Progress.NONE);
    long greedyMs = (System.nanoTime() - s0) / 1_000_000;
    long s1 = System.nanoTime();
    int[] plan =
        new SolverPlanner()
            .plan(
                model, request.timeLimit(), (best, done) -> progress.report("solving", done, best));
    long solveMs = (System.nanoTime() - s1) / 1_000_000;
    progress.report("writing", 0, null);
    Diagnosis diagnosis = Diagnosis.of(model, plan);
    RuleSet proposed = rewrite(set, data, plan);
    String text =
        RulesWriter.write(
            proposed,
            List.of(
                "Proposed by the Territory Sync realignment planner on " + Instant.now() + ".",
                "From rules version "
                    + inForce.version()
                    + " ("
                    + inForce.source()
                    + "); scope "
                    + (request.scope() == null ? "the whole model" : request.scope())
                    + ", measure "
                    + request.measure().label()
                    + ", tolerance "
                    + request.tolerance()
                    + ".",
                "Preview it (POST /api/rules/preview), then publish it as the rules in force."));
    RulesService.LoadResult check = rulesService.validate(text, "proposal");
    Map<String, Object> report = report(request, data, plan, greedy, diagnosis, inForce.version());
    Map<String, Object> timing = new LinkedHashMap<>();
    timing.put("loadMs", loadMs);
    timing.put("accountsRead", data.read);
    timing.put("greedyMs", greedyMs);
    timing.put("solveMs", solveMs);
    timing.put("totalMs", (System.nanoTime() - t0) / 1_000_000);
    report.put("timing", timing);
    report.put("valid", check.ok());
    if (!check.ok()) {
      report.put("problems", check.messages());
    }
    progress.report("done", 1, Planner.score(model, plan));
    return new Proposal(report, text, check.ok());
  }

  /** The rules in force (loaded if none are yet), with their model in the mirror. */
  private RulesService.InForce inForce() throws SQLException {
    RulesService.InForce inForce = rulesService.current().orElse(null);
    if (inForce == null) {
      RulesService.LoadResult loaded = rulesService.reload();
      inForce = loaded.inForce();
      if (inForce == null) {
        throw new IllegalStateException(
            "no valid rules to realign: " + String.join("; ", loaded.messages()));
      }
    }
    if (inForce.rules().modelId() == null) {
      throw new IllegalStateException(
          "the rules' model "
              + inForce.rules().source().model()
              + " is not in the mirror: run a sync first");
    }
    return inForce;
  }

  /**
   * The model a plan of {@code request} starts from, read from the scope's accounts only ({@code
   * limitToScope}, as plans do) or from every account of the mirror.
   */
  Loaded model(Request request, boolean limitToScope) throws SQLException {
    CompiledRules compiled = inForce().rules();
    return load(request, compiled, compiled.source(), mirror.context(), NO_PROGRESS, limitToScope);
  }

  private static final Progress NO_PROGRESS = (phase, done, best) -> {};

  // ------------------------------------------------------------------------------ loading

  /** A sibling territory of a group, with its geography criterion when it can trade units. */
  static final class Member {
    final RulesContext.Territory territory;
    final int index;
    RuleSet.TerritoryRules rules;
    int criterion = -1;
    String reason;
    List<String> values = List.of();
    List<long[]> ranges = List.of();

    Member(RulesContext.Territory territory, int index) {
      this.territory = territory;
      this.index = index;
    }
  }

  /** A group of siblings and its dimension (null: no unit can move). */
  static final class GroupDef {
    final int index;
    final String parent;
    final List<Member> members = new ArrayList<>();
    Dimension dimension;
    final TreeSet<Long> cuts = new TreeSet<>();
    final Map<String, Integer> valueOwner = new HashMap<>();
    final Map<String, String> spelling = new HashMap<>();
    final Set<String> shared = new java.util.HashSet<>();

    GroupDef(int index, String parent) {
      this.index = index;
      this.parent = parent;
    }
  }

  /** A unit while it is being built. */
  static final class UnitDraft {
    final int group;
    final String key;
    final int current;
    final boolean pinned;
    final double[][] values;
    long accounts;
    double pipeline;
    double lat;
    double lon;
    int located;
    long from;
    long to;
    String value;

    UnitDraft(int group, String key, int current, boolean pinned, int size) {
      this.group = group;
      this.key = key;
      this.current = current;
      this.pinned = pinned;
      this.values = new double[RealignModel.METRICS][size];
    }
  }

  /** Everything read for a plan. */
  static final class Loaded {
    RealignModel model;
    List<GroupDef> groups;
    List<Member> members;
    List<UnitDraft> units;
    double[][] before;
    double[] coefficients;

    /** Accounts read from the mirror. */
    long read;
  }

  /** Per account: potential, pipeline, latitude, longitude. */
  private record Figures(double potential, double pipeline, double lat, double lon) {}

  /**
   * An association of an account to a scope territory; {@code stays}: the plan cannot remove it.
   */
  private record Assoc(int territory, boolean stays) {}

  private Loaded load(
      Request request,
      CompiledRules compiled,
      RuleSet set,
      RulesContext context,
      Progress progress,
      boolean limitToScope)
      throws SQLException {
    Map<String, RulesContext.Territory> territories =
        context.territories().getOrDefault(compiled.modelId(), Map.of()).values().stream()
            .collect(Collectors.toMap(RulesContext.Territory::id, t -> t, (a, b) -> a));
    List<List<RulesContext.Territory>> siblings = groups(request.scope(), territories, context);
    if (siblings.isEmpty()) {
      throw new IllegalArgumentException(
          request.scope() == null
              ? "the model has no sibling territories to balance"
              : "scope " + request.scope() + " has no group of two or more sibling territories");
    }
    Map<String, RuleSet.TerritoryRules> byName = new HashMap<>();
    for (RuleSet.TerritoryRules t : set.territories()) {
      byName.put(t.developerName().toLowerCase(Locale.ROOT), t);
    }
    Loaded d = new Loaded();
    d.groups = new ArrayList<>();
    d.members = new ArrayList<>();
    Map<String, Member> memberById = new HashMap<>();
    Set<String> geo =
        config.geographyFields().stream()
            .map(f -> f.toLowerCase(Locale.ROOT))
            .collect(Collectors.toSet());
    for (List<RulesContext.Territory> list : siblings) {
      RulesContext.Territory parent = territories.get(list.get(0).parentId());
      GroupDef g =
          new GroupDef(d.groups.size(), parent == null ? "(top level)" : parent.developerName());
      for (RulesContext.Territory t : list) {
        Member m = new Member(t, d.members.size());
        m.rules = byName.get(t.developerName().toLowerCase(Locale.ROOT));
        g.members.add(m);
        d.members.add(m);
        memberById.put(t.id(), m);
      }
      dimension(g, geo);
      d.groups.add(g);
    }
    Map<String, Integer> users = users();
    Map<String, List<Assoc>> assocs = associations(memberById);
    progress.report("loading", 0.2, null);
    // a territory's scope reads only the accounts it can need; a level or the whole model, all
    boolean scoped =
        limitToScope
            && request.scope() != null
            && !request.scope().regionMatches(true, 0, "type:", 0, 5);
    ScopeAccounts.Filter filter =
        scoped ? ScopeAccounts.of(compiled, memberById.keySet()).orElse(null) : null;
    List<String> ids = filter == null ? null : accountIds(filter);
    Map<String, Figures> figures = figures(ids);
    progress.report("loading", 0.4, null);

    int n = d.members.size();
    d.before = new double[RealignModel.METRICS][n];
    for (Map.Entry<String, List<Assoc>> e : assocs.entrySet()) {
      Figures f = figures.get(e.getKey());
      for (Assoc a : e.getValue()) {
        add(d.before, a.territory(), f, 1);
      }
    }
    double[][] fixed = new double[RealignModel.METRICS][n];
    Map<String, UnitDraft> drafts = new HashMap<>();
    d.units = new ArrayList<>();
    int[] memberOfTerritory = new int[compiled.territories().size()];
    Arrays.fill(memberOfTerritory, -1);
    for (CompiledRules.Territory t : compiled.territories()) {
      Member m = t.id() == null ? null : memberById.get(t.id());
      if (m != null) {
        memberOfTerritory[t.index()] = m.index;
      }
    }
    Map<Integer, GroupDef> groupOf = new HashMap<>();
    for (GroupDef g : d.groups) {
      for (Member m : g.members) {
        groupOf.put(m.index, g);
      }
    }
    long[] inScope = {0};
    ThreadLocal<CompiledRules.Scratch> scratch = ThreadLocal.withInitial(compiled::scratch);
    // the geography field of each group, by slot
    Map<String, Integer> slots = new HashMap<>();
    for (GroupDef g : d.groups) {
      if (g.dimension != null) {
        slots.put(g.dimension.field(), compiled.slots().find(g.dimension.field()));
      }
    }
    Consumer<List<AccountRecord>> reader =
        batch -> {
          CompiledRules.Assignment[] result = new CompiledRules.Assignment[batch.size()];
          IntStream.range(0, batch.size())
              .parallel()
              .forEach(i -> result[i] = compiled.assign(batch.get(i), scratch.get()));
          for (int i = 0; i < batch.size(); i++) {
            CompiledRules.Assignment a = result[i];
            List<Assoc> mine = assocs.getOrDefault(a.accountId(), List.of());
            boolean relevant = !mine.isEmpty();
            Figures f = figures.get(a.accountId());
            if (a.excludedFromRealign()) {
              // keeps its territories whatever the rules say
              for (Assoc x : mine) {
                add(fixed, x.territory(), f, 1);
              }
              inScope[0] += relevant ? 1 : 0;
              continue;
            }
            for (Assoc x : mine) {
              if (x.stays()) {
                add(fixed, x.territory(), f, 1);
              }
            }
            for (int k = 0; k < a.territories().length; k++) {
              int member = memberOfTerritory[a.territories()[k]];
              if (member < 0) {
                continue;
              }
              relevant = true;
              if (stays(mine, member)) {
                // its association is kept where the rules want it: counted once, fixed
                if (!follows(d, groupOf.get(member), member, a.rules()[k], compiled)) {
                  continue;
                }
              }
              GroupDef g = groupOf.get(member);
              UnitDraft u =
                  follows(d, g, member, a.rules()[k], compiled)
                      ? unitOf(
                          d, g, member, batch.get(i).value(slots.get(g.dimension.field())), drafts)
                      : null;
              if (u == null) {
                if (!stays(mine, member)) {
                  add(fixed, member, f, 1);
                }
                continue;
              }
              for (int p = 0; p < g.members.size(); p++) {
                if (!stays(mine, g.members.get(p).index)) {
                  u.values[RealignModel.ACCOUNTS][p] += 1;
                  u.values[RealignModel.POTENTIAL][p] += f == null ? 0 : f.potential();
                  u.values[RealignModel.PIPELINE][p] += f == null ? 0 : f.pipeline();
                }
              }
              u.accounts++;
              u.pipeline += f == null ? 0 : f.pipeline();
              if (f != null && !Double.isNaN(f.lat())) {
                u.lat += f.lat();
                u.lon += f.lon();
                u.located++;
              }
            }
            inScope[0] += relevant ? 1 : 0;
          }
        };
    if (ids == null) {
      d.read = accounts.stream(compiled.slots(), BATCH, reader);
    } else {
      List<AccountRecord> read = accounts.load(compiled.slots(), ids);
      for (int from = 0; from < read.size(); from += BATCH) {
        reader.accept(read.subList(from, Math.min(read.size(), from + BATCH)));
      }
      d.read = read.size();
    }
    progress.report("loading", 0.9, null);
    d.coefficients = coefficients(request.measure(), d.before, n);
    d.model = build(request, d, fixed, users, inScope[0]);
    return d;
  }

  private static boolean stays(List<Assoc> mine, int member) {
    for (Assoc a : mine) {
      if (a.territory() == member && a.stays()) {
        return true;
      }
    }
    return false;
  }

  /** Whether the account is in {@code member} by the member's own geography rule. */
  private static boolean follows(
      Loaded d, GroupDef g, int member, int rule, CompiledRules compiled) {
    if (g.dimension == null || rule < 0) {
      return false;
    }
    Member m = d.members.get(member);
    if (m.reason != null) {
      return false;
    }
    CompiledRules.Rule r = compiled.rule(rule);
    return compiled.territory(r.owner()).id() != null
        && compiled.territory(r.owner()).id().equals(m.territory.id());
  }

  private static UnitDraft unitOf(
      Loaded d, GroupDef g, int member, Object raw, Map<String, UnitDraft> drafts) {
    if (raw == null) {
      return null;
    }
    int position = position(g, member);
    if (g.dimension.ranges()) {
      long n = g.dimension.postalNumber(raw.toString());
      if (n < 0) {
        return null;
      }
      List<Member> holders = new ArrayList<>();
      for (Member m : g.members) {
        if (m.reason == null && contains(m.ranges, n)) {
          holders.add(m);
        }
      }
      if (holders.isEmpty() || holders.get(0).index != member && holders.size() == 1) {
        return null;
      }
      long b = g.dimension.block();
      long from = n - n % b;
      long to = from + b - 1;
      Long lo = g.cuts.floor(n);
      Long hi = g.cuts.higher(n);
      from = Math.max(from, lo == null ? from : lo);
      to = Math.min(to, hi == null ? to : hi - 1);
      String key = g.index + "|" + from;
      UnitDraft u = drafts.get(key);
      if (u == null) {
        u = new UnitDraft(g.index, key, member, holders.size() > 1, g.members.size());
        u.from = from;
        u.to = to;
        drafts.put(key, u);
        d.units.add(u);
      }
      return u.current == member ? u : null;
    }
    String value = Dimension.valueKey(raw.toString());
    Integer owner = g.valueOwner.get(value);
    if (owner == null || owner != member) {
      return null;
    }
    String key = g.index + "|" + value;
    UnitDraft u = drafts.get(key);
    if (u == null) {
      u = new UnitDraft(g.index, key, member, g.shared.contains(value), g.members.size());
      u.value = g.spelling.get(value);
      drafts.put(key, u);
      d.units.add(u);
    }
    return position >= 0 ? u : null;
  }

  private static boolean contains(List<long[]> ranges, long n) {
    for (long[] r : ranges) {
      if (n >= r[0] && n <= r[1]) {
        return true;
      }
    }
    return false;
  }

  private static int position(GroupDef g, int member) {
    for (int p = 0; p < g.members.size(); p++) {
      if (g.members.get(p).index == member) {
        return p;
      }
    }
    return -1;
  }

  private static void add(double[][] into, int t, Figures f, double sign) {
    into[RealignModel.ACCOUNTS][t] += sign;
    if (f != null) {
      into[RealignModel.POTENTIAL][t] += sign * f.potential();
      into[RealignModel.PIPELINE][t] += sign * f.pipeline();
    }
  }

  /** The sibling groups of the scope: same parent and same Territory2Type, two or more. */
  private static List<List<RulesContext.Territory>> groups(
      String scope, Map<String, RulesContext.Territory> territories, RulesContext context) {
    Map<String, List<RulesContext.Territory>> byParentType = new LinkedHashMap<>();
    List<RulesContext.Territory> sorted = new ArrayList<>(territories.values());
    sorted.sort(Comparator.comparing(RulesContext.Territory::developerName));
    String typeId = null;
    String parentId = null;
    if (scope != null && scope.regionMatches(true, 0, "type:", 0, 5)) {
      String name = scope.substring(5).trim();
      typeId =
          context.types().values().stream()
              .filter(y -> y.developerName().equalsIgnoreCase(name))
              .map(RulesContext.Type::id)
              .findFirst()
              .orElseThrow(() -> new IllegalArgumentException("no Territory2Type named " + name));
    } else if (scope != null) {
      parentId =
          territories.values().stream()
              .filter(t -> t.developerName().equalsIgnoreCase(scope))
              .map(RulesContext.Territory::id)
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "no territory named "
                              + scope
                              + " in the rules' model (give a Territory2 DeveloperName, or"
                              + " type:TYPE for a whole level)"));
    }
    for (RulesContext.Territory t : sorted) {
      if (t.parentId() == null) {
        continue;
      }
      if (parentId != null && !parentId.equals(t.parentId())) {
        continue;
      }
      if (typeId != null && !typeId.equals(t.typeId())) {
        continue;
      }
      byParentType.computeIfAbsent(t.parentId() + "|" + t.typeId(), k -> new ArrayList<>()).add(t);
    }
    return byParentType.values().stream().filter(l -> l.size() > 1).toList();
  }

  /** Finds the criterion that tells the group's members apart, and which members can trade. */
  private void dimension(GroupDef g, Set<String> geo) {
    Map<String, Integer> votes = new HashMap<>();
    for (Member m : g.members) {
      if (m.rules == null || m.rules.rules().isEmpty()) {
        m.reason = "it has no rule of its own (its children's rules define it): realign them";
        continue;
      }
      if (m.rules.rules().size() > 1) {
        m.reason = "it has several rules; only a territory with one rule can trade units";
        continue;
      }
      RuleSet.Rule r = m.rules.rules().get(0);
      if (r.filter() != null) {
        m.reason = "its rule has a boolean filter; only criteria that must all match can trade";
        continue;
      }
      for (RuleSet.Criterion c : r.criteria()) {
        if (c.field() != null
            && geo.contains(c.field().toLowerCase(Locale.ROOT))
            && Dimension.TRADEABLE.contains(c.operation())) {
          votes.merge(key(c), 1, Integer::sum);
        }
      }
    }
    // the geography criterion whose values differ between members
    String chosen = null;
    for (String k : votes.keySet().stream().sorted().toList()) {
      if (votes.get(k) < 2) {
        continue;
      }
      Set<String> distinct = new java.util.HashSet<>();
      for (Member m : g.members) {
        RuleSet.Criterion c = m.reason == null ? find(m, k) : null;
        if (c != null) {
          distinct.add(values(c));
        }
      }
      if (distinct.size() > 1 && (chosen == null || k.endsWith("postalrange"))) {
        chosen = k;
      }
    }
    if (chosen == null) {
      for (Member m : g.members) {
        if (m.reason == null) {
          m.reason =
              "no geography criterion tells it apart from its siblings (fields "
                  + String.join(", ", config.geographyFields())
                  + ")";
        }
      }
      return;
    }
    // members must agree on every other criterion
    Map<String, Integer> signatures = new HashMap<>();
    for (Member m : g.members) {
      if (m.reason == null && find(m, chosen) != null) {
        signatures.merge(signature(m, chosen), 1, Integer::sum);
      }
    }
    String common = signatures.entrySet().stream().max(Map.Entry.comparingByValue()).get().getKey();
    Integer digits = null;
    for (Member m : g.members) {
      if (m.reason != null) {
        continue;
      }
      RuleSet.Criterion c = find(m, chosen);
      if (c == null) {
        m.reason = "it has no " + chosen.split("\\|")[0] + " criterion like its siblings";
        continue;
      }
      if (!signature(m, chosen).equals(common)) {
        m.reason =
            "its other criteria differ from its siblings', so its accounts would change meaning";
        continue;
      }
      m.criterion = m.rules.rules().get(0).criteria().indexOf(c);
      if (c.operation() == Operation.POSTAL_RANGE) {
        int dg = Dimension.rangeDigits(c.values());
        if (digits == null) {
          digits = dg;
        } else if (digits != dg) {
          m.reason = "its postal ranges have " + dg + " digits, its siblings' " + digits;
          continue;
        }
        m.ranges = Dimension.parseRanges(c.values());
        for (long[] r : m.ranges) {
          g.cuts.add(r[0]);
          g.cuts.add(r[1] + 1);
        }
      } else {
        m.values = c.values();
        for (String v : c.values()) {
          String k = Dimension.valueKey(v);
          if (g.valueOwner.containsKey(k)) {
            g.shared.add(k);
          } else {
            g.valueOwner.put(k, m.index);
            g.spelling.put(k, v);
          }
        }
      }
    }
    RuleSet.Criterion sample =
        g.members.stream()
            .filter(m -> m.reason == null)
            .findFirst()
            .map(m -> find(m, "x"))
            .orElse(null);
    Member first = g.members.stream().filter(m -> m.reason == null).findFirst().orElse(null);
    if (first == null) {
      return;
    }
    RuleSet.Criterion c = first.rules.rules().get(0).criteria().get(first.criterion);
    g.dimension =
        new Dimension(
            c.field(),
            c.operation(),
            digits == null ? 0 : digits,
            Math.min(config.postalBlockDigits(), digits == null ? 0 : digits));
  }

  private static String key(RuleSet.Criterion c) {
    String kind = c.operation() == Operation.POSTAL_RANGE ? "postalrange" : "values";
    return c.field().toLowerCase(Locale.ROOT) + "|" + kind;
  }

  private static RuleSet.Criterion find(Member m, String key) {
    for (RuleSet.Criterion c : m.rules.rules().get(0).criteria()) {
      if (c.field() != null && key(c).equals(key)) {
        return c;
      }
    }
    return null;
  }

  private static String values(RuleSet.Criterion c) {
    return c.values().stream()
        .map(v -> v.trim().toLowerCase(Locale.ROOT))
        .sorted()
        .collect(Collectors.joining(","));
  }

  private static String signature(Member m, String except) {
    return m.rules.rules().get(0).criteria().stream()
        .filter(c -> c.field() == null || !key(c).equals(except))
        .map(
            c ->
                (c.field() == null ? "" : c.field().toLowerCase(Locale.ROOT))
                    + "|"
                    + c.operation()
                    + "|"
                    + values(c)
                    + "|"
                    + c.caseSensitive())
        .sorted()
        .collect(Collectors.joining(";"));
  }

  private Map<String, Integer> users() throws SQLException {
    Map<String, Integer> out = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT territory2_id, count(DISTINCT user_id) FROM sf_user_territory2_association"
                    + " WHERE coalesce(is_active, true) GROUP BY territory2_id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getInt(2));
      }
    }
    return out;
  }

  /** The scope territories' associations, and whether the plan can remove each. */
  private Map<String, List<Assoc>> associations(Map<String, Member> members) throws SQLException {
    boolean removeAll = "all".equalsIgnoreCase(assignmentConfig.removePolicy());
    Map<String, List<Assoc>> out = new HashMap<>();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT o.object_id, o.territory2_id, o.association_cause = 'Territory2Manual'"
                  + " AND (? OR EXISTS (SELECT 1 FROM managed_association m WHERE m.kind ="
                  + " 'account' AND m.object_id = o.object_id AND m.territory_id ="
                  + " o.territory2_id)) FROM sf_object_territory2_association o"
                  + " WHERE o.territory2_id = ANY(?)")) {
        ps.setFetchSize(10_000);
        ps.setBoolean(1, removeAll);
        ps.setArray(2, c.createArrayOf("text", members.keySet().toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Member m = members.get(rs.getString(2));
            out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>(1))
                .add(new Assoc(m.index, !rs.getBoolean(3)));
          }
        }
      }
      c.commit();
    }
    return out;
  }

  /** The ids of the accounts {@code filter} selects. */
  private List<String> accountIds(ScopeAccounts.Filter filter) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(filter.sql())) {
        ps.setFetchSize(10_000);
        int i = 1;
        for (Object p : filter.params()) {
          if (p instanceof String[] a) {
            ps.setArray(i++, c.createArrayOf("text", a));
          } else {
            ps.setString(i++, (String) p);
          }
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
      c.commit();
    }
    return out;
  }

  /**
   * Potential, open pipeline of the current fiscal year and coordinates of the accounts {@code ids}
   * (null: every account).
   */
  private Map<String, Figures> figures(List<String> ids) throws SQLException {
    FiscalPeriods.Period year =
        FiscalPeriods.current(LocalDate.now(ZoneOffset.UTC), rollupConfig.fiscalYearStartMonth())
            .get(0);
    Map<String, Figures> out = new HashMap<>();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      String open =
          "sum(amount) AS open FROM sf_opportunity WHERE NOT coalesce(is_closed, false)"
              + " AND NOT coalesce(is_excluded_from_territory2_filter, false)"
              + " AND close_date BETWEEN ? AND ?";
      String select =
          "SELECT a.id, coalesce("
              + rollupStage.potentialExpression()
              + ", 0)::float8, coalesce(p.open, 0)::float8, a.billing_latitude,"
              + " a.billing_longitude FROM sf_account a ";
      try (PreparedStatement ps =
          c.prepareStatement(
              ids == null
                  ? select
                      + "LEFT JOIN (SELECT account_id, "
                      + open
                      + " GROUP BY account_id) p ON p.account_id = a.id"
                  // a few accounts: their opportunities through the account index
                  : select
                      + "LEFT JOIN LATERAL (SELECT "
                      + open
                      + " AND account_id = a.id) p ON true WHERE a.id = ANY(?)")) {
        ps.setFetchSize(10_000);
        ps.setObject(1, year.start());
        ps.setObject(2, year.end());
        if (ids != null) {
          ps.setArray(3, c.createArrayOf("text", ids.toArray()));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            double lat = rs.getDouble(4);
            lat = rs.wasNull() ? Double.NaN : lat;
            double lon = rs.getDouble(5);
            lon = rs.wasNull() ? Double.NaN : lon;
            out.put(rs.getString(1), new Figures(rs.getDouble(2), rs.getDouble(3), lat, lon));
          }
        }
      }
      c.commit();
    }
    return out;
  }

  private double[] coefficients(Measure m, double[][] before, int n) {
    double[] c = new double[RealignModel.METRICS];
    switch (m) {
      case ACCOUNTS -> c[RealignModel.ACCOUNTS] = 1;
      case POTENTIAL -> c[RealignModel.POTENTIAL] = 1;
      case PIPELINE -> c[RealignModel.PIPELINE] = 1;
      case WORKLOAD -> {
        double[] w = {
          config.workload().accounts(), config.workload().potential(), config.workload().pipeline()
        };
        for (int k = 0; k < RealignModel.METRICS; k++) {
          double mean = Arrays.stream(before[k]).sum() / Math.max(1, n);
          c[k] = mean > 0 ? w[k] / mean : 0;
        }
      }
    }
    return c;
  }

  private RealignModel build(
      Request request, Loaded d, double[][] fixed, Map<String, Integer> users, long scope) {
    List<RealignModel.Territory> ts = new ArrayList<>();
    List<RealignModel.Group> gs = new ArrayList<>();
    for (GroupDef g : d.groups) {
      int[] idx = g.members.stream().mapToInt(m -> m.index).toArray();
      gs.add(new RealignModel.Group(g.index, g.parent, idx));
      for (int p = 0; p < g.members.size(); p++) {
        Member m = g.members.get(p);
        ts.add(
            new RealignModel.Territory(
                m.index,
                m.territory.id(),
                m.territory.developerName(),
                g.index,
                p,
                m.reason == null && g.dimension != null,
                m.reason,
                users.getOrDefault(m.territory.id(), 0)));
      }
    }
    ts.sort(Comparator.comparingInt(RealignModel.Territory::index));
    // units in a stable order: group, then range start or value
    d.units.sort(
        Comparator.comparingInt((UnitDraft u) -> u.group)
            .thenComparingLong(u -> u.from)
            .thenComparing(u -> u.value == null ? "" : u.value));
    List<List<Integer>> nbrs = new ArrayList<>();
    for (int i = 0; i < d.units.size(); i++) {
      nbrs.add(new ArrayList<>());
    }
    for (int i = 0; i < d.units.size(); i++) {
      UnitDraft u = d.units.get(i);
      GroupDef g = d.groups.get(u.group);
      for (int j = i + 1; j < d.units.size() && d.units.get(j).group == u.group; j++) {
        UnitDraft v = d.units.get(j);
        boolean adjacent;
        if (g.dimension.ranges()) {
          adjacent = j == i + 1;
        } else {
          adjacent =
              u.located > 0
                  && v.located > 0
                  && km(u.lat / u.located, u.lon / u.located, v.lat / v.located, v.lon / v.located)
                      <= config.neighbourKm();
        }
        if (adjacent) {
          nbrs.get(i).add(j);
          nbrs.get(j).add(i);
        }
        if (g.dimension.ranges()) {
          break;
        }
      }
    }
    List<RealignModel.Unit> us = new ArrayList<>();
    for (int i = 0; i < d.units.size(); i++) {
      UnitDraft u = d.units.get(i);
      GroupDef g = d.groups.get(u.group);
      String label = g.dimension.ranges() ? g.dimension.label(u.from, u.to) : u.value;
      us.add(
          new RealignModel.Unit(
              i,
              label,
              u.group,
              u.current,
              u.pinned,
              u.values,
              u.accounts,
              u.pipeline,
              nbrs.get(i).stream().mapToInt(Integer::intValue).toArray()));
    }
    long budget =
        request.maxMoved() >= 1
            ? Long.MAX_VALUE
            : (long) Math.floor(request.maxMoved() * scope + 1e-9);
    return new RealignModel(
        ts,
        gs,
        us,
        fixed,
        d.coefficients,
        request.tolerance(),
        budget,
        request.contiguity(),
        scope);
  }

  static double km(double lat1, double lon1, double lat2, double lon2) {
    double p1 = Math.toRadians(lat1);
    double p2 = Math.toRadians(lat2);
    double dp = p2 - p1;
    double dl = Math.toRadians(lon2 - lon1);
    double a =
        Math.sin(dp / 2) * Math.sin(dp / 2)
            + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
    return 6371.0 * 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
  }

  // ------------------------------------------------------------------------------ output

  /** The rules in force with each changed member's geography criterion rewritten. */
  static RuleSet rewrite(RuleSet set, Loaded d, int[] plan) {
    Map<Integer, List<Integer>> in = new HashMap<>();
    Map<Integer, List<Integer>> out = new HashMap<>();
    for (RealignModel.Unit u : d.model.units()) {
      if (plan[u.index()] != u.current()) {
        in.computeIfAbsent(plan[u.index()], k -> new ArrayList<>()).add(u.index());
        out.computeIfAbsent(u.current(), k -> new ArrayList<>()).add(u.index());
      }
    }
    Map<String, RuleSet.TerritoryRules> changed = new HashMap<>();
    for (Member m : d.members) {
      if (!in.containsKey(m.index) && !out.containsKey(m.index)) {
        continue;
      }
      GroupDef g = d.groups.get(d.model.territories().get(m.index).group());
      RuleSet.Rule rule = m.rules.rules().get(0);
      RuleSet.Criterion c = rule.criteria().get(m.criterion);
      List<String> values;
      if (g.dimension.ranges()) {
        List<long[]> ranges = new ArrayList<>(m.ranges);
        for (int u : out.getOrDefault(m.index, List.of())) {
          UnitDraft x = d.units.get(u);
          ranges = Dimension.subtract(ranges, new long[] {x.from, x.to});
        }
        for (int u : in.getOrDefault(m.index, List.of())) {
          UnitDraft x = d.units.get(u);
          ranges.add(new long[] {x.from, x.to});
        }
        values = g.dimension.rangeValues(ranges);
      } else {
        Set<String> gone = new java.util.HashSet<>();
        for (int u : out.getOrDefault(m.index, List.of())) {
          gone.add(Dimension.valueKey(d.units.get(u).value));
        }
        values = new ArrayList<>();
        for (String v : c.values()) {
          if (!gone.contains(Dimension.valueKey(v))) {
            values.add(v);
          }
        }
        for (int u : in.getOrDefault(m.index, List.of())) {
          values.add(d.units.get(u).value);
        }
      }
      List<RuleSet.Criterion> criteria = new ArrayList<>(rule.criteria());
      criteria.set(m.criterion, Dimension.withValues(c, values));
      RuleSet.Rule r =
          new RuleSet.Rule(
              rule.name(),
              rule.filter(),
              List.copyOf(criteria),
              rule.inherited(),
              rule.pos(),
              rule.filterPos());
      changed.put(
          m.rules.developerName(),
          new RuleSet.TerritoryRules(
              m.rules.developerName(),
              m.rules.priority(),
              List.of(r),
              m.rules.exclude(),
              m.rules.users(),
              m.rules.pos()));
    }
    List<RuleSet.TerritoryRules> territories =
        set.territories().stream().map(t -> changed.getOrDefault(t.developerName(), t)).toList();
    return new RuleSet(
        set.source(),
        set.model(),
        set.mode(),
        set.exclusivePer(),
        territories,
        set.overrides(),
        set.modelPos());
  }

  private static Map<String, Object> report(
      Request request, Loaded d, int[] plan, int[] greedy, Diagnosis diagnosis, long version) {
    RealignModel m = d.model;
    PlanState start = new PlanState(m);
    PlanState after = new PlanState(m);
    for (int u = 0; u < plan.length; u++) {
      after.move(u, plan[u]);
    }
    PlanState base = new PlanState(m);
    for (int u = 0; u < greedy.length; u++) {
      base.move(u, greedy[u]);
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("scope", request.scope() == null ? "model" : request.scope());
    r.put("measure", request.measure().label());
    r.put("tolerance", request.tolerance());
    r.put("maxMoved", request.maxMoved());
    r.put("contiguity", request.contiguity());
    r.put("rulesVersion", version);
    r.put("solver", "timefold");
    r.put("accountsInScope", m.scopeAccounts());
    r.put("units", m.units().size());
    r.put("movableUnits", m.units().stream().filter(m::movable).count());
    long balanced = 0;
    long within0 = 0;
    long within1 = 0;
    long withinG = 0;
    List<Map<String, Object>> groups = new ArrayList<>();
    double[][] afterFig = figures(m, plan);
    double[][] startFig = figures(m, null);
    double[][] greedyFig = figures(m, greedy);
    String warning = null;
    for (RealignModel.Group g : m.groups()) {
      Map<String, Object> gm = new LinkedHashMap<>();
      gm.put("parent", g.parent());
      GroupDef def = d.groups.get(g.index());
      gm.put(
          "dimension",
          def.dimension == null
              ? null
              : def.dimension.field() + " " + def.dimension.operation().label());
      double meanBefore = mean(d.before, m.coefficients(), g.members());
      double meanAfter = mean(afterFig, m.coefficients(), g.members());
      double meanGreedy = mean(greedyFig, m.coefficients(), g.members());
      gm.put("meanBefore", round(meanBefore));
      gm.put("meanAfter", round(meanAfter));
      List<Map<String, Object>> ts = new ArrayList<>();
      for (int t : g.members()) {
        RealignModel.Territory tt = m.territories().get(t);
        Map<String, Object> tm = new LinkedHashMap<>();
        tm.put("territory", tt.developerName());
        tm.put("id", tt.id());
        tm.put("tradeable", tt.tradeable());
        if (tt.reason() != null) {
          tm.put("reason", tt.reason());
        }
        tm.put("before", figure(d.before, m.coefficients(), t));
        tm.put("after", figure(afterFig, m.coefficients(), t));
        String sb = status(measure(d.before, m.coefficients(), t), meanBefore, m.tolerance());
        String sa = status(measure(afterFig, m.coefficients(), t), meanAfter, m.tolerance());
        String sg = status(measure(greedyFig, m.coefficients(), t), meanGreedy, m.tolerance());
        tm.put("statusBefore", sb);
        tm.put("statusAfter", sa);
        ts.add(tm);
        balanced++;
        within0 += sb.equals("Within") ? 1 : 0;
        within1 += sa.equals("Within") ? 1 : 0;
        withinG += sg.equals("Within") ? 1 : 0;
        if (Math.abs(startFig[RealignModel.ACCOUNTS][t] - d.before[RealignModel.ACCOUNTS][t])
            > 0.5) {
          warning =
              "the org is not yet what the rules in force want (for example "
                  + tt.developerName()
                  + " has "
                  + Math.round(d.before[RealignModel.ACCOUNTS][t])
                  + " accounts, the rules give it "
                  + Math.round(startFig[RealignModel.ACCOUNTS][t])
                  + "): a run before planning makes the figures exact";
        }
      }
      gm.put("territories", ts);
      groups.add(gm);
    }
    Map<String, Object> within = new LinkedHashMap<>();
    within.put("territories", balanced);
    within.put("before", within0);
    within.put("after", within1);
    within.put("beforeShare", share(within0, balanced));
    within.put("afterShare", share(within1, balanced));
    r.put("withinTolerance", within);
    Map<String, Object> disruption = new LinkedHashMap<>();
    disruption.put(
        "unitsMoved",
        IntStream.range(0, plan.length).filter(u -> plan[u] != m.units().get(u).current()).count());
    disruption.put("accountsMoved", after.accountsMoved());
    disruption.put("accountsMovedShare", share(after.accountsMoved(), m.scopeAccounts()));
    disruption.put("pipelineMoved", after.pipelineMoved());
    disruption.put("ownersAffected", after.ownersAffected());
    disruption.put(
        "territoriesChanged",
        m.territories().stream()
            .filter(
                t ->
                    Math.abs(
                                afterFig[RealignModel.ACCOUNTS][t.index()]
                                    - startFig[RealignModel.ACCOUNTS][t.index()])
                            > 0.5
                        || IntStream.range(0, plan.length)
                            .anyMatch(
                                u ->
                                    plan[u] != m.units().get(u).current()
                                        && (plan[u] == t.index()
                                            || m.units().get(u).current() == t.index())))
            .count());
    r.put("disruption", disruption);
    Map<String, Object> baseline = new LinkedHashMap<>();
    baseline.put("solver", "greedy");
    baseline.put("withinAfter", withinG);
    baseline.put("withinAfterShare", share(withinG, balanced));
    baseline.put("accountsMoved", base.accountsMoved());
    baseline.put("pipelineMoved", base.pipelineMoved());
    r.put("greedyBaseline", baseline);
    Map<String, Object> diag = new LinkedHashMap<>();
    diag.put("withinTolerance", diagnosis.withinTolerance());
    diag.put("blockedBy", diagnosis.reasons());
    diag.put("worstDeviation", round(diagnosis.worstDeviation()));
    diag.put("worstTerritory", diagnosis.worstTerritory());
    r.put("diagnosis", diag);
    r.put("score", Planner.score(m, plan).toString());
    r.put("scoreBefore", start.score().toString());
    List<Map<String, Object>> moves = new ArrayList<>();
    for (RealignModel.Unit u : m.units()) {
      if (plan[u.index()] != u.current()) {
        Map<String, Object> mv = new LinkedHashMap<>();
        mv.put("unit", u.label());
        GroupDef g = d.groups.get(u.group());
        mv.put("field", g.dimension.field());
        mv.put("from", m.territories().get(u.current()).developerName());
        mv.put("to", m.territories().get(plan[u.index()]).developerName());
        mv.put("fromId", m.territories().get(u.current()).id());
        mv.put("toId", m.territories().get(plan[u.index()]).id());
        mv.put("accounts", u.accounts());
        mv.put(
            "potential",
            round(
                u.values()[RealignModel.POTENTIAL][
                    m.territories().get(plan[u.index()]).position()]));
        mv.put("pipeline", round(u.pipeline()));
        UnitDraft x = d.units.get(u.index());
        if (x.located > 0) {
          mv.put("lat", round(x.lat / x.located));
          mv.put("lon", round(x.lon / x.located));
        }
        moves.add(mv);
      }
    }
    r.put("moves", moves);
    r.put("groups", groups);
    if (warning != null) {
      r.put("warning", warning);
    }
    return r;
  }

  /** Per metric and territory: fixed plus the units held under {@code plan} (null: now). */
  static double[][] figures(RealignModel m, int[] plan) {
    double[][] f = new double[RealignModel.METRICS][];
    for (int k = 0; k < RealignModel.METRICS; k++) {
      f[k] = m.fixed()[k].clone();
    }
    for (RealignModel.Unit u : m.units()) {
      int o = plan == null ? u.current() : plan[u.index()];
      int p = m.territories().get(o).position();
      for (int k = 0; k < RealignModel.METRICS; k++) {
        f[k][o] += u.values()[k][p];
      }
    }
    return f;
  }

  private static double measure(double[][] f, double[] c, int t) {
    double v = 0;
    for (int k = 0; k < RealignModel.METRICS; k++) {
      v += c[k] * f[k][t];
    }
    return v;
  }

  private static double mean(double[][] f, double[] c, int[] members) {
    double s = 0;
    for (int t : members) {
      s += measure(f, c, t);
    }
    return s / members.length;
  }

  private static Map<String, Object> figure(double[][] f, double[] c, int t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("accounts", Math.round(f[RealignModel.ACCOUNTS][t]));
    m.put("potential", round(f[RealignModel.POTENTIAL][t]));
    m.put("pipeline", round(f[RealignModel.PIPELINE][t]));
    m.put("measure", round(measure(f, c, t)));
    return m;
  }

  static String status(double v, double mean, double tolerance) {
    if (mean <= 0) {
      return "Within";
    }
    if (v > mean * (1 + tolerance) * (1 + 1e-9)) {
      return "Over";
    }
    if (v < mean * (1 - tolerance) * (1 - 1e-9)) {
      return "Under";
    }
    return "Within";
  }

  private static double share(long a, long b) {
    return b == 0 ? 0 : Math.round(10_000.0 * a / b) / 10_000.0;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
