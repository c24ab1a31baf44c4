package io.territorysync.database;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready only once the schema migrations have been applied; tries again while they have not. */
@Readiness
@ApplicationScoped
public class SchemaHealthCheck implements HealthCheck {

  @Inject SchemaMigration migration;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response = HealthCheckResponse.named("database-schema");
    if (migration.version().isEmpty()) {
      migration.migrate();
    }
    return migration
        .version()
        .map(v -> response.up().withData("version", v))
        .orElseGet(
            () -> response.down().withData("error", migration.failure().orElse("not migrated yet")))
        .build();
  }
}
