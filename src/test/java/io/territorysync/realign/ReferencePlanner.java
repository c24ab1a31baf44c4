package io.territorysync.realign;

import java.util.Arrays;

/**
 * The slow obvious version: every assignment of every movable unit to every tradeable sibling, each
 * scored from scratch by {@link #score}, written apart from {@link PlanState} so the two check each
 * other. Only for tiny models (siblings^units plans).
 */
final class ReferencePlanner {

  private ReferencePlanner() {}

  static int[] optimum(RealignModel m) {
    int[] owners = new int[m.units().size()];
    for (RealignModel.Unit u : m.units()) {
      owners[u.index()] = u.current();
    }
    int[][] best = {owners.clone()};
    PlanScore[] bestScore = {score(m, owners)};
    search(m, 0, owners, best, bestScore);
    return best[0];
  }

  private static void search(
      RealignModel m, int i, int[] owners, int[][] best, PlanScore[] bestScore) {
    if (i == owners.length) {
      PlanScore s = score(m, owners);
      if (s.betterThan(bestScore[0])) {
        bestScore[0] = s;
        best[0] = owners.clone();
      }
      return;
    }
    RealignModel.Unit u = m.units().get(i);
    if (!m.movable(u)) {
      search(m, i + 1, owners, best, bestScore);
      return;
    }
    for (int t : m.groups().get(u.group()).members()) {
      if (m.territories().get(t).tradeable()) {
        owners[i] = t;
        search(m, i + 1, owners, best, bestScore);
      }
    }
    owners[i] = u.current();
  }

  /** The score of {@code owners}, from scratch. */
  static PlanScore score(RealignModel m, int[] owners) {
    int n = m.territories().size();
    double[] load = new double[n];
    double[] count = new double[n];
    double[] countBefore = new double[n];
    int[] held = new int[n];
    int[] heldBefore = new int[n];
    for (int t = 0; t < n; t++) {
      for (int k = 0; k < 3; k++) {
        load[t] += m.coefficients()[k] * m.fixed()[k][t];
      }
      count[t] = m.fixed()[0][t];
      countBefore[t] = count[t];
    }
    long moved = 0;
    double pipeline = 0;
    boolean[] touched = new boolean[n];
    long contiguity = 0;
    for (RealignModel.Unit u : m.units()) {
      int o = owners[u.index()];
      int p = m.territories().get(o).position();
      int pc = m.territories().get(u.current()).position();
      for (int k = 0; k < 3; k++) {
        load[o] += m.coefficients()[k] * u.values()[k][p];
      }
      count[o] += u.values()[0][p];
      countBefore[u.current()] += u.values()[0][pc];
      held[o]++;
      heldBefore[u.current()]++;
      if (o != u.current()) {
        moved += u.accounts();
        pipeline += Math.round(u.pipeline());
        touched[o] = true;
        touched[u.current()] = true;
        if (m.contiguity()
            && Arrays.stream(u.neighbours())
                .noneMatch(v -> owners[v] == o && m.units().get(v).current() == o)) {
          contiguity++;
        }
      }
    }
    long empty = 0;
    long owners2 = 0;
    for (int t = 0; t < n; t++) {
      if ((countBefore[t] > 0 && count[t] <= 0) || (heldBefore[t] > 0 && held[t] == 0)) {
        empty++;
      }
      if (touched[t]) {
        owners2 += m.territories().get(t).users();
      }
    }
    long outside = 0;
    long excess = 0;
    for (RealignModel.Group g : m.groups()) {
      double mean = Arrays.stream(g.members()).mapToDouble(t -> load[t]).average().orElse(0);
      if (g.members().length < 2 || mean <= 0) {
        continue;
      }
      double ex = 0;
      for (int t : g.members()) {
        double dev = Math.abs(load[t] - mean) - m.tolerance() * mean;
        if (dev > 1e-9 * mean) {
          outside++;
          ex += dev / mean;
        }
      }
      excess += Math.round(ex * 1_000_000);
    }
    long cut = 0;
    for (RealignModel.Unit u : m.units()) {
      for (int v : u.neighbours()) {
        if (v > u.index() && owners[v] != owners[u.index()]) {
          cut++;
        }
      }
    }
    long over = Math.max(0, moved - m.maxMovedAccounts());
    return new PlanScore(
        -(empty + contiguity + over),
        new long[] {-outside, -excess, -moved, -Math.round(pipeline), -owners2, -cut});
  }
}
