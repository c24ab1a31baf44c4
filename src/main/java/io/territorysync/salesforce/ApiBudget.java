package io.territorysync.salesforce;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The API calls one run may spend: counts every call (retries included) and refuses the next one
 * when the run's budget or the org's daily floor would be crossed.
 */
public final class ApiBudget {

  private final int maxCalls;
  private final long dailyFloor;
  private final ApiUsage usage;
  private final AtomicInteger used = new AtomicInteger();

  public ApiBudget(int maxCalls, long dailyFloor, ApiUsage usage) {
    this.maxCalls = maxCalls;
    this.dailyFloor = dailyFloor;
    this.usage = usage;
  }

  /** A budget for calls made outside runs (readiness checks): counted, never refused. */
  public static ApiBudget outsideRuns() {
    return new ApiBudget(Integer.MAX_VALUE, -1, null);
  }

  private volatile String stopped;

  /**
   * Refuses every further call (the run is stopping): a call is where a run can stop with
   * everything before it kept, as when the budget runs out.
   */
  public void stop(String reason) {
    stopped = reason;
  }

  /** Reserves one call; throws {@link ApiBudgetExhaustedException} when none is left. */
  void spend() {
    if (stopped != null) {
      throw new ApiBudgetExhaustedException("the run is stopping: " + stopped);
    }
    if (used.get() >= maxCalls) {
      throw new ApiBudgetExhaustedException(
          "the run used its budget of "
              + maxCalls
              + " API calls (territory.salesforce.run-api-call-budget)");
    }
    long remaining = usage == null ? -1 : usage.remainingToday();
    if (remaining >= 0 && remaining <= dailyFloor) {
      throw new ApiBudgetExhaustedException(
          "the org has "
              + remaining
              + " API calls left today, at or below the floor of "
              + dailyFloor
              + " (territory.salesforce.daily-api-floor)");
    }
    used.incrementAndGet();
  }

  private final java.util.concurrent.atomic.AtomicLong waitedNanos =
      new java.util.concurrent.atomic.AtomicLong();

  /** Adds time spent waiting on Salesforce: a call's round trip, or a pause while a job runs. */
  void waited(long nanos) {
    waitedNanos.addAndGet(nanos);
  }

  /** Milliseconds this run spent waiting on Salesforce (responses and job polling pauses). */
  public long waitedMs() {
    return waitedNanos.get() / 1_000_000;
  }

  /** API calls this run has made. */
  public int used() {
    return used.get();
  }

  public int max() {
    return maxCalls;
  }
}
