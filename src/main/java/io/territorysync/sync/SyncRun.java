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
   * Whether the run before this one recorded everything it wrote in the mirror (it ended rather
   * than died): only then may the sync skip this product's own writes inside the overlap.
   */
  boolean previousWritesRecorded();

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
