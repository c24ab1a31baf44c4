package io.territorysync.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A PostgreSQL session-level advisory lock, held on a connection of its own: it is released when
 * closed, and when its holder dies (the server ends the session).
 */
public final class AdvisoryLock implements AutoCloseable {

  /** First key of every lock of Territory Sync, {@code pg_advisory_lock(int, int)}: "TSYN". */
  public static final int CLASS_ID = 0x5453594e;

  private final Connection connection;
  private final int id;

  private AdvisoryLock(Connection connection, int id) {
    this.connection = connection;
    this.id = id;
  }

  /** Takes lock {@code id} if it is free; empty when another session holds it. */
  public static Optional<AdvisoryLock> tryAcquire(DataSource dataSource, int id)
      throws SQLException {
    Connection c = dataSource.getConnection();
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
      ps.setInt(1, CLASS_ID);
      ps.setInt(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getBoolean(1)) {
          return Optional.of(new AdvisoryLock(c, id));
        }
      }
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    c.close();
    return Optional.empty();
  }

  /** Whether the session holding the lock is still there. */
  public boolean held() {
    try {
      return connection.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public void close() throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
      ps.setInt(1, CLASS_ID);
      ps.setInt(2, id);
      ps.execute();
    } finally {
      connection.close();
    }
  }
}
