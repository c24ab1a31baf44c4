package io.territorysync.realign;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

  @Test
  @SuppressWarnings("unchecked")
  void aPublishedProposalLeavesTheOrgAsTheReportSaid() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(3000, 5, 110, 1.0));
    Files.writeString(RULES, DemoRules.text(demo));
    TestSql.wipe(dataSource);
    Run first = runs.execute(new RunService.RunRequest("test", false, false, false));
    assertEquals("succeeded", first.status, first.error);
    long callsBefore = emulator.emulator().usage().calls();

    long id =
        Api.admin()
            .contentType("application/json")
            .body(
                "{\"scope\":\""
                    + SCOPE
                    + "\",\"measure\":\"accounts\",\"tolerance\":0.1,\"maxMoved\":1.0}")
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
