package io.territorysync.run;

/**
 * The PostgreSQL advisory lock that allows one run at a time across every replica sharing the
 * database. It is a session lock, so it is released when its holder dies.
 */
public final class RunLock {

  /** First key of {@code pg_advisory_lock(int, int)}: "TSYN". */
  public static final int CLASS_ID = 0x5453594e;

  /** Second key: the run lock. */
  public static final int OBJ_ID = 1;

  private RunLock() {}
}
