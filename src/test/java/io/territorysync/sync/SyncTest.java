package io.territorysync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SyncTest {

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;

  @BeforeEach
  void freshOrgAndMirror() throws Exception {
    emulator.reset(new DemoOrg.Spec(600, 21, 100, 2.0));
    TestSql.wipe(dataSource);
  }

  private long mirrorCount(String table, String where) throws Exception {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM " + table + (where == null ? "" : " WHERE " + where))) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private Run run(boolean full) {
    Run run = runs.execute(new RunService.RunRequest("test", full, false, false, true));
    assertEquals("succeeded", run.status, run.error);
    return run;
  }

  @Test
  @SuppressWarnings("unchecked")
  void firstRunMirrorsEveryObjectWithTheOrgsCounts() throws Exception {
    Run run = run(false);
    OrgData org = emulator.emulator().org();
    Map<String, Object> synced = (Map<String, Object>) run.summary.get("synced");
    for (MirrorObject o : MirrorObject.ALL) {
      long expected = org.count(o.apiName());
      assertEquals(expected, mirrorCount(o.table(), null), o.apiName());
      assertEquals(
          expected, ((Number) synced.get(o.apiName())).longValue(), "summary for " + o.apiName());
    }
    assertTrue(run.apiCalls <= 10, "first pages come in composite calls: " + run.apiCalls);
  }

  @Test
  void incrementalRunPicksUpInsertsUpdatesAndDeletes() throws Exception {
    run(false);
    OrgData org = emulator.emulator().org();
    String changed = org.ids("Account").stream().sorted().findFirst().orElseThrow();
    String deleted = org.ids("Account").stream().sorted().skip(1).findFirst().orElseThrow();
    org.updateSystem(changed, Map.of("BillingCity", "Changed City"));
    org.delete(java.util.List.of(deleted), false, OrgData.LockFaults.NONE);
    String added =
        org.insertSystem("Account", Map.of("Name", "Brand New", "BillingCountry", "Germany"));
    long usedBefore = emulator.emulator().usage().calls();
    Run second = run(false);
    assertEquals(org.count("Account"), mirrorCount("sf_account", null));
    assertEquals(
        1, mirrorCount("sf_account", "id = '" + changed + "' AND billing_city = 'Changed City'"));
    assertEquals(0, mirrorCount("sf_account", "id = '" + deleted + "'"));
    assertEquals(1, mirrorCount("sf_account", "id = '" + added + "'"));
    assertEquals(
        0,
        mirrorCount("sf_opportunity", "account_id = '" + deleted + "'"),
        "cascade-deleted opportunities are removed too");
    assertEquals(org.count("Opportunity"), mirrorCount("sf_opportunity", null));
    assertTrue(second.apiCalls <= 4, "nothing but first pages: " + second.apiCalls);
    assertEquals(
        second.apiCalls,
        emulator.emulator().usage().calls() - usedBefore,
        "the run counts what the org counted");
  }

  @Test
  void fullRunRemovesWhatTheOrgNoLongerHas() throws Exception {
    run(false);
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO sf_account (id, name, system_modstamp) VALUES ('001000000000000AAA', 'Ghost', now())");
    }
    run(true);
    assertEquals(0, mirrorCount("sf_account", "name = 'Ghost'"));
    assertEquals(emulator.emulator().org().count("Account"), mirrorCount("sf_account", null));
  }

  @Test
  void watermarksAreSavedPerObject() throws Exception {
    run(false);
    assertEquals(
        MirrorObject.ALL.size(),
        mirrorCount("sync_watermark", "watermark IS NOT NULL AND last_full_sync_at IS NOT NULL"));
    assertNotNull(emulator.demo());
  }
}
