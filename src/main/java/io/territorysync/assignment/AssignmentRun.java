package io.territorysync.assignment;

import io.territorysync.salesforce.ApiBudget;
import java.util.List;

/**
 * What the plan and write stages need of the run they work for; the run orchestrator implements it.
 */
public interface AssignmentRun {

  long runId();

  /** Plan only: nothing is written. */
  boolean dryRun();

  /** Write even a plan the safety guard would hold. */
  boolean force();

  /** Whether the run works on some accounts only, and which ({@link #accounts()}). */
  boolean scoped();

  List<String> accounts();

  /**
   * The accounts a whole run's rules stage evaluated because they changed since the last run (their
   * changes are the only ones possible), or null when it evaluated every account.
   */
  List<String> changedAccounts();

  ApiBudget budget();

  /** The target Territory2Model, its state and the rules version, as the rules stage set them. */
  String modelId();

  boolean modelActive();

  long rulesVersion();

  /** Whether the rules list territory users, so user associations are reconciled. */
  boolean usersManaged();

  /** Records how far the stage got ({@code total} below 0: unknown). */
  void progress(String step, long done, long total);

  /**
   * A safe point before a write to the org: throws {@link
   * io.territorysync.database.LockLostException} when the run no longer holds the run lock.
   */
  default void checkLock() {}

  /**
   * The run lock's epoch this run holds (0: not fenced); a transaction recording writes checks it
   * is still current ({@link io.territorysync.database.LockEpoch#fence}).
   */
  default long lockEpoch() {
    return 0;
  }
}
