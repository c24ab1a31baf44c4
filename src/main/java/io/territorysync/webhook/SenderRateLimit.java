package io.territorysync.webhook;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per sender: {@code burst} requests at once, refilled at {@code perMinute}. Keeps
 * at most {@link #MAX_SENDERS} senders (forgetting all of them when full, which only ever lets a
 * flood through for a moment) so that many addresses cannot grow it without bound.
 */
final class SenderRateLimit {

  static final int MAX_SENDERS = 10_000;

  private final int burst;
  private final double perNano;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }

  SenderRateLimit(int burst, int perMinute, LongSupplier nanoTime) {
    this.burst = Math.max(1, burst);
    this.perNano = Math.max(1, perMinute) / 60e9;
    this.nanoTime = nanoTime;
  }

  /** 0 when {@code sender} may go on; else the seconds to wait before its next request. */
  long acquire(String sender) {
    if (buckets.size() >= MAX_SENDERS && !buckets.containsKey(sender)) {
      buckets.clear();
    }
    long now = nanoTime.getAsLong();
    Bucket b = buckets.computeIfAbsent(sender, k -> new Bucket(burst, now));
    synchronized (b) {
      b.tokens = Math.min(burst, b.tokens + (now - b.at) * perNano);
      b.at = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - b.tokens) / perNano / 1e9));
    }
  }
}
