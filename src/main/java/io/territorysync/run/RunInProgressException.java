package io.territorysync.run;

/** Another run holds the run lock. */
public class RunInProgressException extends RuntimeException {

  public RunInProgressException(String message) {
    super(message);
  }
}
