package io.territorysync.console;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import io.territorysync.cli.Commands;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * The accounts of the mirror as points for the map, kept in memory in flat arrays (about 40 bytes
 * an account: a million accounts fit in 40 MB) so that counting them per grid cell of any view
 * takes milliseconds instead of a scan of the mirror per request. Read again in the background when
 * a run has finished since, or after {@link MapConfig#maxAge()}; the previous snapshot keeps
 * serving meanwhile.
 */
@ApplicationScoped
public class MapIndex {

  private static final Logger LOG = Logger.getLogger(MapIndex.class);

  /** A territory of the model, with its place in the hierarchy. */
  public record Territory(
      int index, String id, String name, String developerName, int parent, int depth) {}

  @Inject AgroalDataSource dataSource;
  @Inject MapConfig config;

  private volatile Snapshot current;
  private CompletableFuture<Snapshot> loading;

  /**
   * In the service ({@code serve}), reads the map in the background after start-up, so that the
   * first map opened answers at once; the territories' colour order is set then too.
   */
  void onStart(@Observes StartupEvent event) {
    if (config.preload() && Commands.current().equals("serve")) {
      refreshInBackground();
    }
  }

  /** The snapshot in memory now, without loading one (null before the first load). */
  Snapshot loaded() {
    return current;
  }

  /** The snapshot to answer from: loaded on first use, refreshed in the background. */
  public Snapshot snapshot() throws SQLException {
    Snapshot s = current;
    if (s == null) {
      CompletableFuture<Snapshot> pending;
      synchronized (this) {
        pending = loading != null && !loading.isDone() ? loading : null;
      }
      if (pending != null) {
        // the start-up read is under way: wait for it rather than read twice
        Snapshot p = pending.join();
        if (p != null) {
          return p;
        }
      }
      synchronized (this) {
        if (current == null) {
          current = load();
        }
        return current;
      }
    }
    if (Instant.now().isAfter(s.checkedAt.plusSeconds(2))) {
      s.checkedAt = Instant.now();
      long run = latestRun();
      if (run != s.runId || Instant.now().isAfter(s.loadedAt.plus(config.maxAge()))) {
        refreshInBackground();
      }
    }
    return s;
  }

  private synchronized void refreshInBackground() {
    if (loading != null && !loading.isDone()) {
      return;
    }
    boolean first = current == null;
    loading =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                Snapshot fresh = load();
                synchronized (this) {
                  // a first request may have loaded it meanwhile
                  if (!first || current == null) {
                    current = fresh;
                  }
                }
                return fresh;
              } catch (SQLException e) {
                LOG.warnf("Cannot read the accounts for the map: %s", e.getMessage());
                return null;
              }
            });
  }

  private long latestRun() throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT coalesce(max(id), 0) FROM run WHERE finished_at IS NOT NULL");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Reads the territories of the model and every account with billing coordinates. */
  Snapshot load() throws SQLException {
    long started = System.nanoTime();
    long runId = latestRun();
    try (Connection c = dataSource.getConnection()) {
      String model = model(c);
      List<Territory> territories = territories(c, model);
      Palette.order(levelOrder(territories));
      Map<String, Integer> byId = new HashMap<>();
      for (Territory t : territories) {
        byId.put(t.id(), t.index());
      }
      Builder b = new Builder(territories);
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false); // a cursor: rows stream in instead of all at once
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT a.id, a.billing_latitude, a.billing_longitude, o.territory2_id"
                  + " FROM sf_account a LEFT JOIN sf_object_territory2_association o"
                  + " ON o.object_id = a.id WHERE a.billing_latitude IS NOT NULL"
                  + " AND a.billing_longitude IS NOT NULL ORDER BY a.id")) {
        ps.setFetchSize(10_000);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Integer t = rs.getString(4) == null ? null : byId.get(rs.getString(4));
            b.add(rs.getString(1), rs.getDouble(2), rs.getDouble(3), t == null ? -1 : t);
          }
        }
      } finally {
        c.commit();
        c.setAutoCommit(auto);
      }
      Snapshot s = b.build(runId);
      LOG.debugf(
          "Map: %,d accounts, %,d territories read in %d ms",
          s.size, territories.size(), (System.nanoTime() - started) / 1_000_000);
      return s;
    }
  }

  /** The model of the stored rollups, else the active one, else none (all territories). */
  private static String model(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT coalesce((SELECT model_id FROM territory_rollup LIMIT 1),"
                    + " (SELECT id FROM sf_territory2_model WHERE state = 'Active' LIMIT 1))");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static List<Territory> territories(Connection c, String model) throws SQLException {
    List<String[]> rows = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, coalesce(name, developer_name, id), developer_name, parent_territory2_id"
                + " FROM sf_territory2 WHERE territory2_model_id = ? OR ? IS NULL"
                + " ORDER BY name, id")) {
      ps.setString(1, model);
      ps.setString(2, model);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
        }
      }
    }
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      index.put(rows.get(i)[0], i);
    }
    List<Territory> out = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      String[] r = rows.get(i);
      int depth = 0;
      String p = r[3];
      // a cycle in bad data must not hang the page
      while (p != null && index.containsKey(p) && depth < 64) {
        depth++;
        p = rows.get(index.get(p))[3];
      }
      Integer parent = r[3] == null ? null : index.get(r[3]);
      out.add(new Territory(i, r[0], r[1], r[2], parent == null ? -1 : parent, depth));
    }
    return out;
  }

  /**
   * The territories' ids level by level: roots, then each level's territories grouped by parent in
   * the order of the level above (siblings by name, as {@code territories} lists them), so that
   * siblings and every level under one ancestor are consecutive ({@link Palette#order}).
   */
  static List<String> levelOrder(List<Territory> territories) {
    List<List<Territory>> children = new ArrayList<>();
    for (int i = 0; i < territories.size(); i++) {
      children.add(new ArrayList<>());
    }
    List<Territory> level = new ArrayList<>();
    for (Territory t : territories) {
      if (t.parent() < 0) {
        level.add(t);
      } else {
        children.get(t.parent()).add(t);
      }
    }
    List<String> out = new ArrayList<>();
    boolean[] seen = new boolean[territories.size()];
    while (!level.isEmpty()) {
      List<Territory> next = new ArrayList<>();
      for (Territory t : level) {
        if (!seen[t.index()]) {
          seen[t.index()] = true;
          out.add(t.id());
          next.addAll(children.get(t.index()));
        }
      }
      level = next;
    }
    // a cycle in bad data: its territories last, in name order
    for (Territory t : territories) {
      if (!seen[t.index()]) {
        out.add(t.id());
      }
    }
    return out;
  }

  /** An account's row as read from the mirror (one per territory it is in; -1 for none). */
  record Row(String accountId, double lat, double lon, int territory) {}

  /** A snapshot of rows ordered by account (the load's rows, or a test's). */
  static Snapshot of(List<Territory> territories, List<Row> rows, long runId) {
    Builder b = new Builder(territories);
    for (Row r : rows) {
      b.add(r.accountId(), r.lat(), r.lon(), r.territory());
    }
    return b.build(runId);
  }

  /** Web Mercator x of a longitude, 0..1 west to east. */
  static double mercatorX(double lon) {
    return (lon + 180.0) / 360.0;
  }

  /** Web Mercator y of a latitude, 0..1 north to south (clamped at ±85°). */
  static double mercatorY(double lat) {
    double l = Math.max(-85.0511, Math.min(85.0511, lat));
    double s = Math.sin(Math.toRadians(l));
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }

  /** Collects the rows of one load (ordered by account) into flat arrays. */
  private static final class Builder {
    final List<Territory> territories;
    int n;
    float[] lat = new float[1024];
    float[] lon = new float[1024];
    float[] x = new float[1024];
    float[] y = new float[1024];
    int[] colour = new int[1024];
    int[] memberStart = new int[1025];
    int[] members = new int[1024];
    int m;
    byte[] ids = new byte[1024 * 18];
    int[] idEnd = new int[1024];
    int idBytes;
    String last;

    Builder(List<Territory> territories) {
      this.territories = territories;
    }

    void add(String id, double latitude, double longitude, int territory) {
      if (!id.equals(last)) {
        if (n == lat.length) {
          grow();
        }
        last = id;
        lat[n] = (float) latitude;
        lon[n] = (float) longitude;
        x[n] = (float) mercatorX(longitude);
        y[n] = (float) mercatorY(latitude);
        colour[n] = -1;
        byte[] b = id.getBytes(StandardCharsets.US_ASCII);
        if (idBytes + b.length > ids.length) {
          ids = Arrays.copyOf(ids, Math.max(ids.length * 2, idBytes + b.length));
        }
        System.arraycopy(b, 0, ids, idBytes, b.length);
        idBytes += b.length;
        idEnd[n] = idBytes;
        memberStart[n] = m;
        n++;
        memberStart[n] = m;
      }
      if (territory >= 0) {
        if (m == members.length) {
          members = Arrays.copyOf(members, m * 2);
        }
        members[m++] = territory;
        memberStart[n] = m;
        int k = n - 1;
        // the colour is that of its deepest territory (the most specific one)
        if (colour[k] < 0
            || territories.get(territory).depth() > territories.get(colour[k]).depth()) {
          colour[k] = territory;
        }
      }
    }

    private void grow() {
      int size = lat.length * 2;
      lat = Arrays.copyOf(lat, size);
      lon = Arrays.copyOf(lon, size);
      x = Arrays.copyOf(x, size);
      y = Arrays.copyOf(y, size);
      colour = Arrays.copyOf(colour, size);
      idEnd = Arrays.copyOf(idEnd, size);
      memberStart = Arrays.copyOf(memberStart, size + 1);
    }

    Snapshot build(long runId) {
      return new Snapshot(this, runId);
    }
  }

  /**
   * One reading of the mirror: accounts as points, their territories, and each territory's hull.
   */
  public static final class Snapshot {
    final int size;
    final float[] lat;
    final float[] lon;
    final float[] x;
    final float[] y;
    final int[] colour;
    final int[] memberStart;
    final int[] members;
    final byte[] ids;
    final int[] idEnd;
    final List<Territory> territories;
    final Map<String, Territory> territoryById = new LinkedHashMap<>();
    final int[][] children;
    final double[][] hulls;
    final long runId;
    final Instant loadedAt = Instant.now();
    volatile Instant checkedAt = Instant.now();

    private Snapshot(Builder b, long runId) {
      this.size = b.n;
      this.lat = Arrays.copyOf(b.lat, b.n);
      this.lon = Arrays.copyOf(b.lon, b.n);
      this.x = Arrays.copyOf(b.x, b.n);
      this.y = Arrays.copyOf(b.y, b.n);
      this.colour = Arrays.copyOf(b.colour, b.n);
      this.memberStart = Arrays.copyOf(b.memberStart, b.n + 1);
      this.members = Arrays.copyOf(b.members, b.m);
      this.ids = Arrays.copyOf(b.ids, b.idBytes);
      this.idEnd = Arrays.copyOf(b.idEnd, b.n);
      this.territories = b.territories;
      this.runId = runId;
      for (Territory t : territories) {
        territoryById.put(t.id(), t);
      }
      int[] childCount = new int[territories.size()];
      for (Territory t : territories) {
        if (t.parent() >= 0) {
          childCount[t.parent()]++;
        }
      }
      children = new int[territories.size()][];
      for (int i = 0; i < children.length; i++) {
        children[i] = new int[childCount[i]];
      }
      int[] fill = new int[territories.size()];
      for (Territory t : territories) {
        if (t.parent() >= 0) {
          children[t.parent()][fill[t.parent()]++] = t.index();
        }
      }
      hulls = hulls();
    }

    /** How many accounts have coordinates. */
    public int size() {
      return size;
    }

    /** The territories of the model. */
    public List<Territory> territories() {
      return territories;
    }

    /** A territory by id, or null. */
    public Territory territory(String id) {
      return id == null ? null : territoryById.get(id);
    }

    /** The id of the {@code i}-th account. */
    String id(int i) {
      int from = i == 0 ? 0 : idEnd[i - 1];
      return new String(ids, from, idEnd[i] - from, StandardCharsets.US_ASCII);
    }

    /** The territory and every territory under it, as a membership mask; null for all. */
    boolean[] subtree(Territory root) {
      if (root == null) {
        return null;
      }
      boolean[] in = new boolean[territories.size()];
      int[] stack = new int[territories.size()];
      int top = 0;
      stack[top++] = root.index();
      while (top > 0) {
        int t = stack[--top];
        if (!in[t]) {
          in[t] = true;
          for (int c : children[t]) {
            stack[top++] = c;
          }
        }
      }
      return in;
    }

    /**
     * The territory an account is drawn in under a filter: its deepest territory in the mask (or
     * overall without one); -1 when it is in none of the mask (not shown) or has no territory.
     */
    int colourIn(int i, boolean[] mask) {
      if (mask == null) {
        return colour[i];
      }
      int best = -1;
      for (int k = memberStart[i]; k < memberStart[i + 1]; k++) {
        int t = members[k];
        if (mask[t] && (best < 0 || territories.get(t).depth() > territories.get(best).depth())) {
          best = t;
        }
      }
      return best;
    }

    /**
     * What the map shows of a view: the accounts one by one when at most {@code pointsBelow} are in
     * it, else their count per grid cell of {@code cellPixels} at {@code zoom}. Accounts are those
     * in the mask's territories (all accounts without one), each drawn in the colour of its deepest
     * territory there.
     */
    public Map<String, Object> view(
        double west,
        double south,
        double east,
        double north,
        int zoom,
        boolean[] mask,
        int pointsBelow,
        int cellPixels) {
      double x0 = mercatorX(Math.max(-180, west));
      double x1 = mercatorX(Math.min(180, east));
      double y0 = mercatorY(north);
      double y1 = mercatorY(south);
      int[] shown = new int[size];
      int[] drawnIn = new int[size];
      int total = 0;
      int[] perTerritory = new int[territories.size() + 1];
      for (int i = 0; i < size; i++) {
        if (x[i] < x0 || x[i] > x1 || y[i] < y0 || y[i] > y1) {
          continue;
        }
        int t = colourIn(i, mask);
        if (t < 0 && mask != null) {
          continue;
        }
        shown[total] = i;
        drawnIn[total++] = t;
        perTerritory[t + 1]++;
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("total", total);
      if (total <= pointsBelow) {
        out.put("mode", "points");
        List<Object[]> points = new ArrayList<>(total);
        for (int k = 0; k < total; k++) {
          int i = shown[k];
          points.add(new Object[] {lat[i], lon[i], drawnIn[k], id(i)});
        }
        out.put("points", points);
      } else {
        out.put("mode", "cells");
        double scale = Math.pow(2, Math.max(0, Math.min(22, zoom))) * 256.0 / cellPixels;
        Map<Long, Cell> cells = new HashMap<>();
        for (int k = 0; k < total; k++) {
          int i = shown[k];
          long key = ((long) (x[i] * scale) << 32) | (long) (y[i] * scale);
          cells.computeIfAbsent(key, c -> new Cell()).add(lat[i], lon[i], drawnIn[k]);
        }
        List<Object[]> list = new ArrayList<>(cells.size());
        for (Cell c : cells.values()) {
          list.add(c.json());
        }
        // big cells first, so small ones are drawn on top and stay clickable
        list.sort((a, b) -> Integer.compare((Integer) b[2], (Integer) a[2]));
        out.put("cells", list);
      }
      List<Map<String, Object>> legend = new ArrayList<>();
      for (int t = -1; t < territories.size(); t++) {
        if (perTerritory[t + 1] > 0) {
          legend.add(legendEntry(t, perTerritory[t + 1]));
        }
      }
      legend.sort(
          (a, b) -> Integer.compare((Integer) b.get("accounts"), (Integer) a.get("accounts")));
      out.put("territories", legend);
      return out;
    }

    private Map<String, Object> legendEntry(int t, int accounts) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("index", t);
      e.put("id", t < 0 ? null : territories.get(t).id());
      e.put("name", t < 0 ? "No territory" : territories.get(t).name());
      e.put("colour", t < 0 ? Palette.NONE : Palette.colourOf(territories.get(t).id()));
      e.put("accounts", accounts);
      return e;
    }

    /** The hulls of the mask's territories (all without one) and the bounds of their accounts. */
    public Map<String, Object> hulls(boolean[] mask) {
      List<Map<String, Object>> list = new ArrayList<>();
      for (Territory t : territories) {
        double[] h = hulls[t.index()];
        if (h != null && (mask == null || mask[t.index()])) {
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("id", t.id());
          e.put("name", t.name());
          e.put("colour", Palette.colourOf(t.id()));
          e.put("hull", h);
          list.add(e);
        }
      }
      float s = 90, w = 180, n = -90, e = -180;
      for (int i = 0; i < size; i++) {
        if (mask == null || colourIn(i, mask) >= 0) {
          s = Math.min(s, lat[i]);
          n = Math.max(n, lat[i]);
          w = Math.min(w, lon[i]);
          e = Math.max(e, lon[i]);
        }
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("hulls", list);
      out.put("bounds", s > n ? null : new float[] {s, w, n, e});
      return out;
    }

    /** Accounts of one grid cell: count, centre, and how many per territory. */
    private static final class Cell {
      int count;
      double sumLat;
      double sumLon;
      int[] ts = new int[2];
      int[] cs = new int[2];
      int kinds;

      void add(float lat, float lon, int territory) {
        count++;
        sumLat += lat;
        sumLon += lon;
        for (int k = 0; k < kinds; k++) {
          if (ts[k] == territory) {
            cs[k]++;
            return;
          }
        }
        if (kinds == ts.length) {
          ts = Arrays.copyOf(ts, kinds * 2);
          cs = Arrays.copyOf(cs, kinds * 2);
        }
        ts[kinds] = territory;
        cs[kinds++] = 1;
      }

      /** [lat, lon, count, territory with most accounts, territories in it]. */
      Object[] json() {
        int best = 0;
        for (int k = 1; k < kinds; k++) {
          if (cs[k] > cs[best]) {
            best = k;
          }
        }
        return new Object[] {
          (float) (sumLat / count), (float) (sumLon / count), count, ts[best], kinds
        };
      }
    }

    /** The convex hull of each territory's own accounts (lat/lon pairs), null under three. */
    private double[][] hulls() {
      int tn = territories.size();
      int[] count = new int[tn + 1];
      for (int k = 0; k < members.length; k++) {
        count[members[k] + 1]++;
      }
      for (int t = 0; t < tn; t++) {
        count[t + 1] += count[t];
      }
      int[] at = Arrays.copyOf(count, tn);
      int[] byTerritory = new int[members.length];
      for (int i = 0; i < size; i++) {
        for (int k = memberStart[i]; k < memberStart[i + 1]; k++) {
          byTerritory[at[members[k]]++] = i;
        }
      }
      double[][] out = new double[tn][];
      for (int t = 0; t < tn; t++) {
        int from = count[t];
        int to = count[t + 1];
        if (to - from >= 3) {
          out[t] = hull(byTerritory, from, to);
        }
      }
      return out;
    }

    /** Andrew's monotone chain over the accounts' Mercator points; the hull as lat/lon pairs. */
    private double[] hull(int[] accounts, int from, int to) {
      Integer[] p = new Integer[to - from];
      for (int k = from; k < to; k++) {
        p[k - from] = accounts[k];
      }
      Arrays.sort(
          p, (a, b) -> x[a] != x[b] ? Float.compare(x[a], x[b]) : Float.compare(y[a], y[b]));
      int[] h = new int[2 * p.length];
      int k = 0;
      for (Integer i : p) {
        while (k >= 2 && cross(h[k - 2], h[k - 1], i) <= 0) {
          k--;
        }
        h[k++] = i;
      }
      for (int j = p.length - 2, lower = k + 1; j >= 0; j--) {
        int i = p[j];
        while (k >= lower && cross(h[k - 2], h[k - 1], i) <= 0) {
          k--;
        }
        h[k++] = i;
      }
      int vertices = k - 1;
      if (vertices < 3) {
        return null;
      }
      double[] out = new double[vertices * 2];
      for (int v = 0; v < vertices; v++) {
        out[2 * v] = lat[h[v]];
        out[2 * v + 1] = lon[h[v]];
      }
      return out;
    }

    private double cross(int o, int a, int b) {
      return ((double) x[a] - x[o]) * ((double) y[b] - y[o])
          - ((double) y[a] - y[o]) * ((double) x[b] - x[o]);
    }
  }
}
