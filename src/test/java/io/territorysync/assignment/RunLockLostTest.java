package io.territorysync.assignment;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.OrgData;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.run.Run;
import io.territorysync.run.RunLock;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A run whose run lock is lost mid-write (PostgreSQL ends the lock's session, as a restart or a
 * proxy would): it writes nothing more to the org, fails saying why, and the next run converges.
 * The run is paused by the emulator right after its first write call was applied.
 */
@QuarkusTest
class RunLockLostTest {

  static final Path RULES = Path.of("target/test-rules.yaml");

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;

  OrgData org;
  final CountDownLatch paused = new CountDownLatch(1);
  final CountDownLatch resume = new CountDownLatch(1);
  final AtomicLong markAfterFirstWrite = new AtomicLong(-1);

  /** Which write call pauses the run: by default its first association or opportunity write. */
  volatile String pauseAtBodyContaining = "/composite/sobjects";

  @BeforeEach
  void demoOrgPausedAfterItsFirstWrite() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(500, 41, 100, 2.0));
    org = emulator.emulator().org();
    Files.writeString(RULES, DemoRules.text(demo));
    TestSql.wipe(dataSource);
    emulator
        .emulator()
        .afterApiCall(
            (call, reply) -> {
              boolean write =
                  call.method().equals("POST")
                      && call.path().endsWith("/composite")
                      && new String(call.body(), java.nio.charset.StandardCharsets.UTF_8)
                          .contains(pauseAtBodyContaining);
              if (write && markAfterFirstWrite.compareAndSet(-1, org.writeLog().mark())) {
                paused.countDown();
                try {
                  resume.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            });
  }

  @AfterEach
  void noHook() {
    emulator.emulator().afterApiCall(null);
    resume.countDown();
  }

  private CompletableFuture<Run> runInBackground() {
    return CompletableFuture.supplyAsync(
        () -> runs.execute(new RunService.RunRequest("test", false, false, false)));
  }

  /** Ends the session that holds the run lock, as PostgreSQL does on a restart or an admin. */
  private void terminateTheLockSession() throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                    + " AND classid::bigint = ? AND objid::bigint = ? AND objsubid = 2")) {
      ps.setLong(1, RunLock.CLASS_ID);
      ps.setLong(2, RunLock.OBJ_ID);
      ps.execute();
    }
  }

  /**
   * Runs until the pause, ends the lock's session, lets another process take the lock (and with it
   * a new epoch) while the run is mid-call, then lets the run go on; returns how it ended.
   */
  private Run aRunThatLosesItsLockToAnotherProcessWhilePaused() throws Exception {
    CompletableFuture<Run> lost = runInBackground();
    assertTrue(paused.await(120, TimeUnit.SECONDS), "the run reached the write it pauses at");
    terminateTheLockSession();
    RunLock other = anotherProcessTakesTheLock();
    try {
      resume.countDown();
      return lost.get(120, TimeUnit.SECONDS);
    } finally {
      other.close();
    }
  }

  /** Takes the run lock, as another replica would once the lock's session ended. */
  private RunLock anotherProcessTakesTheLock() {
    java.util.concurrent.atomic.AtomicReference<RunLock> taken =
        new java.util.concurrent.atomic.AtomicReference<>();
    await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(
            () -> {
              RunLock.tryAcquire(dataSource).ifPresent(taken::set);
              return taken.get() != null;
            });
    return taken.get();
  }

  private long writesAfterThePause() {
    return org.writeLog().after(markAfterFirstWrite.get()).size();
  }

  private void nextRunConverges() throws Exception {
    emulator.emulator().afterApiCall(null);
    Run next = runs.execute(new RunService.RunRequest("test", false, false, false));
    assertEquals("succeeded", next.status, next.error);
    assertTrue(
        Checks.count(next, "opportunities", "updated") > 0,
        "the lost run left writes for the next one");
    Checks.assertOrgMatchesTheRules(org, dataSource);
  }

  @Test
  void aRunWhoseLockSessionEndsMidWriteWritesNothingMoreAndFailsSayingWhy() throws Exception {
    CompletableFuture<Run> lost = runInBackground();
    assertTrue(paused.await(120, TimeUnit.SECONDS), "the run reached its first write");
    terminateTheLockSession();
    resume.countDown();
    Run run = lost.get(120, TimeUnit.SECONDS);

    assertEquals("failed", run.status, run.error);
    assertTrue(run.error.contains("the run lock was lost"), run.error);
    assertEquals(0, writesAfterThePause(), "no write after the lock was lost");
    nextRunConverges();
  }

  @Test
  void aRunWhoseLockAnotherProcessTookCannotRecordItsWrites() throws Exception {
    Run run = aRunThatLosesItsLockToAnotherProcessWhilePaused();

    assertEquals("failed", run.status, run.error);
    // the background check may notice the ended session first; either way the lock is named
    assertTrue(run.error.contains("run lock"), run.error);
    assertEquals(0, writesAfterThePause(), "no write after the lock was lost");
    List<String> recorded =
        TestSql.strings(
            dataSource,
            "SELECT status FROM plan_change WHERE run_id = " + run.id + " AND status <> 'pending'");
    assertEquals(List.of(), recorded, "the fenced run recorded none of its outcomes");
    nextRunConverges();
  }

  @Test
  void aRunThatLosesItsLockWhileWritingRollupsRecordsNoneOfThatCallsOutcomes() throws Exception {
    pauseAtBodyContaining = "Territory_Performance__c";
    Run run = aRunThatLosesItsLockToAnotherProcessWhilePaused();

    assertEquals("failed", run.status, run.error);
    assertTrue(run.error.contains("run lock"), run.error);
    assertEquals(0, writesAfterThePause(), "no rollup write after the lock was lost");
    assertEquals(
        List.of("0"),
        TestSql.strings(dataSource, "SELECT count(*) FROM rollup_written"),
        "the fenced run recorded none of the rollups it sent");

    emulator.emulator().afterApiCall(null);
    Run next = runs.execute(new RunService.RunRequest("test", false, false, false));
    assertEquals("succeeded", next.status, next.error);
    assertEquals(
        List.of("done"),
        TestSql.strings(dataSource, "SELECT DISTINCT status FROM rollup_written"),
        "the next run writes every rollup");
    Checks.assertOrgMatchesTheRules(org, dataSource);
  }
}
