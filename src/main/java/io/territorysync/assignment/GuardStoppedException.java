package io.territorysync.assignment;

/** A plan broke the safety guard: nothing was written; a forced run may write it. */
public class GuardStoppedException extends RuntimeException {
  public GuardStoppedException(String message) {
    super(message, null, false, false);
  }
}
