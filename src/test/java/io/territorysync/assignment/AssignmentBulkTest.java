package io.territorysync.assignment;

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
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.run.Run;
import io.territorysync.run.RunContext;
import io.territorysync.run.RunRepository;
import io.territorysync.run.RunService;
import io.territorysync.salesforce.SalesforceApi;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The write-back through Bulk API 2.0 ingest jobs (a low threshold sends every phase by Bulk):
 * first assignment, nothing the second time, a move, lock errors in job results, and records the
 * org already has.
 */
@QuarkusTest
@TestProfile(AssignmentBulkTest.LowBulkThreshold.class)
class AssignmentBulkTest {

  /** Everything above 20 records goes by Bulk API 2.0, in jobs of 150. */
  public static class LowBulkThreshold implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "territory.assignment.write.bulk-threshold", "20",
          "territory.assignment.write.bulk-job-size", "150");
    }
  }

  static final Path RULES = Path.of("target/test-rules.yaml");

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject RunRepository runRepository;
  @Inject AgroalDataSource dataSource;
  @Inject WriteStage writeStage;
  @Inject SalesforceApi api;

  DemoOrg.Result demo;
  OrgData org;
  String rules;

  @BeforeEach
  void demoOrg() throws Exception {
    demo = emulator.reset(new DemoOrg.Spec(500, 17, 100, 2.0));
    org = emulator.emulator().org();
    rules = DemoRules.text(demo);
    Files.writeString(RULES, rules);
    TestSql.wipe(dataSource);
  }

  @AfterEach
  void clearFaults() {
    emulator.emulator().faults().clear();
  }

  private Run run() {
    Run run = runs.execute(new RunService.RunRequest("test", false, false, false));
    assertEquals("succeeded", run.status, run.error);
    return run;
  }

  @Test
  void bulkJobsAssignMoveAndThenWriteNothing() throws Exception {
    long jobsBefore = emulator.emulator().usage().bulkBatches();
    Run first = run();
    Checks.assertOrgMatchesTheRules(org, dataSource);
    long added = Checks.count(first, "assignments", "added");
    assertTrue(added > 150, "more than one job: " + added);
    assertTrue(Checks.count(first, "opportunities", "updated") > 20);
    long jobs = emulator.emulator().usage().bulkBatches() - jobsBefore;
    assertTrue(jobs >= 3, jobs + " ingest jobs");

    Files.writeString(
        RULES,
        rules
            .replaceFirst(
                "(- name: na-us-west-ent\\n        criteria:\\n(?:.*\\n){2}.*value: )Enterprise",
                "$1Mid-Market__SWAP")
            .replaceFirst(
                "(- name: na-us-west-mm\\n        criteria:\\n(?:.*\\n){2}.*value: )Mid-Market",
                "$1Enterprise")
            .replace("Mid-Market__SWAP", "Mid-Market"));
    Run moved = run();
    Checks.assertOrgMatchesTheRules(org, dataSource);
    assertTrue(Checks.count(moved, "assignments", "removed") > 0);
    assertEquals(0, Checks.writeCalls(run()), "nothing left to write");
  }

  @Test
  void lockErrorsInJobResultsAreRetriedUntilTheOrgIsRight() throws Exception {
    emulator.emulator().faults().lockRowRate(0.25);
    Run run = run();
    emulator.emulator().faults().clear();
    Checks.assertOrgMatchesTheRules(org, dataSource);
    assertEquals(0, Checks.count(run, "assignments", "failed"));
    assertTrue(
        TestSql.count(
                dataSource,
                "SELECT count(*) FROM plan_change WHERE attempts > 1 AND run_id = " + run.id)
            > 0,
        "some records went round again");
  }

  @Test
  void anAssociationTheOrgAlreadyHasCountsAsDoneAndIsOwned() throws Exception {
    run();
    // A plan made from a stale mirror: it adds associations the org already has.
    List<List<String>> existing =
        OrgQuery.rows(
            org,
            "SELECT ObjectId, Territory2Id FROM ObjectTerritory2Association"
                + " WHERE AssociationCause = 'Territory2Manual' LIMIT 30");
    Run stale = runRepository.start("test", false, false, false, "test");
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO plan_change (run_id, phase, kind, action, object_id, account_id,"
                    + " territory_id, status) VALUES (?, 1, 'account', 'add', ?, ?, ?, 'pending')")) {
      for (List<String> r : existing) {
        ps.setLong(1, stale.id);
        ps.setString(2, r.get(0));
        ps.setString(3, r.get(0));
        ps.setString(4, r.get(1));
        ps.addBatch();
      }
      ps.executeBatch();
    }
    RunContext context = new RunContext(stale.id, false, false, false, false, api.newBudget());
    WriteStage.Written written = writeStage.write(context);
    assertEquals(30, written.assignments().get("alreadyDone"));
    assertEquals(0, written.assignments().get("failed"));
    assertEquals(0, written.assignments().get("added"));
    Set<String> owned =
        Checks.strings(
            dataSource,
            "SELECT object_id || '|' || territory_id FROM managed_association WHERE kind = 'account'");
    for (List<String> r : existing) {
      assertTrue(owned.contains(r.get(0) + "|" + r.get(1)), "claimed " + r);
    }
  }

  /**
   * The first run with the answer of one ingest call lost after the org applied it (the connection
   * closes, as on a timeout): the run retries, meets what its first attempt did, and goes on.
   */
  private Run runLosingTheAnswerOf(String request) throws Exception {
    emulator.emulator().faults().loseAnswers(request, 1);
    Run run = run();
    assertEquals(1, emulator.emulator().faults().answersLost(), "the answer was lost once");
    emulator.emulator().faults().clear();
    assertEquals(0, Checks.count(run, "assignments", "failed"), "no false failures");
    assertEquals(0, Checks.count(run, "opportunities", "failed"), "no false failures");
    assertEquals(
        0,
        Checks.count(run, "assignments", "alreadyDone"),
        "the job was followed, its records not sent again");
    Checks.assertOrgMatchesTheRules(org, dataSource);
    assertEquals(0, Checks.writeCalls(run()), "nothing left to write");
    return run;
  }

  @Test
  void aJobCloseWhoseAnswerIsLostIsFollowedToItsResultsNotFailed() throws Exception {
    // the retry of the close gets INVALIDJOBSTATE: the first attempt closed the job
    runLosingTheAnswerOf("^PATCH jobs/ingest/\\w+ .*UploadComplete");
  }

  @Test
  void anUploadWhoseAnswerIsLostIsNotSentTwiceAndTheJobGoesOn() throws Exception {
    // the retry of the upload gets INVALIDJOBSTATE: the job already holds the first upload
    runLosingTheAnswerOf("^PUT jobs/ingest/\\w+/batches ");
  }

  @Test
  void aJobCreateWhoseAnswerIsLostLeavesOnlyAnEmptyOpenJob() throws Exception {
    // the retry creates a second job; the first stays Open without data and writes nothing
    long mark = org.writeLog().mark();
    runLosingTheAnswerOf("^POST jobs/ingest ");
    List<String> inserts = Checks.associationInserts(org, mark);
    assertEquals(Set.copyOf(inserts).size(), inserts.size(), "no association inserted twice");
  }
}
