package io.territorysync.emulator;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** API calls, Bulk batches and Bulk query jobs used today (UTC), with a count per kind of call. */
public final class ApiUsage {

  private final Clock clock;
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong bulkBatches = new AtomicLong();
  private final AtomicLong bulkQueryJobs = new AtomicLong();
  private final Map<String, AtomicLong> byKind = new ConcurrentHashMap<>();
  private volatile LocalDate day;

  public ApiUsage(Clock clock) {
    this.clock = clock;
    this.day = today();
  }

  private LocalDate today() {
    return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  private void rollOver() {
    LocalDate now = today();
    if (!now.equals(day)) {
      synchronized (this) {
        if (!now.equals(day)) {
          reset();
          day = now;
        }
      }
    }
  }

  /** Counts one API call of {@code kind}; returns the calls used today. */
  long call(String kind) {
    rollOver();
    byKind.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    return calls.incrementAndGet();
  }

  /** Adds {@code n} calls to today's usage, as other integrations of the org would spend them. */
  public void spend(long n) {
    rollOver();
    byKind.computeIfAbsent("other", k -> new AtomicLong()).addAndGet(Math.max(0, n));
    calls.addAndGet(Math.max(0, n));
  }

  void bulkBatches(long n) {
    rollOver();
    bulkBatches.addAndGet(n);
  }

  void bulkQueryJob() {
    rollOver();
    bulkQueryJobs.incrementAndGet();
  }

  /** API calls used today. */
  public long calls() {
    rollOver();
    return calls.get();
  }

  public long bulkBatches() {
    rollOver();
    return bulkBatches.get();
  }

  public long bulkQueryJobs() {
    rollOver();
    return bulkQueryJobs.get();
  }

  /**
   * Calls of one kind ({@code query}, {@code queryMore}, {@code collections}, {@code bulkIngest}…).
   */
  public long calls(String kind) {
    AtomicLong n = byKind.get(kind);
    return n == null ? 0 : n.get();
  }

  /** Starts counting from zero. */
  public synchronized void reset() {
    calls.set(0);
    bulkBatches.set(0);
    bulkQueryJobs.set(0);
    byKind.clear();
  }

  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("apiCalls", calls());
    m.put("bulkBatches", bulkBatches());
    m.put("bulkQueryJobs", bulkQueryJobs());
    Map<String, Long> kinds = new TreeMap<>();
    byKind.forEach((k, v) -> kinds.put(k, v.get()));
    m.put("byKind", kinds);
    return m;
  }
}
