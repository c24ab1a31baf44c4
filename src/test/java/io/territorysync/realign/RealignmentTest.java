package io.territorysync.realign;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import io.territorysync.Api;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.rollup.FiscalPeriods;
import io.territorysync.rules.RulesReader;
import io.territorysync.rules.RulesService;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole cycle on a demo org: plan through the admin API, publish the proposal as the rules in
 * force, run, and find the org's associations as the report said (the rollups after the run equal
 * the report's "after" figures). Planning writes nothing to the org.
 */
@QuarkusTest
class RealignmentTest {

  static final Path RULES = Path.of("target/test-rules.yaml");
  static final String SCOPE = "NA_US_West_SMB";

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;
  @Inject Realignment realignment;
  @Inject RulesService rules;
  @Inject RealignConfig config;

  @Test
  @SuppressWarnings("unchecked")
  void aPublishedProposalLeavesTheOrgAsTheReportSaid() throws Exception {
    assignedDemoOrg();
    long callsBefore = emulator.emulator().usage().calls();
    long id =
        plan(
            "{\"scope\":\""
                + SCOPE
                + "\",\"measure\":\"accounts\",\"tolerance\":0.1,\"maxMoved\":1.0}");
    // doubles, not floats: potentials are large sums
    JsonPath job =
        new JsonPath(Api.viewer().get("/api/realignment/" + id).asString())
            .using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
    assertEquals("done", job.getString("status"), job.getString("error"));
    assertEquals(callsBefore, emulator.emulator().usage().calls(), "planning calls no API");
    Map<String, Object> report = job.getMap("report");
    assertEquals(Boolean.TRUE, report.get("valid"));
    Map<String, Object> within = (Map<String, Object>) report.get("withinTolerance");
    int before = ((Number) within.get("before")).intValue();
    int after = ((Number) within.get("after")).intValue();
    assertTrue(after > before, "the plan brings territories into tolerance: " + within);
    List<Map<String, Object>> moves = (List<Map<String, Object>>) report.get("moves");
    assertFalse(moves.isEmpty());

    // the proposal is a valid rules file that differs from the rules in force only in states
    String proposal =
        Api.viewer()
            .get("/api/realignment/" + id + "/rules")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertTrue(RulesReader.read(proposal, "proposal").ok());
    String moved = (String) moves.get(0).get("unit");
    Api.admin()
        .post("/api/realignment/" + id + "/preview")
        .then()
        .statusCode(200)
        .body("valid", equalTo(true));

    Api.admin()
        .post("/api/realignment/" + id + "/publish")
        .then()
        .statusCode(200)
        .body("published", equalTo(true));
    Api.viewer().get("/api/rules").then().statusCode(200);
    Run second = runs.execute(new RunService.RunRequest("test", false, false, false));
    assertEquals("succeeded", second.status, second.error);

    // the rollups of the run equal the report's "after" figures
    Map<String, long[]> rollups = rollups();
    List<Map<String, Object>> groups = (List<Map<String, Object>>) report.get("groups");
    int checked = 0;
    for (Map<String, Object> g : groups) {
      for (Map<String, Object> t : (List<Map<String, Object>>) g.get("territories")) {
        Map<String, Object> a = (Map<String, Object>) t.get("after");
        long[] r = rollups.get((String) t.get("territory"));
        assertEquals(
            ((Number) a.get("accounts")).longValue(), r[0], t.get("territory") + " accounts");
        assertEquals(
            Math.round(((Number) a.get("potential")).doubleValue()),
            r[1],
            t.get("territory") + " potential");
        checked++;
      }
    }
    assertTrue(checked >= 3);
    assertTrue(proposal.contains(moved), "the moved state is in the proposal: " + moved);
  }

  /**
   * Proposals are rows of the database: another instance of the service (a replica, or this one
   * after a restart) finds a plan it did not make, with its report and rules, and still refuses to
   * publish it once other rules were put in force since it was planned.
   */
  @Test
  @SuppressWarnings("unchecked")
  void aProposalIsStoredForEveryReplicaAndAStaleOneIsRefused() throws Exception {
    assignedDemoOrg();
    long id = plan("{\"scope\":\"" + SCOPE + "\",\"maxMoved\":1.0}");
    JsonPath api = Api.viewer().get("/api/realignment/" + id).jsonPath();
    assertEquals("done", api.getString("status"), api.getString("error"));
    String proposal = Api.viewer().get("/api/realignment/" + id + "/rules").asString();

    // a second instance of the service, with nothing in memory, reads the plan from the database
    RealignmentJobs replica = replica();
    RealignmentJobs.Job stored = replica.get(id).orElseThrow();
    assertEquals(id, replica.latest().orElseThrow().id);
    assertEquals("done", stored.view().get("status"));
    assertEquals(api.getString("createdBy"), stored.createdBy);
    assertTrue(stored.createdBy.contains("admin"), stored.createdBy);
    assertEquals(SCOPE, stored.request.scope());
    assertEquals(1.0, stored.request.maxMoved());
    Realignment.Proposal p = stored.proposal().orElseThrow();
    assertEquals(proposal, p.rules());
    Map<String, Object> report = p.report();
    assertEquals(api.getList("report.moves.unit"), unitsOf(report));
    assertEquals(
        api.getMap("report.withinTolerance").toString(), report.get("withinTolerance").toString());

    // other rules put in force since the plan (here: the proposal itself, through the API) make
    // it stale, for the second instance as for the API
    Api.admin().post("/api/realignment/" + id + "/publish").then().statusCode(200);
    assertNotNull(replica.get(id).orElseThrow().view().get("publishedAt"), "publication stored");
    RulesService.Change again = replica.publish(replica.get(id).orElseThrow(), "test");
    assertEquals(RulesService.Outcome.CONFLICT, again.outcome(), again.message());
    Api.admin()
        .post("/api/realignment/" + id + "/publish")
        .then()
        .statusCode(409)
        .body("published", equalTo(false));
  }

  /** The demo org, mirrored and assigned by one run. */
  private void assignedDemoOrg() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(3000, 5, 110, 1.0));
    Files.writeString(RULES, DemoRules.text(demo));
    TestSql.wipe(dataSource);
    Run first = runs.execute(new RunService.RunRequest("test", false, false, false));
    assertEquals("succeeded", first.status, first.error);
  }

  /** Plans {@code body} through the admin API and waits until the plan has ended; its id. */
  private static long plan(String body) {
    long id =
        Api.admin()
            .contentType("application/json")
            .body(body)
            .post("/api/realignment")
            .then()
            .statusCode(202)
            .extract()
            .jsonPath()
            .getLong("id");
    Api.viewer().get("/api/realignment/" + id).then().statusCode(200);
    await()
        .atMost(Duration.ofMinutes(2))
        .until(
            () ->
                !Api.viewer()
                    .get("/api/realignment/" + id)
                    .jsonPath()
                    .getString("status")
                    .equals("running"));
    return id;
  }

  private RealignmentJobs replica() {
    RealignmentJobs r = new RealignmentJobs();
    r.dataSource = dataSource;
    r.rules = rules;
    r.realignment = realignment;
    r.config = config;
    return r;
  }

  @SuppressWarnings("unchecked")
  private static List<String> unitsOf(Map<String, Object> report) {
    return ((List<Map<String, Object>>) report.get("moves"))
        .stream().map(m -> (String) m.get("unit")).toList();
  }

  private Map<String, long[]> rollups() throws Exception {
    String year = FiscalPeriods.current(LocalDate.now(ZoneOffset.UTC), 1).get(0).label();
    Map<String, long[]> out = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT developer_name, account_count, potential FROM territory_rollup"
                    + " WHERE period = ?")) {
      ps.setString(1, year);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          BigDecimal p = rs.getBigDecimal(3);
          out.put(rs.getString(1), new long[] {rs.getLong(2), Math.round(p.doubleValue())});
        }
      }
    }
    return out;
  }
}
