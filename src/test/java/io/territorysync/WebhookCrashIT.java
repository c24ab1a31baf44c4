package io.territorysync;

import static io.territorysync.PackagedApp.freePort;
import static io.territorysync.PackagedApp.salesforce;
import static io.territorysync.PackagedApp.start;
import static io.territorysync.PackagedApp.stop;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks acknowledged but not yet processed are never lost: not when the replica that took them
 * dies (kill -9) before processing them, and not when they arrive before the first whole run.
 */
class WebhookCrashIT {

  private static final String SECRET = "crash-test-secret";

  @TempDir Path tmp;

  @AfterEach
  void stopTheDatabaseOfAKilledApp() throws Exception {
    PackagedApp.stopLeftoverDatabases(tmp);
  }

  private static Set<String> manualTerritories(int port, String account) throws Exception {
    Set<String> out = new TreeSet<>();
    for (JsonNode r :
        PackagedApp.orgQuery(
            port,
            "SELECT Territory2Id FROM ObjectTerritory2Association WHERE ObjectId = '"
                + account
                + "' AND AssociationCause = 'Territory2Manual'")) {
      out.add(r.path("Territory2Id").asText());
    }
    return out;
  }

  @Test
  void aWebhookAcknowledgedBeforeACrashIsProcessedByTheNextStart() throws Exception {
    int sfPort = freePort();
    Process emulator = PackagedApp.emulator(sfPort, 2_000, 0, tmp.resolve("emulator.log"));
    Process serve = null;
    try {
      Map<String, String> env = new HashMap<>(salesforce(sfPort));
      env.put("TERRITORY_DATA_DIR", tmp.resolve("data").toString());
      env.put("TERRITORY_RULES_FILE", PackagedApp.demoRules(tmp, 2_000, 42).toString());
      env.put("TERRITORY_WEBHOOKS_SECRET", SECRET);
      Process run = start(env, List.of("run"), tmp.resolve("run.out"));
      assertTrue(run.waitFor(120, TimeUnit.SECONDS));
      assertEquals(0, run.exitValue(), Files.readString(tmp.resolve("run.out")));

      // an account Territory Sync assigned loses its associations in the org
      JsonNode any =
          PackagedApp.orgQuery(
                  sfPort,
                  "SELECT ObjectId FROM ObjectTerritory2Association"
                      + " WHERE AssociationCause = 'Territory2Manual' LIMIT 1")
              .get(0);
      String account = any.path("ObjectId").asText();
      Set<String> assigned = manualTerritories(sfPort, account);
      String token = PackagedApp.orgToken(sfPort);
      for (JsonNode r :
          PackagedApp.orgQuery(
              sfPort,
              "SELECT Id FROM ObjectTerritory2Association WHERE ObjectId = '"
                  + account
                  + "' AND AssociationCause = 'Territory2Manual'")) {
        HttpResponse<String> d =
            PackagedApp.HTTP.send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://localhost:"
                                + sfPort
                                + "/services/data/v62.0/sobjects/ObjectTerritory2Association/"
                                + r.path("Id").asText()))
                    .header("Authorization", "Bearer " + token)
                    .DELETE()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, d.statusCode(), d.body());
      }
      assertTrue(manualTerritories(sfPort, account).isEmpty());

      // a replica that only stores webhooks acknowledges one, then dies
      int appPort = freePort();
      Map<String, String> receiving = new HashMap<>(env);
      receiving.put("PORT", "" + appPort);
      receiving.put("TERRITORY_WEBHOOKS_PROCESSING_ENABLED", "false");
      serve = start(receiving, List.of("serve"), tmp.resolve("serve1.out"));
      PackagedApp.awaitReady(appPort, serve);
      HttpResponse<String> ack = signedWebhook(appPort, account);
      assertEquals(202, ack.statusCode(), ack.body());
      serve.destroyForcibly();
      assertTrue(serve.waitFor(30, TimeUnit.SECONDS));
      assertTrue(manualTerritories(sfPort, account).isEmpty(), "not processed before the crash");

      // the next start processes what was acknowledged
      Map<String, String> restarted = new HashMap<>(env);
      restarted.put("PORT", "" + freePort());
      serve = start(restarted, List.of("serve"), tmp.resolve("serve2.out"));
      Process second = serve;
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> !second.isAlive() || manualTerritories(sfPort, account).equals(assigned));
      assertFalse(assigned.isEmpty());
      assertEquals(
          assigned,
          manualTerritories(sfPort, account),
          Files.readString(tmp.resolve("serve2.out")));
    } finally {
      stop(serve);
      stop(emulator);
    }
  }

  @Test
  void webhooksBeforeTheFirstWholeRunWaitForItAndAreThenProcessed() throws Exception {
    int sfPort = freePort();
    Process emulator = PackagedApp.emulator(sfPort, 2_000, 0, tmp.resolve("emulator.log"));
    Process serve = null;
    try {
      String account =
          PackagedApp.orgQuery(sfPort, "SELECT Id FROM Account ORDER BY Id LIMIT 1")
              .get(0)
              .path("Id")
              .asText();
      Map<String, String> env = new HashMap<>(salesforce(sfPort));
      env.put("TERRITORY_DATA_DIR", tmp.resolve("fresh").toString());
      env.put("TERRITORY_RULES_FILE", PackagedApp.demoRules(tmp, 2_000, 42).toString());
      env.put("TERRITORY_WEBHOOKS_SECRET", SECRET);
      env.put("TERRITORY_API_ADMIN_KEYS", "admin-key");
      env.put("TERRITORY_WEBHOOKS_PROCESSING_POLL_INTERVAL", "200ms");
      int appPort = freePort();
      env.put("PORT", "" + appPort);
      serve = start(env, List.of("serve"), tmp.resolve("fresh.out"));
      PackagedApp.awaitReady(appPort, serve);
      HttpResponse<String> ack = signedWebhook(appPort, account);
      assertEquals(202, ack.statusCode(), ack.body());
      Path log = tmp.resolve("fresh.out");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.readString(log).contains("wait for the first whole run"));
      assertEquals("{\"pending\":1,\"done\":0,\"dead\":0}", api(appPort, "GET", "/api/webhooks"));

      api(appPort, "POST", "/api/runs");
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> api(appPort, "GET", "/api/webhooks").contains("\"done\":1"));
    } finally {
      stop(serve);
      stop(emulator);
    }
  }

  private static HttpResponse<String> signedWebhook(int port, String account) throws Exception {
    return PackagedApp.signedWebhook(port, SECRET, "{\"accountIds\": [\"" + account + "\"]}");
  }

  private static String api(int port, String method, String path) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer admin-key")
            .header("Content-Type", "application/json");
    b = method.equals("POST") ? b.POST(HttpRequest.BodyPublishers.ofString("{}")) : b.GET();
    return PackagedApp.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
  }
}
