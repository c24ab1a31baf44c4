package io.territorysync.trigger;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import io.territorysync.run.RunHistory;
import io.territorysync.run.RunMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Deletes the changes of runs older than {@code territory.runs.history-retention} every hour, on
 * the scheduler's thread, not the dispatcher's: a large first assignment's changes take a minute or
 * more to delete (1.7M in 17 s here) and webhooks must not wait for it. Stops between batches on
 * shutdown.
 */
@ApplicationScoped
public class HistoryRetention {

  private static final Logger LOG = Logger.getLogger(HistoryRetention.class);

  @Inject RunHistory history;
  @Inject RunMetrics metrics;
  @Inject RunsConfig config;
  @Inject Scheduler scheduler;

  private volatile boolean running;

  /** Schedules the hourly purge, the first a few minutes after start. */
  void start() {
    running = true;
    scheduler
        .newJob("territory-history-retention")
        .setInterval("1h")
        .setDelayed("5m")
        .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
        .setTask(execution -> purge())
        .schedule();
  }

  void stop() {
    running = false;
  }

  /** One purge of what is older than the retention; logs what went. */
  RunHistory.Purged purge() {
    Instant before = Instant.now().minus(config.historyRetention());
    try {
      RunHistory.Purged purged = history.purge(before, () -> running);
      metrics.historyDeleted(purged.changes(), purged.miniRunsDeleted());
      if (purged.any()) {
        LOG.infof(
            "Deleted %d change(s) of runs finished before %s: %d run(s) keep their summary, %d"
                + " webhook mini-run(s) deleted (territory.runs.history-retention=%s)",
            purged.changes(),
            before,
            purged.runsEmptied(),
            purged.miniRunsDeleted(),
            config.historyRetention());
      }
      return purged;
    } catch (Exception e) {
      LOG.warn("Could not delete old runs' changes (territory.runs.history-retention)", e);
      return new RunHistory.Purged(0, 0, 0);
    }
  }
}
