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

  private volatile java.util.regex.Pattern loseAnswers;
  private final java.util.concurrent.atomic.AtomicLong loseAnswersLeft =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong answersLost =
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

  /**
   * The next {@code times} API calls whose {@code "METHOD path body"} (the path after {@code
   * /services/data/vNN.N/}, e.g. {@code PATCH jobs/ingest/750… {"state":"UploadComplete"}}) has a
   * match of {@code regex} ({@code find}; anchor with ^) are applied but lose their answer: the
   * connection closes, as when the response times out. A client that retries then meets what its
   * first attempt did (a closed job, a duplicate record).
   */
  public Faults loseAnswers(String regex, long times) {
    this.loseAnswers = regex == null ? null : java.util.regex.Pattern.compile(regex);
    this.loseAnswersLeft.set(regex == null ? 0 : Math.max(0, times));
    return this;
  }

  /** Answers lost so far ({@link #loseAnswers}). */
  public long answersLost() {
    return answersLost.get();
  }

  boolean loseAnswerNow(String method, String path, byte[] body) {
    java.util.regex.Pattern p = loseAnswers;
    if (p == null) {
      return false;
    }
    String text =
        method
            + " "
            + path
            + " "
            + new String(
                body, 0, Math.min(body.length, 100_000), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.matcher(text).find()) {
      return false;
    }
    if (loseAnswersLeft.getAndUpdate(n -> Math.max(0, n - 1)) <= 0) {
      return false;
    }
    answersLost.incrementAndGet();
    return true;
  }

  /** Removes every fault. */
  public Faults clear() {
    loseAnswers(null, 0);
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
    m.put("loseAnswers", loseAnswers == null ? null : loseAnswers.pattern());
    m.put("loseAnswersLeft", loseAnswersLeft.get());
    m.put("answersLost", answersLost());
    return m;
  }

  /** Applies the keys present in {@code changes} (as the admin API receives them). */
  public void apply(Map<String, Object> changes) {
    changes.forEach(
        (k, v) -> {
          if (k.equals("loseAnswers")) {
            // "^PATCH jobs/ingest/" loses the next matching answer; null stops
            loseAnswers(v == null ? null : v.toString(), 1);
            return;
          }
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
