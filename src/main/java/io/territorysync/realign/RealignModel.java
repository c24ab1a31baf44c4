package io.territorysync.realign;

import java.util.List;

/**
 * A realignment problem: sibling groups of territories, the geography units they trade, and what
 * stays where whatever the plan (pinned, excluded and undeletable associations). Pure data, shared
 * by the solver, the greedy baseline and the report.
 *
 * <p>Figures are kept for three metrics (accounts, potential, pipeline); the balance measure is a
 * linear mix of them ({@link #coefficients}).
 *
 * @param territories every territory of the scope's groups, indexed by {@link Territory#index}
 * @param groups sibling groups: the tolerance band is around each group's mean
 * @param units the geography units, indexed by {@link Unit#index}
 * @param fixed per metric and territory: what stays in the territory whatever the plan
 * @param coefficients per metric: the measure is {@code sum(coefficient * metric)}
 * @param tolerance allowed deviation from the group mean, as a share of it
 * @param maxMovedAccounts accounts that may change territory at most (Long.MAX_VALUE: no limit)
 * @param contiguity whether a unit may move only next to a unit the receiving territory keeps
 * @param scopeAccounts distinct accounts in the scope's territories (the max-moved base)
 */
public record RealignModel(
    List<Territory> territories,
    List<Group> groups,
    List<Unit> units,
    double[][] fixed,
    double[] coefficients,
    double tolerance,
    long maxMovedAccounts,
    boolean contiguity,
    long scopeAccounts) {

  /** Metric indices. */
  public static final int ACCOUNTS = 0;

  public static final int POTENTIAL = 1;
  public static final int PIPELINE = 2;
  public static final int METRICS = 3;

  /**
   * A territory of the scope.
   *
   * @param tradeable whether it can give and take units (otherwise its figures are fixed)
   * @param reason why it cannot trade units (null when it can)
   * @param users users working it (the owners a move affects)
   */
  public record Territory(
      int index,
      String id,
      String developerName,
      int group,
      int position,
      boolean tradeable,
      String reason,
      int users) {}

  /** Sibling territories compared with each other; {@code parent} names the scope. */
  public record Group(int index, String parent, int[] members) {}

  /**
   * A geography unit: a postal-prefix block, a postal prefix, or a value (state, region).
   *
   * @param label how the admin sees it ({@code 980-984}, {@code WA})
   * @param current the territory that holds it now
   * @param pinned it cannot move (it is in several siblings' criteria)
   * @param values per metric and group position: what the unit brings to a territory there (less
   *     what is already counted as fixed in that territory)
   * @param accounts accounts that change territory when the unit moves
   * @param pipeline open pipeline that changes territory when the unit moves
   * @param neighbours adjacent units of the same group (for contiguity and compactness)
   */
  public record Unit(
      int index,
      String label,
      int group,
      int current,
      boolean pinned,
      double[][] values,
      long accounts,
      double pipeline,
      int[] neighbours) {}

  /** The unit's measure in the territory at {@code position} of its group. */
  public double measure(Unit u, int position) {
    double m = 0;
    for (int k = 0; k < METRICS; k++) {
      m += coefficients[k] * u.values()[k][position];
    }
    return m;
  }

  /** The measure of what stays in territory {@code t}. */
  public double fixedMeasure(int t) {
    double m = 0;
    for (int k = 0; k < METRICS; k++) {
      m += coefficients[k] * fixed[k][t];
    }
    return m;
  }

  /** Whether unit {@code u} can be given to another territory. */
  public boolean movable(Unit u) {
    return !u.pinned()
        && territories.get(u.current()).tradeable()
        && tradeableMembers(groups.get(u.group())) > 1;
  }

  int tradeableMembers(Group g) {
    int n = 0;
    for (int t : g.members()) {
      n += territories.get(t).tradeable() ? 1 : 0;
    }
    return n;
  }
}
