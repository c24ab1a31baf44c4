package io.territorysync.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The map's in-memory aggregation against a plain recount of the same accounts: the cells hold
 * every account of the view once, each cell's colour is its most frequent territory, a filter by
 * parent keeps its subtree's accounts in their deepest territory, and hulls enclose their accounts.
 */
class MapIndexTest {

  // World → Americas (US West, US East), Europe (DE); accounts in leaves, a few in two territories
  static final List<MapIndex.Territory> TERRITORIES =
      List.of(
          new MapIndex.Territory(0, "0MI000000000001AAA", "World", "World", -1, 0),
          new MapIndex.Territory(1, "0MI000000000002AAA", "Americas", "Americas", 0, 1),
          new MapIndex.Territory(2, "0MI000000000003AAA", "US West", "US_West", 1, 2),
          new MapIndex.Territory(3, "0MI000000000004AAA", "US East", "US_East", 1, 2),
          new MapIndex.Territory(4, "0MI000000000005AAA", "Europe", "Europe", 0, 1),
          new MapIndex.Territory(5, "0MI000000000006AAA", "DE", "DE", 4, 2));

  record Account(String id, double lat, double lon, List<Integer> territories) {}

  static List<Account> accounts(int n, long seed) {
    Random r = new Random(seed);
    List<Account> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int kind = r.nextInt(10);
      double lat;
      double lon;
      List<Integer> ts = new ArrayList<>();
      if (kind < 4) {
        lat = 34 + r.nextDouble() * 12;
        lon = -124 + r.nextDouble() * 10;
        ts.add(2);
      } else if (kind < 7) {
        lat = 30 + r.nextDouble() * 12;
        lon = -84 + r.nextDouble() * 12;
        ts.add(3);
        if (kind == 6) {
          ts.add(1); // also in its parent: drawn in the deepest
        }
      } else if (kind < 9) {
        lat = 47 + r.nextDouble() * 7;
        lon = 6 + r.nextDouble() * 8;
        ts.add(5);
      } else {
        lat = -30 + r.nextDouble() * 10;
        lon = 140 + r.nextDouble() * 10;
      }
      out.add(new Account(String.format("001%015d", i), lat, lon, ts));
    }
    return out;
  }

  static MapIndex.Snapshot snapshot(List<Account> accounts) {
    List<MapIndex.Row> rows = new ArrayList<>();
    for (Account a : accounts) {
      if (a.territories().isEmpty()) {
        rows.add(new MapIndex.Row(a.id(), a.lat(), a.lon(), -1));
      }
      for (int t : a.territories()) {
        rows.add(new MapIndex.Row(a.id(), a.lat(), a.lon(), t));
      }
    }
    return MapIndex.of(TERRITORIES, rows, 1);
  }

  @Test
  void cellsHoldEveryAccountOfTheViewOnceColouredByTheirMostFrequentTerritory() {
    List<Account> accounts = accounts(5000, 7);
    MapIndex.Snapshot s = snapshot(accounts);
    int zoom = 4;
    int cellPixels = 44;
    Map<String, Object> view = s.view(-130, 20, 20, 60, zoom, null, 100, cellPixels);
    assertEquals("cells", view.get("mode"));
    // the recount: cell of each account from its own Web Mercator projection
    double scale = Math.pow(2, zoom) * 256 / cellPixels;
    Map<String, Map<Integer, Integer>> expected = new TreeMap<>();
    int inView = 0;
    for (Account a : accounts) {
      if (a.lon() < -130 || a.lon() > 20 || a.lat() < 20 || a.lat() > 60) {
        continue;
      }
      inView++;
      double x = (a.lon() + 180) / 360;
      double sin = Math.sin(Math.toRadians(a.lat()));
      double y = 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI);
      String key = (long) ((float) x * scale) + "/" + (long) ((float) y * scale);
      int drawn = a.territories().isEmpty() ? -1 : a.territories().get(0);
      expected.computeIfAbsent(key, k -> new HashMap<>()).merge(drawn, 1, Integer::sum);
    }
    assertEquals(inView, view.get("total"));
    @SuppressWarnings("unchecked")
    List<Object[]> cells = (List<Object[]>) view.get("cells");
    assertEquals(expected.size(), cells.size());
    int counted = 0;
    Map<Integer, Integer> cellsByCount = new HashMap<>();
    for (Map<Integer, Integer> e : expected.values()) {
      cellsByCount.merge(e.values().stream().mapToInt(Integer::intValue).sum(), 1, Integer::sum);
    }
    for (Object[] c : cells) {
      int count = (Integer) c[2];
      counted += count;
      cellsByCount.merge(count, -1, Integer::sum);
    }
    assertEquals(inView, counted);
    assertTrue(cellsByCount.values().stream().allMatch(v -> v == 0), "the same cell sizes");
    // every cell's colour is a territory that is the most frequent in some expected cell
    Set<Integer> dominant = new HashSet<>();
    for (Map<Integer, Integer> e : expected.values()) {
      int max = e.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
      e.forEach(
          (t, n) -> {
            if (n == max) {
              dominant.add(t);
            }
          });
    }
    for (Object[] c : cells) {
      assertTrue(dominant.contains((Integer) c[3]));
    }
  }

  @Test
  void aFilterByParentKeepsItsSubtreeDrawnInTheDeepestTerritory() {
    List<Account> accounts = accounts(3000, 11);
    MapIndex.Snapshot s = snapshot(accounts);
    boolean[] americas = s.subtree(s.territory("0MI000000000002AAA"));
    Map<String, Object> view = s.view(-180, -85, 180, 85, 2, americas, 10_000, 44);
    assertEquals("points", view.get("mode"));
    Map<String, Integer> expected = new HashMap<>();
    for (Account a : accounts) {
      if (a.territories().contains(2)) {
        expected.put(a.id(), 2);
      } else if (a.territories().contains(3)) {
        expected.put(a.id(), 3); // US East, not its parent Americas
      }
    }
    @SuppressWarnings("unchecked")
    List<Object[]> points = (List<Object[]>) view.get("points");
    Map<String, Integer> shown = new HashMap<>();
    for (Object[] p : points) {
      shown.put((String) p[3], (Integer) p[2]);
    }
    assertEquals(expected, shown);
  }

  @Test
  void aTerritorysHullEnclosesItsAccounts() {
    List<Account> accounts = accounts(2000, 3);
    MapIndex.Snapshot s = snapshot(accounts);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> hulls = (List<Map<String, Object>>) s.hulls(null).get("hulls");
    Map<String, double[]> byId = new HashMap<>();
    for (Map<String, Object> h : hulls) {
      byId.put((String) h.get("id"), (double[]) h.get("hull"));
    }
    double[] west = byId.get("0MI000000000003AAA");
    assertNotNull(west);
    for (Account a : accounts) {
      if (a.territories().contains(2)) {
        assertTrue(inside(west, a.lat(), a.lon()), a.toString());
      }
    }
    // no account of US West → no hull for Europe's parent-only World
    assertTrue(!byId.containsKey("0MI000000000001AAA"));
  }

  /**
   * Point in a convex polygon (lat/lon pairs), in Mercator so edges are straight: same-side test.
   */
  static boolean inside(double[] ring, double lat, double lon) {
    double px = MapIndex.mercatorX(lon);
    double py = MapIndex.mercatorY(lat);
    int n = ring.length / 2;
    int sign = 0;
    for (int i = 0; i < n; i++) {
      int j = (i + 1) % n;
      double ax = MapIndex.mercatorX(ring[2 * i + 1]);
      double ay = MapIndex.mercatorY(ring[2 * i]);
      double bx = MapIndex.mercatorX(ring[2 * j + 1]);
      double by = MapIndex.mercatorY(ring[2 * j]);
      double cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax);
      if (Math.abs(cross) < 1e-7) {
        continue; // on an edge (floats)
      }
      int sg = cross > 0 ? 1 : -1;
      if (sign == 0) {
        sign = sg;
      } else if (sg != sign) {
        return false;
      }
    }
    return true;
  }
}
