package io.territorysync.rules;

import java.util.List;

/** What the rules stage needs of the run it works for; the run orchestrator implements it. */
public interface RulesRun {

  long runId();

  /** The accounts a scoped run works on, or null for a whole run. */
  List<String> accounts();

  /**
   * For a run that may work on what changed: the accounts that changed since the last run and the
   * basis (see {@link RulesStage#basis}) that run evaluated with; null to evaluate every account.
   */
  Changed changed();

  /**
   * What the stage evaluated: on which basis, and whether every account ({@code whole}) or only the
   * changed ones, and why.
   */
  void evaluated(String basis, boolean whole, String reason);

  /** Accounts that changed since the last run, and what that run's evaluation was based on. */
  record Changed(List<String> accounts, String basis) {}

  /** What the rules decided the run works on, for the stages after this one. */
  void target(String modelId, boolean modelActive, long rulesVersion, boolean usersManaged);

  /** Adds the stage's report to the run summary under {@code key}. */
  void report(String key, Object value);
}
