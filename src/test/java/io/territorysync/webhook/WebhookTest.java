package io.territorysync.webhook;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.Api;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.OrgData;
import io.territorysync.emulator.OrgQuery;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * New-account webhooks end to end against the in-process emulator: a new account is announced by an
 * Outbound Message or signed JSON, fetched fresh, assigned by the rules and written to the org
 * within seconds; duplicates are processed once; every kind of bad webhook is refused with nothing
 * stored; failing events are retried, kept as dead, and retried from the API.
 */
@QuarkusTest
class WebhookTest {

  static final String SECRET = "test-webhook-secret";
  static final String TOKEN = "test-outbound-message-token";

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;
  @Inject WebhookStore store;
  @Inject WebhookProcessor processor;

  OrgData org;
  String template;

  @BeforeEach
  void assignedDemoOrg() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(300, 21, 60, 2.0));
    org = emulator.emulator().org();
    Files.writeString(Path.of("target/test-rules.yaml"), DemoRules.text(demo));
    TestSql.wipe(dataSource);
    Run first = runs.execute(new RunService.RunRequest("test", false, false, false));
    assertEquals("succeeded", first.status, first.error);
    // an account the rules (not a named-account override) put in territories
    template =
        TestSql.strings(
                dataSource,
                "SELECT account_id FROM desired_assignment GROUP BY account_id"
                    + " HAVING bool_and(rule IS NOT NULL) ORDER BY account_id LIMIT 1")
            .get(0);
  }

  @AfterEach
  void clearFaults() {
    emulator.emulator().faults().clear();
  }

  /** A new account in the org with the template's fields (so the same rules match it). */
  private String newAccount() {
    Map<String, Object> fields = new HashMap<>(org.get(template).orElseThrow());
    for (String system :
        List.of(
            "Id",
            "IsDeleted",
            "CreatedDate",
            "CreatedById",
            "LastModifiedDate",
            "LastModifiedById",
            "SystemModstamp",
            "LastActivityDate",
            "MasterRecordId")) {
      fields.remove(system);
    }
    fields.put("Name", "Webhook Test " + System.nanoTime());
    return org.insertSystem("Account", fields);
  }

  private Set<String> territoriesInOrg(String account) {
    Set<String> out = new TreeSet<>();
    for (List<String> r :
        OrgQuery.rows(
            org,
            "SELECT Territory2Id FROM ObjectTerritory2Association WHERE ObjectId = '"
                + account
                + "' AND AssociationCause = 'Territory2Manual'")) {
      out.add(r.get(0));
    }
    return out;
  }

  private Set<String> expectedTerritories() throws Exception {
    return new TreeSet<>(
        TestSql.strings(
            dataSource,
            "SELECT territory_id FROM desired_assignment WHERE account_id = '" + template + "'"));
  }

  private void awaitEvents(String status, long n) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                TestSql.count(
                        dataSource,
                        "SELECT count(*) FROM webhook_event WHERE status = '" + status + "'")
                    == n);
  }

  private long webhookRuns(long after, String account) throws Exception {
    return TestSql.count(
        dataSource,
        "SELECT count(*) FROM run WHERE trigger = 'webhook' AND id > "
            + after
            + " AND '"
            + account
            + "' = ANY(accounts)");
  }

  private long events() throws Exception {
    return TestSql.count(dataSource, "SELECT count(*) FROM webhook_event");
  }

  static String outboundMessage(String orgId, String notificationId, String accountId) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" \
        xmlns:xsd="http://www.w3.org/2001/XMLSchema" \
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
         <soapenv:Body>
          <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
           <OrganizationId>%s</OrganizationId>
           <ActionId>04k5g000000CaRpAAK</ActionId>
           <SessionId xsi:nil="true"/>
           <EnterpriseUrl>https://example.my.salesforce.com/services/Soap/c/62.0/00D5g0000000001</EnterpriseUrl>
           <PartnerUrl>https://example.my.salesforce.com/services/Soap/u/62.0/00D5g0000000001</PartnerUrl>
           <Notification>
            <Id>%s</Id>
            <sObject xsi:type="sf:Account" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
             <sf:Id>%s</sf:Id>
             <sf:Name>Acme Webhook</sf:Name>
            </sObject>
           </Notification>
          </notifications>
         </soapenv:Body>
        </soapenv:Envelope>
        """
        .formatted(orgId, notificationId, accountId);
  }

  private io.restassured.response.Response postOutbound(String xml) {
    return given()
        .contentType("text/xml; charset=utf-8")
        .header("SOAPAction", "\"\"")
        .body(xml.getBytes(StandardCharsets.UTF_8))
        .post("/webhooks/salesforce/outbound-message/" + TOKEN);
  }

  private io.restassured.response.Response postSigned(String json, long timestamp, String secret) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    return given()
        .contentType("application/json")
        .header("X-Territory-Timestamp", String.valueOf(timestamp))
        .header("X-Territory-Signature", WebhookReceiver.sign(secret, timestamp, body))
        .body(body)
        .post("/webhooks/accounts");
  }

  @Test
  void anOutboundMessageIsAcknowledgedAndItsNewAccountAssignedOnce() throws Exception {
    String account = newAccount();
    Set<String> expected = expectedTerritories();
    assertFalse(expected.isEmpty());
    assertTrue(territoriesInOrg(account).isEmpty());
    // Salesforce sends 15-character ids in the documented examples; both forms are accepted
    String xml = outboundMessage(org.orgId(), "04l5g00000AbCdEAAV", account.substring(0, 15));
    long lastRun = TestSql.count(dataSource, "SELECT coalesce(max(id), 0) FROM run");

    postOutbound(xml)
        .then()
        .statusCode(200)
        .body(containsString("<Ack>true</Ack>"))
        .body(containsString("http://soap.sforce.com/2005/09/outbound"));
    await().atMost(Duration.ofSeconds(20)).until(() -> territoriesInOrg(account).equals(expected));
    awaitEvents("done", 1);
    assertEquals(1, webhookRuns(lastRun, account));

    // Salesforce retries a notification it thinks was lost: acknowledged, stored and run once
    postOutbound(xml).then().statusCode(200).body(containsString("<Ack>true</Ack>"));
    assertEquals(1, events());
    assertEquals(
        0,
        TestSql.count(dataSource, "SELECT count(*) FROM webhook_event WHERE status = 'pending'"));
    assertEquals(1, webhookRuns(lastRun, account));
    assertEquals(expected, territoriesInOrg(account));
  }

  /** Runs {@code sql} as the test database's owner, outside the app's pool. */
  private static void admin(String database, String sql) throws Exception {
    try (java.sql.Connection c = connection(database);
        java.sql.Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** A connection of the test database's owner to {@code database}, outside the app's pool. */
  private static java.sql.Connection connection(String database) throws Exception {
    String url = io.territorysync.TestDatabase.jdbcUrl();
    return java.sql.DriverManager.getConnection(
        url.substring(0, url.lastIndexOf('/') + 1) + database,
        io.territorysync.TestDatabase.username(),
        System.getenv("TERRITORY_TEST_DB_PASSWORD"));
  }

  private static String databaseName() {
    String url = io.territorysync.TestDatabase.jdbcUrl();
    String name = url.substring(url.lastIndexOf('/') + 1);
    return name.contains("?") ? name.substring(0, name.indexOf('?')) : name;
  }

  @Test
  void anOutboundMessageIsNotAcknowledgedWhileItCannotBeStoredAndIsProcessedOnceWhenSentAgain()
      throws Exception {
    String account = newAccount();
    Set<String> expected = expectedTerritories();
    String xml = outboundMessage(org.orgId(), "04l5g00000StOrEAAV", account);
    long lastRun = TestSql.count(dataSource, "SELECT coalesce(max(id), 0) FROM run");
    String db = databaseName();

    // the insert fails
    admin(
        db,
        "CREATE FUNCTION refuse_webhook_event() RETURNS trigger LANGUAGE plpgsql AS"
            + " $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$;"
            + " CREATE TRIGGER refuse_webhook_event BEFORE INSERT ON webhook_event"
            + " FOR EACH ROW EXECUTE FUNCTION refuse_webhook_event()");
    try {
      postOutbound(xml)
          .then()
          .statusCode(500)
          .body(containsString("<faultcode>soapenv:Server</faultcode>"))
          .body(not(containsString("<Ack>")))
          .body(not(containsString("No space left")));
    } finally {
      admin(
          db,
          "DROP TRIGGER refuse_webhook_event ON webhook_event;"
              + " DROP FUNCTION refuse_webhook_event()");
    }
    assertEquals(0, events());

    // the database is down: its sessions are gone and no new connection can be had (the pool is
    // emptied: with -ea, pgjdbc asserts on a dead session where the packaged app gets an
    // SQLException)
    admin(
        "template1",
        "ALTER DATABASE \""
            + db
            + "\" ALLOW_CONNECTIONS false;"
            + " SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            + " WHERE datname = '"
            + db
            + "' AND pid <> pg_backend_pid()");
    dataSource.flush(AgroalDataSource.FlushMode.ALL);
    try {
      postOutbound(xml)
          .then()
          .statusCode(500)
          .body(containsString("<faultcode>soapenv:Server</faultcode>"))
          .body(not(containsString("<Ack>")));
    } finally {
      admin("template1", "ALTER DATABASE \"" + db + "\" ALLOW_CONNECTIONS true");
    }
    // the pool's flush runs on its own thread: until it has, a terminated session may still be
    // lent once, so the database is read again until it answers (nothing was stored)
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(() -> assertEquals(0, events()));
    assertTrue(territoriesInOrg(account).isEmpty(), "nothing was processed");

    // Salesforce sends the unacknowledged notification again (and again while it is refused, as
    // it does): stored, acknowledged, run once
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> postOutbound(xml).then().extract().statusCode() == 200);
    postOutbound(xml).then().statusCode(200).body(containsString("<Ack>true</Ack>"));
    await().atMost(Duration.ofSeconds(30)).until(() -> territoriesInOrg(account).equals(expected));
    awaitEvents("done", 1);
    assertEquals(1, events());
    assertEquals(1, webhookRuns(lastRun, account));
  }

  @Test
  void theStartUpWarmUpIsADryMiniRunThatKeepsTheServiceUnreadyUntilDone() throws Exception {
    // the account the warm-up takes lost its associations in the org: a real mini-run would write
    String account =
        TestSql.strings(dataSource, "SELECT id FROM sf_account ORDER BY id LIMIT 1").get(0);
    List<String> associations = new java.util.ArrayList<>();
    for (List<String> r :
        OrgQuery.rows(
            org,
            "SELECT Id FROM ObjectTerritory2Association WHERE ObjectId = '"
                + account
                + "' AND AssociationCause = 'Territory2Manual'")) {
      associations.add(r.get(0));
    }
    assertFalse(associations.isEmpty(), "the first account is assigned");
    org.delete(associations, true, OrgData.LockFaults.NONE);
    long lastRun = TestSql.count(dataSource, "SELECT coalesce(max(id), 0) FROM run");
    long mark = org.writeLog().mark();

    processor.expectWarmUp();
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(503)
        .body("checks.find { it.name == 'webhook-processing' }.status", equalTo("DOWN"));
    processor.warmUp();
    given()
        .get("/q/health/ready")
        .then()
        .body("checks.find { it.name == 'webhook-processing' }.status", equalTo("UP"));

    assertEquals(
        List.of("warm-up true succeeded " + account),
        TestSql.strings(
            dataSource,
            "SELECT trigger || ' ' || dry_run || ' ' || status || ' ' || array_to_string(accounts, ',')"
                + " FROM run WHERE id > "
                + lastRun));
    // it planned the missing associations, and wrote nothing to the org
    assertTrue(
        TestSql.count(
                dataSource,
                "SELECT count(*) FROM plan_change WHERE run_id > "
                    + lastRun
                    + " AND account_id = '"
                    + account
                    + "' AND action = 'add' AND status = 'planned'")
            > 0);
    assertEquals(List.of(), org.writeLog().after(mark));
  }

  @Test
  void theSameNotificationArrivingTwiceAtOnceIsStoredAndProcessedOnce() throws Exception {
    String account = newAccount();
    Set<String> expected = expectedTerritories();
    String xml = outboundMessage(org.orgId(), "04l5g00000TwIcEAAV", account);
    long lastRun = TestSql.count(dataSource, "SELECT coalesce(max(id), 0) FROM run");
    long mark = org.writeLog().mark();
    // an org that would accept the same association twice: only one processing keeps it single
    org.duplicateAssociationInserted(true);
    int senders = 8;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(senders);
    try (java.sql.Connection gate = connection(databaseName())) {
      // the table is locked against inserts until every copy has reached its insert: then they
      // all go at once
      gate.setAutoCommit(false);
      try (java.sql.Statement s = gate.createStatement()) {
        s.execute("LOCK TABLE webhook_event IN SHARE ROW EXCLUSIVE MODE");
      }
      List<java.util.concurrent.Future<io.restassured.response.Response>> sent =
          new java.util.ArrayList<>();
      for (int i = 0; i < senders; i++) {
        sent.add(pool.submit(() -> postOutbound(xml)));
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  TestSql.count(
                          dataSource,
                          "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                              + " AND query LIKE 'INSERT INTO webhook_event%'")
                      == senders);
      gate.commit();
      for (var f : sent) {
        io.restassured.response.Response r = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), r.body().asString());
        assertTrue(r.body().asString().contains("<Ack>true</Ack>"), r.body().asString());
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> territoriesInOrg(account).equals(expected));
      awaitEvents("done", 1);
      assertEquals(1, events());
      assertEquals(1, webhookRuns(lastRun, account));
      List<String> inserts = new java.util.ArrayList<>();
      for (var w : org.writeLog().after(mark)) {
        if (w.operation().equals("create")
            && "ObjectTerritory2Association".equals(w.type())
            && w.field("ObjectId").equals(account)) {
          inserts.add(w.field("Territory2Id"));
        }
      }
      java.util.Collections.sort(inserts);
      assertEquals(List.copyOf(expected), inserts, "each association sent to the org once");
    } finally {
      pool.shutdownNow();
      org.duplicateAssociationInserted(false);
    }
  }

  @Test
  void processedEventsAreDeletedAfterTheRetentionButDeadOnesAreKept() throws Exception {
    try (java.sql.Connection c = dataSource.getConnection();
        java.sql.Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO webhook_event (source, dedupe_key, account_id, received_at, status) VALUES"
              + " ('signed-json', 'old-done', '001000000000001AAA', now() - interval '40 days',"
              + " 'done'),"
              + " ('signed-json', 'old-dead', '001000000000002AAA', now() - interval '40 days',"
              + " 'dead'),"
              + " ('signed-json', 'new-done', '001000000000003AAA', now() - interval '1 day',"
              + " 'done')");
    }
    assertEquals(1, store.purgeDone(Instant.now().minus(Duration.ofDays(30))));
    assertEquals(
        List.of("new-done", "old-dead"),
        TestSql.strings(dataSource, "SELECT dedupe_key FROM webhook_event ORDER BY dedupe_key"));
  }

  @Test
  void badOutboundMessagesGetASoapFaultAndStoreNothing() throws Exception {
    String account = newAccount();
    String foreignOrg = io.territorysync.salesforce.SalesforceId.to18("00D5g000004ZZZZ");
    postOutbound(outboundMessage(foreignOrg, "04l5g00000AbCdEAAV", account))
        .then()
        .statusCode(500)
        .body(containsString("<faultcode>soapenv:Client</faultcode>"))
        .body(containsString("not the connected org"));
    postOutbound("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">")
        .then()
        .statusCode(500)
        .body(containsString("malformed XML"));
    postOutbound(
            "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + outboundMessage(org.orgId(), "04l5g00000AbCdEAAV", "&e;")
                    .replaceFirst("<\\?xml[^>]*>", ""))
        .then()
        .statusCode(500)
        .body(containsString("soapenv:Client"));
    postOutbound(outboundMessage(org.orgId(), "04l5g00000AbCdEAAV", "006000000000001AAA"))
        .then()
        .statusCode(500)
        .body(containsString("no valid Account Id"));
    assertEquals(0, events());
  }

  @Test
  void signedJsonIsAcceptedAndEveryBadOneRefusedWithNothingStored() throws Exception {
    String account = newAccount();
    Set<String> expected = expectedTerritories();
    long now = Instant.now().getEpochSecond();
    String json = "{\"accountIds\": [\"" + account + "\"]}";

    given()
        .contentType("application/json")
        .body(json)
        .post("/webhooks/accounts")
        .then()
        .statusCode(401)
        .body("error", containsString("unsigned"));
    postSigned(json, now, "not-the-secret")
        .then()
        .statusCode(401)
        .body("error", equalTo("bad signature"));
    postSigned(json, now - 3600, SECRET)
        .then()
        .statusCode(401)
        .body("error", containsString("stale"));
    postSigned("{\"accountIds\": [", now, SECRET)
        .then()
        .statusCode(400)
        .body("error", containsString("malformed JSON"));
    postSigned("{\"accountIds\": [\"005000000000001AAA\"]}", now, SECRET)
        .then()
        .statusCode(400)
        .body("error", containsString("accountIds[0]"));
    // a body changed after signing
    byte[] signed = json.getBytes(StandardCharsets.UTF_8);
    given()
        .contentType("application/json")
        .header("X-Territory-Timestamp", String.valueOf(now))
        .header("X-Territory-Signature", WebhookReceiver.sign(SECRET, now, signed))
        .body(json.replace("]", ", \"001000000000009AAA\"]"))
        .post("/webhooks/accounts")
        .then()
        .statusCode(401);
    assertEquals(0, events());

    postSigned(json, now, SECRET).then().statusCode(202).body("stored", equalTo(1));
    // the same signed request replayed is a duplicate
    postSigned(json, now, SECRET).then().statusCode(202).body("duplicates", equalTo(1));
    await().atMost(Duration.ofSeconds(20)).until(() -> territoriesInOrg(account).equals(expected));
    assertEquals(1, events());
    awaitEvents("done", 1);
    given()
        .get("/q/metrics")
        .then()
        .body(
            containsString(
                "territory_webhook_events_total{outcome=\"rejected\",source=\"signed-json\"}"))
        .body(containsString("territory_webhook_events_total{outcome=\"processed\""))
        .body(containsString("territory_webhook_latency_seconds_count"));
  }

  @Test
  void failingEventsAreRetriedKeptAsDeadAndRetriedFromTheApi() throws Exception {
    String account = newAccount();
    Set<String> expected = expectedTerritories();
    emulator.emulator().faults().serverUnavailableRate(1.0);
    postSigned("{\"accountIds\": [\"" + account + "\"]}", Instant.now().getEpochSecond(), SECRET)
        .then()
        .statusCode(202);
    awaitEvents("dead", 1);
    assertEquals(
        6, TestSql.count(dataSource, "SELECT attempts FROM webhook_event WHERE status = 'dead'"));
    Api.viewer()
        .get("/api/webhooks/dead")
        .then()
        .statusCode(200)
        .body("$", hasSize(1))
        .body("[0].accountId", equalTo(account))
        .body("[0].error", containsString("SERVER_UNAVAILABLE"));
    assertTrue(territoriesInOrg(account).isEmpty());

    emulator.emulator().faults().clear();
    Api.viewer()
        .contentType("application/json")
        .body("{}")
        .post("/api/webhooks/dead/retry")
        .then()
        .statusCode(403);
    Api.admin()
        .contentType("application/json")
        .body("{}")
        .post("/api/webhooks/dead/retry")
        .then()
        .statusCode(200)
        .body("requeued", equalTo(1));
    await().atMost(Duration.ofSeconds(20)).until(() -> territoriesInOrg(account).equals(expected));
    awaitEvents("done", 1);
  }
}
