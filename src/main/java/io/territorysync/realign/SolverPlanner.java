package io.territorysync.realign;

import ai.timefold.solver.core.api.domain.entity.PlanningEntity;
import ai.timefold.solver.core.api.domain.solution.PlanningEntityCollectionProperty;
import ai.timefold.solver.core.api.domain.solution.PlanningScore;
import ai.timefold.solver.core.api.domain.solution.PlanningSolution;
import ai.timefold.solver.core.api.domain.valuerange.ValueRangeProvider;
import ai.timefold.solver.core.api.domain.variable.PlanningVariable;
import ai.timefold.solver.core.api.score.buildin.bendablelong.BendableLongScore;
import ai.timefold.solver.core.api.score.calculator.IncrementalScoreCalculator;
import ai.timefold.solver.core.api.solver.Solver;
import ai.timefold.solver.core.api.solver.SolverFactory;
import ai.timefold.solver.core.config.localsearch.LocalSearchPhaseConfig;
import ai.timefold.solver.core.config.localsearch.decider.acceptor.LocalSearchAcceptorConfig;
import ai.timefold.solver.core.config.localsearch.decider.forager.LocalSearchForagerConfig;
import ai.timefold.solver.core.config.score.director.ScoreDirectorFactoryConfig;
import ai.timefold.solver.core.config.solver.SolverConfig;
import ai.timefold.solver.core.config.solver.termination.TerminationConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The planner: Timefold Solver's local search (tabu search over unit moves and swaps) from the
 * greedy baseline's plan, scored incrementally by {@link PlanState}. It escapes the local optima
 * where the greedy descent stops and keeps the best plan found within the time limit.
 */
public final class SolverPlanner implements Planner {

  /** Moves sampled per step at most; the best one not tabu is taken, even when it is worse. */
  private static final int ACCEPTED = 1000;

  private final boolean fromGreedy;
  private final long seed;
  private final int unimprovedSteps;

  /** Starts from the greedy plan (what the service does). */
  public SolverPlanner() {
    this(true, 0, 0);
  }

  /**
   * @param fromGreedy start from the greedy plan, or from the current alignment
   * @param seed random seed of the search
   * @param unimprovedSteps stop after this many steps without a better plan (0: only the time
   *     limit, and a quarter of it without a better plan, stop the search); a step count makes a
   *     search independent of the machine's speed
   */
  public SolverPlanner(boolean fromGreedy, long seed, int unimprovedSteps) {
    this.fromGreedy = fromGreedy;
    this.seed = seed;
    this.unimprovedSteps = unimprovedSteps;
  }

  @Override
  public int[] plan(RealignModel model, Duration limit, Progress progress) {
    long started = System.nanoTime();
    PlanState start = new PlanState(model);
    if (fromGreedy) {
      start = GreedyPlanner.descend(model, start, limit.dividedBy(2), Progress.NONE);
    }
    List<TerritoryRef> refs = new ArrayList<>();
    for (RealignModel.Territory t : model.territories()) {
      refs.add(new TerritoryRef(t.index()));
    }
    List<List<TerritoryRef>> ranges = new ArrayList<>();
    for (RealignModel.Group g : model.groups()) {
      List<TerritoryRef> range = new ArrayList<>();
      for (int t : g.members()) {
        if (model.territories().get(t).tradeable()) {
          range.add(refs.get(t));
        }
      }
      ranges.add(range);
    }
    List<UnitVar> vars = new ArrayList<>();
    int[] owners = start.owners();
    for (RealignModel.Unit u : model.units()) {
      if (model.movable(u)) {
        vars.add(new UnitVar(u.index(), refs.get(owners[u.index()]), ranges.get(u.group())));
      }
    }
    Duration left = Duration.ofMillis(limit.minusNanos(System.nanoTime() - started).toMillis());
    if (vars.isEmpty() || left.isNegative() || left.isZero()) {
      return owners;
    }
    RealignSolution problem = new RealignSolution(model, owners, vars);
    SolverConfig config =
        new SolverConfig()
            .withSolutionClass(RealignSolution.class)
            .withEntityClasses(UnitVar.class)
            .withRandomSeed(seed)
            .withScoreDirectorFactory(
                new ScoreDirectorFactoryConfig()
                    .withIncrementalScoreCalculatorClass(ScoreCalculator.class))
            .withTerminationConfig(termination(left))
            .withPhases(
                new LocalSearchPhaseConfig()
                    .withAcceptorConfig(
                        new LocalSearchAcceptorConfig()
                            .withEntityTabuSize(Math.max(1, Math.min(7, vars.size() / 10))))
                    .withForagerConfig(
                        new LocalSearchForagerConfig()
                            .withAcceptedCountLimit(
                                Math.min(ACCEPTED, Math.max(10, 4 * vars.size())))));
    config.setClassLoader(SolverPlanner.class.getClassLoader());
    Solver<RealignSolution> solver = SolverFactory.<RealignSolution>create(config).buildSolver();
    long limitMs = Math.max(1, left.toMillis());
    solver.addEventListener(
        e ->
            progress.report(
                toPlanScore((BendableLongScore) e.getNewBestScore()),
                Math.min(1.0, e.getTimeMillisSpent() / (double) limitMs)));
    RealignSolution best = solver.solve(problem);
    int[] result = best.owners.clone();
    for (UnitVar v : best.units) {
      result[v.unit] = v.territory.index;
    }
    return result;
  }

  private TerminationConfig termination(Duration left) {
    TerminationConfig t = new TerminationConfig().withSpentLimit(left);
    return unimprovedSteps > 0
        ? t.withUnimprovedStepCountLimit(unimprovedSteps)
        : t.withUnimprovedSpentLimit(Duration.ofMillis(Math.max(500, left.toMillis() / 4)));
  }

  static PlanScore toPlanScore(BendableLongScore s) {
    long[] soft = new long[PlanScore.SOFT_LEVELS.length];
    for (int i = 0; i < soft.length; i++) {
      soft[i] = s.softScore(i);
    }
    return new PlanScore(s.hardScore(0), soft);
  }

  /** A territory as a planning value. */
  public static final class TerritoryRef {
    final int index;

    TerritoryRef(int index) {
      this.index = index;
    }

    @Override
    public String toString() {
      return "T" + index;
    }
  }

  /** A movable unit: the planning entity; its territory is the planning variable. */
  @PlanningEntity
  public static final class UnitVar {
    int unit;

    @PlanningVariable(valueRangeProviderRefs = "siblings")
    TerritoryRef territory;

    List<TerritoryRef> range;

    public UnitVar() {}

    UnitVar(int unit, TerritoryRef territory, List<TerritoryRef> range) {
      this.unit = unit;
      this.territory = territory;
      this.range = range;
    }

    @ValueRangeProvider(id = "siblings")
    public List<TerritoryRef> siblings() {
      return range;
    }
  }

  /** The model, the units that cannot move (in {@code owners}) and the movable ones. */
  @PlanningSolution
  public static final class RealignSolution {
    RealignModel model;
    int[] owners;

    @PlanningEntityCollectionProperty List<UnitVar> units;

    @PlanningScore(bendableHardLevelsSize = 1, bendableSoftLevelsSize = 6)
    BendableLongScore score;

    public RealignSolution() {}

    RealignSolution(RealignModel model, int[] owners, List<UnitVar> units) {
      this.model = model;
      this.owners = owners;
      this.units = units;
    }
  }

  /** Scores a solution move by move through {@link PlanState}. */
  public static final class ScoreCalculator
      implements IncrementalScoreCalculator<RealignSolution, BendableLongScore> {

    private PlanState state;

    @Override
    public void resetWorkingSolution(RealignSolution solution) {
      state = new PlanState(solution.model);
      for (int u = 0; u < solution.owners.length; u++) {
        state.move(u, solution.owners[u]);
      }
      for (UnitVar v : solution.units) {
        state.move(v.unit, v.territory.index);
      }
    }

    @Override
    public void beforeEntityAdded(Object entity) {}

    @Override
    public void afterEntityAdded(Object entity) {
      UnitVar v = (UnitVar) entity;
      state.move(v.unit, v.territory.index);
    }

    @Override
    public void beforeVariableChanged(Object entity, String variableName) {}

    @Override
    public void afterVariableChanged(Object entity, String variableName) {
      UnitVar v = (UnitVar) entity;
      state.move(v.unit, v.territory.index);
    }

    @Override
    public void beforeEntityRemoved(Object entity) {}

    @Override
    public void afterEntityRemoved(Object entity) {}

    @Override
    public BendableLongScore calculateScore() {
      PlanScore s = state.score();
      return BendableLongScore.of(new long[] {s.hard()}, s.soft());
    }
  }
}
