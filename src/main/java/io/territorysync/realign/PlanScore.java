package io.territorysync.realign;

import java.util.Arrays;

/**
 * How good a plan is, compared level by level (higher is better, all levels are penalties, so 0 is
 * perfect): hard constraint violations, then territories outside the tolerance, then how far
 * outside (millionths of the group mean), then accounts moved, pipeline moved, owners affected, and
 * finally compactness (neighbouring units held by different territories).
 */
public record PlanScore(long hard, long[] soft) implements Comparable<PlanScore> {

  /** Soft levels in order. */
  public static final String[] SOFT_LEVELS = {
    "outsideTolerance",
    "excessMillionths",
    "accountsMoved",
    "pipelineMoved",
    "ownersAffected",
    "cutEdges"
  };

  public long outside() {
    return -soft[0];
  }

  public long excess() {
    return -soft[1];
  }

  public long accountsMoved() {
    return -soft[2];
  }

  @Override
  public int compareTo(PlanScore o) {
    int c = Long.compare(hard, o.hard);
    if (c != 0) {
      return c;
    }
    for (int i = 0; i < soft.length; i++) {
      c = Long.compare(soft[i], o.soft[i]);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  public boolean betterThan(PlanScore o) {
    return compareTo(o) > 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PlanScore p && p.hard == hard && Arrays.equals(p.soft, soft);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(hard) * 31 + Arrays.hashCode(soft);
  }

  @Override
  public String toString() {
    return hard + "hard/" + Arrays.toString(soft);
  }
}
