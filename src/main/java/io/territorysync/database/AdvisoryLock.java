package io.territorysync.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * A PostgreSQL session-level advisory lock, held on a connection of its own: it is released when
 * closed, and when its holder dies (the server ends the session). A connection whose unlock failed
 * is closed for good, never returned to the pool: its session may be gone, or may still hold the
 * lock.
 */
public final class AdvisoryLock implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(AdvisoryLock.class);

  /** First key of every lock of Territory Sync, {@code pg_advisory_lock(int, int)}: "TSYN". */
  public static final int CLASS_ID = 0x5453594e;

  /** How long a check of the lock's session may wait for the server. */
  private static final int CHECK_TIMEOUT_MS = 10_000;

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
      discard(c);
      throw e;
    }
    c.close();
    return Optional.empty();
  }

  /** Work done on the lock's own session. */
  @FunctionalInterface
  public interface SessionWork<T> {
    T apply(Connection session) throws SQLException;
  }

  /**
   * Runs {@code work} on the lock's session (autocommit; one caller at a time), with a network
   * timeout so a session whose server went silent fails instead of waiting for ever.
   */
  public synchronized <T> T onSession(SessionWork<T> work) throws SQLException {
    connection.setNetworkTimeout(Runnable::run, CHECK_TIMEOUT_MS);
    try {
      return work.apply(connection);
    } finally {
      // the pool lends this connection again later: no timeout of ours may stay on it
      try {
        connection.setNetworkTimeout(Runnable::run, 0);
      } catch (SQLException e) {
        LOG.debugf("Advisory lock %d: session already closed (%s)", id, e);
      }
    }
  }

  /**
   * Whether the lock is still held: its session answers and the server lists the lock as granted to
   * it.
   */
  public boolean held() {
    try {
      return onSession(
          c -> {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                        + " AND classid::bigint = ? AND objid::bigint = ? AND objsubid = 2"
                        + " AND pid = pg_backend_pid() AND granted)")) {
              ps.setLong(1, CLASS_ID);
              ps.setLong(2, id);
              try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
              }
            }
          });
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Releases the lock. When the unlock fails (the session is gone, or it did not hold the lock) the
   * connection is closed physically rather than returned to the pool; the lock is then not held by
   * anyone through it (a dead session's locks are released by the server).
   */
  @Override
  public synchronized void close() throws SQLException {
    boolean released = false;
    try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
      ps.setInt(1, CLASS_ID);
      ps.setInt(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        released = rs.next() && rs.getBoolean(1);
      }
      if (!released) {
        LOG.warnf("Advisory lock %d was no longer held by its session; closing it", id);
      }
    } catch (SQLException e) {
      LOG.warnf(
          "Advisory lock %d: its session cannot be unlocked (%s); closing the connection", id, e);
    } finally {
      if (released) {
        connection.close();
      } else {
        discard(connection);
      }
    }
  }

  /** Closes a pooled connection for good: the pool drops it instead of lending it again. */
  static void discard(Connection c) {
    try {
      if (c instanceof io.agroal.pool.wrapper.ConnectionWrapper pooled) {
        pooled.getHandler().setFlushOnly();
        pooled.close();
      } else {
        c.abort(Runnable::run);
        c.close();
      }
    } catch (SQLException | RuntimeException e) {
      LOG.debugf("Closing a broken connection: %s", e);
    }
  }
}
