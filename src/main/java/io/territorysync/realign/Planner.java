package io.territorysync.realign;

import java.time.Duration;

/** Finds a plan (the territory of every unit) for a realignment model. */
public interface Planner {

  /** Called with the best plan's score so far and the share of the time limit used. */
  interface Progress {
    void report(PlanScore best, double done);

    Progress NONE = (best, done) -> {};
  }

  /** The territory of each unit, indexed like {@link RealignModel#units()}. */
  int[] plan(RealignModel model, Duration limit, Progress progress);

  /** The score of {@code owners} on {@code model}. */
  static PlanScore score(RealignModel model, int[] owners) {
    PlanState s = new PlanState(model);
    for (int u = 0; u < owners.length; u++) {
      s.move(u, owners[u]);
    }
    return s.score();
  }
}
