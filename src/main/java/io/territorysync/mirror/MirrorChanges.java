package io.territorysync.mirror;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What changed in the mirror since a whole run last took it into account ({@code mirror_change}).
 * The mirror writer records every real change as it merges it: the account concerned when an
 * account, one of its territory associations or one of its opportunities changed; the object's name
 * when a row of the territory model changed. Rows read again with the content the mirror already
 * has record nothing. A run reads a {@link Snapshot}, works on it, and clears what it took into
 * account.
 */
@ApplicationScoped
public class MirrorChanges {

  private static final String ON_CONFLICT =
      " ON CONFLICT (kind, key) DO UPDATE SET seq = nextval('mirror_change_seq'),"
          + " changed_at = now()";

  @Inject AgroalDataSource dataSource;

  /** The changes recorded up to a point: accounts by count, model objects by name. */
  public record Snapshot(long upTo, long accounts, Set<String> objects) {
    /** Nothing changed. */
    public boolean empty() {
      return accounts == 0 && objects.isEmpty();
    }
  }

  /** The changes recorded so far. */
  public Snapshot snapshot() throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT coalesce(max(seq), 0), count(*) FILTER (WHERE kind = 'account'),"
                    + " array_agg(key ORDER BY key) FILTER (WHERE kind = 'object')"
                    + " FROM mirror_change")) {
      rs.next();
      Set<String> objects = new TreeSet<>();
      java.sql.Array names = rs.getArray(3);
      if (names != null) {
        for (Object o : (Object[]) names.getArray()) {
          objects.add((String) o);
        }
      }
      return new Snapshot(rs.getLong(1), rs.getLong(2), objects);
    }
  }

  /** The accounts that changed up to {@code upTo}. */
  public List<String> accounts(long upTo) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT key FROM mirror_change WHERE kind = 'account' AND seq <= ? ORDER BY key")) {
      ps.setLong(1, upTo);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /**
   * Records that {@code accounts} changed (a write of this product that the next whole run must
   * take into account, such as a webhook mini-run's).
   */
  public void accountsChanged(List<String> accounts) throws SQLException {
    if (accounts.isEmpty()) {
      return;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO mirror_change (kind, key) SELECT DISTINCT 'account', unnest(?::text[])"
                    + ON_CONFLICT)) {
      ps.setArray(1, c.createArrayOf("text", accounts.toArray()));
      ps.executeUpdate();
    }
  }

  /**
   * Forgets the changes recorded up to {@code upTo}, except the accounts in {@code keep} (whose
   * changes a run could not write: the next run tries them again). Returns how many it forgot.
   */
  public long clear(long upTo, List<String> keep) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "DELETE FROM mirror_change WHERE seq <= ?"
                    + " AND NOT (kind = 'account' AND key = ANY(?))")) {
      ps.setLong(1, upTo);
      ps.setArray(2, c.createArrayOf("text", keep.toArray()));
      return ps.executeUpdate();
    }
  }

  /**
   * The column of {@code object}'s mirror table naming the account a change concerns, or null when
   * a change of it concerns the territory model as a whole.
   */
  static String accountColumn(MirrorObject object) {
    return switch (object.apiName()) {
      case "Account" -> "id";
      case "ObjectTerritory2Association" -> "object_id";
      case "Opportunity" -> "account_id";
      case "Territory2ObjectExclusion" -> "object_id";
      default -> null;
    };
  }

  /** Users matter to no assignment or rollup: their changes are not recorded. */
  private static boolean untracked(MirrorObject object) {
    return object.apiName().equals("User");
  }

  /**
   * A query that runs {@code dml} (an INSERT, UPDATE or DELETE on {@code object}'s table, without
   * RETURNING), records what it changed, and returns one row: how many rows it changed.
   */
  static String tracked(MirrorObject object, String dml) {
    if (untracked(object)) {
      return "WITH changed AS (" + dml + " RETURNING id) SELECT count(*) FROM changed";
    }
    String column = accountColumn(object);
    String mark =
        column != null
            ? "INSERT INTO mirror_change (kind, key) SELECT DISTINCT 'account', k FROM changed"
                + " WHERE k IS NOT NULL"
            : "INSERT INTO mirror_change (kind, key) SELECT 'object', '"
                + object.apiName()
                + "' WHERE EXISTS (SELECT 1 FROM changed)";
    return "WITH changed AS ("
        + dml
        + " RETURNING "
        + (column != null ? column : "id")
        + " AS k), marked AS ("
        + mark
        + ON_CONFLICT
        + ") SELECT count(*) FROM changed";
  }

  /**
   * A statement to run before merging the staged rows of {@code object}, or null: an opportunity
   * moved to another account changes the account it left too.
   */
  static String beforeMerge(MirrorObject object) {
    if (!object.apiName().equals("Opportunity")) {
      return null;
    }
    return "INSERT INTO mirror_change (kind, key) SELECT DISTINCT 'account', t.account_id"
        + " FROM stage s JOIN sf_opportunity t ON t.id = s.id WHERE t.account_id IS NOT NULL"
        + " AND t.account_id IS DISTINCT FROM s.account_id"
        + " AND t.system_modstamp <= s.system_modstamp"
        + ON_CONFLICT;
  }

  /** Runs a {@link #tracked} query and returns its count. */
  static long count(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
