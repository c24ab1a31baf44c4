package io.territorysync.salesforce;

/**
 * Territory Sync stopped itself: the run's call budget or the org's daily floor would be crossed.
 */
public class ApiBudgetExhaustedException extends RuntimeException {

  public ApiBudgetExhaustedException(String message) {
    super(message);
  }
}
