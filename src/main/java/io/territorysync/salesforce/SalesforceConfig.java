package io.territorysync.salesforce;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * How Territory Sync spends and protects Salesforce API calls. The connection itself (login URL,
 * credentials, API version) is configured through the camel-salesforce component's options.
 */
@ConfigMapping(prefix = "territory.salesforce")
public interface SalesforceConfig {

  /** Most API calls one run may make; the run stops cleanly when it would make more. */
  @WithDefault("5000")
  int runApiCallBudget();

  /**
   * A run stops before the org's remaining daily API calls fall below this, leaving room for other
   * integrations.
   */
  @WithDefault("5000")
  long dailyApiFloor();

  /** Retries of transient failures (5xx, UNABLE_TO_LOCK_ROW, connection errors). */
  Retry retry();

  /** Bulk API 2.0 job polling. */
  Poll poll();

  /**
   * How long readiness reuses the last /limits answer before asking again (each ask is an API
   * call).
   */
  @WithDefault("5m")
  Duration limitsCacheTtl();

  /** Retry settings. */
  interface Retry {
    /** Attempts per call, the first included. */
    @WithDefault("6")
    int maxAttempts();

    /** Wait before the first retry; doubles each time, with jitter. */
    @WithDefault("500ms")
    Duration initialBackoff();

    /** Longest wait between retries. */
    @WithDefault("30s")
    Duration maxBackoff();
  }

  /** Bulk job polling settings. */
  interface Poll {
    /** First wait before polling a job; grows by half each poll. */
    @WithDefault("500ms")
    Duration initialInterval();

    /** Longest wait between polls. */
    @WithDefault("5s")
    Duration maxInterval();

    /** Give up on a job that has not finished after this long. */
    @WithDefault("30m")
    Duration timeout();
  }
}
