package io.territorysync.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatabaseTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path tmp;

  @Test
  void keepsDataAcrossRestart() throws Exception {
    Path dir = tmp.resolve("pg");
    EmbeddedDatabase first = EmbeddedDatabase.start(dir, 0, TIMEOUT);
    assertTrue(first.owned());
    assertSame(first, EmbeddedDatabase.start(dir, 0, TIMEOUT), "a second start joins the first");
    execute(first, "CREATE TABLE kept (v text)", "INSERT INTO kept VALUES ('still here')");
    first.stop();
    assertFalse(Files.exists(dir.resolve("postmaster.pid")), "server stopped cleanly");
    assertFalse(EmbeddedDatabase.running(dir).isPresent());

    EmbeddedDatabase second = EmbeddedDatabase.start(dir, 0, TIMEOUT);
    try (Connection c = connect(second);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
      assertTrue(rs.next());
      assertEquals("still here", rs.getString(1));
    } finally {
      second.stop();
    }
  }

  @Test
  void joinsServerThatAnotherProcessStartedAndLeavesItRunning() throws Exception {
    Path dir = tmp.resolve("shared");
    try (EmbeddedPostgres other =
        EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).start()) {
      EmbeddedDatabase joined = EmbeddedDatabase.start(dir, 0, TIMEOUT);
      assertFalse(joined.owned());
      assertEquals(other.getPort(), joined.port());
      joined.stop();
      try (Connection c = other.getPostgresDatabase().getConnection()) {
        assertTrue(c.isValid(2), "the other process's server still runs");
      }
    }
  }

  @Test
  void unusableDataDirectoryNamesTheSetting() throws Exception {
    Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
    EmbeddedDatabaseException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            EmbeddedDatabaseException.class, () -> EmbeddedDatabase.start(file, 0, TIMEOUT));
    assertTrue(e.getMessage().contains("territory.database.embedded.data-dir"), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  private static void execute(EmbeddedDatabase db, String... sql) throws Exception {
    try (Connection c = connect(db);
        Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }

  private static Connection connect(EmbeddedDatabase db) throws Exception {
    return DriverManager.getConnection(db.jdbcUrl(), db.user(), null);
  }
}
