package io.territorysync.run;

import io.territorysync.sync.ObjectSync;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
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
}
