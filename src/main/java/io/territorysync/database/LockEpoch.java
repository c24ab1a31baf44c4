package io.territorysync.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The run lock's epoch ({@code run_lock_epoch}): every process that takes the run lock increments
 * it, so a write transaction of a run can check, under a share lock of the row, that no other run
 * took the lock since its own began (a fence against a run that lost its lock without noticing).
 */
public final class LockEpoch {

  private LockEpoch() {}

  /** Increments the epoch; returns the new value, the taker's epoch. */
  public static long next(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO run_lock_epoch AS e (id, epoch) VALUES (1, 1)"
                    + " ON CONFLICT (id) DO UPDATE SET epoch = e.epoch + 1 RETURNING epoch");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The current epoch (0 before anyone took the lock). */
  public static long current(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT epoch FROM run_lock_epoch WHERE id = 1");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /**
   * In a write transaction on {@code c}: throws {@link LockLostException} unless {@code epoch} is
   * still current; the row stays share-locked until the transaction ends, so the lock cannot change
   * hands before the transaction commits. An epoch of 0 (a write outside a run) is not fenced.
   */
  public static void fence(Connection c, long epoch) throws SQLException {
    if (epoch <= 0) {
      return;
    }
    long current;
    try (PreparedStatement ps =
            c.prepareStatement("SELECT epoch FROM run_lock_epoch WHERE id = 1 FOR SHARE");
        ResultSet rs = ps.executeQuery()) {
      current = rs.next() ? rs.getLong(1) : 0;
    }
    if (current != epoch) {
      throw new LockLostException(
          "another process took the run lock since this run took it (lock epoch "
              + current
              + ", this run's "
              + epoch
              + "); this run's writes are not recorded");
    }
  }
}
