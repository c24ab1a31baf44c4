package io.territorysync.events;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.territorysync.Api;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Territory change events end to end: a run that moves accounts publishes exactly one CloudEvent
 * per applied change, in order per account; a dry run publishes none; an endpoint that keeps
 * refusing an event leaves it as a dead letter after the declared redeliveries, holds the later
 * events of its account, and a retry publishes them in order.
 */
@QuarkusTest
@TestProfile(ChangeEventsTest.EventsOn.class)
class ChangeEventsTest {

  static final int REDELIVERIES = 3;

  /** Events go to the test endpoint, with three redeliveries. */
  public static class EventsOn implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "territory.events.endpoints",
          TestEventEndpoint.URI,
          "territory.events.redelivery.maximum-redeliveries",
          String.valueOf(REDELIVERIES));
    }
  }

  static final Path RULES = Path.of("target/test-rules.yaml");

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;

  String rules;

  @BeforeEach
  void assignedDemoOrg() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(600, 31, 100, 2.0));
    rules = DemoRules.text(demo);
    Files.writeString(RULES, rules);
    TestSql.wipe(dataSource);
    TestEventEndpoint.reset();
    run(false);
    awaitOutboxPublished();
    TestEventEndpoint.RECEIVED.clear();
    // The US West and Central swap their states: every account of both regions moves
    String west = "[WA, OR, CA, NV, AZ, UT, ID, MT, WY, CO, NM, AK, HI]";
    String central = "[ND, SD, NE, KS, OK, MN, IA, MO, WI, IL, IN, MI, OH]";
    assertTrue(rules.contains(west) && rules.contains(central), "the demo rules name the states");
    Files.writeString(
        RULES, rules.replace(west, "@WEST@").replace(central, west).replace("@WEST@", central));
  }

  private Run run(boolean dryRun) {
    Run run = runs.execute(new RunService.RunRequest("test", false, dryRun, true));
    assertEquals("succeeded", run.status, run.error);
    return run;
  }

  private void awaitOutboxPublished() {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                TestSql.count(
                        dataSource, "SELECT count(*) FROM change_event WHERE status = 'pending'")
                    == 0);
  }

  /** The run's applied changes as "changeId type subject", in the order they were recorded. */
  private List<String> appliedChanges(long runId) throws Exception {
    return TestSql.strings(
        dataSource,
        "SELECT id || ' ' || CASE phase WHEN 1 THEN 'account.territory.added'"
            + " WHEN 2 THEN 'user.territory.added' WHEN 3 THEN 'user.territory.role.changed'"
            + " WHEN 4 THEN 'account.territory.removed' WHEN 5 THEN 'user.territory.removed'"
            + " ELSE 'opportunity.territory.changed' END || ' ' || coalesce(account_id, object_id)"
            + " FROM plan_change WHERE status = 'done' AND run_id = "
            + runId
            + " ORDER BY id");
  }

  static final String ROLLUP = "io.territorysync.territory.rollup.changed";

  /** The run's events of applied changes (rollup events aside). */
  private static List<JsonNode> receivedOf(long runId) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode e : TestEventEndpoint.RECEIVED) {
      if (e.path("data").path("runId").asLong() == runId
          && !e.path("type").asText().equals(ROLLUP)) {
        out.add(e);
      }
    }
    return out;
  }

  private static List<JsonNode> rollupsOf(long runId) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode e : TestEventEndpoint.RECEIVED) {
      if (e.path("data").path("runId").asLong() == runId
          && e.path("type").asText().equals(ROLLUP)) {
        out.add(e);
      }
    }
    return out;
  }

  private static String describe(JsonNode e) {
    return e.path("data").path("changeId").asLong()
        + " "
        + e.path("type").asText().substring("io.territorysync.".length())
        + " "
        + e.path("subject").asText();
  }

  @Test
  void aMovePublishesOneCloudEventPerAppliedChangeInOrderPerAccountAndADryRunNone()
      throws Exception {
    Run dry = run(true);
    assertTrue(
        TestSql.count(dataSource, "SELECT count(*) FROM plan_change WHERE run_id = " + dry.id) > 0,
        "the dry run planned the move");
    assertEquals(
        0,
        TestSql.count(dataSource, "SELECT count(*) FROM change_event WHERE run_id = " + dry.id),
        "a dry run records no events");

    Run moved = run(false);
    List<String> expected = appliedChanges(moved.id);
    Set<String> movedAccounts = new HashSet<>();
    for (String c : expected) {
      if (c.contains(" account.territory.")) {
        movedAccounts.add(c.substring(c.lastIndexOf(' ') + 1));
      }
    }
    assertTrue(movedAccounts.size() >= 100, "the swap moves accounts: " + movedAccounts.size());
    awaitOutboxPublished();
    long recorded =
        TestSql.count(dataSource, "SELECT count(*) FROM change_event WHERE run_id = " + moved.id);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> receivedOf(moved.id).size() + rollupsOf(moved.id).size() >= recorded);
    List<JsonNode> received = receivedOf(moved.id);
    assertTrue(receivedOf(dry.id).isEmpty(), "no event of the dry run was published");

    // exactly the applied changes, each once
    List<String> got = new ArrayList<>(received.stream().map(ChangeEventsTest::describe).toList());
    List<String> sortedGot = new ArrayList<>(got);
    sortedGot.sort((a, b) -> Long.compare(first(a), first(b)));
    assertEquals(expected, sortedGot);
    assertEquals(
        received.size(),
        received.stream().map(e -> e.path("id").asText()).distinct().count(),
        "every event has its own id");

    // in order per account: the order the changes were recorded in
    Map<String, List<Long>> perAccount = new TreeMap<>();
    for (String g : got) {
      perAccount
          .computeIfAbsent(g.substring(g.lastIndexOf(' ') + 1), k -> new ArrayList<>())
          .add(first(g));
    }
    for (Map.Entry<String, List<Long>> a : perAccount.entrySet()) {
      List<Long> sorted = new ArrayList<>(a.getValue());
      sorted.sort(null);
      assertEquals(sorted, a.getValue(), "events of " + a.getKey() + " in order");
    }

    // the territories the move changed beyond the threshold (10%) publish their rollups
    List<JsonNode> rollups = rollupsOf(moved.id);
    assertFalse(rollups.isEmpty(), "the move changes the rollups of the territories involved");
    for (JsonNode r : rollups) {
      JsonNode before = r.path("data").path("before");
      JsonNode after = r.path("data").path("after");
      assertEquals(
          r.path("data").path("territory").path("id").asText(), r.path("subject").asText());
      boolean beyond = false;
      for (String m : List.of("accountCount", "annualRevenue", "openPipeline", "closedWonAmount")) {
        double b = before.path(m).asDouble();
        double a = after.path(m).asDouble();
        beyond |= Math.abs(a - b) > 0.10 * Math.max(Math.abs(b), 1);
      }
      assertTrue(beyond, "changed beyond the threshold: " + r);
    }
    assertTrue(rollupsOf(dry.id).isEmpty(), "a dry run publishes no rollup event");

    // CloudEvents attributes, and before/after of a moved account
    JsonNode added = null;
    for (JsonNode e : received) {
      assertEquals("1.0", e.path("specversion").asText());
      assertEquals("/territory-sync", e.path("source").asText());
      assertFalse(e.path("time").asText().isEmpty());
      if (added == null
          && e.path("type").asText().equals("io.territorysync.account.territory.added")) {
        added = e;
      }
    }
    String account = added.path("subject").asText();
    String newTerritory = added.path("data").path("territory").path("id").asText();
    assertFalse(territories(added.path("data").path("before")).contains(newTerritory));
    assertTrue(territories(added.path("data").path("after")).contains(newTerritory));
    for (JsonNode e : received) {
      if (e.path("subject").asText().equals(account)
          && e.path("type").asText().endsWith("account.territory.removed")) {
        String old = e.path("data").path("territory").path("id").asText();
        assertTrue(territories(e.path("data").path("before")).contains(newTerritory));
        assertTrue(territories(e.path("data").path("before")).contains(old));
        assertFalse(territories(e.path("data").path("after")).contains(old));
      }
    }
  }

  private static long first(String described) {
    return Long.parseLong(described.substring(0, described.indexOf(' ')));
  }

  private static Set<String> territories(JsonNode state) {
    Set<String> out = new HashSet<>();
    state.path("territories").forEach(t -> out.add(t.path("id").asText()));
    return out;
  }

  @Test
  void anEndpointThatKeepsRefusingAnEventMakesItADeadLetterAndHoldsItsAccountUntilRetried()
      throws Exception {
    Run dry = run(true);
    // an account the move changes twice: added to one territory, removed from another
    String account =
        TestSql.strings(
                dataSource,
                "SELECT account_id FROM plan_change WHERE kind = 'account' AND run_id = "
                    + dry.id
                    + " GROUP BY account_id HAVING count(DISTINCT phase) = 2 ORDER BY 1 LIMIT 1")
            .get(0);
    TestEventEndpoint.REFUSED.add(account);

    Run moved = run(false);
    List<String> expected = appliedChanges(moved.id);
    List<String> ofAccount = expected.stream().filter(c -> c.endsWith(" " + account)).toList();
    assertTrue(ofAccount.size() >= 2, ofAccount.toString());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                receivedOf(moved.id).size() == expected.size() - ofAccount.size()
                    && TestSql.count(
                            dataSource, "SELECT count(*) FROM change_event WHERE status = 'dead'")
                        == 1);

    List<Map<String, Object>> dead =
        Api.viewer()
            .get("/api/events/dead")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("$");
    assertEquals(1, dead.size(), dead.toString());
    Map<String, Object> letter = dead.get(0);
    assertEquals(account, letter.get("subject"));
    assertEquals(TestEventEndpoint.URI.replace(":", "://"), letter.get("endpoint"));
    assertTrue(letter.get("error").toString().contains("refuses this account"), letter.toString());
    assertEquals(
        1 + REDELIVERIES,
        TestEventEndpoint.ATTEMPTS.get(letter.get("eventId")).get(),
        "the first attempt and every declared redelivery");
    Api.viewer()
        .get("/api/events")
        .then()
        .statusCode(200)
        .body("dead", is(1))
        .body("held", is(ofAccount.size() - 1));
    assertTrue(
        receivedOf(moved.id).stream().noneMatch(e -> e.path("subject").asText().equals(account)),
        "nothing of the refused account went out");

    Api.viewer().post("/api/events/dead/retry").then().statusCode(403);
    TestEventEndpoint.REFUSED.clear();
    Api.admin()
        .contentType("application/json")
        .body("{}")
        .post("/api/events/dead/retry")
        .then()
        .statusCode(200)
        .body("requeued", is(1));
    awaitOutboxPublished();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> receivedOf(moved.id).size() == expected.size());
    List<String> accountEvents =
        receivedOf(moved.id).stream()
            .map(ChangeEventsTest::describe)
            .filter(d -> d.endsWith(" " + account))
            .toList();
    assertEquals(ofAccount, accountEvents, "the held events follow the retried one, in order");
    Api.viewer().get("/api/events/dead").then().statusCode(200).body("size()", is(0));
  }
}
