package io.territorysync.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.rules.engine.RuleCompiler;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rules stage inside runs: the demo rules on the demo org, a broken file, the org's own rules.
 */
@QuarkusTest
class RulesPipelineTest {

  static final Path RULES = Path.of("target/test-rules.yaml");

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;
  @Inject MirrorRules mirrorRules;

  DemoOrg.Result demo;

  @BeforeEach
  void demoOrgAndItsRules() throws Exception {
    demo = emulator.reset(new DemoOrg.Spec(800, 11, 100, 2.0));
    Files.writeString(RULES, DemoRules.text(demo));
    TestSql.wipe(dataSource);
  }

  private long count(String sql) throws Exception {
    return TestSql.count(dataSource, sql);
  }

  private Run run() {
    return runs.execute(new RunService.RunRequest("test", false, false, false));
  }

  @Test
  @SuppressWarnings("unchecked")
  void demoRulesPutEveryAccountInOneGeographyTerritoryAndAgreeWithTheOrgsCorrectAssociations()
      throws Exception {
    Run run = run();
    assertEquals("succeeded", run.status, run.error);
    Map<String, Object> rules = (Map<String, Object>) run.summary.get("rules");
    assertNotNull(rules, run.summary.toString());
    assertEquals(800L, ((Number) rules.get("accounts")).longValue());
    long geo =
        count(
            "SELECT count(DISTINCT d.account_id) FROM desired_assignment d JOIN sf_territory2 t ON t.id = d.territory_id JOIN sf_territory2_type y ON y.id = t.territory2_type_id WHERE y.developer_name IN ('Segment', 'District')");
    assertEquals(800, geo, "every demo account falls in exactly one leaf");
    assertEquals(
        0,
        count(
            "SELECT count(*) FROM (SELECT d.account_id FROM desired_assignment d JOIN sf_territory2 t ON t.id = d.territory_id GROUP BY d.account_id, t.territory2_type_id HAVING count(*) > 1) x"),
        "exclusive per type");
    long manual =
        count(
            "SELECT count(*) FROM sf_object_territory2_association WHERE association_cause = 'Territory2Manual'");
    long agreeing =
        count(
            "SELECT count(*) FROM sf_object_territory2_association o JOIN desired_assignment d ON d.account_id = o.object_id AND d.territory_id = o.territory2_id WHERE o.association_cause = 'Territory2Manual'");
    assertTrue(
        agreeing > manual * 0.9 && agreeing < manual,
        "the org's seeded manual associations are right except a few: "
            + agreeing
            + " of "
            + manual);
    assertTrue(
        count("SELECT count(*) FROM desired_assignment WHERE rule IS NULL") >= 1,
        "named accounts come from overrides");
  }

  @Test
  @SuppressWarnings("unchecked")
  void anInvalidRulesFileKeepsTheRulesInForce() throws Exception {
    Run first = run();
    long version =
        ((Number) ((Map<String, Object>) first.summary.get("rules")).get("version")).longValue();
    long assignments = count("SELECT count(*) FROM desired_assignment");
    Files.writeString(
        RULES, Files.readString(RULES).replaceFirst("operation: equals", "operation: equalz"));
    Run second = run();
    assertEquals("succeeded", second.status, second.error);
    Map<String, Object> rules = (Map<String, Object>) second.summary.get("rules");
    assertEquals(version, ((Number) rules.get("version")).longValue(), "same version in force");
    List<String> invalid = (List<String>) rules.get("invalidSource");
    assertTrue(
        invalid.get(0).contains("unknown operation 'equalz'")
            && invalid.get(0).startsWith("target/test-rules.yaml:"),
        invalid.toString());
    assertEquals(assignments, count("SELECT count(*) FROM desired_assignment"));
  }

  @Test
  void theOrgsOwnRulesRunAsTheyAreAndExportToTheRulesFormat() throws Exception {
    run();
    RuleSet org = mirrorRules.orgRules(null);
    assertEquals("Global_Sales", org.model());
    assertTrue(
        org.territories().stream().anyMatch(t -> t.developerName().equals("EMEA")),
        org.territories().toString());
    String exported = RulesWriter.write(org, List.of("exported"));
    RulesReader.Result back = RulesReader.read(exported, "exported.yaml");
    assertTrue(back.ok(), back.problems() + "\n" + exported);
    RuleCompiler.Compilation compiled = RuleCompiler.compile(back.rules(), mirrorRules.context());
    assertTrue(compiled.ok(), compiled.problems().toString());
    assertFalse(compiled.rules().exclusive(), "native semantics: every matching territory");
  }
}
