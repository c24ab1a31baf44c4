package io.territorysync;

import static io.territorysync.PackagedApp.freePort;
import static io.territorysync.PackagedApp.salesforce;
import static io.territorysync.PackagedApp.start;
import static io.territorysync.PackagedApp.stop;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas of the service on one database: runs requested from both at once run one after the
 * other, never together, and both finish.
 */
class ReplicasIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADMIN = "replicas-admin";

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

  @Test
  void runsRequestedFromTwoReplicasRunOneAtATime() throws Exception {
    int sfPort = freePort();
    Process emulator = PackagedApp.emulator(sfPort, 5_000, 0, tmp.resolve("emulator.log"));
    Process a = null;
    Process b = null;
    try {
      Map<String, String> env = new HashMap<>(salesforce(sfPort));
      env.put("TERRITORY_DATA_DIR", tmp.resolve("data").toString());
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

      long first = call(portA, "POST", "/api/runs", "{}").path("id").asLong();
      long second = call(portB, "POST", "/api/runs", "{\"full\": true}").path("id").asLong();
      long third = call(portA, "POST", "/api/runs", "{\"dryRun\": true}").path("id").asLong();
      assertNotEquals(first, second);
      java.util.Set<String> progressSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
      await()
          .atMost(Duration.ofSeconds(180))
          .pollInterval(Duration.ofMillis(300))
          .until(
              () -> {
                boolean busy = false;
                for (long id : List.of(first, second, third)) {
                  JsonNode run = call(portB, "GET", "/api/runs/" + id, null);
                  String status = run.path("status").asText();
                  if (status.equals("running") && run.path("progress").has("stage")) {
                    progressSeen.add(run.path("progress").toString());
                  }
                  busy |= status.equals("queued") || status.equals("running");
                }
                return !busy;
              });
      List<JsonNode> done =
          List.of(
              call(portA, "GET", "/api/runs/" + first, null),
              call(portA, "GET", "/api/runs/" + second, null),
              call(portA, "GET", "/api/runs/" + third, null));
      for (JsonNode r : done) {
        assertEquals("succeeded", r.path("status").asText(), r.toString());
      }
      assertTrue(!progressSeen.isEmpty(), "a running run reports its stage and progress");
      for (int i = 0; i < done.size(); i++) {
        for (int j = i + 1; j < done.size(); j++) {
          Instant si = Instant.parse(done.get(i).path("startedAt").asText());
          Instant fi = Instant.parse(done.get(i).path("finishedAt").asText());
          Instant sj = Instant.parse(done.get(j).path("startedAt").asText());
          Instant fj = Instant.parse(done.get(j).path("finishedAt").asText());
          assertTrue(
              !fi.isAfter(sj) || !fj.isAfter(si),
              "runs overlap: " + done.get(i) + " and " + done.get(j));
        }
      }
    } finally {
      stop(a);
      stop(b);
      stop(emulator);
    }
  }
}
