package io.territorysync.run;

import io.territorysync.assignment.AssignmentRun;
import io.territorysync.mirror.MirrorChanges;
import io.territorysync.rollup.RollupRun;
import io.territorysync.rules.RulesRun;
import io.territorysync.salesforce.ApiBudget;
import io.territorysync.sync.ObjectSync;
import io.territorysync.sync.SyncRun;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the stages of one run share: its id, its options, its API budget and its counts. Each stage
 * sees it through the interface the stage owns, so no stage depends on the orchestrator.
 */
public final class RunContext implements SyncRun, RulesRun, AssignmentRun, RollupRun {

  /** Exchange property that carries the context through the routes. */
  public static final String PROPERTY = "run";

  private final long runId;
  private final boolean full;
  private final boolean dryRun;
  private final boolean force;
  private final boolean syncOnly;
  private final Map<String, Map<String, Long>> stages =
      java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
  private String stage;
  private long stageStartedNanos;
  private int stageStartCalls;
  private long stageStartWaitMs;
  private final ApiBudget budget;
  private final Map<String, Long> synced = new ConcurrentHashMap<>();
  private final Map<String, Long> deleted = new ConcurrentHashMap<>();
  private final Map<String, Long> assignments =
      counts("added", "removed", "unchanged", "failed", "skipped", "alreadyDone");
  private final Map<String, Long> opportunities = counts("updated", "failed", "skipped");
  private final Map<String, Long> users = counts("added", "removed", "updated", "failed");
  private final Map<String, Long> rollups = counts("written");

  private static Map<String, Long> counts(String... keys) {
    Map<String, Long> m = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    for (String k : keys) {
      m.put(k, 0L);
    }
    return m;
  }

  public RunContext(
      long runId, boolean full, boolean dryRun, boolean force, boolean syncOnly, ApiBudget budget) {
    this.runId = runId;
    this.full = full;
    this.dryRun = dryRun;
    this.force = force;
    this.syncOnly = syncOnly;
    this.budget = budget;
  }

  private volatile String modelId;
  private volatile boolean modelActive;
  private volatile long rulesVersion;
  private volatile boolean usersManaged;

  /** What the rules stage decided the run works on, for the stages after it. */
  public void target(String modelId, boolean modelActive, long rulesVersion, boolean usersManaged) {
    this.modelId = modelId;
    this.modelActive = modelActive;
    this.rulesVersion = rulesVersion;
    this.usersManaged = usersManaged;
  }

  /** The target Territory2Model id. */
  public String modelId() {
    return modelId;
  }

  /** Whether the target model is the org's Active model. */
  public boolean modelActive() {
    return modelActive;
  }

  /** The rules version in force for this run. */
  public long rulesVersion() {
    return rulesVersion;
  }

  /** Whether the rules list territory users (a rules file) so user associations are reconciled. */
  public boolean usersManaged() {
    return usersManaged;
  }

  private final Map<String, Object> progress =
      java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());

  /**
   * Records how far the current stage got: {@code done} of {@code total} ({@code total} below 0:
   * unknown) records of {@code step}.
   */
  public void progress(String step, long done, long total) {
    synchronized (progress) {
      progress.clear();
      progress.put("stage", stage);
      progress.put("step", step);
      progress.put("done", done);
      if (total >= 0) {
        progress.put("total", total);
        progress.put("percent", total == 0 ? 100 : Math.min(100, done * 100 / total));
      }
    }
  }

  /** A copy of the latest progress. */
  public Map<String, Object> progressSnapshot() {
    synchronized (progress) {
      return new java.util.LinkedHashMap<>(progress);
    }
  }

  private volatile Changed changed;
  private volatile String basis;
  private volatile Boolean wholeEvaluation;
  private volatile String scopeReason;
  private volatile List<String> evaluatedAccounts;
  private volatile MirrorChanges.Snapshot changes;
  private volatile String rollupsCurrent;

  /**
   * Lets the rules stage work on {@code changed} (the accounts that changed since the last run), up
   * to the mirror changes in {@code snapshot}.
   */
  public void changed(Changed changed, MirrorChanges.Snapshot snapshot, String reason) {
    this.changed = changed;
    this.changes = snapshot;
    this.scopeReason = reason;
  }

  /** Makes the run work on every account, for {@code reason}. */
  public void whole(String reason, MirrorChanges.Snapshot snapshot) {
    this.changed = null;
    this.changes = snapshot;
    this.scopeReason = reason;
  }

  @Override
  public Changed changed() {
    return changed;
  }

  @Override
  public void evaluated(String basis, boolean whole, String reason) {
    this.basis = basis;
    this.wholeEvaluation = whole;
    if (reason != null) {
      this.scopeReason = reason;
    }
    this.evaluatedAccounts = whole || changed == null ? null : changed.accounts();
  }

  @Override
  public List<String> changedAccounts() {
    return evaluatedAccounts;
  }

  /** The rules version and model the rules stage evaluated with, or null before it did. */
  public String evaluationBasis() {
    return basis;
  }

  /** Whether the rules stage evaluated every account (null before it ran). */
  public Boolean wholeEvaluation() {
    return wholeEvaluation;
  }

  /** Why the run works on every account, or on the changed ones. */
  public String scopeReason() {
    return scopeReason;
  }

  /** The mirror changes the run took into account (null before it looked). */
  public MirrorChanges.Snapshot changes() {
    return changes;
  }

  /** Records that the stored rollups are current, for {@code reason}; null: compute them. */
  public void rollupsCurrent(String reason) {
    this.rollupsCurrent = reason;
  }

  @Override
  public String rollupsCurrent() {
    return rollupsCurrent;
  }

  private volatile List<String> rollupAccounts;
  private volatile String rollupsReason;

  /**
   * Records whether the rollups may apply the changes of {@code accounts} to the stored ones (null:
   * compute them whole), for {@code reason}.
   */
  public void rollupsFrom(List<String> accounts, String reason) {
    this.rollupAccounts = accounts;
    this.rollupsReason = reason;
  }

  @Override
  public List<String> rollupAccounts() {
    return rollupAccounts;
  }

  @Override
  public String rollupsReason() {
    return rollupsReason;
  }

  private volatile boolean changesTracked = true;

  /** Whether the sync records what it changes (see {@link SyncRun#changesTracked}). */
  public RunContext changesTracked(boolean tracked) {
    this.changesTracked = tracked;
    return this;
  }

  @Override
  public boolean changesTracked() {
    return changesTracked;
  }

  private volatile java.util.function.Predicate<java.time.Instant> writesRecorded = since -> false;

  /**
   * Answers whether the runs that may have written since an instant recorded everything they wrote
   * (see {@link SyncRun#writesRecordedSince}).
   */
  public RunContext writesRecorded(java.util.function.Predicate<java.time.Instant> recorded) {
    this.writesRecorded = recorded;
    return this;
  }

  @Override
  public boolean writesRecordedSince(java.time.Instant since) {
    return writesRecorded.test(since);
  }

  private volatile String partial;
  private volatile List<String> accounts;

  /** Limits the run to these accounts (a webhook mini-run): fetched fresh, assigned, written. */
  public RunContext scope(List<String> accountIds) {
    this.accounts = accountIds == null ? null : List.copyOf(accountIds);
    return this;
  }

  /** The accounts a scoped run works on, or null for a whole run. */
  public List<String> accounts() {
    return accounts;
  }

  /** Whether the run works on some accounts only. */
  public boolean scoped() {
    return accounts != null;
  }

  /** Marks the run partial: it finished, but some records failed. */
  public void partial(String why) {
    this.partial = why;
  }

  /** Why the run is partial, or null. */
  public String partialReason() {
    return partial;
  }

  /** Only refresh the mirror: stop after the sync stage. */
  public boolean syncOnly() {
    return syncOnly;
  }

  /** Starts timing {@code next}, closing the stage before it. */
  public synchronized void enterStage(String next) {
    closeStage();
    stage = next;
    synchronized (progress) {
      progress.clear();
      progress.put("stage", next);
    }
    stageStartedNanos = System.nanoTime();
    stageStartCalls = budget.used();
    stageStartWaitMs = budget.waitedMs();
  }

  /** Closes the current stage's timing. */
  public synchronized void closeStage() {
    if (stage != null) {
      Map<String, Long> m = new java.util.LinkedHashMap<>();
      m.put("durationMs", (System.nanoTime() - stageStartedNanos) / 1_000_000);
      m.put("apiCalls", (long) (budget.used() - stageStartCalls));
      m.put("salesforceWaitMs", budget.waitedMs() - stageStartWaitMs);
      stages.put(stage, m);
      stage = null;
    }
  }

  private final Map<String, Object> reports =
      java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());

  /** Adds a stage's report to the run summary under {@code key}. */
  public void report(String key, Object value) {
    reports.put(key, value);
  }

  /** Reports of the stages, by key. */
  public Map<String, Object> reports() {
    return reports;
  }

  /** Duration and API calls per finished stage. */
  public Map<String, Map<String, Long>> stages() {
    return stages;
  }

  private volatile String stopReason;

  /**
   * Asks the run to stop at its next safe point: the next stage boundary or Salesforce call throws
   * {@link RunStoppedException}; what was synced or written keeps its progress.
   */
  public void stop(String reason) {
    stopReason = reason;
    budget.stop(reason);
  }

  /** Why the run was asked to stop, or null. */
  public String stopReason() {
    return stopReason;
  }

  /** A safe point: throws {@link RunStoppedException} when the run was asked to stop. */
  public void checkStopped() {
    if (stopReason != null) {
      throw new RunStoppedException(stopReason);
    }
  }

  private volatile RunLock lock;
  private volatile String lockLost;

  /** The run lock this run holds (null: none, as in tests that drive a stage directly). */
  public RunContext lock(RunLock held) {
    this.lock = held;
    return this;
  }

  /**
   * A safe point: throws {@link io.territorysync.database.LockLostException} when the run lost its
   * lock, and from then on refuses every Salesforce call.
   */
  @Override
  public void checkLock() {
    RunLock held = lock;
    if (held == null) {
      return;
    }
    try {
      held.check();
    } catch (io.territorysync.database.LockLostException e) {
      lockLost(e.getMessage());
      throw e;
    }
  }

  /** Checks the lock in the background (the progress reporter): a lost lock stops the run. */
  public void watchLock() {
    RunLock held = lock;
    String why = held == null ? null : held.lost();
    if (why != null) {
      lockLost("the run lock was lost: " + why);
    }
  }

  private void lockLost(String why) {
    if (lockLost == null) {
      lockLost = why;
      budget.stop(why);
    }
  }

  /** Why the run lost its lock, or null. */
  public String lockLostReason() {
    return lockLost;
  }

  @Override
  public long lockEpoch() {
    RunLock held = lock;
    return held == null ? 0 : held.epoch();
  }

  public long runId() {
    return runId;
  }

  public boolean full() {
    return full;
  }

  public boolean dryRun() {
    return dryRun;
  }

  public boolean force() {
    return force;
  }

  public ApiBudget budget() {
    return budget;
  }

  /** Records read from the org per object in this run. */
  public Map<String, Long> synced() {
    return synced;
  }

  /** Mirror rows removed per object because the org deleted them. */
  public Map<String, Long> deleted() {
    return deleted;
  }

  /** Records what one object's sync did: its records read and mirror rows removed. */
  void recordSync(ObjectSync.Result result) {
    synced.merge(result.object(), result.read(), Long::sum);
    deleted.merge(result.object(), result.deleted(), Long::sum);
  }

  /** Records what the plan stage did: its reports and the associations already in the org. */
  void recordPlan(io.territorysync.assignment.PlanStage.Planned planned) {
    if (planned.guard() != null) {
      report("guard", planned.guard());
    }
    report("plan", planned.report());
    assignments.put("unchanged", planned.unchanged());
  }

  /** Records the outcomes of the run's writes (so far, when it stopped or failed mid-write). */
  void recordWrites(io.territorysync.assignment.WriteStage.Written written) {
    assignments.putAll(written.assignments());
    users.putAll(written.users());
    opportunities.putAll(written.opportunities());
    if (written.failed() > 0) {
      partial(written.failed() + " record(s) failed; see GET /api/runs/" + runId + "/changes");
    }
  }

  /** Records what the rollups stage did. */
  void recordRollups(io.territorysync.rollup.RollupStage.RolledUp rolledUp) {
    report("rollups", rolledUp.report());
    rollups.put("written", rolledUp.written());
    if (rolledUp.partial() != null) {
      partial(rolledUp.partial());
    }
  }

  /** Whether the run reached {@code stage} (it is in it, or finished it). */
  public synchronized boolean reached(String stage) {
    return stage.equals(this.stage) || stages.containsKey(stage);
  }

  /** Account-territory associations: added, removed, unchanged, failed. */
  public Map<String, Long> assignments() {
    return assignments;
  }

  /** Opportunity territories: updated, failed. */
  public Map<String, Long> opportunities() {
    return opportunities;
  }

  /** User-territory associations: added, removed. */
  public Map<String, Long> users() {
    return users;
  }

  /** Rollup records: written. */
  public Map<String, Long> rollups() {
    return rollups;
  }
}
