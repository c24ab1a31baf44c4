package io.territorysync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.mirror.SkippedFieldsHealthCheck;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fields field-level security hides from the integration user: an optional extra (User.Department,
 * Territory2.CaseAccessLevel) is skipped with one warning and the run succeeds; a field Territory
 * Sync needs fails the run with a message naming it.
 */
@QuarkusTest
class HiddenFieldsTest {

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;
  @Inject @io.smallrye.health.api.Wellness SkippedFieldsHealthCheck health;

  final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
  final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(r);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void demoOrg() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(300, 51, 60, 2.0));
    Files.writeString(Path.of("target/test-rules.yaml"), DemoRules.text(demo));
    TestSql.wipe(dataSource);
    Logger.getLogger(FieldVisibility.class.getName()).addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    Logger.getLogger(FieldVisibility.class.getName()).removeHandler(capture);
  }

  private Run run() {
    return runs.execute(new RunService.RunRequest("test", false, false, false));
  }

  /** Mirror rows of {@code table} whose extras hold {@code field}. */
  private long mirrored(String table, String field) throws Exception {
    return TestSql.count(
        dataSource,
        "SELECT count(*) FROM " + table + " WHERE jsonb_exists(extra, '" + field + "')");
  }

  private void hide(String... fields) {
    for (String f : fields) {
      emulator.emulator().org().access().hideField(f);
    }
  }

  @Test
  void anOptionalFieldTheUserCannotReadIsSkippedWithOneWarningAndTheRunSucceeds() throws Exception {
    hide("User.Department", "Territory2.CaseAccessLevel");
    Run run = run();
    assertEquals("succeeded", run.status, run.error);
    assertEquals(
        List.of("Territory2.CaseAccessLevel", "User.Department"), run.summary.get("skippedFields"));
    assertEquals(1, warnings.size(), "one warning for the run");
    String warning = warnings.get(0).getMessage();
    assertTrue(
        warning.contains("Territory2.CaseAccessLevel, User.Department")
            && warning.contains("field-level security"),
        warning);
    assertEquals(
        "Territory2.CaseAccessLevel, User.Department",
        health.call().getData().orElseThrow().get("optionalFieldsNotReadable"));
    assertEquals(0, mirrored("sf_user", "Department"));
    assertEquals(0, mirrored("sf_territory2", "CaseAccessLevel"));
    assertTrue(mirrored("sf_user", "Title") > 0, "the other extras are synced");
    assertTrue(mirrored("sf_territory2", "AccountAccessLevel") > 0, "the other extras are synced");

    // readable again: the next run syncs it and the health details clear
    emulator.emulator().org().access().clear();
    // described objects see it at their next describe (territory.sync.describe-ttl): expire it
    TestSql.count(
        dataSource, "WITH d AS (DELETE FROM sf_field RETURNING 1) SELECT count(*) FROM d");
    warnings.clear();
    Run next = runs.execute(new RunService.RunRequest("test", true, false, false));
    assertEquals("succeeded", next.status, next.error);
    assertEquals(null, next.summary.get("skippedFields"));
    assertEquals(List.of(), warnings);
    assertTrue(mirrored("sf_user", "Department") > 0, "synced once readable");
    assertTrue(
        health.call().getData().isEmpty()
            || !health.call().getData().get().containsKey("optionalFieldsNotReadable"));
  }

  @Test
  void aFieldTerritorySyncNeedsFailsTheRunNamingIt() throws Exception {
    hide("Territory2.Name");
    Run run = run();
    assertEquals("failed", run.status);
    assertTrue(
        run.error.startsWith("Territory2.Name cannot be read by the integration user"), run.error);

    emulator.emulator().org().access().clear();
    hide("Account.Industry");
    Run account = run();
    assertEquals("failed", account.status);
    assertTrue(
        account.error.startsWith("Account.Industry cannot be read by the integration user"),
        account.error);
  }
}
