package io.territorysync.run;

import io.agroal.api.AgroalDataSource;
import io.territorysync.database.AdvisoryLock;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The PostgreSQL advisory lock that allows one run at a time across every process sharing the
 * database. It is held by a session, so it is released when its holder dies.
 */
public final class RunLock implements AutoCloseable {

  /** First key of {@code pg_advisory_lock(int, int)}: "TSYN". */
  public static final int CLASS_ID = AdvisoryLock.CLASS_ID;

  /** Second key: the run lock. */
  public static final int OBJ_ID = 1;

  private final AdvisoryLock lock;

  private RunLock(AdvisoryLock lock) {
    this.lock = lock;
  }

  /** Takes the lock if free; empty when another process holds it. */
  public static Optional<RunLock> tryAcquire(AgroalDataSource dataSource) throws SQLException {
    return AdvisoryLock.tryAcquire(dataSource, OBJ_ID).map(RunLock::new);
  }

  @Override
  public void close() throws SQLException {
    lock.close();
  }
}
