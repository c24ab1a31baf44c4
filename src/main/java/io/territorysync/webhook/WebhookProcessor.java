package io.territorysync.webhook;

import io.agroal.api.AgroalDataSource;
import io.territorysync.run.Run;
import io.territorysync.run.RunMetrics;
import io.territorysync.run.RunService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Processes stored webhook events: the due ones are coalesced (one mini-run for up to {@code
 * batch-size} accounts) under the run lock; an account whose changes failed is retried with a
 * growing pause and kept as dead after the last attempt.
 */
@ApplicationScoped
public class WebhookProcessor {

  private static final Logger LOG = Logger.getLogger(WebhookProcessor.class);

  @Inject WebhookStore store;
  @Inject WebhookConfig config;
  @Inject RunService runs;
  @Inject RunMetrics metrics;
  @Inject AgroalDataSource dataSource;
  @Inject io.territorysync.run.RunRepository repository;
  @Inject io.territorysync.run.RunScope scope;

  private volatile boolean mirrorReady;
  private volatile boolean waitingLogged;
  private volatile boolean warmingUp;

  /** The dispatcher will warm up ({@link #warmUp}): until then the service is not ready. */
  public void expectWarmUp() {
    warmingUp = true;
  }

  /** Whether the start-up warm-up is still to come or under way. */
  public boolean warmingUp() {
    return warmingUp;
  }

  /**
   * Pays the service's cold start before the first webhook does: a dry mini-run on one mirrored
   * account under the run lock (rules loaded and compiled, the Composite fetch, the mirror, rules,
   * plan and write paths loaded). Nothing is written to the org. Skipped when no whole run has
   * finished yet or another run holds the lock; a failure is logged and does not stop the service.
   */
  public void warmUp() {
    try {
      if (!repository.anyWholeRunFinished()) {
        return;
      }
      mirrorReady = true;
      String account = anyAccount();
      if (account == null) {
        return;
      }
      long t0 = System.nanoTime();
      Optional<Run> run =
          runs.whileLocked(
              () ->
                  runs.executeLocked(
                      RunService.RunRequest.dryAccounts("warm-up", List.of(account))));
      LOG.infof(
          "Webhook processing warmed up in %d ms (%s)",
          (System.nanoTime() - t0) / 1_000_000,
          run.map(r -> "dry run " + r.id + " " + r.status)
              .orElse("skipped: another run holds the lock"));
    } catch (RuntimeException | SQLException e) {
      LOG.warnf(
          "Webhook processing: the warm-up failed (%s); the first mini-run will be slower",
          e.getMessage());
    } finally {
      warmingUp = false;
    }
  }

  private String anyAccount() throws SQLException {
    try (java.sql.Connection c = dataSource.getConnection();
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery("SELECT id FROM sf_account ORDER BY id LIMIT 1")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /**
   * Processes one batch of due events if the run lock is free; false when there was nothing to do
   * or another run holds the lock.
   */
  public boolean processDue() throws SQLException {
    if (!store.anyDue()) {
      return false;
    }
    if (!mirrorReady) {
      // mini-runs need the territory model and the rules, which the first whole run brings
      mirrorReady = repository.anyWholeRunFinished();
      if (!mirrorReady) {
        if (!waitingLogged) {
          waitingLogged = true;
          LOG.warn(
              "Webhook events wait for the first whole run (the schedule, POST /api/runs or"
                  + " territory.runs.run-at-startup); they are kept until then");
        }
        return false;
      }
    }
    Optional<Boolean> worked =
        runs.whileLocked(
            () -> {
              try {
                List<WebhookStore.Event> due = store.due(config.processing().batchSize());
                if (due.isEmpty()) {
                  return false;
                }
                process(due);
                return true;
              } catch (SQLException e) {
                throw new IllegalStateException("webhook events: " + e.getMessage(), e);
              }
            });
    return worked.orElse(false);
  }

  private void process(List<WebhookStore.Event> due) throws SQLException {
    Set<String> accounts = new LinkedHashSet<>();
    due.forEach(e -> accounts.add(e.accountId()));
    Run run;
    try {
      run = runs.executeLocked(RunService.RunRequest.accounts("webhook", List.copyOf(accounts)));
    } catch (RuntimeException e) {
      fail(due, null, "the run could not start: " + e.getMessage());
      return;
    }
    Set<String> failedAccounts = new HashSet<>();
    if (run.status.equals("partial")) {
      failedAccounts.addAll(scope.failedAccounts(run.id));
    } else if (!run.status.equals("succeeded")) {
      fail(due, run.id, "run " + run.id + " " + run.status + ": " + run.error);
      return;
    }
    List<Long> done = new ArrayList<>();
    List<WebhookStore.Event> failed = new ArrayList<>();
    Instant now = Instant.now();
    for (WebhookStore.Event e : due) {
      if (failedAccounts.contains(e.accountId())) {
        failed.add(e);
      } else {
        done.add(e.id());
        metrics.webhookLatency(Duration.between(e.receivedAt(), now));
      }
    }
    store.done(done, run.id);
    metrics.webhook("all", "processed", done.size());
    if (!failed.isEmpty()) {
      fail(failed, run.id, "run " + run.id + ": " + run.error);
    }
    LOG.debugf(
        "Webhooks: run %d assigned %d account(s) for %d event(s)",
        (Object) run.id, accounts.size(), due.size());
  }

  private void fail(List<WebhookStore.Event> events, Long runId, String error) throws SQLException {
    List<Long> ids = events.stream().map(WebhookStore.Event::id).toList();
    int dead =
        store.failed(
            ids,
            runId,
            error,
            config.processing().maxAttempts(),
            config.processing().retryBackoff());
    metrics.webhook("all", "retried", ids.size() - dead);
    metrics.webhook("all", "dead", dead);
    if (dead > 0) {
      LOG.errorf(
          "%d webhook event(s) are dead after %d attempts (GET /api/webhooks/dead): %s",
          dead, config.processing().maxAttempts(), error);
    } else {
      LOG.warnf("%d webhook event(s) will be retried: %s", ids.size(), error);
    }
  }
}
