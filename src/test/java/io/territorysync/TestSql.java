package io.territorysync;

import io.territorysync.mirror.MirrorObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Small SQL helpers shared by tests that look into the database. */
public final class TestSql {

  /** Tables holding state that one test's runs leave for the next; wiped between tests. */
  private static final List<String> STATE =
      List.of(
          "sync_watermark",
          "webhook_event",
          "schedule_state",
          "sync_seen",
          "sf_field",
          "desired_assignment",
          "desired_user_assignment",
          "managed_association",
          "plan_change",
          "territory_rollup",
          "territory_balance",
          "rollup_written",
          "rollup_state",
          "rollup_account",
          "rollup_opportunity",
          "rules_publication",
          "change_event_dead_letter",
          "change_event",
          "mirror_change",
          "run_basis",
          "realign_proposal");

  private TestSql() {}

  /** The first column of the first row of {@code sql}, as a number. */
  public static long count(DataSource dataSource, String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The first column of every row of {@code sql}, as text. */
  public static List<String> strings(DataSource dataSource, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** Empties the mirror and every table of sync, rules and write-back state. */
  public static void wipe(DataSource dataSource) throws SQLException {
    List<String> tables = new ArrayList<>(STATE);
    for (MirrorObject o : MirrorObject.ALL) {
      tables.add(o.table());
    }
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("TRUNCATE " + String.join(", ", tables));
      s.execute(
          "UPDATE run SET status = 'failed', error = 'cleared by a test' WHERE status = 'queued'");
    }
  }
}
