package io.territorysync.run;

import io.agroal.api.AgroalDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The PostgreSQL advisory lock that allows one run at a time across every process sharing the
 * database. It is held by a session, so it is released when its holder dies.
 */
public final class RunLock implements AutoCloseable {

  /** First key of {@code pg_advisory_lock(int, int)}: "TSYN". */
  public static final int CLASS_ID = 0x5453594e;

  /** Second key: the run lock. */
  public static final int OBJ_ID = 1;

  private final Connection connection;

  private RunLock(Connection connection) {
    this.connection = connection;
  }

  /** Takes the lock if free; empty when another process holds it. */
  public static java.util.Optional<RunLock> tryAcquire(AgroalDataSource dataSource)
      throws SQLException {
    Connection c = dataSource.getConnection();
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
      ps.setInt(1, CLASS_ID);
      ps.setInt(2, OBJ_ID);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getBoolean(1)) {
          return java.util.Optional.of(new RunLock(c));
        }
      }
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    c.close();
    return java.util.Optional.empty();
  }

  @Override
  public void close() throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
      ps.setInt(1, CLASS_ID);
      ps.setInt(2, OBJ_ID);
      ps.execute();
    } finally {
      connection.close();
    }
  }
}
