package io.territorysync.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The preview's one-pass tally against {@link PreviewReference}, the same preview computed in SQL
 * over a temporary table: on randomly changed rules files, against the assignments of the demo
 * rules and then of narrower ones, and with accounts gone from the mirror since the last run, both
 * report the same counts, the same sample of accounts and the same balance per territory.
 */
@QuarkusTest
class RulesPreviewTest {

  static final Path RULES = Path.of("target/test-rules.yaml");
  static final Pattern LIST = Pattern.compile("value: \\[([^,\\]]+), ");
  static final Pattern SEGMENT =
      Pattern.compile("value: (Enterprise|Mid-Market|SMB|Public Sector)}");

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject RulesService rules;
  @Inject RulesPreview preview;
  @Inject AccountSource accounts;
  @Inject AgroalDataSource dataSource;

  @Test
  void agreesWithTheSqlPreviewOnRandomlyChangedRules() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(600, 5, 60, 2.0));
    String text = DemoRules.text(demo);
    Files.writeString(RULES, text);
    TestSql.wipe(dataSource);
    Run run = runs.execute(new RunService.RunRequest("test", false, false, false));
    assertEquals("succeeded", run.status, run.error);
    PreviewReference reference = new PreviewReference(accounts, dataSource);

    Random random = new Random(14);
    int compared = 0;
    long changedSeen = 0;
    long joinedSeen = 0;
    for (int round = 0; round < 12; round++) {
      if (round == 6) {
        // narrower rules in force: the original file and its edits now also move accounts in
        String narrowed = text;
        while (narrowed.equals(text) || !rules.validate(narrowed, "narrowed").ok()) {
          narrowed = mutate(text, random, 6);
        }
        Files.writeString(RULES, narrowed);
        Run again = runs.execute(new RunService.RunRequest("test", false, false, false));
        assertEquals("succeeded", again.status, again.error);
      }
      if (round == 9) {
        // accounts deleted from the mirror since the last run: they leave every territory
        try (Connection c = dataSource.getConnection();
            Statement s = c.createStatement()) {
          s.execute(
              "DELETE FROM sf_account WHERE id IN (SELECT account_id FROM desired_assignment"
                  + " ORDER BY account_id DESC LIMIT 7)");
        }
      }
      String candidate = round % 4 == 0 ? text : mutate(text, random, 1 + random.nextInt(4));
      RulesService.LoadResult checked = rules.validate(candidate, "candidate " + round);
      if (!checked.ok()) {
        continue;
      }
      Map<String, Object> expected = reference.preview(checked.inForce().rules());
      Map<String, Object> actual = preview.preview(checked.inForce().rules());
      assertEquals(normal(expected), normal(actual), "round " + round);
      Map<?, ?> diff = (Map<?, ?>) actual.get("diff");
      changedSeen += ((Number) diff.get("accountsChanged")).longValue();
      joinedSeen += ((Number) diff.get("associationsAdded")).longValue();
      compared++;
    }
    assertTrue(compared >= 8, "most candidates are valid: " + compared);
    assertTrue(changedSeen > 100, "the candidates move accounts: " + changedSeen);
    assertTrue(joinedSeen > 0, "some accounts join a territory: " + joinedSeen);
  }

  /**
   * The rules file with {@code n} random edits that narrow a rule (so exclusive territories stay
   * exclusive and the file valid): a list value loses its first item, or a segment criterion asks
   * for a segment no account has. The accounts a rule lets go may land in another territory.
   */
  static String mutate(String text, Random random, int n) {
    String out = text;
    for (int i = 0; i < n; i++) {
      Pattern p = random.nextBoolean() ? LIST : SEGMENT;
      Matcher m = p.matcher(out);
      List<int[]> spots = new ArrayList<>();
      while (m.find()) {
        spots.add(new int[] {m.start(), m.end()});
      }
      if (spots.isEmpty()) {
        continue;
      }
      int[] at = spots.get(random.nextInt(spots.size()));
      String replaced = p == LIST ? "value: [" : "value: Nobody-Has-This}";
      out = out.substring(0, at[0]) + replaced + out.substring(at[1]);
    }
    return out;
  }

  /**
   * The preview as comparable values: numbers by value (a sum's scale aside), territories keyed by
   * id (two territories may share a developer name across models).
   */
  static Object normal(Object o) {
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (e.getKey().equals("territories") && e.getValue() instanceof List<?> l) {
          Map<String, Object> byId = new TreeMap<>();
          for (Object t : l) {
            byId.put((String) ((Map<?, ?>) t).get("id"), normal(t));
          }
          out.put("territories", byId);
        } else {
          out.put((String) e.getKey(), normal(e.getValue()));
        }
      }
      return out;
    }
    if (o instanceof List<?> l) {
      return l.stream().map(RulesPreviewTest::normal).toList();
    }
    if (o instanceof BigDecimal b) {
      return b.stripTrailingZeros().toPlainString();
    }
    if (o instanceof Long || o instanceof Integer) {
      return new BigDecimal(((Number) o).longValue()).toPlainString();
    }
    return o;
  }
}
