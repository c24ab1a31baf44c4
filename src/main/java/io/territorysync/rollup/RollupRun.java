package io.territorysync.rollup;

import io.territorysync.salesforce.ApiBudget;
import java.util.List;

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

  /**
   * The accounts whose changes the rollups may apply to the stored ones (the run evaluated only the
   * accounts that changed, and no territory-model object changed), or null: compute them whole.
   */
  List<String> rollupAccounts();

  /** Why the rollups are computed whole or from the changed accounts (for the run summary). */
  String rollupsReason();

  /**
   * A safe point before a write to the org: throws {@link
   * io.territorysync.database.LockLostException} when the run no longer holds the run lock.
   */
  default void checkLock() {}

  /**
   * The run lock's epoch this run holds (0: not fenced); the transaction recording a call's
   * outcomes checks it is still current ({@link io.territorysync.database.LockEpoch#fence}).
   */
  default long lockEpoch() {
    return 0;
  }
}
