package io.territorysync.realign;

import java.time.Duration;

/**
 * The baseline: steepest descent on single unit moves from the current alignment. Each step makes
 * the one move (a unit of a group outside the tolerance, to a sibling) that improves the score
 * most, and it stops when no move improves it. Fast, and what a careful analyst would do by hand;
 * it gets stuck where only a trade of several units helps.
 */
public final class GreedyPlanner implements Planner {

  @Override
  public int[] plan(RealignModel model, Duration limit, Progress progress) {
    return descend(model, new PlanState(model), limit, progress).owners();
  }

  static PlanState descend(RealignModel model, PlanState s, Duration limit, Progress progress) {
    long deadline = System.nanoTime() + limit.toNanos();
    PlanScore score = s.score();
    while (System.nanoTime() < deadline) {
      int bestUnit = -1;
      int bestTo = -1;
      PlanScore best = score;
      for (RealignModel.Unit u : model.units()) {
        if (!model.movable(u) || s.groupOutside(u.group()) == 0) {
          continue;
        }
        int from = s.owner(u.index());
        for (int t : model.groups().get(u.group()).members()) {
          if (t == from || !model.territories().get(t).tradeable()) {
            continue;
          }
          s.move(u.index(), t);
          PlanScore after = s.score();
          s.move(u.index(), from);
          if (after.betterThan(best)) {
            best = after;
            bestUnit = u.index();
            bestTo = t;
          }
        }
      }
      if (bestUnit < 0) {
        break;
      }
      s.move(bestUnit, bestTo);
      score = best;
      progress.report(score, 0);
    }
    return s;
  }
}
