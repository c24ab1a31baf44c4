package io.territorysync.api;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
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
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rules through the admin API: validate, reload keeping the last good version, preview. */
@QuarkusTest
class RulesApiTest {

  static final Path RULES = Path.of("target/test-rules.yaml");

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
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
        desiredBefore,
        TestSql.strings(
            dataSource, "SELECT account_id || territory_id FROM desired_assignment ORDER BY 1"));
  }
}
