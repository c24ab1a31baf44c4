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
import org.flywaydb.core.api.output.MigrateResult;
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
   * Runs the migrations now; returns the problem in one line, or empty when the schema is current.
   */
  public synchronized Optional<String> migrate() {
    try {
      long started = System.nanoTime();
      // the result names the version reached; a second flyway.info() would resolve the
      // migrations and read the schema history again
      MigrateResult result = flyway.migrate();
      String reached =
          result.targetSchemaVersion != null
              ? result.targetSchemaVersion
              : result.initialSchemaVersion;
      version = reached == null ? "none" : reached;
      failure = null;
      LOG.debugf(
          "Database schema at version %s (%d migration(s) applied) in %d ms",
          version, result.migrationsExecuted, (System.nanoTime() - started) / 1_000_000);
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
