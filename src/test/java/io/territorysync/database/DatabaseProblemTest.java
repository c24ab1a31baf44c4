package io.territorysync.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.territorysync.TestDatabase;
import java.net.ServerSocket;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class DatabaseProblemTest {

  @Test
  void unreachableServerNamesTheUrlSetting() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/territory";
    SQLException e =
        assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "u", "secret"));
    String line = DatabaseProblem.describe(new RuntimeException("wrapped", e), url, "u");
    assertTrue(
        line.startsWith("Cannot reach the database at quarkus.datasource.jdbc.url=" + url), line);
    assertTrue(line.contains("QUARKUS_DATASOURCE_JDBC_URL"), line);
    assertFalse(line.contains("\n"), "one line");
  }

  @Test
  void unknownUserNamesTheUsernameSetting() {
    String url = TestDatabase.jdbcUrl();
    SQLException e =
        assertThrows(
            SQLException.class, () -> DriverManager.getConnection(url, "no_such_role", "pw"));
    String line = DatabaseProblem.describe(e, url, "no_such_role");
    assertTrue(
        line.startsWith("Database login refused for quarkus.datasource.username=no_such_role"),
        line);
    assertFalse(line.contains("pw"), "never prints the password");
  }

  @Test
  void redactsPasswordsInUrls() {
    assertEquals(
        "jdbc:postgresql://db:5432/x?user=a&password=****&ssl=true",
        DatabaseProblem.redact("jdbc:postgresql://db:5432/x?user=a&password=s3cret&ssl=true"));
    assertEquals(
        "jdbc:postgresql://a:****@db/x", DatabaseProblem.redact("jdbc:postgresql://a:s3cret@db/x"));
  }

  @Test
  void embeddedStartFailureKeepsItsOwnMessage() {
    String line =
        DatabaseProblem.describe(
            new RuntimeException(new EmbeddedDatabaseException("Cannot start the embedded X")),
            TerritoryDriver.EMBEDDED_URL,
            null);
    assertEquals("Cannot start the embedded X", line);
  }
}
