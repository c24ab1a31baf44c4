package io.territorysync.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.TestDatabase;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
class MigrationTest {

  @Inject AgroalDataSource dataSource;
  @Inject SchemaMigration migration;

  @ConfigProperty(name = "territory.database.embedded.data-dir")
  String embeddedDataDir;

  @Test
  void everyShippedMigrationIsAppliedAtStartInOrder() throws Exception {
    assertTrue(migration.failure().isEmpty(), () -> migration.failure().get());
    java.util.List<String> shipped;
    try (var files = java.nio.file.Files.list(Path.of("src/main/resources/db/migration"))) {
      shipped =
          files
              .map(f -> f.getFileName().toString())
              .filter(n -> n.matches("V\\d+__.*\\.sql"))
              .map(n -> n.substring(1, n.indexOf("__")))
              .sorted(java.util.Comparator.comparingInt(Integer::parseInt))
              .toList();
    }
    java.util.List<String> applied = new java.util.ArrayList<>();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL"
                    + " ORDER BY installed_rank")) {
      while (rs.next()) {
        applied.add(rs.getString(1));
      }
    }
    assertEquals(shipped, applied, "applied migrations");
    // the tables of every stage exist and are queryable
    for (String table :
        java.util.List.of(
            "run",
            "sf_account",
            "sync_watermark",
            "desired_assignment",
            "plan_change",
            "managed_association",
            "territory_rollup",
            "webhook_event")) {
      try (Connection c = dataSource.getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT to_regclass('public." + table + "') IS NOT NULL")) {
        rs.next();
        assertTrue(rs.getBoolean(1), table + " exists");
      }
    }
  }

  @Test
  void externalDatasourceStartsNoEmbeddedServer() throws Exception {
    try (Connection c = dataSource.getConnection()) {
      assertEquals(TestDatabase.jdbcUrl(), c.getMetaData().getURL());
    }
    assertFalse(EmbeddedDatabase.running(Path.of(embeddedDataDir)).isPresent());
  }
}
