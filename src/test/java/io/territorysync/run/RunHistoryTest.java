package io.territorysync.run;

import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.Api;
import io.territorysync.TestSql;
import io.territorysync.database.AdvisoryLock;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Old runs' changes are deleted after the history retention, in batches, without touching what the
 * next run still looks at. The runs here finished days ago and the cutoff is five days back, so the
 * service's own hourly purge (a year back by default) and other tests' runs (minutes old) are not
 * involved; the rows are removed after each test.
 */
@QuarkusTest
class RunHistoryTest {

  @Inject AgroalDataSource dataSource;
  @Inject RunHistory history;

  private FinishedRuns runs;

  private static final Instant OLD = Instant.now().minus(Duration.ofDays(10));
  private static final Instant RECENT = Instant.now().minus(Duration.ofDays(1));
  private static final Instant CUTOFF = Instant.now().minus(Duration.ofDays(5));

  @BeforeEach
  void runs() {
    runs = new FinishedRuns(dataSource);
  }

  @AfterEach
  void removeTheTestsRuns() throws SQLException {
    runs.remove();
  }

  @Test
  void theChangesOfRunsOlderThanTheRetentionGoAndCleanWebhookMiniRunsGoEntirely() throws Exception {
    long wholeOld = runs.add(false, "succeeded", OLD, 45_000); // more than two batches
    long miniClean = runs.add(true, "succeeded", OLD, 3);
    long miniFailed = runs.add(true, "failed", OLD, 2);
    long miniWithDeadEvent = runs.add(true, "partial", OLD, 4);
    deadEvent(miniWithDeadEvent);
    long wholeRecent = runs.add(false, "succeeded", RECENT, 5);
    long wholeFailedOld = runs.add(false, "failed", OLD, 6);
    // the newest whole run that ended cleanly, and a mini-run after it: kept whatever their age
    long newestWhole = runs.add(false, "partial", OLD, 7);
    long miniAfter = runs.add(true, "succeeded", OLD, 8);

    RunHistory.Purged purged = history.purge(CUTOFF, () -> true);

    assertEquals(45_000 + 3 + 2 + 4 + 6, purged.changes());
    assertEquals(
        4, purged.runsEmptied()); // wholeOld, miniFailed, miniWithDeadEvent, wholeFailedOld
    assertEquals(1, purged.miniRunsDeleted());
    for (long emptied : List.of(wholeOld, miniFailed, miniWithDeadEvent, wholeFailedOld)) {
      assertEquals(0, changes(emptied), "run " + emptied);
      assertNotNull(purgedAt(emptied), "run " + emptied + " says when its changes went");
    }
    assertFalse(exists(miniClean), "the clean mini-run is deleted");
    assertEquals(0, changes(miniClean));
    assertEquals(5, changes(wholeRecent));
    assertEquals(7, changes(newestWhole));
    assertEquals(8, changes(miniAfter));
    for (long kept : List.of(wholeRecent, newestWhole, miniAfter)) {
      assertNull(purgedAt(kept), "run " + kept);
    }
    // the dead event still names its run, whose row is kept
    assertTrue(exists(miniWithDeadEvent));

    // once is enough: a second purge finds nothing
    RunHistory.Purged again = history.purge(CUTOFF, () -> true);
    assertFalse(again.any(), again.toString());

    // the API says the changes went and lists none
    Api.viewer()
        .get("/api/runs/" + wholeOld)
        .then()
        .statusCode(200)
        .body("changesPurgedAt", notNullValue());
    Api.viewer()
        .get("/api/runs/" + wholeRecent)
        .then()
        .statusCode(200)
        .body("changesPurgedAt", nullValue());
    Api.viewer().get("/api/runs/" + wholeOld + "/changes").then().statusCode(200);
    Api.viewer().get("/api/runs/" + miniClean).then().statusCode(404);
  }

  @Test
  void aPurgeStoppedBetweenBatchesLeavesTheRunUnmarkedAndTheNextPurgeFinishesIt() throws Exception {
    long whole = runs.add(false, "succeeded", OLD, 30_000);
    runs.add(false, "succeeded", RECENT, 1); // the newest whole run that ended cleanly
    AtomicInteger asked = new AtomicInteger();

    // goOn is asked before every batch: the first batch runs, then the service is stopping
    RunHistory.Purged first = history.purge(CUTOFF, () -> asked.incrementAndGet() <= 2);

    assertEquals(RunHistory.BATCH, first.changes());
    assertEquals(0, first.runsEmptied());
    assertEquals(30_000 - RunHistory.BATCH, changes(whole));
    assertNull(purgedAt(whole), "a run whose changes are not all gone is not marked");

    RunHistory.Purged second = history.purge(CUTOFF, () -> true);
    assertEquals(30_000 - RunHistory.BATCH, second.changes());
    assertEquals(1, second.runsEmptied());
    assertEquals(0, changes(whole));
    assertNotNull(purgedAt(whole));
  }

  @Test
  void whileAnotherReplicaPurgesThisOneLeavesItAlone() throws Exception {
    long whole = runs.add(false, "succeeded", OLD, 10);
    runs.add(false, "succeeded", RECENT, 1);
    try (AdvisoryLock other =
        AdvisoryLock.tryAcquire(dataSource, RunHistory.LOCK_ID).orElseThrow()) {
      assertFalse(history.purge(CUTOFF, () -> true).any());
      assertEquals(10, changes(whole));
    }
    assertEquals(10, history.purge(CUTOFF, () -> true).changes());
    assertEquals(0, changes(whole));
  }

  private void deadEvent(long runId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO webhook_event (source, dedupe_key, account_id, status, run_id)"
                    + " VALUES ('signed-json', ?, '001HISTORY000001', 'dead', ?)")) {
      ps.setString(1, "history-test-" + runId);
      ps.setLong(2, runId);
      ps.executeUpdate();
    }
  }

  private long changes(long runId) throws SQLException {
    return TestSql.count(dataSource, "SELECT count(*) FROM plan_change WHERE run_id = " + runId);
  }

  private Timestamp purgedAt(long runId) throws SQLException {
    return single("SELECT changes_purged_at FROM run WHERE id = " + runId, Timestamp.class);
  }

  private boolean exists(long runId) throws SQLException {
    return TestSql.count(dataSource, "SELECT count(*) FROM run WHERE id = " + runId) == 1;
  }

  private <T> T single(String sql, Class<T> type) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getObject(1, type) : null;
    }
  }
}
