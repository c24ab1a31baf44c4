package io.territorysync.api;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.territorysync.Api;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.rules.RulesService;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rules through the admin API: validate, reload keeping the last good version, preview, publish,
 * roll back and return to the configured file.
 */
@QuarkusTest
class RulesApiTest {

  static final Path RULES = Path.of("target/test-rules.yaml");

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject RulesService rulesService;
  @Inject AgroalDataSource dataSource;

  String rules;

  @BeforeEach
  void assignedDemoOrg() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(400, 5, 50, 2.0));
    rules = DemoRules.text(demo);
    Files.writeString(RULES, rules);
    TestSql.wipe(dataSource);
    Run run = runs.execute(new RunService.RunRequest("test", false, false, false));
    assertEquals("succeeded", run.status, run.error);
  }

  @Test
  void validateNamesEveryProblemAndChangesNothing() {
    Api.viewer()
        .contentType("text/plain; charset=UTF-8")
        .body(rules)
        .post("/api/rules/validate")
        .then()
        .statusCode(200)
        .body("valid", equalTo(true));
    Api.viewer()
        .contentType("text/plain; charset=UTF-8")
        .body(rules.replaceFirst("operation: equals", "operation: resembles"))
        .post("/api/rules/validate")
        .then()
        .statusCode(200)
        .body("valid", equalTo(false))
        .body("problems[0].severity", equalTo("error"))
        .body("problems[0].position", containsString(":"))
        .body("problems[0].message", containsString("resembles"));
  }

  @Test
  void anInvalidRulesFileIsRefusedOnReloadAndThePreviousVersionStays() throws Exception {
    long version =
        Api.admin()
            .post("/api/rules/reload")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getLong("versionInForce");
    Api.viewer().post("/api/rules/reload").then().statusCode(403);
    Files.writeString(RULES, rules.replaceFirst("model: ", "model: [broken"));
    Api.admin()
        .post("/api/rules/reload")
        .then()
        .statusCode(422)
        .body("valid", equalTo(false))
        .body("versionInForce", equalTo((int) version))
        .body("problems.size()", greaterThan(0));
    Api.viewer().get("/api/rules").then().statusCode(200).body("version", equalTo((int) version));
  }

  @Test
  void previewShowsWhatACandidateWouldMoveAndWritesNothing() throws Exception {
    // the candidate stops matching the first Enterprise-segment rule
    Matcher m =
        Pattern.compile("- name: ([\\w-]+)\\n(?:.*\\n){1,4}?.*value: Enterprise\\}").matcher(rules);
    assertTrue(m.find(), "the demo rules have an Enterprise rule");
    String rule = m.group(1);
    String candidate =
        rules.substring(0, m.start())
            + m.group().replace("value: Enterprise}", "value: Nobody-Has-This}")
            + rules.substring(m.end());
    long wanted =
        TestSql.count(
            dataSource, "SELECT count(*) FROM desired_assignment WHERE rule = '" + rule + "'");
    long accounts =
        TestSql.count(
            dataSource,
            "SELECT count(DISTINCT account_id) FROM desired_assignment WHERE rule = '"
                + rule
                + "'");
    assertTrue(wanted > 0, "the rule assigns accounts today");
    long plannedBefore = TestSql.count(dataSource, "SELECT count(*) FROM plan_change");
    long writes = emulator.emulator().org().writeLog().mark();
    List<String> desiredBefore =
        TestSql.strings(
            dataSource, "SELECT account_id || territory_id FROM desired_assignment ORDER BY 1");

    JsonPath same =
        Api.admin()
            .contentType("text/plain; charset=UTF-8")
            .body(rules)
            .post("/api/rules/preview")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertEquals(0, same.getLong("diff.accountsChanged"), same.prettify());

    JsonPath p =
        Api.admin()
            .contentType("text/plain; charset=UTF-8")
            .body(candidate)
            .post("/api/rules/preview")
            .then()
            .statusCode(200)
            .body("valid", equalTo(true))
            .body("accountsEvaluated", equalTo(400))
            .extract()
            .jsonPath();
    assertEquals(wanted, p.getLong("diff.associationsRemoved"), p.prettify());
    assertEquals(accounts, p.getLong("diff.accountsChanged"), p.prettify());
    // the territory whose rule changed: the last territory key above the rule
    Matcher key = Pattern.compile("(?m)^  (\\w+):$").matcher(rules.substring(0, m.start()));
    String territory = null;
    while (key.find()) {
      territory = key.group(1);
    }
    List<String> before = p.getList("diff.sample[0].before");
    List<String> after = p.getList("diff.sample[0].after");
    assertTrue(before.contains(territory), territory + " in " + before);
    assertTrue(!after.contains(territory), territory + " not in " + after);
    String row = "balance.territories.find { it.territory == '" + territory + "' }";
    assertEquals(
        p.getLong(row + ".accountsBefore") - accounts,
        p.getLong(row + ".accountsAfter"),
        "the territory loses exactly the rule's accounts");

    Api.admin()
        .contentType("text/plain; charset=UTF-8")
        .body(rules.replaceFirst("operation: equals", "operation: resembles"))
        .post("/api/rules/preview")
        .then()
        .statusCode(422)
        .body("valid", equalTo(false));
    Api.viewer()
        .contentType("text/plain; charset=UTF-8")
        .body(candidate)
        .post("/api/rules/preview")
        .then()
        .statusCode(403);

    assertEquals(plannedBefore, TestSql.count(dataSource, "SELECT count(*) FROM plan_change"));
    assertEquals(
        List.of(),
        emulator.emulator().org().writeLog().after(writes),
        "previews sent the org no write");
    assertEquals(
        desiredBefore,
        TestSql.strings(
            dataSource, "SELECT account_id || territory_id FROM desired_assignment ORDER BY 1"));
  }

  @Test
  void publishedRulesWinOverTheFileUntilRolledBackOrReturnedToTheFile() throws Exception {
    long fileVersion = Api.viewer().get("/api/rules").jsonPath().getLong("version");
    String edited = rules + "# tightened by RevOps\n";

    JsonPath published =
        Api.admin()
            .contentType("text/plain; charset=UTF-8")
            .queryParam("note", "first edit")
            .queryParam("basedOn", fileVersion)
            .body(edited)
            .post("/api/rules/publish")
            .then()
            .statusCode(200)
            .body("changed", equalTo(true))
            .extract()
            .jsonPath();
    long v1 = published.getLong("versionInForce");
    assertNotEquals(fileVersion, v1);
    Api.viewer()
        .get("/api/rules")
        .then()
        .body("version", equalTo((int) v1))
        .body("source", equalTo("published"))
        .body("publication.by", equalTo("admin API key"))
        .body("publication.note", equalTo("first edit"));
    // a run reads the file again, but the published version stays in force
    Files.writeString(RULES, rules + "# someone edits the file meanwhile\n");
    Run run = runs.execute(new RunService.RunRequest("test", false, false, false));
    assertEquals(v1, ((Number) ((Map<?, ?>) run.summary.get("rules")).get("version")).longValue());
    Api.admin()
        .contentType("text/plain; charset=UTF-8")
        .body(edited)
        .post("/api/rules/publish")
        .then()
        .statusCode(200)
        .body("changed", equalTo(false))
        .body("outcome", equalTo("unchanged"));
    // an author who started from the file version is told someone published since
    Api.admin()
        .contentType("text/plain; charset=UTF-8")
        .queryParam("basedOn", fileVersion)
        .body(rules + "# another edit\n")
        .post("/api/rules/publish")
        .then()
        .statusCode(409)
        .body("outcome", equalTo("conflict"));
    long v2 =
        Api.admin()
            .contentType("text/plain; charset=UTF-8")
            .queryParam("basedOn", v1)
            .body(rules + "# second edit\n")
            .post("/api/rules/publish")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getLong("versionInForce");

    Api.admin()
        .post("/api/rules/versions/" + v1 + "/rollback")
        .then()
        .statusCode(200)
        .body("versionInForce", equalTo((int) v1));
    JsonPath history =
        Api.viewer().get("/api/rules/versions").then().statusCode(200).extract().jsonPath();
    assertEquals(v1, history.getLong("inForce"));
    assertEquals(List.of("rollback", "publish", "publish"), history.getList("publications.action"));
    assertEquals(List.of((int) v1, (int) v2, (int) v1), history.getList("publications.version"));
    assertTrue(history.getBoolean("versions.find { it.version == " + v1 + " }.inForce"));
    Api.viewer()
        .get("/api/rules/versions/" + v2)
        .then()
        .statusCode(200)
        .body("content", containsString("# second edit"))
        .body("createdBy", equalTo("admin API key"));

    Api.admin()
        .post("/api/rules/follow-source")
        .then()
        .statusCode(200)
        .body("changed", equalTo(true));
    Api.viewer()
        .get("/api/rules")
        .then()
        .body("source", equalTo(RULES.toString()))
        .body("publication", nullValue());
    assertTrue(
        rulesService
            .content(rulesService.current().orElseThrow().version())
            .orElseThrow()
            .contains("# someone edits the file meanwhile"));
  }

  @Test
  void invalidRulesAreNeverPublishedAndViewersCannotPublish() throws Exception {
    long before = Api.viewer().get("/api/rules").jsonPath().getLong("version");
    long versions = TestSql.count(dataSource, "SELECT count(*) FROM rules_version");
    String broken = rules.replaceFirst("operation: equals", "operation: resembles");
    Api.admin()
        .contentType("text/plain; charset=UTF-8")
        .body(broken)
        .post("/api/rules/publish")
        .then()
        .statusCode(422)
        .body("outcome", equalTo("invalid"))
        .body("problems[0].message", containsString("resembles"))
        .body("versionInForce", equalTo((int) before));
    Api.viewer()
        .contentType("text/plain; charset=UTF-8")
        .body(rules + "# viewer\n")
        .post("/api/rules/publish")
        .then()
        .statusCode(403);
    Api.viewer().post("/api/rules/versions/" + before + "/rollback").then().statusCode(403);
    Api.admin().post("/api/rules/versions/999999/rollback").then().statusCode(404);
    Api.admin()
        .post("/api/rules/follow-source")
        .then()
        .statusCode(200)
        .body("outcome", equalTo("unchanged"));
    assertEquals(versions, TestSql.count(dataSource, "SELECT count(*) FROM rules_version"));
    assertEquals(0, TestSql.count(dataSource, "SELECT count(*) FROM rules_publication"));
    Api.viewer().get("/api/rules").then().body("version", equalTo((int) before));
  }

  @Test
  void aVersionPublishedByAnotherReplicaIsPutInForceHere() throws Exception {
    String other = rules + "# published on another replica\n";
    long id;
    // what another replica's publish leaves in the shared database
    try (Connection c = dataSource.getConnection();
        PreparedStatement v =
            c.prepareStatement(
                "INSERT INTO rules_version (source, checksum, content, created_by)"
                    + " VALUES ('published', 'x', ?, 'Jane Doe') RETURNING id")) {
      v.setString(1, other);
      ResultSet rs = v.executeQuery();
      rs.next();
      id = rs.getLong(1);
      try (PreparedStatement p =
          c.prepareStatement(
              "INSERT INTO rules_publication (version_id, action, published_by)"
                  + " VALUES (?, 'publish', 'Jane Doe')")) {
        p.setLong(1, id);
        p.executeUpdate();
      }
    }
    Api.viewer()
        .get("/api/rules")
        .then()
        .body("version", equalTo((int) id))
        .body("publication.by", equalTo("Jane Doe"));
    assertEquals(id, rulesService.current().orElseThrow().version());
  }
}
