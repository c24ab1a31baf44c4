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
 * other, never together, and both finish; webhook events sent to both are processed once each.
 */
class ReplicasIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADMIN = "replicas-admin";
  private static final String SECRET = "replicas-webhook-secret";
  private static final String TOKEN = "replicas-outbound-token";

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
  void twoReplicasRunOneRunAtATimeAndProcessEachWebhookEventOnce() throws Exception {
    int sfPort = freePort();
    Process emulator = PackagedApp.emulator(sfPort, 5_000, 0, tmp.resolve("emulator.log"));
    Process a = null;
    Process b = null;
    try {
      Map<String, String> env = new HashMap<>(salesforce(sfPort));
      env.put("TERRITORY_DATA_DIR", tmp.resolve("data").toString());
      env.put("TERRITORY_RULES_FILE", PackagedApp.demoRules(tmp, 5_000, 42).toString());
      env.put("TERRITORY_API_ADMIN_KEYS", ADMIN);
      env.put("TERRITORY_WEBHOOKS_SECRET", SECRET);
      env.put("TERRITORY_WEBHOOKS_OUTBOUND_MESSAGE_TOKEN", TOKEN);
      env.put("TERRITORY_WEBHOOKS_PROCESSING_POLL_INTERVAL", "100ms");
      env.put("TERRITORY_WEBHOOKS_PROCESSING_BATCH_SIZE", "5");
      env.put("TERRITORY_WEBHOOKS_RATE_LIMIT_BURST", "100000");
      env.put("TERRITORY_WEBHOOKS_RATE_LIMIT_PER_MINUTE", "100000");
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

      webhookEventsSentToBothReplicasAreEachProcessedOnce(sfPort, portA, portB);
    } finally {
      stop(a);
      stop(b);
      stop(emulator);
    }
  }

  /**
   * Accounts lose their associations in an org that accepts the same association twice; each is
   * announced to both replicas at once (Outbound Message or signed JSON, the same notification to
   * each). Both replicas poll the queue: each event must be processed by one run of one replica, so
   * the org receives each association once.
   */
  private void webhookEventsSentToBothReplicasAreEachProcessedOnce(int sfPort, int portA, int portB)
      throws Exception {
    PackagedApp.emulatorAdmin(sfPort, "PUT", "quirks", "{\"duplicateAssociations\":\"insert\"}");
    String orgId = PackagedApp.emulatorAdmin(sfPort, "GET", "summary", null).path("orgId").asText();
    Map<String, java.util.Set<String>> lost = new java.util.TreeMap<>();
    List<String> associationIds = new java.util.ArrayList<>();
    for (JsonNode r :
        PackagedApp.orgQuery(
            sfPort,
            "SELECT Id, ObjectId, Territory2Id FROM ObjectTerritory2Association"
                + " WHERE AssociationCause = 'Territory2Manual' ORDER BY ObjectId")) {
      String account = r.path("ObjectId").asText();
      if (lost.size() == 30 && !lost.containsKey(account)) {
        break;
      }
      lost.computeIfAbsent(account, k -> new java.util.TreeSet<>())
          .add(r.path("Territory2Id").asText());
      associationIds.add(r.path("Id").asText());
    }
    assertEquals(30, lost.size());
    PackagedApp.orgDelete(sfPort, associationIds);
    long mark = PackagedApp.writeMark(sfPort);
    long lastRun = call(portA, "GET", "/api/runs?limit=1", null).path(0).path("id").asLong();

    java.util.concurrent.ExecutorService senders =
        java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<HttpResponse<String>>> sent = new java.util.ArrayList<>();
      int i = 0;
      for (String account : lost.keySet()) {
        boolean soap = i % 2 == 0;
        String notification = "04l5g00000Rp" + String.format("%03d", i) + "AAA";
        String eventId = "replicas-" + i;
        for (int port : List.of(portA, portB)) {
          sent.add(
              senders.submit(
                  () ->
                      soap
                          ? outboundMessage(port, orgId, notification, account)
                          : signedJson(port, eventId, account)));
        }
        i++;
      }
      for (var f : sent) {
        HttpResponse<String> r = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(r.statusCode() == 200 || r.statusCode() == 202, r.statusCode() + r.body());
      }
    } finally {
      senders.shutdownNow();
    }
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(300))
        .until(() -> call(portB, "GET", "/api/webhooks", null).path("done").asInt() == 30);
    JsonNode counts = call(portA, "GET", "/api/webhooks", null);
    assertEquals(0, counts.path("pending").asInt(), counts.toString());
    assertEquals(0, counts.path("dead").asInt(), counts.toString());

    // the org's own log: every lost association inserted again, each exactly once
    List<String> inserted = new java.util.ArrayList<>();
    for (JsonNode w : PackagedApp.writesAfter(sfPort, mark)) {
      if (w.path("operation").asText().equals("create")
          && w.path("type").asText().equals("ObjectTerritory2Association")) {
        inserted.add(
            w.path("fields").path("ObjectId").asText()
                + "|"
                + w.path("fields").path("Territory2Id").asText());
      }
    }
    List<String> wanted = new java.util.ArrayList<>();
    lost.forEach((account, territories) -> territories.forEach(t -> wanted.add(account + "|" + t)));
    java.util.Collections.sort(inserted);
    assertEquals(wanted, inserted, "each lost association inserted once");

    // each account in exactly one webhook run, and no two webhook runs at once
    Map<String, Integer> runsPerAccount = new HashMap<>();
    List<JsonNode> webhookRuns = new java.util.ArrayList<>();
    for (JsonNode r : call(portA, "GET", "/api/runs?trigger=webhook&limit=200", null)) {
      if (r.path("id").asLong() > lastRun) {
        assertEquals("succeeded", r.path("status").asText(), r.toString());
        webhookRuns.add(r);
        r.path("accounts").forEach(a -> runsPerAccount.merge(a.asText(), 1, Integer::sum));
      }
    }
    Map<String, Integer> once = new HashMap<>();
    lost.keySet().forEach(a -> once.put(a, 1));
    assertEquals(once, runsPerAccount, "each account processed by one run");
    for (int x = 0; x < webhookRuns.size(); x++) {
      for (int y = x + 1; y < webhookRuns.size(); y++) {
        JsonNode rx = webhookRuns.get(x);
        JsonNode ry = webhookRuns.get(y);
        assertTrue(
            !Instant.parse(rx.path("finishedAt").asText())
                    .isAfter(Instant.parse(ry.path("startedAt").asText()))
                || !Instant.parse(ry.path("finishedAt").asText())
                    .isAfter(Instant.parse(rx.path("startedAt").asText())),
            "webhook runs overlap: " + rx + " and " + ry);
      }
    }
    for (Map.Entry<String, java.util.Set<String>> e : lost.entrySet()) {
      java.util.Set<String> now = new java.util.TreeSet<>();
      for (JsonNode r :
          PackagedApp.orgQuery(
              sfPort,
              "SELECT Territory2Id FROM ObjectTerritory2Association WHERE ObjectId = '"
                  + e.getKey()
                  + "' AND AssociationCause = 'Territory2Manual'")) {
        now.add(r.path("Territory2Id").asText());
      }
      assertEquals(e.getValue(), now, e.getKey());
    }
  }

  private static HttpResponse<String> signedJson(int port, String eventId, String account)
      throws Exception {
    return PackagedApp.signedWebhook(
        port, SECRET, "{\"eventId\": \"" + eventId + "\", \"accountIds\": [\"" + account + "\"]}");
  }

  private static HttpResponse<String> outboundMessage(
      int port, String orgId, String notification, String account) throws Exception {
    String xml =
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" \
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
         <soapenv:Body>
          <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
           <OrganizationId>%s</OrganizationId>
           <ActionId>04k5g000000CaRpAAK</ActionId>
           <Notification>
            <Id>%s</Id>
            <sObject xsi:type="sf:Account" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
             <sf:Id>%s</sf:Id>
            </sObject>
           </Notification>
          </notifications>
         </soapenv:Body>
        </soapenv:Envelope>
        """
            .formatted(orgId, notification, account);
    return PackagedApp.HTTP.send(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + port + "/webhooks/salesforce/outbound-message/" + TOKEN))
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("SOAPAction", "\"\"")
            .POST(HttpRequest.BodyPublishers.ofString(xml))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
