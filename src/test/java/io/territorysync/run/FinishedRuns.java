package io.territorysync.run;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Finished runs with changes, written straight into the database for tests of what happens to old
 * runs; {@link #remove} deletes them (and their changes and webhook events) after the test.
 */
public final class FinishedRuns {

  private final DataSource dataSource;
  private final List<Long> ids = new ArrayList<>();

  public FinishedRuns(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * A run that ended with {@code status} at {@code finished}, with {@code changes} done account
   * additions of accounts H1, H2…; a mini-run names one account, as a webhook mini-run does.
   */
  public long add(boolean mini, String status, Instant finished, int changes) throws SQLException {
    long id;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO run (trigger, status, requested_at, started_at, finished_at,"
                    + " heartbeat_at, accounts) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
      Timestamp at = Timestamp.from(finished);
      ps.setString(1, mini ? "webhook" : "schedule");
      ps.setString(2, status);
      for (int i = 3; i <= 6; i++) {
        ps.setTimestamp(i, at);
      }
      ps.setArray(7, mini ? c.createArrayOf("text", new Object[] {"001HISTORY000001"}) : null);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        id = rs.getLong(1);
      }
      ids.add(id);
      try (PreparedStatement changesOf =
          c.prepareStatement(
              "INSERT INTO plan_change (run_id, phase, kind, action, object_id, account_id,"
                  + " territory_id, status, planned_at, written_at)"
                  + " SELECT ?, 1, 'account', 'add', 'H' || g, 'H' || g, '0MI000000000001',"
                  + " 'done', ?, ? FROM generate_series(1, ?) g")) {
        changesOf.setLong(1, id);
        changesOf.setTimestamp(2, at);
        changesOf.setTimestamp(3, at);
        changesOf.setInt(4, changes);
        changesOf.executeUpdate();
      }
    }
    return id;
  }

  /** Deletes every run added here, with its changes and webhook events. */
  public void remove() throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      for (long id : ids) {
        s.executeUpdate("DELETE FROM webhook_event WHERE run_id = " + id);
        s.executeUpdate("DELETE FROM plan_change WHERE run_id = " + id);
        s.executeUpdate("DELETE FROM run WHERE id = " + id);
      }
    }
    ids.clear();
  }
}
