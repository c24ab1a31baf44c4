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
   * What the stage is about to evaluate: on which basis, and whether every account ({@code whole})
   * or only the changed ones, and why. Told before anything is stored, so a run that fails after
   * the stage replaced the stored assignments still knows what they are based on.
   */
  void evaluated(String basis, boolean whole, String reason);

  /** Accounts that changed since the last run, and what that run's evaluation was based on. */
  record Changed(List<String> accounts, String basis) {}
}
