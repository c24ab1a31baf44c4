package io.territorysync;

import static io.territorysync.PackagedApp.HTTP;
import static io.territorysync.PackagedApp.awaitReady;
import static io.territorysync.PackagedApp.freePort;
import static io.territorysync.PackagedApp.salesforce;
import static io.territorysync.PackagedApp.start;
import static io.territorysync.PackagedApp.stop;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the packaged app as a user would: embedded database, restarts, bad settings, the emulator
 * command.
 */
class PackagedAppIT {

  @TempDir Path tmp;

  private static Process emulator;
  private static int emulatorPort;

  @BeforeAll
  static void startEmulator() throws Exception {
    emulatorPort = freePort();
    emulator = PackagedApp.emulator(emulatorPort, 300, 0, Files.createTempFile("emulator", ".log"));
  }

  @AfterAll
  static void stopEmulator() throws Exception {
    stop(emulator);
  }

  private static Map<String, String> env(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(salesforce(emulatorPort));
    env.putAll(extra);
    return env;
  }

  @Test
  void startsOnEmbeddedDatabaseAndKeepsItsDataAcrossRestart() throws Exception {
    Path data = tmp.resolve("data");
    int port = freePort();
    Map<String, String> env = env(Map.of("TERRITORY_DATA_DIR", data.toString(), "PORT", "" + port));

    Process first = start(env, List.of(), tmp.resolve("first.log"));
    awaitReady(port, first);
    try (Connection c = embedded(data);
        Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO run (trigger, status) VALUES ('restart-test', 'succeeded')");
    }
    stop(first);
    assertFalse(
        Files.exists(data.resolve("postgres/postmaster.pid")),
        "embedded PostgreSQL stopped with the app");

    Process second = start(env, List.of(), tmp.resolve("second.log"));
    try {
      awaitReady(port, second);
      try (Connection c = embedded(data);
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery("SELECT count(*) FROM run WHERE trigger = 'restart-test'")) {
        assertTrue(rs.next());
        assertEquals(1, rs.getInt(1), "the row written before the restart is still there");
      }
    } finally {
      stop(second);
    }
  }

  /** A connection to the embedded server a running app started from {@code data}. */
  static Connection embedded(Path data) throws Exception {
    int pgPort =
        Integer.parseInt(Files.readAllLines(data.resolve("postgres/postmaster.pid")).get(3).trim());
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres", "postgres", null);
  }

  @Test
  void unreachableDatabasePrintsOneLineNamingTheSettingAndExitsNonZero() throws Exception {
    Path log = tmp.resolve("bad.log");
    Process p =
        start(
            env(
                Map.of(
                    "QUARKUS_DATASOURCE_JDBC_URL",
                    "jdbc:postgresql://127.0.0.1:1/territory",
                    "QUARKUS_DATASOURCE_JDBC_ACQUISITION_TIMEOUT",
                    "2s",
                    "PORT",
                    "" + freePort())),
            List.of(),
            log);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "exits by itself");
    assertEquals(1, p.exitValue());
    String output = Files.readString(log);
    assertTrue(
        output.contains(
            "ERROR Cannot reach the database at quarkus.datasource.jdbc.url=jdbc:postgresql://127.0.0.1:1/territory"),
        output);
    assertFalse(output.contains("\tat "), "no stack trace:\n" + output);
  }

  @Test
  void missingSalesforceSettingIsOneLineNamingIt() throws Exception {
    Path log = tmp.resolve("nosf.log");
    Map<String, String> env =
        env(Map.of("TERRITORY_DATA_DIR", tmp.resolve("d").toString(), "PORT", "" + freePort()));
    env.remove("CAMEL_COMPONENT_SALESFORCE_CLIENT_SECRET");
    Process p = start(env, List.of(), log);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(1, p.exitValue());
    String output = Files.readString(log);
    assertTrue(
        output.contains(
            "ERROR camel.component.salesforce.client-secret is not set (CAMEL_COMPONENT_SALESFORCE_CLIENT_SECRET)"),
        output);
    assertFalse(output.contains("\tat "), output);
    assertFalse(output.contains("demo-secret"), "no secret in the output");
  }

  @Test
  void emulatorCommandServesADemoOrgAndPrintsHowToConnect() throws Exception {
    int port = freePort();
    Path log = tmp.resolve("emulator.log");
    Process p =
        start(
            Map.of(),
            List.of(
                "emulator",
                "--port",
                "" + port,
                "--accounts",
                "500",
                "--seed",
                "9",
                "--client-id",
                "cid",
                "--client-secret",
                "csecret"),
            log);
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> Files.readString(log).contains("login URL"));
      String output = Files.readString(log);
      assertTrue(output.contains("login URL      http://localhost:" + port), output);
      assertTrue(output.contains("client id      cid"), output);
      HttpResponse<String> token =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create("http://localhost:" + port + "/services/oauth2/token"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "grant_type=client_credentials&client_id=cid&client_secret=csecret"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, token.statusCode(), token.body());
      String accessToken = token.body().replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1");
      HttpResponse<String> count =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://localhost:"
                              + port
                              + "/services/data/v62.0/query?q=SELECT+COUNT()+FROM+Account"))
                  .header("Authorization", "Bearer " + accessToken)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertTrue(count.body().contains("\"totalSize\":500"), count.body());
    } finally {
      stop(p);
    }
  }

  @Test
  void unknownCommandPrintsUsage() throws Exception {
    Path log = tmp.resolve("usage.log");
    Process p = start(Map.of(), List.of("frobnicate"), log);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, p.exitValue());
    String output = Files.readString(log);
    assertTrue(output.contains("Unknown command 'frobnicate'"), output);
    assertTrue(output.contains("rules validate FILE"), output);
  }
}
