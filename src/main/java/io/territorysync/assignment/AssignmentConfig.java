package io.territorysync.assignment;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.OptionalLong;

/** How plans are made, guarded and written back. */
@ConfigMapping(prefix = "territory.assignment")
public interface AssignmentConfig {

  /**
   * Which manual account associations of the model Territory Sync may remove: {@code owned} (only
   * those it created, the default) or {@code all} (every Territory2Manual row of the model).
   */
  @WithDefault("owned")
  String removePolicy();

  /** The safety guard, checked before anything is written. */
  Guard guard();

  /** Opportunity territories. */
  Opportunities opportunities();

  /** The write-back. */
  Write write();

  /** Limits a plan must stay within unless the run is forced. */
  interface Guard {
    /** Largest share (0..1) of the managed associations a plan may remove. */
    @WithDefault("0.20")
    double maxRemoveShare();

    /** Largest number of records a plan may touch (unset: no limit). */
    OptionalLong maxChanges();
  }

  /** Opportunity.Territory2Id by Salesforce's default filter logic. */
  interface Opportunities {
    /** Whether opportunity territories are set at all. */
    @WithDefault("true")
    boolean enabled();

    /** Whether closed opportunities are realigned too. */
    @WithDefault("false")
    boolean includeClosed();
  }

  /** How changes reach the org. */
  interface Write {
    /** Above this many records in one phase, Bulk API 2.0 ingest; below, sObject Collections. */
    @WithDefault("2000")
    int bulkThreshold();

    /** Records per Bulk API 2.0 ingest job (a job's CSV must stay under 100 MB). */
    @WithDefault("500000")
    int bulkJobSize();

    /** Rounds for records that failed transiently (UNABLE_TO_LOCK_ROW, 5xx) before giving up. */
    @WithDefault("5")
    int maxAttempts();

    /** Pause before the first retry round; doubles each round. */
    @WithName("retry-backoff")
    @WithDefault("2s")
    Duration retryBackoff();
  }
}
