package io.territorysync.realign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.rules.MirrorRules;
import io.territorysync.rules.RulesContext;
import io.territorysync.rules.RulesService;
import io.territorysync.rules.engine.CompiledRules;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A scoped plan reads only the accounts its territories can need (SQL built from their rules,
 * associations and overrides) and must start from exactly the model it had when it read every
 * account: differential, on a demo org whose mirror is made untidy on purpose (associations the
 * rules do not want and rules-given accounts without their association, manual associations,
 * accounts excluded from realignment, text and postal codes that need trimming, case folding and
 * digit extraction, characters outside ASCII).
 */
@QuarkusTest
class ScopedLoadingTest {

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;
  @Inject Realignment realignment;
  @Inject RulesService rulesService;
  @Inject MirrorRules mirror;

  @Test
  void everyScopedPlanStartsFromTheModelItHadWhenItReadEveryAccount() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(3000, 5, 110, 1.0));
    Files.writeString(RealignmentTest.RULES, DemoRules.text(demo));
    TestSql.wipe(dataSource);
    Run first = runs.execute(new RunService.RunRequest("test", false, false, false));
    assertEquals("succeeded", first.status, first.error);
    untidy();
    rulesService.reload();
    CompiledRules compiled = rulesService.current().orElseThrow().rules();
    RulesContext context = mirror.context();
    Map<String, RulesContext.Territory> territories = context.territories().get(compiled.modelId());

    long total = TestSql.count(dataSource, "SELECT count(*) FROM sf_account");
    int compared = 0;
    int narrowed = 0;
    for (String scope : parents(territories)) {
      for (Measure measure : List.of(Measure.ACCOUNTS, Measure.WORKLOAD)) {
        Realignment.Request request = realignment.request(scope, measure.label(), 0.1, 0.05, false);
        Realignment.Loaded all = realignment.model(request, false);
        Realignment.Loaded scoped = realignment.model(request, true);
        assertEquals(describe(all.model), describe(scoped.model), scope + " by " + measure.label());
        assertEquals(total, all.read, "without the scope every account is read");
        assertTrue(scoped.read <= total);
        narrowed += scoped.read < total ? 1 : 0;
        compared++;
      }
    }
    assertTrue(compared >= 20, "scopes compared: " + compared);
    // the demo's geography groups are narrowed down (a few territories with only a radius rule
    // are not: they read every account)
    Realignment.Loaded west =
        realignment.model(
            realignment.request(RealignmentTest.SCOPE, "accounts", 0.1, 0.05, false), true);
    assertTrue(
        west.read < total / 4, "NA_US_West_SMB reads " + west.read + " of " + total + " accounts");
    assertTrue(narrowed >= compared / 2, narrowed + " of " + compared + " narrowed");
  }

  /** Changes to the mirror after the run, so that it is not what the rules in force want. */
  private void untidy() throws Exception {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      // rules-given accounts that lost their association: found through the rules only
      s.execute("DELETE FROM sf_object_territory2_association WHERE abs(hashtext(id)) % 9 = 0");
      // associations the rules do not give: found through the associations only
      s.execute(
          "INSERT INTO sf_object_territory2_association (id, object_id, territory2_id,"
              + " association_cause, system_modstamp) SELECT 'x' || a.id || t.id, a.id, t.id,"
              + " CASE WHEN abs(hashtext(a.id)) % 2 = 0 THEN 'Territory2Manual'"
              + " ELSE 'Territory2AssignmentRule' END, now()"
              + " FROM sf_account a JOIN sf_territory2 t ON abs(hashtext(a.id || t.id)) % 400 = 0");
      s.execute(
          "UPDATE sf_account SET is_excluded_from_realign = true WHERE abs(hashtext(id)) % 17 = 0");
      // text the engine trims and folds, postal codes with letters and separators
      s.execute(
          "UPDATE sf_account SET billing_state = '  ' || lower(billing_state) || E'\\t'"
              + " WHERE abs(hashtext(id)) % 5 = 1");
      s.execute(
          "UPDATE sf_account SET billing_country = ' ' || upper(billing_country) || ' '"
              + " WHERE abs(hashtext(id)) % 5 = 2");
      s.execute(
          "UPDATE sf_account SET billing_postal_code = 'ZIP ' || substr(billing_postal_code, 1, 2)"
              + " || '-' || substr(billing_postal_code, 3) WHERE abs(hashtext(id)) % 5 = 3");
      s.execute(
          "UPDATE sf_account SET billing_state = billing_state || 'ü'"
              + " WHERE abs(hashtext(id)) % 23 = 4");
      s.execute(
          "UPDATE sf_account SET billing_state = 'İ' || billing_state"
              + " WHERE abs(hashtext(id)) % 29 = 4");
    }
  }

  /** Territories with two or more children: the scopes an admin can plan. */
  private static List<String> parents(Map<String, RulesContext.Territory> territories) {
    Map<String, Integer> children = new HashMap<>();
    for (RulesContext.Territory t : territories.values()) {
      if (t.parentId() != null) {
        children.merge(t.parentId(), 1, Integer::sum);
      }
    }
    return territories.values().stream()
        .filter(t -> children.getOrDefault(t.id(), 0) >= 2)
        .map(RulesContext.Territory::developerName)
        .sorted()
        .toList();
  }

  /**
   * Everything a plan starts from, as text (figures to ten significant digits: sums may add up in
   * another order).
   */
  static String describe(RealignModel m) {
    StringBuilder sb = new StringBuilder();
    sb.append("accounts in scope ")
        .append(m.scopeAccounts())
        .append(", budget ")
        .append(m.maxMovedAccounts())
        .append(", coefficients ")
        .append(numbers(m.coefficients()))
        .append('\n');
    for (RealignModel.Territory t : m.territories()) {
      sb.append(t).append(" fixed");
      for (double[] f : m.fixed()) {
        sb.append(' ').append(number(f[t.index()]));
      }
      sb.append('\n');
    }
    for (RealignModel.Group g : m.groups()) {
      sb.append("group ")
          .append(g.index())
          .append(' ')
          .append(g.parent())
          .append(' ')
          .append(Arrays.toString(g.members()))
          .append('\n');
    }
    for (RealignModel.Unit u : m.units()) {
      sb.append("unit ")
          .append(u.index())
          .append(' ')
          .append(u.label())
          .append(" group ")
          .append(u.group())
          .append(" in ")
          .append(u.current())
          .append(u.pinned() ? " pinned" : "")
          .append(" accounts ")
          .append(u.accounts())
          .append(" pipeline ")
          .append(number(u.pipeline()))
          .append(" neighbours ")
          .append(Arrays.toString(u.neighbours()));
      for (double[] v : u.values()) {
        sb.append(' ').append(numbers(v));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static String numbers(double[] v) {
    return Arrays.stream(v)
        .mapToObj(ScopedLoadingTest::number)
        .collect(Collectors.joining(",", "[", "]"));
  }

  private static String number(double v) {
    return String.format(Locale.ROOT, "%.10g", v);
  }
}
