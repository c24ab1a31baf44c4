package io.territorysync.rollup;

import io.territorysync.salesforce.ApiBudget;
import java.util.Map;

/** What the rollups stage needs of the run it works for; the run orchestrator implements it. */
public interface RollupRun {

  long runId();

  /** A full run writes every rollup, so records deleted in the org come back. */
  boolean full();

  /** Compute only: nothing is written. */
  boolean dryRun();

  ApiBudget budget();

  /** The target Territory2Model, as the rules stage set it. */
  String modelId();

  /**
   * Why the stored rollups are still current (nothing they are computed from changed since), or
   * null when they must be computed.
   */
  String rollupsCurrent();

  /** Counts the stage fills in. */
  Map<String, Long> rollups();

  /** Marks the run partial: it finished, but some records failed. */
  void partial(String why);

  /** Adds the stage's report to the run summary under {@code key}. */
  void report(String key, Object value);
}
