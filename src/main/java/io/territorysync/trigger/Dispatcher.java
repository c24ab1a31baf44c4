package io.territorysync.trigger;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.territorysync.cli.Commands;
import io.territorysync.database.EmbeddedDatabase;
import io.territorysync.database.SchemaMigration;
import io.territorysync.run.RunRepository;
import io.territorysync.run.RunService;
import io.territorysync.salesforce.SalesforceSettings;
import io.territorysync.webhook.WebhookConfig;
import io.territorysync.webhook.WebhookProcessor;
import io.territorysync.webhook.WebhooksStored;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The service's one worker thread: processes due webhook events (coalesced mini-runs) and queued
 * runs, one at a time under the run lock shared by every replica. Woken at once when work arrives
 * here, and every poll interval for work stored by other replicas or left by a crash.
 */
@ApplicationScoped
public class Dispatcher {

  private static final Logger LOG = Logger.getLogger(Dispatcher.class);
  private static final long PURGE_EVERY_MS = 3_600_000;

  @Inject RunService runs;
  @Inject RunRepository repository;
  @Inject WebhookProcessor webhooks;
  @Inject WebhookConfig webhookConfig;
  @Inject io.territorysync.webhook.WebhookStore webhookStore;
  @Inject NightlySchedule schedule;
  @Inject HistoryRetention retention;
  @Inject SchemaMigration migration;
  @Inject SalesforceSettings salesforce;

  @Inject RunsConfig config;

  private final Semaphore wake = new Semaphore(0);
  private volatile boolean running;
  private Thread thread;

  void onStart(@Observes @Priority(30) StartupEvent event) {
    if (!config.dispatcherEnabled()
        || !Commands.current().equals("serve")
        || migration.failure().isPresent()) {
      return;
    }
    if (salesforce.problem().isPresent()) {
      LOG.warn("No runs, schedule or webhook processing until the Salesforce connection is set");
      return;
    }
    try {
      schedule.start();
    } catch (Exception e) {
      LOG.error("Schedule: not started", e);
    }
    retention.start();
    if (config.runAtStartup()) {
      RunRepository.Queued q = repository.enqueue("startup", false, false, false);
      LOG.infof("Run %d queued at start-up (territory.runs.run-at-startup)", q.run().id);
    }
    running = true;
    boolean warmUp = webhookConfig.processing().enabled() && webhookConfig.processing().warmUp();
    if (warmUp) {
      webhooks.expectWarmUp();
    }
    thread = new Thread(() -> loop(warmUp), "territory-dispatcher");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Once every start-up step has succeeded (the last start-up observer), in every command: on
   * SIGTERM the run in progress may take {@link RunsConfig#shutdownTimeout()} to reach its safe
   * point and needs the database until then, so the embedded server's exit waits for the
   * application's shutdown ({@code SchemaMigration} stops it last). A start that failed never holds
   * it: the process exits at once. In dev mode the server outlives a live reload and is not held.
   */
  void holdDatabaseOnExit(@Observes @Priority(Integer.MAX_VALUE) StartupEvent event) {
    if (LaunchMode.current() != LaunchMode.DEVELOPMENT) {
      EmbeddedDatabase.holdOnExit(config.shutdownTimeout().plusSeconds(30));
    }
  }

  /**
   * Before Camel stops (priority 1): a mini-run in progress finishes; a whole run stops at its next
   * safe point and is queued again for any replica, within {@code territory.runs.shutdown-timeout}.
   */
  void onStop(@Observes @Priority(0) ShutdownEvent event) {
    running = false;
    retention.stop();
    runs.stopActive("the service is shutting down");
    wake.release();
    java.time.Duration shutdownTimeout = config.shutdownTimeout();
    long deadline = System.nanoTime() + shutdownTimeout.toNanos();
    try {
      if (thread != null) {
        thread.join(shutdownTimeout.toMillis());
      }
      // also a run on another thread: the main thread of the run command, an API request
      long left = Math.max(0, deadline - System.nanoTime());
      if ((thread != null && thread.isAlive())
          || !runs.awaitIdle(java.time.Duration.ofNanos(left))) {
        LOG.warnf(
            "The run in progress did not reach a safe point within %s"
                + " (territory.runs.shutdown-timeout); it will be marked abandoned",
            shutdownTimeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Queues a whole run and wakes the worker: what {@code POST /api/runs} and the console's "Run
   * now" do. An identical run still waiting is joined instead of queued twice.
   */
  public RunRepository.Queued request(String trigger, boolean full, boolean dryRun, boolean force) {
    RunRepository.Queued q = repository.enqueue(trigger, full, dryRun, force);
    poke();
    return q;
  }

  /** Work has arrived: look now instead of at the next poll. */
  public void poke() {
    wake.release();
  }

  void onWebhooksStored(@Observes WebhooksStored stored) {
    poke();
  }

  private void loop(boolean warmUp) {
    if (warmUp) {
      webhooks.warmUp();
    }
    long pollMs = webhookConfig.processing().pollInterval().toMillis();
    long nextPurge = 0;
    while (running) {
      boolean worked = false;
      if (System.currentTimeMillis() >= nextPurge) {
        nextPurge = System.currentTimeMillis() + PURGE_EVERY_MS;
        try {
          int purged =
              webhookStore.purgeDone(java.time.Instant.now().minus(webhookConfig.retention()));
          if (purged > 0) {
            LOG.infof(
                "Deleted %d processed webhook event(s) older than %s (territory.webhooks.retention)",
                purged, webhookConfig.retention());
          }
        } catch (Exception e) {
          LOG.warn("Could not delete old webhook events", e);
        }
      }
      try {
        if (webhookConfig.processing().enabled()) {
          worked = webhooks.processDue();
        }
        if (running) {
          worked |= runs.executeNextQueued().isPresent();
        }
      } catch (Exception e) {
        LOG.error("Dispatcher: a pass failed", e);
      }
      if (!worked && running) {
        try {
          if (wake.tryAcquire(pollMs, TimeUnit.MILLISECONDS)) {
            wake.drainPermits();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
