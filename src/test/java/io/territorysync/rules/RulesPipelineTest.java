package io.territorysync.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.rules.engine.AccountRecord;
import io.territorysync.rules.engine.CompiledRules;
import io.territorysync.rules.engine.RuleCompiler;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
  @Inject AccountSource accounts;

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

  /** A dry run: the rules stage's result, with the org left as the demo made it. */
  private Run run() {
    return runs.execute(new RunService.RunRequest("test", false, true, false));
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
    // An account the org's EMEA rule takes; then the admin excludes it from EMEA and makes the
    // EMEA rule apply to child territories.
    String emea = string("SELECT id FROM sf_territory2 WHERE developer_name = 'EMEA'");
    CompiledRules before = compileOrgRules();
    String account = null;
    for (AccountRecord a :
        accounts.load(before.slots(), strings("SELECT id FROM sf_account ORDER BY id"))) {
      if (territories(before, a).contains("EMEA")) {
        account = a.id();
        break;
      }
    }
    assertNotNull(account, "the demo org's EMEA rule takes some account");
    emulator
        .emulator()
        .org()
        .insertSystem(
            "Territory2ObjectExclusion", Map.of("ObjectId", account, "Territory2Id", emea));
    String association =
        string(
            "SELECT id FROM sf_rule_territory2_association WHERE territory2_id = '" + emea + "'");
    emulator.emulator().org().updateSystem(association, Map.of("IsInherited", true));
    run();

    RuleSet org = mirrorRules.orgRules(null);
    RuleSet.TerritoryRules emeaRules =
        org.territories().stream()
            .filter(t -> t.developerName().equals("EMEA"))
            .findFirst()
            .orElseThrow();
    assertEquals(List.of(account), emeaRules.exclude());
    assertTrue(emeaRules.rules().get(0).inherited(), emeaRules.toString());
    CompiledRules after = compileOrgRules();
    AccountRecord excluded = accounts.load(after.slots(), List.of(account)).get(0);
    assertFalse(territories(after, excluded).contains("EMEA"), "the exclusion holds");

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
    assertTrue(exported.contains("inherited: true"), exported);
    assertTrue(exported.contains("exclude: [" + account + "]"), exported);
  }

  @Test
  void anOrgRuleWithAnOperationThisServiceDoesNotKnowIsRefusedNotReadAsEquals() throws Exception {
    run();
    String item = string("SELECT id FROM sf_object_territory2_assignment_rule_item LIMIT 1");
    try (var c = dataSource.getConnection();
        var s = c.createStatement()) {
      s.executeUpdate(
          "UPDATE sf_object_territory2_assignment_rule_item SET operation = 'resembles'"
              + " WHERE id = '"
              + item
              + "'");
    }
    RulesException refused = assertThrows(RulesException.class, () -> mirrorRules.orgRules(null));
    assertTrue(refused.getMessage().contains("'resembles'"), refused.getMessage());
  }

  private CompiledRules compileOrgRules() throws Exception {
    RuleCompiler.Compilation c =
        RuleCompiler.compile(mirrorRules.orgRules(null), mirrorRules.context());
    assertTrue(c.ok(), c.problems().toString());
    return c.rules();
  }

  private static Set<String> territories(CompiledRules rules, AccountRecord a) {
    Set<String> out = new TreeSet<>();
    for (int t : rules.assign(a, rules.scratch()).territories()) {
      out.add(rules.territory(t).developerName());
    }
    return out;
  }

  private String string(String sql) throws Exception {
    List<String> all = strings(sql);
    assertEquals(1, all.size(), sql);
    return all.get(0);
  }

  private List<String> strings(String sql) throws Exception {
    return TestSql.strings(dataSource, sql);
  }
}
