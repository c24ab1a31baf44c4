package io.territorysync;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the packaged app ({@code target/quarkus-app/quarkus-run.jar}) as a user would. */
class PackagedAppIT {

  private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path tmp;

  @Test
  void startsOnEmbeddedDatabaseAndKeepsItsDataAcrossRestart() throws Exception {
    Path data = tmp.resolve("data");
    int port = freePort();
    Map<String, String> env = Map.of("TERRITORY_DATA_DIR", data.toString(), "PORT", "" + port);

    Process first = start(env, List.of(), tmp.resolve("first.log"));
    awaitReady(port, first);
    int pgPort =
        Integer.parseInt(Files.readAllLines(data.resolve("postgres/postmaster.pid")).get(3).trim());
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres", "postgres", null);
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
      pgPort =
          Integer.parseInt(
              Files.readAllLines(data.resolve("postgres/postmaster.pid")).get(3).trim());
      try (Connection c =
              DriverManager.getConnection(
                  "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres", "postgres", null);
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

  @Test
  void unreachableDatabasePrintsOneLineNamingTheSettingAndExitsNonZero() throws Exception {
    Path log = tmp.resolve("bad.log");
    Process p =
        start(
            Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:1/territory",
                "QUARKUS_DATASOURCE_JDBC_ACQUISITION_TIMEOUT", "2s",
                "PORT", "" + freePort()),
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

  private Process start(Map<String, String> env, List<String> args, Path log) throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of(javaBin(), "-jar", JAR.toString()));
    command.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return pb.start();
  }

  private static void awaitReady(int port, Process process) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new AssertionError("app exited with " + process.exitValue());
              }
              try {
                HttpResponse<String> r =
                    HTTP.send(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200;
              } catch (IOException e) {
                return false;
              }
            });
  }

  private static void stop(Process process) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("app did not stop on SIGTERM");
    }
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
