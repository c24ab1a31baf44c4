package io.territorysync.realign;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds small realignment models by hand: one metric (accounts) unless figures are given. */
final class ModelBuilder {

  private final Map<String, Integer> territory = new LinkedHashMap<>();
  private final List<RealignModel.Territory> territories = new ArrayList<>();
  private final List<RealignModel.Group> groups = new ArrayList<>();
  private final List<double[]> fixed = new ArrayList<>();
  private final List<Object[]> units = new ArrayList<>();
  private final List<int[]> edges = new ArrayList<>();
  private double tolerance = 0.10;
  private long maxMoved = Long.MAX_VALUE;
  private boolean contiguity;
  private final Map<String, String> untradeable = new LinkedHashMap<>();

  ModelBuilder group(String parent, String... members) {
    int[] idx = new int[members.length];
    for (int i = 0; i < members.length; i++) {
      idx[i] = territories.size() + i;
    }
    for (int i = 0; i < members.length; i++) {
      territory.put(members[i], idx[i]);
      territories.add(
          new RealignModel.Territory(
              idx[i], "0MI" + members[i], members[i], groups.size(), i, true, null, 1));
      fixed.add(new double[3]);
    }
    groups.add(new RealignModel.Group(groups.size(), parent, idx));
    return this;
  }

  ModelBuilder untradeable(String t, String reason) {
    untradeable.put(t, reason);
    return this;
  }

  /** Accounts that stay in {@code t} whatever the plan (pinned, excluded, manual). */
  ModelBuilder fixed(String t, double accounts) {
    fixed.get(territory.get(t))[0] += accounts;
    return this;
  }

  ModelBuilder unit(String label, String owner, double accounts) {
    return unit(label, owner, accounts, false);
  }

  ModelBuilder unit(String label, String owner, double accounts, boolean pinned) {
    units.add(new Object[] {label, territory.get(owner), accounts, pinned});
    return this;
  }

  /** Units {@code a} and {@code b} (by position of declaration) are neighbours. */
  ModelBuilder adjacent(int a, int b) {
    edges.add(new int[] {a, b});
    return this;
  }

  ModelBuilder tolerance(double t) {
    tolerance = t;
    return this;
  }

  ModelBuilder maxMoved(long accounts) {
    maxMoved = accounts;
    return this;
  }

  ModelBuilder contiguity() {
    contiguity = true;
    return this;
  }

  RealignModel build() {
    List<RealignModel.Territory> ts = new ArrayList<>();
    for (RealignModel.Territory t : territories) {
      String reason = untradeable.get(t.developerName());
      ts.add(
          new RealignModel.Territory(
              t.index(),
              t.id(),
              t.developerName(),
              t.group(),
              t.position(),
              reason == null,
              reason,
              t.users()));
    }
    List<List<Integer>> nbrs = new ArrayList<>();
    for (int i = 0; i < units.size(); i++) {
      nbrs.add(new ArrayList<>());
    }
    for (int[] e : edges) {
      nbrs.get(e[0]).add(e[1]);
      nbrs.get(e[1]).add(e[0]);
    }
    List<RealignModel.Unit> us = new ArrayList<>();
    long scope = 0;
    for (int i = 0; i < units.size(); i++) {
      Object[] u = units.get(i);
      int owner = (Integer) u[1];
      int group = ts.get(owner).group();
      int size = groups.get(group).members().length;
      double accounts = (Double) u[2];
      double[][] values = new double[3][size];
      for (int p = 0; p < size; p++) {
        values[0][p] = accounts;
      }
      us.add(
          new RealignModel.Unit(
              i,
              (String) u[0],
              group,
              owner,
              (Boolean) u[3],
              values,
              Math.round(accounts),
              0,
              nbrs.get(i).stream().mapToInt(Integer::intValue).toArray()));
      scope += Math.round(accounts);
    }
    double[][] f = new double[3][ts.size()];
    for (int t = 0; t < ts.size(); t++) {
      for (int k = 0; k < 3; k++) {
        f[k][t] = fixed.get(t)[k];
      }
      scope += Math.round(f[0][t]);
    }
    return new RealignModel(
        ts, groups, us, f, new double[] {1, 0, 0}, tolerance, maxMoved, contiguity, scope);
  }
}
