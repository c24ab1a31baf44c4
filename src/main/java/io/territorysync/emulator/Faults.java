package io.territorysync.emulator;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Faults injected into an emulated org, changeable while it runs: latency, 503s, per-record lock
 * errors, sessions that expire after N calls, and a request limit reached after N calls. Randomness
 * is seeded so a test sees the same faults on every run.
 */
public final class Faults {

  private volatile long latencyMillis;
  private volatile double serverUnavailableRate;
  private volatile double lockRowRate;
  private volatile long sessionExpiresAfterCalls;
  private volatile long requestLimitAfterCalls;
  private final Random random;
  private final java.util.concurrent.atomic.AtomicLong unavailableServed =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong lockErrorsServed =
      new java.util.concurrent.atomic.AtomicLong();

  public Faults(long seed) {
    this.random = new Random(seed);
  }

  /** Delay added to every API call. */
  public long latencyMillis() {
    return latencyMillis;
  }

  /** Share (0..1) of API calls answered 503 SERVER_UNAVAILABLE. */
  public double serverUnavailableRate() {
    return serverUnavailableRate;
  }

  /** Share (0..1) of written records failing with UNABLE_TO_LOCK_ROW. */
  public double lockRowRate() {
    return lockRowRate;
  }

  /** An access token stops working after this many calls (0: never). */
  public long sessionExpiresAfterCalls() {
    return sessionExpiresAfterCalls;
  }

  /** Once this many API calls were used today, every call gets REQUEST_LIMIT_EXCEEDED (0: off). */
  public long requestLimitAfterCalls() {
    return requestLimitAfterCalls;
  }

  public Faults latencyMillis(long ms) {
    this.latencyMillis = Math.max(0, ms);
    return this;
  }

  public Faults serverUnavailableRate(double rate) {
    this.serverUnavailableRate = clamp(rate);
    return this;
  }

  public Faults lockRowRate(double rate) {
    this.lockRowRate = clamp(rate);
    return this;
  }

  public Faults sessionExpiresAfterCalls(long calls) {
    this.sessionExpiresAfterCalls = Math.max(0, calls);
    return this;
  }

  public Faults requestLimitAfterCalls(long calls) {
    this.requestLimitAfterCalls = Math.max(0, calls);
    return this;
  }

  /** Removes every fault. */
  public Faults clear() {
    return latencyMillis(0)
        .serverUnavailableRate(0)
        .lockRowRate(0)
        .sessionExpiresAfterCalls(0)
        .requestLimitAfterCalls(0);
  }

  boolean serverUnavailableNow() {
    double rate = serverUnavailableRate;
    boolean now = rate > 0 && roll() < rate;
    if (now) {
      unavailableServed.incrementAndGet();
    }
    return now;
  }

  boolean lockFailsNow() {
    double rate = lockRowRate;
    boolean now = rate > 0 && roll() < rate;
    if (now) {
      lockErrorsServed.incrementAndGet();
    }
    return now;
  }

  /** 503 SERVER_UNAVAILABLE answers injected so far (what a test checks was really served). */
  public long serverUnavailableServed() {
    return unavailableServed.get();
  }

  /** UNABLE_TO_LOCK_ROW record errors injected so far. */
  public long lockErrorsServed() {
    return lockErrorsServed.get();
  }

  private double roll() {
    synchronized (random) {
      return random.nextDouble();
    }
  }

  /** The faults as the admin API shows them. */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("latencyMillis", latencyMillis);
    m.put("serverUnavailableRate", serverUnavailableRate);
    m.put("lockRowRate", lockRowRate);
    m.put("sessionExpiresAfterCalls", sessionExpiresAfterCalls);
    m.put("requestLimitAfterCalls", requestLimitAfterCalls);
    m.put("serverUnavailableServed", serverUnavailableServed());
    m.put("lockErrorsServed", lockErrorsServed());
    return m;
  }

  /** Applies the keys present in {@code changes} (as the admin API receives them). */
  public void apply(Map<String, Object> changes) {
    changes.forEach(
        (k, v) -> {
          double d = v == null ? 0 : Double.parseDouble(v.toString());
          switch (k) {
            case "latencyMillis" -> latencyMillis((long) d);
            case "serverUnavailableRate" -> serverUnavailableRate(d);
            case "lockRowRate" -> lockRowRate(d);
            case "sessionExpiresAfterCalls" -> sessionExpiresAfterCalls((long) d);
            case "requestLimitAfterCalls" -> requestLimitAfterCalls((long) d);
            default -> throw new IllegalArgumentException("unknown fault '" + k + "'");
          }
        });
  }

  private static double clamp(double rate) {
    return Math.max(0, Math.min(1, rate));
  }
}
