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
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Change events survive a kill -9 of the publishing service: an HTTP webhook receives every event
 * of a run, at least once, each account's in order, and a consumer that drops ids it has seen gets
 * each exactly once.
 */
class ChangeEventsCrashIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @AfterEach
  void stopTheDatabaseOfAKilledApp() throws Exception {
    PackagedApp.stopLeftoverDatabases(tmp);
  }

  /** What the webhook received, in arrival order: the CloudEvents as JSON. */
  private final List<JsonNode> received = new CopyOnWriteArrayList<>();

  @Test
  void aKilledPublisherPublishesEveryEventAfterItsRestartInOrderPerAccount() throws Exception {
    HttpServer webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    webhook.createContext(
        "/territory-changes",
        exchange -> {
          received.add(JSON.readTree(exchange.getRequestBody()));
          try {
            Thread.sleep(3); // a receiver that takes a moment, so the kill lands mid-publish
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    webhook.start();
    int sfPort = freePort();
    Process emulator = PackagedApp.emulator(sfPort, 2_000, 0, tmp.resolve("emulator.log"));
    Process serve = null;
    try {
      Map<String, String> env = new HashMap<>(salesforce(sfPort));
      env.put("TERRITORY_DATA_DIR", tmp.resolve("data").toString());
      env.put("TERRITORY_RULES_FILE", PackagedApp.demoRules(tmp, 2_000, 42).toString());
      env.put("TERRITORY_API_VIEWER_KEYS", "viewer-key");
      env.put(
          "TERRITORY_EVENTS_ENDPOINTS",
          "http://127.0.0.1:" + webhook.getAddress().getPort() + "/territory-changes");
      env.put("TERRITORY_EVENTS_POLL_INTERVAL", "100ms");

      // the one-shot run records the events; it publishes none
      Process run = start(env, List.of("run", "--json"), tmp.resolve("run.out"));
      assertTrue(run.waitFor(180, TimeUnit.SECONDS));
      assertEquals(0, run.exitValue(), Files.readString(tmp.resolve("run.out")));
      assertEquals(0, received.size(), "the run command leaves publishing to the service");

      // the service publishes, and is killed mid-publish
      int firstPort = freePort();
      Map<String, String> first = new HashMap<>(env);
      first.put("PORT", "" + firstPort);
      serve = start(first, List.of("serve"), tmp.resolve("serve1.out"));
      Process killed = serve;
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> !killed.isAlive() || received.size() >= 300);
      serve.destroyForcibly();
      assertTrue(serve.waitFor(30, TimeUnit.SECONDS));
      int beforeKill = received.size();

      // the next start publishes the rest
      int port = freePort();
      Map<String, String> second = new HashMap<>(env);
      second.put("PORT", "" + port);
      serve = start(second, List.of("serve"), tmp.resolve("serve2.out"));
      PackagedApp.awaitReady(port, serve);
      await()
          .atMost(Duration.ofSeconds(180))
          .until(() -> counts(port).path("pending").asLong() == 0);
      JsonNode counts = counts(port);
      long published = counts.path("published").asLong();
      assertEquals(0, counts.path("dead").asLong(), counts.toString());
      assertTrue(
          beforeKill < published,
          "killed mid-publish: " + beforeKill + " of " + published + " before the kill");

      // once each by id, every event of the run
      Set<String> ids = new HashSet<>();
      Set<Long> sequences = new HashSet<>();
      Map<String, List<Long>> perAccount = new HashMap<>();
      for (JsonNode e : received) {
        if (ids.add(e.path("id").asText())) {
          long sequence = Long.parseLong(e.path("sequence").asText());
          sequences.add(sequence);
          perAccount
              .computeIfAbsent(e.path("subject").asText(), k -> new ArrayList<>())
              .add(sequence);
        }
      }
      assertEquals(published, ids.size(), "every published event arrived");
      assertEquals(ids.size(), sequences.size());
      assertTrue(received.size() - ids.size() <= 2, "at most the in-flight event came twice");
      for (Map.Entry<String, List<Long>> a : perAccount.entrySet()) {
        List<Long> sorted = new ArrayList<>(a.getValue());
        sorted.sort(null);
        assertEquals(sorted, a.getValue(), "events of " + a.getKey() + " in order");
      }
    } finally {
      stop(serve);
      stop(emulator);
      webhook.stop(0);
    }
  }

  private static JsonNode counts(int port) throws Exception {
    return JSON.readTree(
        PackagedApp.HTTP
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/events"))
                    .header("Authorization", "Bearer viewer-key")
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }
}
