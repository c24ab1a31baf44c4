package io.territorysync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.OrgData;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which reader the sync picks by size, and fields added by the rules. Bulk starts above 300 records
 * here.
 */
@QuarkusTest
@TestProfile(SyncPathsTest.SmallBulkThreshold.class)
class SyncPathsTest {

  /** Makes Bulk API 2.0 kick in above 300 records. */
  public static class SmallBulkThreshold implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("territory.sync.bulk-threshold", "300", "territory.sync.bulk-page-size", "250");
    }
  }

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;
  @Inject TestFieldDemand demand;

  @BeforeEach
  void freshOrgAndMirror() throws Exception {
    emulator.reset(new DemoOrg.Spec(700, 5, 100, 2.0));
    TestSql.wipe(dataSource);
  }

  @AfterEach
  void noDemand() {
    demand.accountFields(Set.of());
  }

  private long count(String sql) throws Exception {
    return TestSql.count(dataSource, sql);
  }

  private Run run() {
    Run run = runs.execute(new RunService.RunRequest("test", false, false, false, true));
    assertEquals("succeeded", run.status, run.error);
    return run;
  }

  @Test
  void largeObjectsAreReadWithBulkAndSmallOnesWithRest() throws Exception {
    var usage = emulator.emulator().usage();
    usage.reset();
    run();
    assertEquals(
        2, usage.bulkQueryJobs(), "accounts (700) and opportunities (~1,400) went by Bulk");
    assertTrue(usage.calls("bulkQuery") >= 2 * 4, "create, poll, pages: " + usage.describe());
    assertEquals(0, usage.calls("queryMore"), "everything else fitted its first page");
    io.territorysync.MirrorValues.assertMirrorEqualsOrg(emulator.emulator().org(), dataSource);
  }

  @Test
  void valuesWithQuotesCommasLineBreaksAndBackslashesAreMirroredAsTheOrgHoldsThem()
      throws Exception {
    OrgData org = emulator.emulator().org();
    String[] hostile = {
      "\"Quoted\" Corp",
      "A \"\"doubled\"\" \"",
      "Comma, Inc.",
      "Line\nbreak\r\nand more",
      "Back\\slash \\\" end",
      "Ünïcødé \u00e9\u4e2d\u6587 \ud83d\ude00",
      "\"",
      "trailing quote\""
    };
    java.util.List<String> ids =
        org.ids("Account").stream().sorted().limit(hostile.length).toList();
    for (int i = 0; i < hostile.length; i++) {
      org.updateSystem(ids.get(i), Map.of("Name", hostile[i]));
    }
    var usage = emulator.emulator().usage();
    usage.reset();
    run();
    assertTrue(usage.bulkQueryJobs() >= 1, "accounts went by Bulk: " + usage.describe());
    for (int i = 0; i < hostile.length; i++) {
      assertEquals(
          hostile[i],
          TestSql.strings(dataSource, "SELECT name FROM sf_account WHERE id = '" + ids.get(i) + "'")
              .get(0));
    }
    io.territorysync.MirrorValues.assertMirrorEqualsOrg(org, dataSource);
  }

  @Test
  void bulkResultsReadTheSameWhetherOrNotEveryPageRepeatsTheHeader() throws Exception {
    emulator.emulator().settings(emulator.emulator().settings().withBulkHeaderOnEveryPage(false));
    var usage = emulator.emulator().usage();
    usage.reset();
    run();
    assertEquals(2, usage.bulkQueryJobs(), usage.describe().toString());
    assertTrue(usage.calls("bulkQuery") >= 2 * 4, "several pages each: " + usage.describe());
    io.territorysync.MirrorValues.assertMirrorEqualsOrg(emulator.emulator().org(), dataSource);
  }

  @Test
  void bulkIncrementalReadSeesDeletionsThroughQueryAll() throws Exception {
    run();
    OrgData org = emulator.emulator().org();
    java.util.List<String> gone = org.ids("Account").stream().sorted().limit(320).toList();
    org.delete(gone, false, OrgData.LockFaults.NONE);
    emulator.emulator().usage().reset();
    run();
    assertTrue(
        emulator.emulator().usage().bulkQueryJobs() >= 1,
        "320 changed accounts exceed the threshold");
    assertEquals(0, count("SELECT count(*) FROM sf_account WHERE id = '" + gone.get(0) + "'"));
    io.territorysync.MirrorValues.assertMirrorEqualsOrg(org, dataSource);
  }

  @Test
  void aFieldARuleStartsUsingIsMirroredAfterTheNextRun() throws Exception {
    run();
    assertEquals(0, count("SELECT count(*) FROM sf_account WHERE extra ? 'Customer_Tier__c'"));
    demand.accountFields(Set.of("Customer_Tier__c", "NumberOfEmployees", "Rating"));
    run();
    long tiers =
        count(
            "SELECT count(*) FROM sf_account WHERE extra->>'Customer_Tier__c' IN ('Tier 1', 'Tier 2', 'Tier 3')");
    assertEquals(
        emulator.emulator().org().count("Account"),
        tiers,
        "every account re-read with the new field");
    assertEquals(
        0,
        count("SELECT count(*) FROM sf_account WHERE extra ? 'Rating'"),
        "null values are not stored");
    // a field only the rules name and the org lacks is left out (the rules stage reports it)
    demand.accountFields(Set.of("No_Such_Field__c", "Customer_Tier__c"));
    run();
    assertEquals(0, count("SELECT count(*) FROM sf_account WHERE extra ? 'No_Such_Field__c'"));
    assertEquals(tiers, count("SELECT count(*) FROM sf_account WHERE extra ? 'Customer_Tier__c'"));
  }
}
