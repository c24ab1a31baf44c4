package io.territorysync.run;

/** The run was asked to stop (the service is shutting down) and reached a safe point. */
public class RunStoppedException extends RuntimeException {

  public RunStoppedException(String reason) {
    super("stopped at a safe point: " + reason);
  }
}
