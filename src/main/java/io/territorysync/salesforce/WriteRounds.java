package io.territorysync.salesforce;

import io.smallrye.faulttolerance.api.TypedGuard;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import org.jboss.logging.Logger;

/**
 * The declared retry policy of write-backs that go in rounds: records that failed transiently (row
 * locks, 5xx) are sent again in another round, after a pause that doubles each round, until none
 * are left or {@code maxRounds} rounds were spent. A round says how it ended by returning, or by
 * throwing {@link RecordsLeft} for another round.
 */
public final class WriteRounds {

  private static final Logger LOG = Logger.getLogger(WriteRounds.class);

  private final TypedGuard<Void> policy;
  private final int maxRounds;

  /** {@code maxRounds} rounds at most; {@code backoff} before the second, doubling after. */
  public WriteRounds(int maxRounds, Duration backoff) {
    this.maxRounds = Math.max(1, maxRounds);
    long pause = Math.max(0, backoff.toMillis());
    this.policy =
        TypedGuard.create(Void.class)
            .withRetry()
            .maxRetries(this.maxRounds - 1)
            .delay(pause, ChronoUnit.MILLIS)
            .jitter(0, ChronoUnit.MILLIS)
            .maxDuration(Duration.ofDays(30).toMillis(), ChronoUnit.MILLIS)
            .retryOn(RecordsLeft.class)
            .beforeRetry(
                t -> LOG.warnf("%s; another round (at most %d)", t.getMessage(), this.maxRounds))
            .withExponentialBackoff()
            .factor(2)
            .maxDelay(pause << Math.min(this.maxRounds, 20), ChronoUnit.MILLIS)
            .done()
            .done()
            .build();
  }

  /** The most rounds a write gets. */
  public int maxRounds() {
    return maxRounds;
  }

  /**
   * Runs {@code round} until it returns or the rounds are spent; returns the {@link RecordsLeft} of
   * the last round when they are, null when every record was settled.
   */
  public RecordsLeft run(Callable<Void> round) throws Exception {
    try {
      policy.call(round);
      return null;
    } catch (RecordsLeft left) {
      return left;
    }
  }

  /** A round that left records to send again; its message says how many and what. */
  public static final class RecordsLeft extends RuntimeException {

    public RecordsLeft(String message) {
      super(message, null, false, false);
    }
  }
}
