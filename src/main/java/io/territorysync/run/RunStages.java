package io.territorysync.run;

import io.territorysync.assignment.GuardStoppedException;
import io.territorysync.assignment.PlanStage;
import io.territorysync.assignment.WriteStage;
import io.territorysync.rollup.RollupStage;
import io.territorysync.rules.RulesStage;
import io.territorysync.sync.ObjectSync;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.sql.SQLException;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Records which stage a run is in, for the run record, the logs and the API, and what the stages
 * return.
 */
@ApplicationScoped
@Named("runStages")
public class RunStages {

  private static final Logger LOG = Logger.getLogger(RunStages.class);

  @Inject RunRepository runs;
  @Inject WriteStage writeStage;

  /** The run enters {@code stage}. */
  public void enter(String stage, RunContext run) {
    run.checkStopped();
    run.checkLock();
    run.enterStage(stage);
    runs.stage(run.runId(), stage, run.budget().used());
    if (run.scoped()) {
      LOG.debugf("Run %d: %s stage", run.runId(), stage);
    } else {
      LOG.infof("Run %d: %s stage", run.runId(), stage);
    }
  }

  /** Records what one object's sync did in the run's counts (the run summary and metrics). */
  public void synced(RunContext run, ObjectSync.Result result) {
    run.recordSync(result);
  }

  /** Records what a scoped sync did, object by object. */
  public void syncedAccounts(RunContext run, List<ObjectSync.Result> results) {
    results.forEach(run::recordSync);
  }

  /** Records what the rules stage decided: the stages after it work on its target. */
  public void evaluated(RunContext run, RulesStage.Evaluated evaluated) {
    run.target(
        evaluated.modelId(),
        evaluated.modelActive(),
        evaluated.rulesVersion(),
        evaluated.usersManaged());
    run.report("rules", evaluated.report());
  }

  /**
   * Records what the plan stage did; throws {@link GuardStoppedException} when the safety guard
   * holds the plan, which ends the run before anything is written.
   */
  public void planned(RunContext run, PlanStage.Planned planned) {
    run.recordPlan(planned);
    if (planned.heldBy() != null) {
      throw new GuardStoppedException(planned.heldBy());
    }
  }

  /** Records the outcomes of the write stage; failed records make the run partial. */
  public void written(RunContext run, WriteStage.Written written) {
    run.recordWrites(written);
  }

  /** Records what the rollups stage did (null: rollups are turned off). */
  public void rolledUp(RunContext run, RollupStage.RolledUp rolledUp) {
    if (rolledUp != null) {
      run.recordRollups(rolledUp);
    }
  }

  /**
   * After a run stopped or failed: when it had reached the write stage, records what it wrote
   * before it ended (the outcomes stored with each call), so its summary says what reached the org.
   */
  public void interrupted(RunContext run, Throwable failure) {
    if (!run.reached("write")) {
      return;
    }
    try {
      run.recordWrites(writeStage.outcomes(run.runId()));
    } catch (SQLException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }
}
