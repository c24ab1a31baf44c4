package io.territorysync.mirror;

import io.agroal.api.AgroalDataSource;
import io.territorysync.database.CopyStream;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes synced records into the mirror: streamed with {@code COPY} into a staging table, then
 * merged by Id, keeping the newest SystemModstamp, in one transaction per batch. Re-applying a
 * batch changes nothing, so an interrupted sync can simply run again.
 */
@ApplicationScoped
public class MirrorWriter {

  @Inject AgroalDataSource dataSource;

  /**
   * Opens a batch for {@code object}. Each row gives, in this order: Id, SystemModstamp, the typed
   * columns' fields, then {@code extraFields}; values in Salesforce's text form, null for empty.
   * {@code extraTypes} maps an extra field to its describe type, so numbers and booleans stay typed
   * in {@code extra}.
   *
   * @param fullSync also remember the ids seen, so the sync can remove what the org no longer has
   */
  public Batch batch(
      MirrorObject object,
      List<String> extraFields,
      Map<String, String> extraTypes,
      boolean fullSync)
      throws SQLException {
    return batch(object, extraFields, extraTypes, fullSync, true);
  }

  /**
   * A batch that records what it changes in {@link MirrorChanges} only when {@code track}: with no
   * earlier evaluation to be incremental against (the first runs), recording a whole org's first
   * read would only cost time.
   */
  public Batch batch(
      MirrorObject object,
      List<String> extraFields,
      Map<String, String> extraTypes,
      boolean fullSync,
      boolean track)
      throws SQLException {
    return new Batch(object, extraFields, extraTypes, fullSync, track);
  }

  /** Removes rows by id (records deleted in the org). */
  public int delete(MirrorObject object, Collection<String> ids) throws SQLException {
    if (ids.isEmpty()) {
      return 0;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                MirrorChanges.tracked(
                    object, "DELETE FROM " + object.table() + " WHERE id = ANY(?)"))) {
      ps.setArray(1, c.createArrayOf("text", ids.toArray()));
      return (int) MirrorChanges.count(ps);
    }
  }

  /**
   * Removes the rows whose {@code column} is one of {@code scope} but whose id is not in {@code
   * seen}: what a scoped fetch no longer found in the org.
   */
  public int removeMissing(
      MirrorObject object, String column, Collection<String> scope, Collection<String> seen)
      throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                MirrorChanges.tracked(
                    object,
                    "DELETE FROM "
                        + object.table()
                        + " WHERE "
                        + column
                        + " = ANY(?) AND NOT (id = ANY(?))"))) {
      ps.setArray(1, c.createArrayOf("text", scope.toArray()));
      ps.setArray(2, c.createArrayOf("text", seen.toArray()));
      return (int) MirrorChanges.count(ps);
    }
  }

  /**
   * Refreshes the planner's statistics of a mirror table after a large change, so the plan and
   * rollup queries that join it are planned for its real size.
   */
  public void analyze(MirrorObject object) throws SQLException {
    analyze(dataSource, object.table());
  }

  /** ANALYZE of one table (a known table name, never user input). */
  public static void analyze(javax.sql.DataSource dataSource, String table) throws SQLException {
    try (Connection c = dataSource.getConnection();
        java.sql.Statement s = c.createStatement()) {
      s.execute("ANALYZE " + table);
    }
  }

  /** Forgets the ids an interrupted full sync of {@code object} recorded. */
  public void clearSeen(MirrorObject object) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM sync_seen WHERE object = ?")) {
      ps.setString(1, object.apiName());
      ps.executeUpdate();
    }
  }

  /**
   * After a full sync: removes mirror rows the sync did not see (gone from the org); returns how
   * many.
   */
  public int removeUnseen(MirrorObject object) throws SQLException {
    return removeUnseenWhere(object, null, null);
  }

  /** Rows of {@code object}'s mirror table per value of {@code column}. */
  public Map<String, Long> countBy(MirrorObject object, String column) throws SQLException {
    Map<String, Long> out = new java.util.HashMap<>();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT "
                    + column
                    + ", count(*) FROM "
                    + object.table()
                    + " WHERE "
                    + column
                    + " IS NOT NULL GROUP BY "
                    + column)) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    }
    return out;
  }

  /** The ids in {@code object}'s mirror table. */
  public List<String> ids(MirrorObject object) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM " + object.table())) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /**
   * After re-reading the rows of {@code object} whose {@code column} is one of {@code values} (with
   * {@code fullSync} batches): removes those rows the read did not see; returns how many.
   */
  public int removeUnseenIn(MirrorObject object, String column, Collection<String> values)
      throws SQLException {
    return removeUnseenWhere(object, column, values);
  }

  /** Removes rows the sync did not see (only those whose {@code column} is in {@code values}). */
  private int removeUnseenWhere(MirrorObject object, String column, Collection<String> values)
      throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      int removed;
      try (PreparedStatement ps =
          c.prepareStatement(
              MirrorChanges.tracked(
                  object,
                  "DELETE FROM "
                      + object.table()
                      + " t WHERE "
                      + (column == null ? "" : "t." + column + " = ANY(?) AND ")
                      + "NOT EXISTS (SELECT 1 FROM sync_seen s WHERE s.object = ?"
                      + " AND s.id = t.id)"))) {
        int p = 1;
        if (column != null) {
          ps.setArray(p++, c.createArrayOf("text", values.toArray()));
        }
        ps.setString(p, object.apiName());
        removed = (int) MirrorChanges.count(ps);
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM sync_seen WHERE object = ?")) {
        ps.setString(1, object.apiName());
        ps.executeUpdate();
      }
      c.commit();
      return removed;
    }
  }

  /** Records ids the org still has (an id reconcile of {@code object}), streamed with COPY. */
  public int addSeen(MirrorObject object, Iterable<String> ids) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      int n =
          CopyStream.copy(
              c,
              "COPY sync_seen (object, id) FROM STDIN (FORMAT csv)",
              copy -> {
                StringBuilder sb = new StringBuilder(1 << 16);
                int count = 0;
                for (String id : ids) {
                  sb.append(object.apiName()).append(',').append(id).append('\n');
                  count++;
                  if (sb.length() > 1 << 16) {
                    byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
                    copy.writeToCopy(b, 0, b.length);
                    sb.setLength(0);
                  }
                }
                byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
                copy.writeToCopy(b, 0, b.length);
                return count;
              });
      c.commit();
      return n;
    }
  }

  /** Whether the mirror table of {@code object} has no rows. */
  public boolean isEmpty(MirrorObject object) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        var rs = s.executeQuery("SELECT NOT EXISTS (SELECT 1 FROM " + object.table() + ")")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /** Rows in the mirror table of {@code object}. */
  public long count(MirrorObject object) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        var rs = s.executeQuery("SELECT count(*) FROM " + object.table())) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** One staging-and-merge transaction. */
  public final class Batch implements AutoCloseable {
    private static final int FLUSH_BYTES = 1 << 16;

    private final MirrorObject object;
    private final List<String> extraFields;
    private final Map<String, String> extraTypes;
    private final boolean fullSync;
    private final boolean track;
    private final Connection connection;
    private final CopyIn copy;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(FLUSH_BYTES * 2);
    private final StringBuilder line = new StringBuilder(512);
    private final StringBuilder json = new StringBuilder(128);
    private int rows;
    private boolean done;

    private Batch(
        MirrorObject object,
        List<String> extraFields,
        Map<String, String> extraTypes,
        boolean fullSync,
        boolean track)
        throws SQLException {
      this.track = track;
      this.object = object;
      this.extraFields = List.copyOf(extraFields);
      this.extraTypes = extraTypes;
      this.fullSync = fullSync;
      this.connection = dataSource.getConnection();
      try {
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
          s.execute(
              "CREATE TEMP TABLE stage (LIKE "
                  + object.table()
                  + " INCLUDING DEFAULTS) ON COMMIT DROP");
        }
        List<String> columns = new ArrayList<>(List.of("id", "system_modstamp"));
        object.columns().forEach(col -> columns.add(col.column()));
        columns.add("extra");
        copy =
            connection
                .unwrap(PGConnection.class)
                .getCopyAPI()
                .copyIn("COPY stage (" + String.join(", ", columns) + ") FROM STDIN (FORMAT csv)");
      } catch (SQLException e) {
        connection.close();
        throw e;
      }
    }

    /** Adds one record; see {@link MirrorWriter#batch} for the order of {@code values}. */
    public void add(String[] values) throws SQLException {
      line.setLength(0);
      for (int i = 0; i < 2 + object.columns().size(); i++) {
        if (i > 0) {
          line.append(',');
        }
        quote(line, values[i]);
      }
      line.append(',');
      json.setLength(0);
      json.append('{');
      int base = 2 + object.columns().size();
      boolean first = true;
      for (int i = 0; i < extraFields.size(); i++) {
        String v = values[base + i];
        if (v == null || v.isEmpty()) {
          continue;
        }
        if (!first) {
          json.append(',');
        }
        first = false;
        jsonString(json, extraFields.get(i));
        json.append(':');
        jsonValue(json, v, extraTypes.get(extraFields.get(i)));
      }
      json.append('}');
      quote(line, json.toString());
      line.append('\n');
      byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
      buffer.write(bytes, 0, bytes.length);
      rows++;
      if (buffer.size() >= FLUSH_BYTES) {
        flush();
      }
    }

    /** Records added so far. */
    public int rows() {
      return rows;
    }

    private void flush() throws SQLException {
      if (buffer.size() > 0) {
        byte[] bytes = buffer.toByteArray();
        copy.writeToCopy(bytes, 0, bytes.length);
        buffer.reset();
      }
    }

    /** Merges the staged records into the mirror and commits; returns the rows staged. */
    public int commit() throws SQLException {
      flush();
      copy.endCopy();
      StringBuilder cols = new StringBuilder("id, system_modstamp");
      StringBuilder updates = new StringBuilder("system_modstamp = EXCLUDED.system_modstamp");
      String table = object.table();
      StringBuilder mine = new StringBuilder();
      StringBuilder theirs = new StringBuilder();
      for (MirrorColumn col : object.columns()) {
        cols.append(", ").append(col.column());
        updates.append(", ").append(col.column()).append(" = EXCLUDED.").append(col.column());
        mine.append(table).append('.').append(col.column()).append(", ");
        theirs.append("EXCLUDED.").append(col.column()).append(", ");
      }
      cols.append(", extra");
      updates.append(", extra = EXCLUDED.extra, synced_at = now()");
      mine.append(table).append(".extra");
      theirs.append("EXCLUDED.extra");
      try (Statement s = connection.createStatement()) {
        String before = track ? MirrorChanges.beforeMerge(object) : null;
        if (before != null) {
          s.executeUpdate(before);
        }
        // A row whose content is what the mirror has (a re-read inside the overlap, or a write
        // of this product read back) is left alone: only real changes are recorded.
        String merge =
            "INSERT INTO "
                + table
                + " ("
                + cols
                + ") SELECT "
                + cols
                + " FROM stage"
                + " ON CONFLICT (id) DO UPDATE SET "
                + updates
                + " WHERE "
                + table
                + ".system_modstamp <= EXCLUDED.system_modstamp AND ("
                + mine
                + ") IS DISTINCT FROM ("
                + theirs
                + ")";
        if (track) {
          try (ResultSet rs = s.executeQuery(MirrorChanges.tracked(object, merge))) {
            rs.next();
          }
        } else {
          s.executeUpdate(merge);
        }
        if (fullSync) {
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "INSERT INTO sync_seen (object, id) SELECT ?, id FROM stage")) {
            ps.setString(1, object.apiName());
            ps.executeUpdate();
          }
        }
      }
      connection.commit();
      done = true;
      return rows;
    }

    @Override
    public void close() throws SQLException {
      try {
        if (!done) {
          if (copy.isActive()) {
            copy.cancelCopy();
          }
          connection.rollback();
        }
      } finally {
        connection.close();
      }
    }
  }

  private static void quote(StringBuilder out, String v) {
    if (v == null || v.isEmpty()) {
      return;
    }
    out.append('"');
    int quote = v.indexOf('"');
    if (quote < 0) {
      out.append(v);
    } else {
      int from = 0;
      for (; quote >= 0; quote = v.indexOf('"', from)) {
        out.append(v, from, quote + 1).append('"');
        from = quote + 1;
      }
      out.append(v, from, v.length());
    }
    out.append('"');
  }

  private static final java.util.regex.Pattern NUMBER =
      java.util.regex.Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");

  private static void jsonValue(StringBuilder out, String v, String type) {
    if (type != null) {
      switch (type) {
        case "boolean":
          if (v.equals("true") || v.equals("false")) {
            out.append(v);
            return;
          }
          break;
        case "int", "double", "currency", "percent":
          if (NUMBER.matcher(v).matches()) {
            out.append(v);
            return;
          }
          break;
        default:
          break;
      }
    }
    jsonString(out, v);
  }

  static void jsonString(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
