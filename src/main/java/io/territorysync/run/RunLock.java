package io.territorysync.run;

import io.agroal.api.AgroalDataSource;
import io.territorysync.database.AdvisoryLock;
import io.territorysync.database.LockEpoch;
import io.territorysync.database.LockLostException;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The PostgreSQL advisory lock that allows one run at a time across every process sharing the
 * database. It is held by a session, so it is released when its holder dies; and it can be lost
 * while its holder lives (the server or a proxy ends the session). Each taker increments the lock's
 * epoch ({@link LockEpoch}): a run checks its lock ({@link #check}) before it writes, and its write
 * transactions check the epoch is still its own.
 */
public final class RunLock implements AutoCloseable {

  /** First key of {@code pg_advisory_lock(int, int)}: "TSYN". */
  public static final int CLASS_ID = AdvisoryLock.CLASS_ID;

  /** Second key: the run lock. */
  public static final int OBJ_ID = 1;

  private final AdvisoryLock lock;
  private final long epoch;
  private volatile String lost;

  private RunLock(AdvisoryLock lock, long epoch) {
    this.lock = lock;
    this.epoch = epoch;
  }

  /** Takes the lock if free, and a new epoch; empty when another process holds it. */
  public static Optional<RunLock> tryAcquire(AgroalDataSource dataSource) throws SQLException {
    Optional<AdvisoryLock> taken = AdvisoryLock.tryAcquire(dataSource, OBJ_ID);
    if (taken.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new RunLock(taken.get(), taken.get().onSession(LockEpoch::next)));
    } catch (SQLException | RuntimeException e) {
      taken.get().close();
      throw e;
    }
  }

  /** The epoch this holder took with the lock. */
  public long epoch() {
    return epoch;
  }

  /**
   * Why this holder no longer holds the lock, or null while it does: its session does not answer,
   * the server no longer lists the lock as its, or the epoch moved on (another process took it).
   * Once lost, it stays lost.
   */
  public String lost() {
    String why = lost;
    if (why != null) {
      return why;
    }
    long current;
    try {
      current = lock.onSession(LockEpoch::current);
    } catch (SQLException e) {
      return lost = "its database session ended (" + e.getMessage() + ")";
    }
    if (!lock.held()) {
      return lost = "the database no longer holds it for this process";
    }
    if (current != epoch) {
      return lost =
          "another process took it (lock epoch " + current + ", this run's " + epoch + ")";
    }
    return null;
  }

  /** Throws {@link LockLostException} when the lock is lost. */
  public void check() {
    String why = lost();
    if (why != null) {
      throw new LockLostException("the run lock was lost: " + why);
    }
  }

  @Override
  public void close() throws SQLException {
    lock.close();
  }
}
