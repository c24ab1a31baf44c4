package io.territorysync.database;

/**
 * A run no longer holds the run lock (its database session ended, or another process took the lock
 * since): it must not write anything more.
 */
public class LockLostException extends RuntimeException {

  public LockLostException(String message) {
    super(message);
  }
}
