package io.territorysync.realign;

import java.util.Arrays;

/**
 * A plan being searched: which territory holds each unit, with every figure of the score kept up to
 * date move by move, so a move costs the size of its group and the unit's neighbours, not the size
 * of the model.
 */
final class PlanState {

  /** Relative slack below which a territory counts as within tolerance (rounding). */
  private static final double EPSILON = 1e-9;

  final RealignModel model;
  private final int[] owner;
  private final double[] load;
  private final long[] count;
  private final int[] held;
  private final int[] heldBefore;
  private final long[] countBefore;
  private final int[] touchedBy;
  private final boolean[] violated;
  private final int[] groupOutside;
  private final long[] groupExcess;
  private long outside;
  private long excess;
  private long accountsMoved;
  private long pipelineMoved;
  private long ownersAffected;
  private long cutEdges;
  private long contiguityViolations;
  private long emptyViolations;

  /** The plan that moves nothing. */
  PlanState(RealignModel model) {
    this.model = model;
    int n = model.territories().size();
    owner = new int[model.units().size()];
    load = new double[n];
    count = new long[n];
    held = new int[n];
    touchedBy = new int[n];
    violated = new boolean[owner.length];
    groupOutside = new int[model.groups().size()];
    groupExcess = new long[model.groups().size()];
    for (int t = 0; t < n; t++) {
      load[t] = model.fixedMeasure(t);
      count[t] = Math.round(model.fixed()[RealignModel.ACCOUNTS][t]);
    }
    for (RealignModel.Unit u : model.units()) {
      owner[u.index()] = u.current();
      int p = model.territories().get(u.current()).position();
      load[u.current()] += model.measure(u, p);
      count[u.current()] += Math.round(u.values()[RealignModel.ACCOUNTS][p]);
      held[u.current()]++;
    }
    heldBefore = held.clone();
    countBefore = count.clone();
    for (RealignModel.Unit u : model.units()) {
      for (int v : u.neighbours()) {
        if (v > u.index() && owner[v] != owner[u.index()]) {
          cutEdges++;
        }
      }
    }
    for (RealignModel.Group g : model.groups()) {
      refreshGroup(g.index());
    }
  }

  /** A copy with the same owners and figures. */
  PlanState(PlanState s) {
    model = s.model;
    owner = s.owner.clone();
    load = s.load.clone();
    count = s.count.clone();
    held = s.held.clone();
    heldBefore = s.heldBefore;
    countBefore = s.countBefore;
    touchedBy = s.touchedBy.clone();
    violated = s.violated.clone();
    groupOutside = s.groupOutside.clone();
    groupExcess = s.groupExcess.clone();
    outside = s.outside;
    excess = s.excess;
    accountsMoved = s.accountsMoved;
    pipelineMoved = s.pipelineMoved;
    ownersAffected = s.ownersAffected;
    cutEdges = s.cutEdges;
    contiguityViolations = s.contiguityViolations;
    emptyViolations = s.emptyViolations;
  }

  int owner(int unit) {
    return owner[unit];
  }

  int[] owners() {
    return owner.clone();
  }

  double load(int territory) {
    return load[territory];
  }

  long count(int territory) {
    return count[territory];
  }

  /** Gives {@code unit} to {@code territory} (a member of its group). */
  void move(int unit, int territory) {
    int from = owner[unit];
    if (from == territory) {
      return;
    }
    RealignModel.Unit u = model.units().get(unit);
    int pf = model.territories().get(from).position();
    int pt = model.territories().get(territory).position();
    int current = u.current();
    // disruption: the unit leaves or returns to where it is now
    if (from == current) {
      accountsMoved += u.accounts();
      pipelineMoved += Math.round(u.pipeline());
      touch(current, 1);
    } else {
      touch(from, -1);
    }
    if (territory == current) {
      accountsMoved -= u.accounts();
      pipelineMoved -= Math.round(u.pipeline());
      touch(current, -1);
    } else {
      touch(territory, 1);
    }
    for (int v : u.neighbours()) {
      if (owner[v] == from) {
        cutEdges++;
      } else if (owner[v] == territory) {
        cutEdges--;
      }
    }
    emptyViolations -= emptyViolation(from) + emptyViolation(territory);
    load[from] -= model.measure(u, pf);
    load[territory] += model.measure(u, pt);
    count[from] -= Math.round(u.values()[RealignModel.ACCOUNTS][pf]);
    count[territory] += Math.round(u.values()[RealignModel.ACCOUNTS][pt]);
    held[from]--;
    held[territory]++;
    owner[unit] = territory;
    emptyViolations += emptyViolation(from) + emptyViolation(territory);
    if (model.contiguity()) {
      recheck(unit);
      for (int v : u.neighbours()) {
        recheck(v);
      }
    }
    refreshGroup(u.group());
  }

  private void touch(int t, int delta) {
    boolean was = touchedBy[t] > 0;
    touchedBy[t] += delta;
    boolean is = touchedBy[t] > 0;
    if (was != is) {
      ownersAffected += (is ? 1 : -1) * model.territories().get(t).users();
    }
  }

  private int emptyViolation(int t) {
    return (countBefore[t] > 0 && count[t] <= 0) || (heldBefore[t] > 0 && held[t] == 0) ? 1 : 0;
  }

  /** A moved unit must touch a unit its new territory keeps from before. */
  private void recheck(int unit) {
    RealignModel.Unit u = model.units().get(unit);
    boolean bad = false;
    int o = owner[unit];
    if (o != u.current()) {
      bad = true;
      for (int v : u.neighbours()) {
        if (owner[v] == o && model.units().get(v).current() == o) {
          bad = false;
          break;
        }
      }
    }
    if (bad != violated[unit]) {
      violated[unit] = bad;
      contiguityViolations += bad ? 1 : -1;
    }
  }

  private void refreshGroup(int g) {
    outside -= groupOutside[g];
    excess -= groupExcess[g];
    int[] members = model.groups().get(g).members();
    double mean = 0;
    for (int t : members) {
      mean += load[t];
    }
    mean /= members.length;
    int out = 0;
    double ex = 0;
    if (members.length > 1 && mean > 0) {
      double lo = mean * (1 - model.tolerance());
      double hi = mean * (1 + model.tolerance());
      for (int t : members) {
        double e = Math.max(0, load[t] - hi) + Math.max(0, lo - load[t]);
        if (e > EPSILON * mean) {
          out++;
          ex += e / mean;
        }
      }
    }
    groupOutside[g] = out;
    groupExcess[g] = Math.round(ex * 1_000_000);
    outside += out;
    excess += groupExcess[g];
  }

  /** Territories of group {@code g} outside the tolerance. */
  int groupOutside(int g) {
    return groupOutside[g];
  }

  /** The mean of group {@code g}'s measure. */
  double mean(int g) {
    int[] members = model.groups().get(g).members();
    double mean = 0;
    for (int t : members) {
      mean += load[t];
    }
    return mean / members.length;
  }

  long accountsMoved() {
    return accountsMoved;
  }

  long pipelineMoved() {
    return pipelineMoved;
  }

  long ownersAffected() {
    return ownersAffected;
  }

  long outside() {
    return outside;
  }

  long contiguityViolations() {
    return contiguityViolations;
  }

  long emptyViolations() {
    return emptyViolations;
  }

  long overBudget() {
    return Math.max(0, accountsMoved - model.maxMovedAccounts());
  }

  PlanScore score() {
    long hard = -(emptyViolations + contiguityViolations + overBudget());
    return new PlanScore(
        hard,
        new long[] {-outside, -excess, -accountsMoved, -pipelineMoved, -ownersAffected, -cutEdges});
  }

  @Override
  public String toString() {
    return score() + " owners " + Arrays.toString(owner);
  }
}
