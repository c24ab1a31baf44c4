package io.territorysync.sync;

import io.territorysync.salesforce.ApiBudget;
import java.util.List;

/** What the sync stage needs of the run it works for; the run orchestrator implements it. */
public interface SyncRun {

  long runId();

  /** Whether every object is read in full instead of incrementally. */
  boolean full();

  ApiBudget budget();

  /** The accounts a scoped run works on, or null for a whole run. */
  List<String> accounts();

  /**
   * Whether every run that may have written to the org at or after {@code since} recorded all it
   * wrote in the mirror (each ended rather than died or failed): only then may the sync skip this
   * product's own writes made since then.
   */
  boolean writesRecordedSince(java.time.Instant since);

  /**
   * Whether the mirror records what this sync changes: false only while no run has evaluated every
   * account yet (the next run works on every account anyway).
   */
  boolean changesTracked();

  /** Records how far the stage got ({@code total} below 0: unknown). */
  void progress(String step, long done, long total);

  /** Adds the stage's report to the run summary under {@code key}. */
  default void report(String key, Object value) {}
}
