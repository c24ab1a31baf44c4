package io.territorysync.run;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;

/**
 * The Micrometer meters of runs and webhooks, served at {@code /q/metrics}: runs by trigger and
 * status, stage durations, records synced, assignments changed, API calls, webhook events and their
 * latency from receipt to write.
 */
@ApplicationScoped
public class RunMetrics {

  @Inject MeterRegistry registry;

  /** Counts a finished run and what it did. */
  public void finished(String trigger, String status, RunContext run) {
    String kind = run.scoped() ? "accounts" : "whole";
    registry
        .counter("territory.runs", "trigger", trigger, "status", status, "kind", kind)
        .increment();
    registry.counter("territory.api.calls", "kind", kind).increment(run.budget().used());
    for (Map.Entry<String, Map<String, Long>> stage : run.stages().entrySet()) {
      Long ms = stage.getValue().get("durationMs");
      if (ms != null) {
        Timer.builder("territory.stage.duration")
            .tag("stage", stage.getKey())
            .tag("kind", kind)
            .register(registry)
            .record(Duration.ofMillis(ms));
      }
    }
    run.synced()
        .forEach(
            (object, n) ->
                registry.counter("territory.records.synced", "object", object).increment(n));
    count("account", run.assignments(), "added", "removed");
    count("user", run.users(), "added", "removed", "updated");
    count("opportunity", run.opportunities(), "updated");
    registry
        .counter("territory.rollups.written")
        .increment(run.rollups().getOrDefault("written", 0L));
  }

  /** Counts what the history retention deleted: changes and webhook mini-runs. */
  public void historyDeleted(long changes, int miniRuns) {
    registry.counter("territory.history.deleted", "what", "changes").increment(changes);
    registry.counter("territory.history.deleted", "what", "mini-runs").increment(miniRuns);
  }

  private void count(String kind, Map<String, Long> counts, String... actions) {
    for (String action : actions) {
      long n = counts.getOrDefault(action, 0L);
      if (n > 0) {
        registry
            .counter("territory.assignments.changed", "kind", kind, "action", action)
            .increment(n);
      }
    }
  }

  /** Counts webhook events: received, duplicate, rejected, processed, retried, dead. */
  public void webhook(String source, String outcome, long n) {
    if (n > 0) {
      registry
          .counter("territory.webhook.events", "source", source, "outcome", outcome)
          .increment(n);
    }
  }

  /** Time from a webhook's receipt to its account's changes being written. */
  public void webhookLatency(Duration d) {
    Timer.builder("territory.webhook.latency")
        .publishPercentiles(0.5, 0.99)
        .register(registry)
        .record(d);
  }
}
