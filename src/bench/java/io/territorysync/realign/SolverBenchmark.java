package io.territorysync.realign;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The solver against the greedy baseline and OR-Tools CP-SAT ({@link CpSatPlanner}) on the same
 * input, without the database: a model shaped
 * like the demo org's district groups (three siblings splitting a postal range, ZIP3 units with
 * skewed account counts, some siblings empty), of the given number of groups.
 *
 * <p>Arguments: {@code [groups] [units per group] [seconds] [tolerance] [max moved share]},
 * default {@code 330 60 20 0.10 0.05}.
 */
public final class SolverBenchmark {

  public static void main(String[] args) {
    int groups = args.length > 0 ? Integer.parseInt(args[0]) : 330;
    int perGroup = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    Duration limit = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 20);
    double tolerance = args.length > 3 ? Double.parseDouble(args[3]) : 0.10;
    double maxMoved = args.length > 4 ? Double.parseDouble(args[4]) : 0.05;
    RealignModel m = model(groups, perGroup, tolerance, maxMoved, 42);
    System.out.printf(
        "%d groups, %d territories, %d units, %d accounts, tolerance %.2f, max moved %.2f, limit %s%n",
        m.groups().size(), m.territories().size(), m.units().size(), m.scopeAccounts(), tolerance,
        maxMoved, limit);
    report("current", m, current(m), 0);
    long t0 = System.nanoTime();
    int[] greedy = new GreedyPlanner().plan(m, limit, Planner.Progress.NONE);
    report("greedy", m, greedy, System.nanoTime() - t0);
    t0 = System.nanoTime();
    int[] cold = new SolverPlanner(false, 0, 0).plan(m, limit, Planner.Progress.NONE);
    report("timefold from current", m, cold, System.nanoTime() - t0);
    t0 = System.nanoTime();
    int[] warm = new SolverPlanner().plan(m, limit, Planner.Progress.NONE);
    report("timefold from greedy (the service)", m, warm, System.nanoTime() - t0);
    // OR-Tools CP-SAT on the same model (benchmarks only: the service does not depend on it)
    t0 = System.nanoTime();
    try {
      CpSatPlanner.load();
    } catch (LinkageError | RuntimeException e) {
      System.out.println("OR-Tools: the native library did not load: " + e);
      return;
    }
    System.out.printf("OR-Tools native library loaded in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    for (int workers : new int[] {1, 2}) {
      cpSat("cp-sat, " + workers + " worker(s), from current", m, limit, false, workers);
    }
    cpSat("cp-sat, 2 workers, hinted with greedy", m, limit, true, 2);
  }

  private static void cpSat(
      String what, RealignModel m, Duration limit, boolean hint, int workers) {
    CpSatPlanner p = new CpSatPlanner(hint, workers);
    long t0 = System.nanoTime();
    int[] plan = p.plan(m, limit, Planner.Progress.NONE);
    report(what, m, plan, System.nanoTime() - t0);
    System.out.println("  cp-sat status " + p.status);
  }

  static int[] current(RealignModel m) {
    return m.units().stream().mapToInt(RealignModel.Unit::current).toArray();
  }

  static void report(String what, RealignModel m, int[] plan, long nanos) {
    PlanState s = new PlanState(m);
    for (int u = 0; u < plan.length; u++) {
      s.move(u, plan[u]);
    }
    PlanScore score = s.score();
    long n = m.territories().size();
    System.out.printf(
        "%-36s %6.1f s  within tolerance %4d of %d (%5.1f%%)  excess %8.3f  moved %7d accounts (%.2f%%)"
            + "  pipeline %,14d  hard %d%n",
        what, nanos / 1e9, n - score.outside(), n, 100.0 * (n - score.outside()) / n,
        score.excess() / 1e6, score.accountsMoved(), 100.0 * score.accountsMoved() / m.scopeAccounts(),
        s.pipelineMoved(), score.hard());
  }

  static RealignModel model(int groups, int perGroup, double tolerance, double maxMoved, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<RealignModel.Territory> ts = new ArrayList<>();
    List<RealignModel.Group> gs = new ArrayList<>();
    List<RealignModel.Unit> us = new ArrayList<>();
    long accounts = 0;
    for (int g = 0; g < groups; g++) {
      int[] members = {ts.size(), ts.size() + 1, ts.size() + 2};
      for (int p = 0; p < 3; p++) {
        ts.add(new RealignModel.Territory(members[p], "T" + members[p], "G" + g + "_" + (p + 1), g, p, true, null, 1 + r.nextInt(3)));
      }
      gs.add(new RealignModel.Group(g, "G" + g, members));
      // postal blocks in order; the split points leave the siblings uneven (sometimes empty)
      int cut1 = r.nextInt(perGroup);
      int cut2 = cut1 + r.nextInt(perGroup - cut1 + 1);
      int first = us.size();
      for (int i = 0; i < perGroup; i++) {
        int owner = members[i < cut1 ? 0 : i < cut2 ? 1 : 2];
        double a = Math.max(1, Math.round(Math.exp(r.nextGaussian() + 3.5)));
        double pipe = a * (20_000 + r.nextInt(40_000));
        double[][] values = new double[3][3];
        for (int p = 0; p < 3; p++) {
          values[0][p] = a;
          values[1][p] = a * 1_000_000;
          values[2][p] = pipe;
        }
        int[] nbrs =
            i == 0
                ? new int[] {first + 1}
                : i == perGroup - 1
                    ? new int[] {first + i - 1}
                    : new int[] {first + i - 1, first + i + 1};
        us.add(new RealignModel.Unit(us.size(), String.format("%03d", i), g, owner, false, values, (long) a, pipe, nbrs));
        accounts += (long) a;
      }
    }
    double[][] fixed = new double[3][ts.size()];
    return new RealignModel(ts, gs, us, fixed, new double[] {1, 0, 0}, tolerance,
        (long) Math.floor(maxMoved * accounts), false, accounts);
  }
}
