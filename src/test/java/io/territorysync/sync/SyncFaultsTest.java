package io.territorysync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.OrgData;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.mirror.MirrorObject;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sync under injected faults: 503s, expiring sessions, the daily limit, an interrupted read.
 */
@QuarkusTest
class SyncFaultsTest {

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;

  @BeforeEach
  void freshOrgAndMirror() throws Exception {
    emulator.reset(new DemoOrg.Spec(500, 33, 100, 2.0));
    TestSql.wipe(dataSource);
  }

  @AfterEach
  void clearFaults() {
    emulator.emulator().faults().clear();
  }

  private long count(String sql) throws Exception {
    return TestSql.count(dataSource, sql);
  }

  private void assertMirrorMatchesOrg() throws Exception {
    io.territorysync.MirrorValues.assertMirrorEqualsOrg(emulator.emulator().org(), dataSource);
  }

  private Run run() {
    return runs.execute(new RunService.RunRequest("test", false, false, false, true));
  }

  @Test
  void retriesServerUnavailableUntilTheSyncCompletes() throws Exception {
    emulator.emulator().faults().serverUnavailableRate(0.5);
    long callsBefore = emulator.emulator().usage().calls();
    Run run = run();
    assertEquals("succeeded", run.status, run.error);
    long served = emulator.emulator().faults().serverUnavailableServed();
    assertTrue(served >= 2, "503s served: " + served);
    assertMirrorMatchesOrg();
    assertEquals(
        emulator.emulator().usage().calls() - callsBefore,
        run.apiCalls,
        "the run counts every call the org counted, the " + served + " answered 503 too");
  }

  @Test
  void logsInAgainWhenTheSessionExpires() throws Exception {
    long logins = emulator.emulator().logins();
    emulator.emulator().faults().sessionExpiresAfterCalls(2);
    Run run = run();
    assertEquals("succeeded", run.status, run.error);
    assertMirrorMatchesOrg();
    assertTrue(emulator.emulator().logins() - logins >= 2, "logged in again");
  }

  @Test
  void stopsCleanlyAtTheDailyLimitAndTheNextRunConverges() throws Exception {
    // 3,000 accounts and ~6,000 opportunities: three Composite calls for first pages, then
    // queryMore for accounts and opportunities; the limit hits during the opportunities.
    emulator.reset(new DemoOrg.Spec(3000, 34, 100, 2.0));
    emulator.emulator().faults().requestLimitAfterCalls(emulator.emulator().usage().calls() + 5);
    Run stopped = run();
    assertEquals("failed", stopped.status);
    assertTrue(stopped.error.contains("REQUEST_LIMIT_EXCEEDED"), stopped.error);
    long synced = count("SELECT count(*) FROM sync_watermark");
    assertTrue(
        synced > 0 && synced < MirrorObject.ALL.size(),
        "objects finished before the stop keep their watermark: " + synced);
    emulator.emulator().faults().clear();
    OrgData org = emulator.emulator().org();
    org.updateSystem(
        org.ids("Account").stream().sorted().findFirst().orElseThrow(),
        Map.of("Industry", "Utilities"));
    Run next = run();
    assertEquals("succeeded", next.status, next.error);
    assertMirrorMatchesOrg();
  }
}
