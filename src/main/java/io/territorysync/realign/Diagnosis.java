package io.territorysync.realign;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Why a plan leaves territories outside the tolerance, and how close it gets: territories that
 * cannot trade units, accounts that must stay and already weigh too much, units too coarse to fit
 * the band, and the optional constraints (contiguity, max-moved) whose removal would let more
 * territories in.
 *
 * @param withinTolerance every territory of every group is within the tolerance
 * @param reasons one sentence per blocking cause
 * @param worstDeviation the largest deviation from its group mean, as a share of it
 * @param worstTerritory the territory with that deviation
 */
public record Diagnosis(
    boolean withinTolerance, List<String> reasons, double worstDeviation, String worstTerritory) {

  private static final Duration RELAXED_LIMIT = Duration.ofSeconds(2);

  /** Diagnoses {@code plan} of {@code model}. */
  public static Diagnosis of(RealignModel m, int[] plan) {
    PlanState s = new PlanState(m);
    for (int u = 0; u < plan.length; u++) {
      s.move(u, plan[u]);
    }
    List<String> reasons = new ArrayList<>();
    double worst = 0;
    String worstName = null;
    for (RealignModel.Group g : m.groups()) {
      double mean = s.mean(g.index());
      if (g.members().length < 2 || mean <= 0) {
        continue;
      }
      double lo = mean * (1 - m.tolerance());
      double hi = mean * (1 + m.tolerance());
      for (int t : g.members()) {
        double load = s.load(t);
        double dev = Math.abs(load - mean) / mean;
        if (dev > worst) {
          worst = dev;
          worstName = m.territories().get(t).developerName();
        }
        if (load <= hi * (1 + 1e-9) && load >= lo * (1 - 1e-9)) {
          continue;
        }
        reasons.add(explain(m, s, g, t, load, lo, hi));
      }
    }
    PlanScore score = s.score();
    if (score.outside() > 0 && m.contiguity()) {
      RealignModel free = relaxed(m, false, m.maxMovedAccounts());
      long better = score.outside() - outsideOf(free);
      if (better > 0) {
        reasons.add(
            "contiguity: without it "
                + better
                + " more territor"
                + (better == 1 ? "y" : "ies")
                + " would be within the tolerance");
      }
    }
    if (score.outside() > 0 && m.maxMovedAccounts() < Long.MAX_VALUE) {
      RealignModel free = relaxed(m, m.contiguity(), Long.MAX_VALUE);
      int[] freePlan = new SolverPlanner().plan(free, RELAXED_LIMIT, Planner.Progress.NONE);
      PlanScore fs = Planner.score(free, freePlan);
      long better = score.outside() - fs.outside();
      if (better > 0) {
        reasons.add(
            String.format(
                Locale.ROOT,
                "max-moved: at most %d account(s) may change territory; a plan that moves %d"
                    + " would bring %d more territor%s within the tolerance",
                m.maxMovedAccounts(),
                fs.accountsMoved(),
                better,
                better == 1 ? "y" : "ies"));
      }
    }
    return new Diagnosis(score.outside() == 0, List.copyOf(reasons), worst, worstName);
  }

  private static String explain(
      RealignModel m, PlanState s, RealignModel.Group g, int t, double load, double lo, double hi) {
    RealignModel.Territory tt = m.territories().get(t);
    String name = tt.developerName();
    String band = String.format(Locale.ROOT, "[%s, %s]", fmt(lo), fmt(hi));
    if (!tt.tradeable()) {
      return name + " (" + fmt(load) + ", band " + band + ") cannot trade units: " + tt.reason();
    }
    double fixed = m.fixedMeasure(t);
    if (load > hi && fixed > hi) {
      return name
          + ": its accounts that must stay (pinned, excluded from realignment or manual"
          + " associations that are kept) weigh "
          + fmt(fixed)
          + ", above the band "
          + band;
    }
    if (load > hi) {
      double smallest = Double.MAX_VALUE;
      String label = null;
      for (RealignModel.Unit u : m.units()) {
        if (s.owner(u.index()) == t && m.movable(u)) {
          double w = m.measure(u, tt.position());
          if (w < smallest) {
            smallest = w;
            label = u.label();
          }
        }
      }
      if (label == null) {
        return name + " (" + fmt(load) + ", band " + band + ") has no unit it may give";
      }
      if (load - smallest < lo) {
        return name
            + " ("
            + fmt(load)
            + ", band "
            + band
            + "): its smallest unit "
            + label
            + " ("
            + fmt(smallest)
            + ") would take it below the band; finer units (longer postal prefixes) would help";
      }
      return name
          + " ("
          + fmt(load)
          + ", band "
          + band
          + "): no sibling can take its units without leaving the band or breaking a constraint";
    }
    double smallest = Double.MAX_VALUE;
    String label = null;
    for (RealignModel.Unit u : m.units()) {
      int o = s.owner(u.index());
      if (u.group() == g.index() && o != t && m.movable(u)) {
        double w = m.measure(u, tt.position());
        if (w < smallest) {
          smallest = w;
          label = u.label();
        }
      }
    }
    if (label == null) {
      return name + " (" + fmt(load) + ", band " + band + "): no sibling has a unit it may give";
    }
    if (load + smallest > hi) {
      return name
          + " ("
          + fmt(load)
          + ", band "
          + band
          + "): the smallest unit a sibling could give, "
          + label
          + " ("
          + fmt(smallest)
          + "), would take it above the band; finer units (longer postal prefixes) would help";
    }
    return name
        + " ("
        + fmt(load)
        + ", band "
        + band
        + "): no sibling can give it units without leaving the band or breaking a constraint";
  }

  private static long outsideOf(RealignModel m) {
    return Planner.score(m, new SolverPlanner().plan(m, RELAXED_LIMIT, Planner.Progress.NONE))
        .outside();
  }

  private static RealignModel relaxed(RealignModel m, boolean contiguity, long maxMoved) {
    return new RealignModel(
        m.territories(),
        m.groups(),
        m.units(),
        m.fixed(),
        m.coefficients(),
        m.tolerance(),
        maxMoved,
        contiguity,
        m.scopeAccounts());
  }

  static String fmt(double v) {
    if (Math.abs(v - Math.rint(v)) < 1e-6 && Math.abs(v) < 1e15) {
      return String.format(Locale.ROOT, "%,d", Math.round(v));
    }
    return String.format(Locale.ROOT, "%,.2f", v);
  }
}
