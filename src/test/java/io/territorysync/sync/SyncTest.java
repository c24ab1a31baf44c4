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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SyncTest {

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;
  @Inject SyncConfig syncConfig;

  @BeforeEach
  void freshOrgAndMirror() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(600, 21, 100, 2.0));
    // the rules of this org (the scoped run applies them), not what an earlier test left
    java.nio.file.Files.writeString(
        java.nio.file.Path.of("target/test-rules.yaml"),
        io.territorysync.emulator.demo.DemoRules.text(demo));
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
    io.territorysync.MirrorValues.assertMirrorEqualsOrg(org, dataSource);
  }

  @Test
  @SuppressWarnings("unchecked")
  void aRunForSomeAccountsReportsWhatItReadAndRemovedPerObject() throws Exception {
    run(false);
    OrgData org = emulator.emulator().org();
    List<String> withOpportunities = new java.util.ArrayList<>();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT account_id FROM sf_opportunity GROUP BY account_id ORDER BY 1 LIMIT 2")) {
      while (rs.next()) {
        withOpportunities.add(rs.getString(1));
      }
    }
    String kept = withOpportunities.get(0);
    String deleted = withOpportunities.get(1);
    long keptAssociations =
        mirrorCount("sf_object_territory2_association", "object_id = '" + kept + "'");
    long keptOpportunities = mirrorCount("sf_opportunity", "account_id = '" + kept + "'");
    long deletedOpportunities = mirrorCount("sf_opportunity", "account_id = '" + deleted + "'");
    assertTrue(
        keptOpportunities + deletedOpportunities > 0, "the demo accounts have opportunities");
    org.delete(List.of(deleted), false, OrgData.LockFaults.NONE);
    Run scoped = runs.execute(RunService.RunRequest.accounts("test", List.of(kept, deleted)));
    assertEquals("succeeded", scoped.status, scoped.error);
    Map<String, Object> synced = (Map<String, Object>) scoped.summary.get("synced");
    Map<String, Object> removed = (Map<String, Object>) scoped.summary.get("deleted");
    assertEquals(1L, ((Number) synced.get("Account")).longValue(), "read: " + synced);
    assertEquals(
        keptAssociations,
        ((Number) synced.get("ObjectTerritory2Association")).longValue(),
        "read: " + synced);
    assertEquals(keptOpportunities, ((Number) synced.get("Opportunity")).longValue());
    assertEquals(1L, ((Number) removed.get("Account")).longValue(), "removed: " + removed);
    assertEquals(deletedOpportunities, ((Number) removed.get("Opportunity")).longValue());
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

  /**
   * A full read into an empty mirror table records no ids as seen (nothing could be unseen); a
   * table that already has rows at its first full read still has what the org lacks removed.
   */
  @Test
  void aFirstSyncIntoATableWithRowsRemovesWhatTheOrgLacks() throws Exception {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO sf_account (id, name, system_modstamp) VALUES ('001000000000000AAA', 'Ghost', now())");
    }
    run(false);
    assertEquals(0, mirrorCount("sf_account", "name = 'Ghost'"));
    assertEquals(emulator.emulator().org().count("Account"), mirrorCount("sf_account", null));
    assertEquals(0, mirrorCount("sync_seen", null), "the seen ids are cleared after the sync");
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
  @SuppressWarnings("unchecked")
  void eachObjectsWatermarkIsItsNewestModstampAndTheNextRunReadsOnlyWhatChangedSince()
      throws Exception {
    Run first = run(false);
    OrgData org = emulator.emulator().org();
    Map<String, java.time.Instant> watermarks = new java.util.HashMap<>();
    int checked = 0;
    for (MirrorObject o : MirrorObject.ALL) {
      var newest =
          io.territorysync.emulator.OrgQuery.rows(
              org,
              "SELECT SystemModstamp FROM "
                  + o.apiName()
                  + " ORDER BY SystemModstamp DESC LIMIT 1");
      if (newest.isEmpty()) {
        continue;
      }
      java.time.Instant expected =
          java.time.OffsetDateTime.parse(
                  newest.get(0).get(0),
                  java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXX"))
              .toInstant();
      try (Connection c = dataSource.getConnection();
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT watermark, last_full_sync_at FROM sync_watermark WHERE object = '"
                      + o.apiName()
                      + "'")) {
        assertTrue(rs.next(), "no watermark for " + o.apiName());
        assertEquals(
            expected.toEpochMilli(),
            rs.getTimestamp(1).toInstant().toEpochMilli(),
            o.apiName() + ": the newest SystemModstamp read");
        assertNotNull(rs.getTimestamp(2), o.apiName() + ": the first run is a full one");
        watermarks.put(o.apiName(), rs.getTimestamp(1).toInstant());
      }
      checked++;
    }
    assertTrue(checked >= 8, "objects with records: " + checked);
    assertTrue(((Map<String, Object>) first.summary.get("synced")).size() > 0);
    // An account changes. The next run reads, per object, what the org has since the watermark
    // (less the documented overlap for late commits): the changed account among them.
    String changed = org.ids("Account").stream().sorted().findFirst().orElseThrow();
    org.updateSystem(changed, Map.of("Industry", "Utilities"));
    java.time.format.DateTimeFormatter soql =
        java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(java.time.ZoneOffset.UTC);
    Map<String, Long> expected = new java.util.HashMap<>();
    for (MirrorObject o : MirrorObject.ALL) {
      if (!o.snapshot() && watermarks.containsKey(o.apiName())) {
        java.time.Instant since = watermarks.get(o.apiName()).minus(syncConfig.overlap());
        expected.put(
            o.apiName(),
            (long)
                io.territorysync.emulator.OrgQuery.rows(
                        org,
                        "SELECT Id FROM "
                            + o.apiName()
                            + " WHERE SystemModstamp >= "
                            + soql.format(since))
                    .size());
      }
    }
    assertTrue(
        expected.get("Account") < org.count("Account") / 2,
        "the watermark leaves most accounts out: " + expected);
    Map<String, Object> synced = (Map<String, Object>) run(false).summary.get("synced");
    for (var e : expected.entrySet()) {
      assertEquals(
          e.getValue(),
          ((Number) synced.getOrDefault(e.getKey(), 0)).longValue(),
          e.getKey() + " read since its watermark: " + synced);
    }
    assertEquals(
        "Utilities",
        io.territorysync.TestSql.strings(
                dataSource, "SELECT industry FROM sf_account WHERE id = '" + changed + "'")
            .get(0));
  }
}
