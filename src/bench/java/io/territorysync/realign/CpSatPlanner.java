package io.territorysync.realign;

import com.google.ortools.Loader;
import com.google.ortools.sat.BoolVar;
import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverStatus;
import com.google.ortools.sat.LinearExpr;
import com.google.ortools.sat.LinearExprBuilder;
import com.google.ortools.sat.Literal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The same realignment problem as a CP-SAT model (OR-Tools), for the solver comparison in {@link
 * SolverBenchmark} only: the service does not depend on OR-Tools.
 *
 * <p>One Boolean per unit and tradeable sibling ("the unit is held by that territory"), exactly one
 * per unit; a unit that cannot move is fixed where it is. Hard: at most {@code maxMovedAccounts}
 * accounts change territory, a territory that holds units keeps at least one (and at least one
 * account when it had some), and with contiguity a moved unit touches a unit its new territory
 * keeps. One Boolean per territory says it is within the tolerance band around its group's mean,
 * written without division: {@code n·load·D ≥ total·(D − T)} and {@code n·load·D ≤ total·(D + T)},
 * with the measure scaled to integers. The objective is lexicographic in two levels folded into
 * one: territories outside the band, weighted above every possible count of accounts moved, then
 * accounts moved. (The service's finer levels, how far outside, pipeline, owners and compactness,
 * are not in this model; the benchmark scores its plan with the service's own score.)
 */
final class CpSatPlanner implements Planner {

  private static final long D = 10_000;

  private final boolean hintGreedy;
  private final int workers;

  /** Loads the native library; its time is measured by the caller. */
  static void load() {
    Loader.loadNativeLibraries();
  }

  CpSatPlanner(boolean hintGreedy, int workers) {
    this.hintGreedy = hintGreedy;
    this.workers = workers;
  }

  /** The solver's status after {@link #plan}, for the report. */
  String status = "";

  @Override
  public int[] plan(RealignModel m, Duration limit, Progress progress) {
    long start = System.nanoTime();
    int[] greedy = hintGreedy ? new GreedyPlanner().plan(m, limit, Progress.NONE) : null;
    Duration left = limit.minusNanos(System.nanoTime() - start);
    CpModel model = new CpModel();
    int nUnits = m.units().size();
    int nTerr = m.territories().size();
    double scale = integral(m) ? 1 : 100;
    // x[u][p]: unit u held by the member at position p of its group (null: not a choice)
    BoolVar[][] x = new BoolVar[nUnits][];
    List<List<Integer>> heldBy = new ArrayList<>();
    for (int t = 0; t < nTerr; t++) {
      heldBy.add(new ArrayList<>());
    }
    LinearExprBuilder moved = LinearExpr.newBuilder();
    for (RealignModel.Unit u : m.units()) {
      int[] members = m.groups().get(u.group()).members();
      x[u.index()] = new BoolVar[members.length];
      List<Literal> one = new ArrayList<>();
      for (int p = 0; p < members.length; p++) {
        int t = members[p];
        boolean choice =
            t == u.current() || (m.movable(u) && m.territories().get(t).tradeable());
        if (!choice) {
          continue;
        }
        BoolVar v = model.newBoolVar("x" + u.index() + "_" + p);
        x[u.index()][p] = v;
        one.add(v);
        heldBy.get(t).add(u.index());
        if (t != u.current()) {
          moved.addTerm(v, u.accounts());
        }
        if (greedy != null) {
          model.addHint(v, greedy[u.index()] == t ? 1 : 0);
        }
      }
      model.addExactlyOne(one);
    }
    if (m.maxMovedAccounts() < Long.MAX_VALUE) {
      model.addLessOrEqual(moved, m.maxMovedAccounts());
    }
    // loads (scaled measure) and account counts per territory
    LinearExprBuilder[] load = new LinearExprBuilder[nTerr];
    long[] fixedLoad = new long[nTerr];
    for (int t = 0; t < nTerr; t++) {
      load[t] = LinearExpr.newBuilder();
      fixedLoad[t] = Math.round(m.fixedMeasure(t) * scale);
      int p = m.territories().get(t).position();
      LinearExprBuilder count = LinearExpr.newBuilder();
      long fixedCount = Math.round(m.fixed()[RealignModel.ACCOUNTS][t]);
      long countBefore = fixedCount;
      int heldBefore = 0;
      for (int u : heldBy.get(t)) {
        RealignModel.Unit unit = m.units().get(u);
        BoolVar v = x[u][p];
        load[t].addTerm(v, Math.round(m.measure(unit, p) * scale));
        count.addTerm(v, Math.round(unit.values()[RealignModel.ACCOUNTS][p]));
        if (unit.current() == t) {
          heldBefore++;
          countBefore += Math.round(unit.values()[RealignModel.ACCOUNTS][p]);
        }
      }
      load[t].add(fixedLoad[t]);
      if (heldBefore > 0) {
        LinearExprBuilder held = LinearExpr.newBuilder();
        for (int u : heldBy.get(t)) {
          held.add(x[u][p]);
        }
        model.addGreaterOrEqual(held, 1);
      }
      if (countBefore > 0) {
        count.add(fixedCount);
        model.addGreaterOrEqual(count, 1);
      }
    }
    if (m.contiguity()) {
      for (RealignModel.Unit u : m.units()) {
        int[] members = m.groups().get(u.group()).members();
        for (int p = 0; p < members.length; p++) {
          BoolVar v = x[u.index()][p];
          if (v == null || members[p] == u.current()) {
            continue;
          }
          List<Literal> kept = new ArrayList<>();
          for (int w : u.neighbours()) {
            if (m.units().get(w).current() == members[p] && x[w][p] != null) {
              kept.add(x[w][p]);
            }
          }
          if (kept.isEmpty()) {
            model.addEquality(v, 0);
          } else {
            kept.add(v.not());
            model.addBoolOr(kept);
          }
        }
      }
    }
    // the greedy plan's loads, so the hint covers the within Booleans too (a complete hint)
    long[] hinted = new long[nTerr];
    if (greedy != null) {
      for (int t = 0; t < nTerr; t++) {
        hinted[t] = fixedLoad[t];
      }
      for (RealignModel.Unit u : m.units()) {
        int t = greedy[u.index()];
        hinted[t] += Math.round(m.measure(u, m.territories().get(t).position()) * scale);
      }
    }
    // within[t]: the territory is inside the band around its group's mean
    long tol = Math.round(m.tolerance() * D);
    LinearExprBuilder outside = LinearExpr.newBuilder();
    int counted = 0;
    for (RealignModel.Group g : m.groups()) {
      int n = g.members().length;
      if (n < 2) {
        continue;
      }
      LinearExprBuilder total = LinearExpr.newBuilder();
      for (int t : g.members()) {
        total.add(load[t].build());
      }
      LinearExpr sum = total.build();
      for (int t : g.members()) {
        BoolVar within = model.newBoolVar("w" + t);
        if (greedy != null) {
          long hintedTotal = 0;
          for (int k : g.members()) {
            hintedTotal += hinted[k];
          }
          boolean in =
              n * D * hinted[t] - (D - tol) * hintedTotal >= 0
                  && (D + tol) * hintedTotal - n * D * hinted[t] >= 0;
          model.addHint(within, in ? 1 : 0);
        }
        // n·D·load − (D − T)·total ≥ 0 and (D + T)·total − n·D·load ≥ 0 when within
        LinearExprBuilder low = LinearExpr.newBuilder().addTerm(load[t].build(), n * D);
        low.addTerm(sum, -(D - tol));
        model.addGreaterOrEqual(low, 0).onlyEnforceIf(within);
        LinearExprBuilder high = LinearExpr.newBuilder().addTerm(sum, D + tol);
        high.addTerm(load[t].build(), -n * D);
        model.addGreaterOrEqual(high, 0).onlyEnforceIf(within);
        outside.addTerm(within, -1);
        outside.add(1);
        counted++;
      }
    }
    // lexicographic: one territory more within the band outweighs every account moved
    long weight = m.scopeAccounts() + 1;
    LinearExprBuilder objective = LinearExpr.newBuilder();
    objective.addTerm(outside.build(), weight);
    objective.add(moved.build());
    model.minimize(objective);

    CpSolver solver = new CpSolver();
    solver.getParameters().setMaxTimeInSeconds(Math.max(0.1, left.toMillis() / 1000.0));
    solver.getParameters().setNumWorkers(workers);
    CpSolverStatus s = solver.solve(model);
    status = s + (counted == 0 ? "" : " (bound: " + bound(solver, weight) + ")");
    int[] plan = new int[nUnits];
    for (RealignModel.Unit u : m.units()) {
      plan[u.index()] = u.current();
    }
    if (s != CpSolverStatus.OPTIMAL && s != CpSolverStatus.FEASIBLE) {
      return plan;
    }
    for (RealignModel.Unit u : m.units()) {
      int[] members = m.groups().get(u.group()).members();
      for (int p = 0; p < members.length; p++) {
        if (x[u.index()][p] != null && solver.booleanValue(x[u.index()][p])) {
          plan[u.index()] = members[p];
        }
      }
    }
    return plan;
  }

  /** The best bound proved: at least this many territories outside the band. */
  private static String bound(CpSolver solver, long weight) {
    double b = solver.bestObjectiveBound();
    return "≥ " + (long) Math.floor(b / weight) + " outside";
  }

  private static boolean integral(RealignModel m) {
    for (RealignModel.Unit u : m.units()) {
      for (int p = 0; p < u.values()[0].length; p++) {
        double v = m.measure(u, p);
        if (v != Math.rint(v)) {
          return false;
        }
      }
    }
    return true;
  }
}
