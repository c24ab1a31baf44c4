package io.territorysync.trigger;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How the service starts, queues and stops whole runs (docs/configuration.md, "Runs"). */
@ConfigMapping(prefix = "territory.runs")
public interface RunsConfig {

  /** Queue one run when the service starts. */
  @WithDefault("false")
  boolean runAtStartup();

  /**
   * This replica runs queued runs and webhook events; {@code false}: it only answers the API and
   * stores webhooks.
   */
  @WithDefault("true")
  boolean dispatcherEnabled();

  /**
   * On SIGTERM, how long shutdown waits for the run in progress (on any thread: the dispatcher, the
   * {@code run} command, an API request) to stop at its next safe point before it is left to be
   * marked abandoned. The embedded PostgreSQL's exit waits this long plus 30 s for that run to
   * record how it ended.
   */
  @WithDefault("60s")
  Duration shutdownTimeout();

  /**
   * How long a run's changes (the per-change history behind the runs and account pages, the bulk of
   * the database) are kept after it finished. Older runs keep their row and summary; webhook
   * mini-runs that ended cleanly are deleted. The newest whole run that ended cleanly and every run
   * after it are always kept. Checked hourly by every replica whose dispatcher is on.
   */
  @WithDefault("365d")
  Duration historyRetention();

  /** Milliseconds after start before the first check for runs whose process died. */
  @WithDefault("2000")
  long abandonedCheckDelay();

  /** Milliseconds between those checks. */
  @WithDefault("60000")
  long abandonedCheckPeriod();
}
