package io.territorysync.webhook;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Decides when a refused sender is logged: its first refusal, then at most once a minute, with how
 * many requests were refused since the last line. A flood from one sender is one line a minute, not
 * one a request.
 */
final class RefusedSenders {

  static final long INTERVAL_NANOS = 60_000_000_000L;

  /** Senders remembered at most; beyond, those not logged within the interval are forgotten. */
  private static final int MAX_SENDERS = 10_000;

  private final LongSupplier clock;
  private final Map<String, Entry> senders = new ConcurrentHashMap<>();

  private static final class Entry {
    long loggedAt;
    long refusedSince;

    Entry(long loggedAt) {
      this.loggedAt = loggedAt;
    }
  }

  RefusedSenders(LongSupplier clock) {
    this.clock = clock;
  }

  /**
   * Records one refusal of {@code sender}. Returns -1 when no line is due, 0 for the sender's first
   * refusal, and otherwise the refusals since the last line, this one included.
   */
  long refused(String sender) {
    long now = clock.getAsLong();
    if (senders.size() >= MAX_SENDERS) {
      senders.values().removeIf(e -> now - e.loggedAt >= INTERVAL_NANOS);
    }
    long[] due = {-1};
    senders.compute(
        sender,
        (k, e) -> {
          if (e == null) {
            due[0] = 0;
            return new Entry(now);
          }
          e.refusedSince++;
          if (now - e.loggedAt >= INTERVAL_NANOS) {
            due[0] = e.refusedSince;
            e.loggedAt = now;
            e.refusedSince = 0;
          }
          return e;
        });
    return due[0];
  }
}
