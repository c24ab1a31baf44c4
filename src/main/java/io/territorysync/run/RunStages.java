package io.territorysync.run;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.jboss.logging.Logger;

/** Records which stage a run is in, for the run record, the logs and the API. */
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
}
