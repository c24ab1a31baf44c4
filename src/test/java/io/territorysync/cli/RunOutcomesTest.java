package io.territorysync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.OrgData;
import io.territorysync.emulator.OrgQuery;
import io.territorysync.emulator.WriteLog;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.run.RunLock;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code run} command's exit codes, the safety guard at its exact limits, invalid rules that
 * keep the previous ones, an org that answers a duplicate association either way, and a session
 * that expires during the write-back. A rules file of overrides lets the test know every change it
 * causes; what reaches the org is read from the emulator's own write log.
 */
@QuarkusTest
@TestProfile(RunOutcomesTest.Guarded.class)
class RunOutcomesTest {

  /** At most 5 changes per run; no opportunity updates, so a plan is exactly the overrides. */
  public static class Guarded implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "territory.assignment.guard.max-changes", "5",
          "territory.assignment.opportunities.enabled", "false",
          "territory.assignment.write.max-attempts", "2",
          "territory.assignment.write.retry-backoff", "10ms");
    }
  }

  static final Path RULES = Path.of("target/test-rules.yaml");

  @Inject InProcessEmulator emulator;
  @Inject AgroalDataSource dataSource;
  @Inject Commands commands;

  OrgData org;
  List<String> accounts;
  String territory;
  String territoryId;

  @BeforeEach
  void smallOrg() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(300, 17, 100, 2.0));
    org = emulator.emulator().org();
    TestSql.wipe(dataSource);
    List<String> t =
        OrgQuery.rows(
                org,
                "SELECT Id, DeveloperName FROM Territory2 WHERE Territory2ModelId = '"
                    + demo.activeModelId()
                    + "' ORDER BY DeveloperName DESC LIMIT 1")
            .get(0);
    territoryId = t.get(0);
    territory = t.get(1);
    // accounts not yet in that territory
    Set<String> there = new TreeSet<>();
    for (List<String> r :
        OrgQuery.rows(
            org,
            "SELECT ObjectId FROM ObjectTerritory2Association WHERE Territory2Id = '"
                + territoryId
                + "'")) {
      there.add(r.get(0));
    }
    accounts = new ArrayList<>();
    for (List<String> r : OrgQuery.rows(org, "SELECT Id FROM Account ORDER BY Id")) {
      if (!there.contains(r.get(0)) && accounts.size() < 30) {
        accounts.add(r.get(0));
      }
    }
  }

  @AfterEach
  void clearFaults() {
    emulator.emulator().faults().clear();
  }

  /** A rules file that puts accounts {@code from}..{@code to} (1-based) in the territory. */
  private void overrides(int... ranges) throws Exception {
    StringBuilder sb = new StringBuilder("model: Global_Sales\nterritories: {}\noverrides:\n");
    for (int r = 0; r < ranges.length; r += 2) {
      for (int i = ranges[r]; i <= ranges[r + 1]; i++) {
        sb.append("  - {account: ")
            .append(accounts.get(i - 1))
            .append(", territory: ")
            .append(territory)
            .append("}\n");
      }
    }
    Files.writeString(RULES, sb.toString());
  }

  private int run(String... flags) {
    List<String> args = new ArrayList<>(List.of("run"));
    args.addAll(List.of(flags));
    return commands.execute(CommandLine.parse(args.toArray(String[]::new)));
  }

  /** Accounts (1-based numbers) the org has in the territory. */
  private Set<Integer> inTerritory() {
    Set<Integer> out = new TreeSet<>();
    for (List<String> r :
        OrgQuery.rows(
            org,
            "SELECT ObjectId FROM ObjectTerritory2Association WHERE Territory2Id = '"
                + territoryId
                + "'")) {
      int i = accounts.indexOf(r.get(0));
      if (i >= 0) {
        out.add(i + 1);
      }
    }
    return out;
  }

  private static Set<Integer> range(int... ranges) {
    Set<Integer> out = new TreeSet<>();
    for (int r = 0; r < ranges.length; r += 2) {
      for (int i = ranges[r]; i <= ranges[r + 1]; i++) {
        out.add(i);
      }
    }
    return out;
  }

  /** Account association writes the org received after {@code mark}, from its own log. */
  private List<WriteLog.Write> writesSince(long mark) {
    return org.writeLog().after(mark).stream()
        .filter(w -> "ObjectTerritory2Association".equals(w.type()))
        .toList();
  }

  @Test
  void theGuardHoldsAtItsExactLimitsAndTheCommandExitsFive() throws Exception {
    // 10 adds > max-changes 5: held, nothing written, exit 5; --force writes them
    overrides(1, 10);
    long mark = org.writeLog().mark();
    assertEquals(5, run());
    assertEquals(List.of(), writesSince(mark), "a held plan writes nothing");
    assertEquals(0, run("--force"));
    assertEquals(range(1, 10), inTerritory());

    // removing 2 of 10 managed associations is exactly max-remove-share (20%): written
    overrides(1, 8);
    assertEquals(0, run());
    assertEquals(range(1, 8), inTerritory());

    // removing 2 of 8 is 25%: held, exit 5, and the org keeps all 8
    overrides(1, 6);
    mark = org.writeLog().mark();
    assertEquals(5, run());
    assertEquals(List.of(), writesSince(mark));
    assertEquals(range(1, 8), inTerritory());

    // 5 changes is exactly max-changes: written; 6 is one too many
    overrides(1, 8, 11, 15);
    mark = org.writeLog().mark();
    assertEquals(0, run());
    assertEquals(5, writesSince(mark).size(), "five inserts reached the org");
    assertEquals(range(1, 8, 11, 15), inTerritory());
    overrides(1, 8, 11, 21);
    mark = org.writeLog().mark();
    assertEquals(5, run());
    assertEquals(List.of(), writesSince(mark));
    assertTrue(
        TestSql.strings(dataSource, "SELECT error FROM run ORDER BY id DESC LIMIT 1")
            .get(0)
            .contains("territory.assignment.guard.max-changes = 5"));
  }

  @Test
  void recordsThatStillFailAfterTheLastRoundMakeTheRunPartialAndTheCommandExitThree()
      throws Exception {
    overrides(1, 3);
    emulator.emulator().faults().lockRowRate(1);
    assertEquals(3, run());
    assertTrue(emulator.emulator().faults().lockErrorsServed() >= 6, "two rounds of three");
    assertEquals(Set.of(), inTerritory());
    emulator.emulator().faults().clear();
    assertEquals(0, run(), "the next run writes them");
    assertEquals(range(1, 3), inTerritory());
  }

  @Test
  void aRunWhileAnotherHoldsTheLockExitsFour() throws Exception {
    overrides(1, 3);
    try (RunLock lock = RunLock.tryAcquire(dataSource).orElseThrow()) {
      long mark = org.writeLog().mark();
      assertEquals(4, run());
      assertEquals(List.of(), writesSince(mark));
    }
    assertEquals(0, run());
    assertEquals(range(1, 3), inTerritory());
  }

  private String rulesVersion() throws Exception {
    return TestSql.strings(
            dataSource, "SELECT summary->'rules'->>'version' FROM run ORDER BY id DESC LIMIT 1")
        .get(0);
  }

  @Test
  void aRulesFileThatDoesNotCompileKeepsThePreviousRulesForARealWrite() throws Exception {
    overrides(1, 3);
    assertEquals(0, run());
    String good = Files.readString(RULES);
    String version = rulesVersion();
    // Someone removes account 2's association in the org; then the rules file gets errors that
    // only compiling finds (an unknown field, a bad regular expression).
    String account2 =
        OrgQuery.rows(
                org,
                "SELECT Id FROM ObjectTerritory2Association WHERE Territory2Id = '"
                    + territoryId
                    + "' AND ObjectId = '"
                    + accounts.get(1)
                    + "'")
            .get(0)
            .get(0);
    org.delete(List.of(account2), true, OrgData.LockFaults.NONE);
    for (String broken :
        List.of(
            "{field: No_Such_Field__c, operation: equals, value: x}",
            "{field: Name, operation: matches, value: \"([\"}")) {
      Files.writeString(
          RULES,
          good.replace(
              "territories: {}",
              "territories:\n  "
                  + territory
                  + ":\n    rules:\n      - criteria: ["
                  + broken
                  + "]"));
      long mark = org.writeLog().mark();
      assertEquals(0, run(), broken);
      assertEquals(range(1, 3), inTerritory(), "the previous rules were written: " + broken);
      List<WriteLog.Write> writes = writesSince(mark);
      assertEquals(
          broken.contains("No_Such") ? 1 : 0,
          writes.size(),
          "the first run re-adds account 2, the second has nothing to do: " + writes);
      assertEquals(version, rulesVersion(), "the rules in force are still the good file's");
    }
  }

  /** Accounts' associations the org holds twice or more in the territory. */
  private List<String> doubled() {
    List<String> seen = new ArrayList<>();
    List<String> twice = new ArrayList<>();
    for (List<String> r :
        OrgQuery.rows(
            org,
            "SELECT ObjectId FROM ObjectTerritory2Association WHERE Territory2Id = '"
                + territoryId
                + "'")) {
      if (seen.contains(r.get(0))) {
        twice.add(r.get(0));
      }
      seen.add(r.get(0));
    }
    return twice;
  }

  /**
   * Someone adds the associations of accounts 1..3 behind the mirror's back (with a SystemModstamp
   * older than any in the demo org, so the incremental sync does not see them); the run then
   * inserts them again.
   */
  private void associatedBehindTheMirrorsBack() {
    for (int i = 0; i < 3; i++) {
      org.insertSystem(
          "ObjectTerritory2Association",
          Map.of(
              "ObjectId",
              accounts.get(i),
              "Territory2Id",
              territoryId,
              "AssociationCause",
              "Territory2Manual",
              "SystemModstamp",
              java.time.Instant.now().minus(java.time.Duration.ofDays(30)),
              "LastModifiedDate",
              java.time.Instant.now().minus(java.time.Duration.ofDays(30)),
              "CreatedDate",
              java.time.Instant.now().minus(java.time.Duration.ofDays(30))));
    }
  }

  @Test
  void aDuplicateAssociationAnsweredWithAnErrorOrWithTheExistingIdEndsTheSame() throws Exception {
    for (boolean fails : List.of(true, false)) {
      smallOrg();
      emulator
          .emulator()
          .settings(emulator.emulator().settings().withDuplicateAssociationFails(fails));
      overrides(4, 4);
      assertEquals(0, run(), "the mirror is current");
      associatedBehindTheMirrorsBack();
      overrides(1, 4);
      long mark = org.writeLog().mark();
      assertEquals(0, run(), "duplicateAssociationFails=" + fails);
      List<WriteLog.Write> writes = writesSince(mark);
      assertEquals(3, writes.size(), "the three were sent: " + writes);
      assertEquals(
          fails ? 3 : 0,
          writes.stream().filter(w -> "DUPLICATE_VALUE".equals(w.error())).count(),
          "duplicateAssociationFails=" + fails);
      assertEquals(range(1, 4), inTerritory());
      assertEquals(List.of(), doubled());
      // owned, with the org's ids: removing them later works
      assertEquals(
          4,
          TestSql.count(
              dataSource,
              "SELECT count(*) FROM managed_association WHERE kind = 'account'"
                  + " AND association_id IS NOT NULL"));
      overrides(1, 3);
      mark = org.writeLog().mark();
      assertEquals(0, run("--force"), "removing 1 of 4 is more than max-remove-share");
      assertEquals(range(1, 3), inTerritory());
      assertEquals(1, writesSince(mark).size(), "one delete");
      mark = org.writeLog().mark();
      assertEquals(0, run());
      assertEquals(List.of(), writesSince(mark), "and then nothing to do");
    }
  }

  @Test
  void aSessionThatExpiresDuringTheWriteBackIsRenewedAndEveryRecordWritten() throws Exception {
    overrides(1, 1);
    assertEquals(0, run());
    long logins = emulator.emulator().logins();
    // every access token now dies after one call: the write-back's call always meets an expired
    // session
    emulator.emulator().faults().sessionExpiresAfterCalls(1);
    overrides(1, 5);
    long mark = org.writeLog().mark();
    assertEquals(0, run());
    assertEquals(range(1, 5), inTerritory());
    assertEquals(4, writesSince(mark).stream().filter(WriteLog.Write::succeeded).count());
    assertTrue(emulator.emulator().logins() - logins >= 2, "logged in again");
  }
}
