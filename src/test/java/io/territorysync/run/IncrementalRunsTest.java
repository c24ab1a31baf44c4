package io.territorysync.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.ObjectDef;
import io.territorysync.emulator.OrgData;
import io.territorysync.emulator.WriteLog;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.rollup.RollupStage;
import io.territorysync.sync.SyncConfig;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A run that works on what changed ends where a run that works on everything would: on an org
 * changed at random between runs (accounts edited, created and deleted; associations added and
 * removed by hand; opportunities edited, moved, created, closed and deleted; exclusions; rules
 * edited; territories added), each incremental run is followed by a full run, which must find
 * nothing to write and compute the same assignments and rollups.
 */
@QuarkusTest
class IncrementalRunsTest {

  static final Path RULES = Path.of("target/test-rules.yaml");
  static final int CHANGE_SETS = 20;

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;
  @Inject RollupStage rollupStage;
  @Inject SyncConfig syncConfig;

  DemoOrg.Result demo;
  OrgData org;
  String rules;

  @BeforeEach
  void demoOrg() throws Exception {
    demo = emulator.reset(new DemoOrg.Spec(400, 77, 60, 2.0));
    org = emulator.emulator().org();
    rules = DemoRules.text(demo);
    Files.writeString(RULES, rules);
    TestSql.wipe(dataSource);
  }

  private Run run(boolean full) {
    Run run = runs.execute(new RunService.RunRequest("test", full, false, true));
    assertEquals("succeeded", run.status, run.error);
    return run;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> part(Run run, String key) {
    return (Map<String, Object>) run.summary.get(key);
  }

  private static long count(Run run, String group, String key) {
    return ((Number) part(run, group).get(key)).longValue();
  }

  @Test
  void everyIncrementalRunEndsWhereAFullRunWouldOnTwentyRandomChangeSets() throws Exception {
    Run first = run(false);
    assertEquals("full", part(first, "scope").get("mode"), first.summary.toString());
    Run settle = run(false);
    assertEquals("incremental", part(settle, "scope").get("mode"), settle.summary.toString());

    Random random = new Random(2026);
    int incremental = 0;
    for (int set = 1; set <= CHANGE_SETS; set++) {
      String what = change(random, set);
      Run changed = run(false);
      String mode = (String) part(changed, "scope").get("mode");
      if (mode.equals("incremental")) {
        incremental++;
        long evaluated = ((Number) part(changed, "scope").get("changedAccounts")).longValue();
        assertTrue(
            evaluated < org.count("Account") / 2,
            "change set " + set + " (" + what + "): evaluated " + evaluated + " accounts");
      }
      List<String> assignments =
          table("SELECT account_id, territory_id, rule FROM desired_assignment");
      List<String> rollups = allRollups();

      long mark = org.writeLog().mark();
      Run full = run(true);
      String context = "change set " + set + " (" + what + "), incremental run " + changed.summary;
      assertEquals("full", part(full, "scope").get("mode"), context);
      assertEquals(List.of(), assignmentWrites(mark), context);
      assertEquals(0, count(full, "assignments", "added"), context);
      assertEquals(0, count(full, "assignments", "removed"), context);
      assertEquals(0, count(full, "opportunities", "updated"), context);
      assertEquals(
          assignments,
          table("SELECT account_id, territory_id, rule FROM desired_assignment"),
          context);
      assertEquals(rollups, allRollups(), context);
    }
    assertTrue(incremental >= CHANGE_SETS / 2, incremental + " incremental runs");
  }

  @Test
  void rollupsFromTheChangedAccountsEqualWholeRollupsAfterEveryChangeSet() throws Exception {
    run(false);
    run(false);
    Random random = new Random(14);
    int fromChanges = 0;
    for (int set = 1; set <= CHANGE_SETS; set++) {
      String what = change(random, set);
      Run changed = run(false);
      Map<String, Object> report = part(changed, "rollups");
      String context = "change set " + set + " (" + what + "), run " + changed.summary;
      if ("incremental".equals(report.get("mode"))) {
        fromChanges++;
        assertEquals(
            part(changed, "scope").get("changedAccounts"), report.get("accounts"), context);
      }
      List<String> rollups = allRollups();
      List<String> accounts = table("SELECT * FROM rollup_account");
      List<String> opportunities = table("SELECT * FROM rollup_opportunity");
      // the same figures computed whole from the mirror as this run left it (no run between,
      // so the next change set builds on the stored rollups, as runs without a full one do)
      Map<String, Object> whole =
          rollupStage.compute(
              changed.id,
              TestSql.strings(dataSource, "SELECT model_id FROM rollup_state").get(0),
              LocalDate.now(ZoneOffset.UTC),
              false,
              null);
      assertEquals("whole", whole.get("mode"), context);
      assertEquals(rollups, allRollups(), context);
      assertEquals(accounts, table("SELECT * FROM rollup_account"), context);
      assertEquals(opportunities, table("SELECT * FROM rollup_opportunity"), context);
      assertEquals(
          String.valueOf(whole.get("unassigned")),
          String.valueOf(report.get("unassigned")),
          context);
    }
    assertTrue(fromChanges >= CHANGE_SETS / 2, fromChanges + " incremental rollups");
  }

  /** Every figure of every territory and period. */
  private List<String> allRollups() throws Exception {
    return table(
        "SELECT territory_id, period, model_id, developer_name, name, parent_id, type_id,"
            + " period_start, period_end, account_count, annual_revenue, average_annual_revenue,"
            + " potential, open_pipeline, weighted_pipeline, closed_won_amount, closed_won_count,"
            + " closed_lost_count, win_rate, average_deal_size, assigned_users, quota,"
            + " quota_attainment, subtree_account_count, subtree_annual_revenue,"
            + " subtree_potential, subtree_open_pipeline, subtree_weighted_pipeline,"
            + " subtree_closed_won_amount, subtree_closed_won_count, subtree_closed_lost_count,"
            + " subtree_win_rate, subtree_assigned_users, potential_balance, workload_balance"
            + " FROM territory_rollup");
  }

  @Test
  void aRunWithNothingChangedEvaluatesNoAccountAndKeepsTheRollups() throws Exception {
    run(false);
    run(false);
    List<String> rollups = allRollups();
    long mark = org.writeLog().mark();
    Run quiet = run(false);
    assertEquals("incremental", part(quiet, "scope").get("mode"), quiet.summary.toString());
    assertEquals(0L, ((Number) part(quiet, "scope").get("changedAccounts")).longValue());
    assertEquals(false, part(quiet, "rollups").get("computed"), quiet.summary.toString());
    assertEquals(List.of(), org.writeLog().after(mark));
    assertEquals(rollups, allRollups());

    // one account moves: only it is evaluated, and the rollups are computed again
    String account = new ArrayList<>(org.ids("Account")).get(0);
    org.updateSystem(account, Map.of("AnnualRevenue", 123_456_789));
    Run one = run(false);
    assertEquals("incremental", part(one, "scope").get("mode"), one.summary.toString());
    assertEquals(1L, ((Number) part(one, "scope").get("changedAccounts")).longValue());
    assertTrue(part(one, "rollups").get("computeMs") != null, one.summary.toString());
  }

  @Test
  void aChangedRulesFileMakesTheNextRunEvaluateEveryAccount() throws Exception {
    run(false);
    Files.writeString(RULES, rules + "\n# edited\n");
    Run next = run(false);
    assertEquals("full", part(next, "scope").get("mode"), next.summary.toString());
    assertTrue(
        String.valueOf(part(next, "scope").get("reason")).contains("rules"),
        next.summary.toString());
  }

  @Test
  void associationsRemovedByHandWhereNoIncrementalReadSeesThemAreFoundByTheirCounts()
      throws Exception {
    run(false);
    run(false);
    // three managed associations removed in the org, so long ago that the org no longer shows
    // the deletions to an incremental read (simulated: the watermark moves past them)
    List<String> managed =
        table(
            "SELECT o.id || '|' || o.object_id || '|' || o.territory2_id"
                + " FROM sf_object_territory2_association o JOIN managed_association m"
                + " ON m.object_id = o.object_id AND m.territory_id = o.territory2_id"
                + " ORDER BY 1 LIMIT 3");
    assertEquals(3, managed.size());
    for (String row : managed) {
      delete(row.split("\\|")[0]);
    }
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "UPDATE sync_watermark SET watermark = now() + interval '10 minutes',"
              + " last_sync_at = now() - interval '13 hours'"
              + " WHERE object = 'ObjectTerritory2Association'");
    }
    long mark = org.writeLog().mark();
    Run found = run(false);
    assertEquals(
        3L,
        ((Number) part(found, "deleted").get("ObjectTerritory2Association")).longValue(),
        found.summary.toString());
    assertEquals("incremental", part(found, "scope").get("mode"), found.summary.toString());
    assertEquals(3L, count(found, "assignments", "added"), found.summary.toString());
    List<String> restored = new ArrayList<>();
    for (WriteLog.Write w : org.writeLog().after(mark)) {
      if (w.operation().equals("create") && w.type().equals("ObjectTerritory2Association")) {
        restored.add(w.field("ObjectId") + "|" + w.field("Territory2Id"));
      }
    }
    List<String> expected = new ArrayList<>();
    for (String row : managed) {
      expected.add(row.substring(row.indexOf('|') + 1));
    }
    restored.sort(null);
    expected.sort(null);
    assertEquals(expected, restored);
  }

  @Test
  void theAssociationsThisProductCreatedAreNotReadBackByTheNextRun() throws Exception {
    earlierTestsRunsAreLongOver();
    long mark = org.writeLog().mark();
    Run first = run(false);
    long created = associationCreates(mark).size();
    assertTrue(created > 0, "the first run created associations: " + first.summary);
    // what the next read may return: rows others (the org's admin) changed in the overlap
    java.time.Instant since = associationWatermark().minus(syncConfig.overlap());
    ObjectDef def = org.schema().require("ObjectTerritory2Association");
    long byOthers =
        org.read(
                () ->
                    org.rows(
                        def,
                        false,
                        r ->
                            org.defaultUserId().equals(r[ObjectDef.LAST_MODIFIED_BY_ID])
                                && !((java.time.Instant) r[ObjectDef.SYSTEM_MODSTAMP])
                                    .isBefore(since)))
            .size();
    assertTrue(byOthers < created, byOthers + " rows of others in the overlap");
    Run next = run(false);
    assertEquals("incremental", part(next, "scope").get("mode"), next.summary.toString());
    assertEquals(
        byOthers,
        count(next, "synced", "ObjectTerritory2Association"),
        "the " + created + " associations the first run created are read again: " + next.summary);
  }

  /**
   * Runs of earlier tests that failed on purpose, seconds ago, would rightly turn the skip off
   * (their writes may be unrecorded); here they are long over.
   */
  private void earlierTestsRunsAreLongOver() throws Exception {
    try (Connection c = dataSource.getConnection();
        java.sql.Statement s = c.createStatement()) {
      s.executeUpdate(
          "update run set started_at = started_at - interval '1 day',"
              + " heartbeat_at = heartbeat_at - interval '1 day',"
              + " finished_at = finished_at - interval '1 day'"
              + " where status not in ('succeeded', 'partial', 'stopped_by_guard', 'queued')");
    }
  }

  /**
   * Records a run that died {@code heartbeatAgo} after its last sign of life, as a crash leaves.
   */
  private void aRunDied(java.time.Duration heartbeatAgo) throws Exception {
    try (Connection c = dataSource.getConnection();
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO run (trigger, status, requested_at, started_at, heartbeat_at,"
                    + " finished_at, error) VALUES ('test', 'failed', now() - interval '10 minutes',"
                    + " now() - interval '10 minutes', now() - ?::interval, now(),"
                    + " 'abandoned: the process running it stopped')")) {
      ps.setString(1, heartbeatAgo.toSeconds() + " seconds");
      ps.executeUpdate();
    }
  }

  private long associationsRead(Run run) {
    return count(run, "synced", "ObjectTerritory2Association");
  }

  @Test
  void afterARunThatDiedTheNextRunReadsTheProductsOwnAssociationsBackAndTheRunAfterItNoLonger()
      throws Exception {
    earlierTestsRunsAreLongOver();
    long mark = org.writeLog().mark();
    run(false);
    long created = associationCreates(mark).size();
    // a run that died a while ago: some of its writes may have reached the org unrecorded
    java.time.Duration ago = syncConfig.overlap().plusMinutes(2);
    aRunDied(ago);
    java.time.Instant since = associationWatermark().minus(syncConfig.overlap());
    assertTrue(
        java.time.Instant.now().minus(ago).isAfter(since),
        "the dead run was alive inside the next runs' read window (since " + since + ")");
    Run after = run(false);
    assertTrue(
        associationsRead(after) >= created,
        "the run after the dead one reads every association of the window: " + after.summary);
    Run next = run(false);
    assertTrue(
        associationsRead(next) < created,
        "the run before read the dead run's writes back; this one skips the product's own: "
            + next.summary);
  }

  @Test
  void aRunThatDiedJustBeforeTheLastRunStartedStillTurnsTheSkipOffForTheNext() throws Exception {
    earlierTestsRunsAreLongOver();
    long mark = org.writeLog().mark();
    run(false);
    long created = associationCreates(mark).size();
    // died seconds ago: a write it sent may land after the next run has read
    aRunDied(java.time.Duration.ofSeconds(5));
    run(false);
    Run next = run(false);
    assertTrue(
        associationsRead(next) >= created,
        "the run before started within a minute of the dead run's last sign of life, so its"
            + " read-back may have missed a late write: "
            + next.summary);
  }

  private java.time.Instant associationWatermark() throws Exception {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT watermark FROM sync_watermark"
                    + " WHERE object = 'ObjectTerritory2Association'")) {
      assertTrue(rs.next(), "the first run saved a watermark");
      return rs.getTimestamp(1).toInstant();
    }
  }

  @Test
  void associationsAddedAndRemovedByHandAfterTheProductsRunArePickedUp() throws Exception {
    long mark = org.writeLog().mark();
    run(false);
    run(false);
    // a person in Setup removes one the product created and adds one of their own
    List<WriteLog.Write> created = associationCreates(mark);
    WriteLog.Write removed = created.get(created.size() / 2);
    assertTrue(org.ids("ObjectTerritory2Association").contains(removed.id()));
    delete(removed.id());
    String account = removed.field("ObjectId");
    String territory = null;
    for (String t : new TreeSet<>(org.ids("Territory2"))) {
      if (!t.equals(removed.field("Territory2Id"))) {
        territory = t;
        break;
      }
    }
    String added =
        org.insertSystem(
            "ObjectTerritory2Association",
            Map.of(
                "ObjectId",
                account,
                "Territory2Id",
                territory,
                "AssociationCause",
                "Territory2Manual"));

    long before = org.writeLog().mark();
    Run after = run(false);
    String context = after.summary.toString();
    assertEquals("incremental", part(after, "scope").get("mode"), context);
    assertEquals(1L, count(after, "deleted", "ObjectTerritory2Association"), context);
    // the product puts back what its rules want there, and the mirror is the org
    boolean putBack = false;
    for (WriteLog.Write w : associationCreates(before)) {
      putBack |=
          w.field("ObjectId").equals(account)
              && w.field("Territory2Id").equals(removed.field("Territory2Id"));
    }
    assertTrue(putBack, "the association removed by hand is created again: " + context);
    assertEquals(
        new TreeSet<>(org.ids("ObjectTerritory2Association")),
        new TreeSet<>(table("SELECT id FROM sf_object_territory2_association")),
        "the hand-added " + added + ": " + context);
  }

  private List<WriteLog.Write> associationCreates(long mark) {
    List<WriteLog.Write> out = new ArrayList<>();
    for (WriteLog.Write w : org.writeLog().after(mark)) {
      if (w.operation().equals("create")
          && w.type().equals("ObjectTerritory2Association")
          && w.succeeded()) {
        out.add(w);
      }
    }
    return out;
  }

  @Test
  void aDryRunOfOtherRulesMakesTheNextRealRunEvaluateEveryAccount() throws Exception {
    run(false);
    String edited =
        rules.replaceFirst("(field: BillingState, operation: equals, value: \\[)[^,\\]]+, ", "$1");
    Files.writeString(RULES, edited);
    Run dry = runs.execute(new RunService.RunRequest("test", false, true, false));
    assertEquals("full", part(dry, "scope").get("mode"), dry.summary.toString());
    // back to the rules of the last real run: the stored assignments are the dry run's
    Files.writeString(RULES, rules);
    Run next = run(false);
    assertEquals("full", part(next, "scope").get("mode"), next.summary.toString());
    assertEquals(0, count(next, "assignments", "added"), next.summary.toString());
    assertEquals(0, count(next, "assignments", "removed"), next.summary.toString());
  }

  /** Applies change set {@code set} to the org; returns what it did. */
  private String change(Random random, int set) throws Exception {
    List<String> did = new ArrayList<>();
    List<String> accounts = new ArrayList<>(new TreeSet<>(org.ids("Account")));
    List<String> opportunities = new ArrayList<>(new TreeSet<>(org.ids("Opportunity")));
    List<String> associations =
        new ArrayList<>(new TreeSet<>(org.ids("ObjectTerritory2Association")));
    List<String> territories = new ArrayList<>(new TreeSet<>(org.ids("Territory2")));

    int edits = 1 + random.nextInt(12);
    for (int i = 0; i < edits; i++) {
      String target = pick(random, accounts);
      Map<String, Object> source = org.get(pick(random, accounts)).orElseThrow();
      Map<String, Object> fields = new HashMap<>();
      for (String f : List.of("BillingCountry", "BillingState", "Industry", "Segment__c")) {
        if (random.nextBoolean() && source.get(f) != null) {
          fields.put(f, source.get(f));
        }
      }
      fields.put("AnnualRevenue", 1_000_000L * (1 + random.nextInt(900)));
      org.updateSystem(target, fields);
    }
    did.add(edits + " account(s) edited");
    if (random.nextInt(3) == 0) {
      Map<String, Object> source = org.get(pick(random, accounts)).orElseThrow();
      Map<String, Object> fields = new HashMap<>();
      for (String f : List.of("BillingCountry", "BillingState", "Industry", "Segment__c")) {
        if (source.get(f) != null) {
          fields.put(f, source.get(f));
        }
      }
      fields.put("Name", "New account " + set);
      fields.put("AnnualRevenue", 5_000_000);
      String created = org.insertSystem("Account", fields);
      org.insertSystem(
          "Opportunity",
          Map.of(
              "Name",
              "New deal " + set,
              "AccountId",
              created,
              "Amount",
              25_000,
              "StageName",
              "Prospecting",
              "CloseDate",
              "2026-12-15"));
      did.add("account created");
    }
    if (random.nextInt(4) == 0) {
      delete(pick(random, accounts));
      did.add("account deleted");
    }
    int removed = random.nextInt(4);
    for (int i = 0; i < removed; i++) {
      delete(pick(random, associations));
    }
    did.add(removed + " association(s) removed by hand");
    if (random.nextBoolean()) {
      org.insertSystem(
          "ObjectTerritory2Association",
          Map.of(
              "ObjectId", pick(random, accounts),
              "Territory2Id", pick(random, territories),
              "AssociationCause", "Territory2Manual"));
      did.add("association added by hand");
    }
    int opps = random.nextInt(6);
    for (int i = 0; i < opps; i++) {
      String opp = pick(random, opportunities);
      switch (random.nextInt(4)) {
        case 0 -> org.updateSystem(opp, Map.of("Amount", 1_000 * (1 + random.nextInt(500))));
        case 1 -> org.updateSystem(opp, Map.of("AccountId", pick(random, accounts)));
        case 2 -> org.updateSystem(opp, Map.of("StageName", "Closed Won", "Probability", 100));
        default -> delete(opp);
      }
    }
    did.add(opps + " opportunity change(s)");
    if (set % 6 == 0) {
      org.insertSystem(
          "Territory2ObjectExclusion",
          Map.of("ObjectId", pick(random, accounts), "Territory2Id", pick(random, territories)));
      did.add("exclusion added");
    }
    if (set % 5 == 0) {
      String edited =
          rules.replaceFirst(
              "(field: BillingState, operation: equals, value: \\[)[^,\\]]+, ", "$1");
      assertTrue(!edited.equals(rules), "the rules edit must change the rules");
      rules = edited;
      Files.writeString(RULES, rules);
      did.add("rules edited");
    }
    if (set % 7 == 0) {
      Map<String, Object> sibling = org.get(pick(random, territories)).orElseThrow();
      while (sibling.get("ParentTerritory2Id") == null) {
        sibling = org.get(pick(random, territories)).orElseThrow();
      }
      org.insertSystem(
          "Territory2",
          Map.of(
              "DeveloperName", "Added_" + set,
              "Name", "Added " + set,
              "Territory2ModelId", sibling.get("Territory2ModelId"),
              "Territory2TypeId", sibling.get("Territory2TypeId"),
              "ParentTerritory2Id", String.valueOf(sibling.get("ParentTerritory2Id"))));
      did.add("territory added");
    }
    return String.join(", ", did);
  }

  private void delete(String id) {
    org.delete(List.of(id), false, () -> false);
  }

  private static String pick(Random random, List<String> from) {
    return from.get(random.nextInt(from.size()));
  }

  private List<String> assignmentWrites(long mark) {
    List<String> out = new ArrayList<>();
    for (WriteLog.Write w : org.writeLog().after(mark)) {
      if (!w.type().endsWith("__c")) {
        out.add(w.operation() + " " + w.type() + " " + w.id() + " " + w.fields());
      }
    }
    return out;
  }

  /** Every row of {@code sql} as text, sorted. */
  private List<String> table(String sql) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          row.append(i > 1 ? "|" : "").append(rs.getString(i));
        }
        rows.add(row.toString());
      }
    }
    rows.sort(null);
    return rows;
  }
}
