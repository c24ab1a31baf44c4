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
  void migrationsAreAppliedAtStart() throws Exception {
    assertTrue(migration.failure().isEmpty(), () -> migration.failure().get());
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank")) {
      assertTrue(rs.next(), "no migration recorded");
      assertEquals("1", rs.getString(1));
    }
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM run")) {
      assertTrue(rs.next());
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
