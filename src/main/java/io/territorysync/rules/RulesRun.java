package io.territorysync.rules;

import java.util.List;

/** What the rules stage needs of the run it works for; the run orchestrator implements it. */
public interface RulesRun {

  long runId();

  /** The accounts a scoped run works on, or null for a whole run. */
  List<String> accounts();

  /** What the rules decided the run works on, for the stages after this one. */
  void target(String modelId, boolean modelActive, long rulesVersion, boolean usersManaged);

  /** Adds the stage's report to the run summary under {@code key}. */
  void report(String key, Object value);
}
