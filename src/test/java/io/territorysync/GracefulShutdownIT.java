package io.territorysync;

import static io.territorysync.PackagedApp.freePort;
import static io.territorysync.PackagedApp.salesforce;
import static io.territorysync.PackagedApp.start;
import static io.territorysync.PackagedApp.stop;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica stopped with SIGTERM (a rolling update, a node drain) during a run: the run stops at a
 * safe point as {@code stopped}, the process exits, and the other replica continues with the run
 * queued in its place until it succeeds.
 */
class GracefulShutdownIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADMIN = "shutdown-admin";

  @TempDir Path tmp;

  private static JsonNode call(int port, String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + ADMIN)
            .header("Content-Type", "application/json");
    b =
        body == null
            ? b.method(method, HttpRequest.BodyPublishers.noBody())
            : b.method(method, HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = PackagedApp.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(r.statusCode() < 300, r.statusCode() + " " + r.body());
    return JSON.readTree(r.body());
  }

  /** A fresh database on the test PostgreSQL, as the replicas' datasource settings. */
  private static Map<String, String> sharedDatabase() throws Exception {
    String base = TestDatabase.jdbcUrl();
    String password = System.getenv("TERRITORY_TEST_DB_PASSWORD");
    try (Connection c = DriverManager.getConnection(base, TestDatabase.username(), password);
        Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS graceful_shutdown_it");
      st.execute("CREATE DATABASE graceful_shutdown_it");
    }
    Map<String, String> env = new HashMap<>();
    env.put(
        "QUARKUS_DATASOURCE_JDBC_URL",
        base.substring(0, base.lastIndexOf('/') + 1) + "graceful_shutdown_it");
    env.put("QUARKUS_DATASOURCE_USERNAME", TestDatabase.username());
    if (password != null) {
      env.put("QUARKUS_DATASOURCE_PASSWORD", password);
    }
    return env;
  }

  @Test
  void aRunStoppedBySigtermIsContinuedByTheOtherReplica() throws Exception {
    int sfPort = freePort();
    // Slow Salesforce calls keep the run going long enough to be interrupted.
    Process emulator = PackagedApp.emulator(sfPort, 5_000, 300, tmp.resolve("emulator.log"));
    Process a = null;
    Process b = null;
    try {
      Map<String, String> env = new HashMap<>(salesforce(sfPort));
      // A database neither replica owns (an embedded one stops with the replica that started it).
      env.putAll(sharedDatabase());
      env.put("TERRITORY_RULES_FILE", PackagedApp.demoRules(tmp, 5_000, 42).toString());
      env.put("TERRITORY_API_ADMIN_KEYS", ADMIN);
      int portA = freePort();
      int portB = freePort();
      Map<String, String> envA = new HashMap<>(env);
      envA.put("PORT", "" + portA);
      Map<String, String> envB = new HashMap<>(env);
      envB.put("PORT", "" + portB);
      a = start(envA, List.of("serve"), tmp.resolve("a.out"));
      PackagedApp.awaitReady(portA, a);
      b = start(envB, List.of("serve"), tmp.resolve("b.out"));
      PackagedApp.awaitReady(portB, b);

      long id = call(portA, "POST", "/api/runs", "{\"full\": true}").path("id").asLong();
      AtomicReference<JsonNode> running = new AtomicReference<>();
      await()
          .atMost(Duration.ofSeconds(180))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                JsonNode run = call(portA, "GET", "/api/runs/" + id, null);
                running.set(run);
                return run.path("status").asText().equals("running")
                    && !run.path("stage").isNull()
                    && !run.path("owner").isNull();
              });
      String owner = running.get().path("owner").asText();
      Process victim = owner.endsWith("/" + a.pid()) ? a : b;
      Process survivor = victim == a ? b : a;
      int survivorPort = victim == a ? portB : portA;
      Path victimLog = tmp.resolve(victim == a ? "a.out" : "b.out");
      assertTrue(owner.endsWith("/" + victim.pid()), owner);

      victim.destroy(); // SIGTERM
      assertTrue(victim.waitFor(90, TimeUnit.SECONDS), "the replica exits within the grace period");

      JsonNode stopped = call(survivorPort, "GET", "/api/runs/" + id, null);
      assertEquals("stopped", stopped.path("status").asText(), stopped.toString());
      assertTrue(
          stopped.path("error").asText().contains("the service is shutting down"),
          stopped.toString());
      assertTrue(
          Files.readString(victimLog).contains("stopping at the next safe point"),
          "the stopping replica says so");

      JsonNode resumes = call(survivorPort, "GET", "/api/runs?trigger=resume", null);
      assertEquals(1, resumes.size(), resumes.toString());
      long next = resumes.get(0).path("id").asLong();
      assertTrue(stopped.path("error").asText().contains("run " + next + " continues it"));
      AtomicReference<JsonNode> last = new AtomicReference<>();
      await()
          .atMost(Duration.ofSeconds(400))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                JsonNode run = call(survivorPort, "GET", "/api/runs/" + next, null);
                last.set(run);
                String status = run.path("status").asText();
                return !status.equals("queued") && !status.equals("running");
              });
      assertEquals("succeeded", last.get().path("status").asText(), last.get().toString());
      assertTrue(last.get().path("full").asBoolean(), "the continuation keeps the options");
      assertTrue(
          last.get().path("owner").asText().endsWith("/" + survivor.pid()),
          "the other replica ran it: " + last.get());
    } catch (AssertionError | RuntimeException e) {
      for (String log : List.of("a.out", "b.out")) {
        if (Files.exists(tmp.resolve(log))) {
          List<String> lines = Files.readAllLines(tmp.resolve(log));
          System.out.println("--- " + log + " (last 60 lines)");
          lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(System.out::println);
        }
      }
      throw e;
    } finally {
      stop(a != null && a.isAlive() ? a : null);
      stop(b != null && b.isAlive() ? b : null);
      stop(emulator);
    }
  }
}
