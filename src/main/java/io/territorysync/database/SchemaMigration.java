package io.territorysync.database;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.jboss.logging.Logger;

/**
 * Applies the Flyway migrations at start-up and remembers the outcome, so that a datasource that
 * cannot be reached is reported as one clear line (by the command line and by readiness) rather
 * than a stack trace.
 */
@ApplicationScoped
public class SchemaMigration {

  private static final Logger LOG = Logger.getLogger(SchemaMigration.class);

  @Inject Flyway flyway;

  /** Injected so the mapping is registered for {@link TerritoryDriver}, which lives outside CDI. */
  @Inject DatabaseConfig databaseConfig;

  @ConfigProperty(name = "quarkus.datasource.jdbc.url")
  String jdbcUrl;

  @ConfigProperty(name = "quarkus.datasource.username")
  Optional<String> username;

  private volatile String failure;
  private volatile String version;

  void onStart(@Observes @Priority(10) StartupEvent event) {
    migrate();
  }

  /**
   * Once every start-up step has succeeded (the last start-up observer): on SIGTERM the run in
   * progress may take territory.runs.shutdown-timeout to reach its safe point and needs the
   * database until then, so the embedded server's exit waits for {@link #onStop}. A start that
   * failed never holds it: the process exits at once.
   */
  void holdDatabaseOnExit(@Observes @Priority(Integer.MAX_VALUE) StartupEvent event) {
    if (LaunchMode.current() != LaunchMode.DEVELOPMENT) {
      java.time.Duration shutdown =
          org.eclipse.microprofile.config.ConfigProvider.getConfig()
              .getOptionalValue("territory.runs.shutdown-timeout", java.time.Duration.class)
              .orElse(java.time.Duration.ofSeconds(60));
      EmbeddedDatabase.holdOnExit(shutdown.plusSeconds(30));
    }
  }

  /**
   * Runs the migrations now; returns the problem in one line, or empty when the schema is current.
   */
  public synchronized Optional<String> migrate() {
    try {
      flyway.migrate();
      MigrationInfo current = flyway.info().current();
      version = current == null ? "none" : current.getVersion().getVersion();
      failure = null;
      LOG.debugf("Database schema at version %s", version);
    } catch (RuntimeException e) {
      failure = DatabaseProblem.describe(e, jdbcUrl, username.orElse(null));
      version = null;
    }
    return Optional.ofNullable(failure);
  }

  /** The last migration problem in one line, if any. */
  public Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  /** The schema version once migrated. */
  public Optional<String> version() {
    return Optional.ofNullable(version);
  }

  /** Stops the embedded server last, after every other shutdown observer has used it. */
  void onStop(@Observes @Priority(Integer.MAX_VALUE) ShutdownEvent event) {
    // In dev mode the server outlives a live reload (the next start joins it); the JVM shutdown
    // hook that the embedded server registers stops it when dev mode exits.
    if (LaunchMode.current() != LaunchMode.DEVELOPMENT) {
      EmbeddedDatabase.stopAll();
    }
  }
}
