package io.territorysync.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.territorysync.TestSql;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A nightly run missed while no replica was up is caught up once after start-up; a first start
 * catches up nothing.
 */
@QuarkusTest
@TestProfile(CatchUpTest.Nightly.class)
class CatchUpTest {

  /** Nightly at 03:00 in Berlin. */
  public static class Nightly implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "territory.schedule.enabled", "true",
          "territory.schedule.cron", "0 0 3 * * ?",
          "territory.schedule.time-zone", "Europe/Berlin");
    }
  }

  @Inject NightlySchedule schedule;
  @Inject AgroalDataSource dataSource;

  private void state(String knownSince, String lastFire) throws Exception {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO schedule_state (name, known_since, last_fire) VALUES ('nightly', "
              + knownSince
              + ", "
              + lastFire
              + ") ON CONFLICT (name) DO UPDATE SET"
              + " known_since = EXCLUDED.known_since, last_fire = EXCLUDED.last_fire");
    }
  }

  private long catchUps() throws Exception {
    return TestSql.count(
        dataSource, "SELECT count(*) FROM run WHERE trigger = 'schedule-catch-up'");
  }

  @Test
  void aRunMissedWhileNoReplicaWasUpIsCaughtUpOnce() throws Exception {
    // known for a week; the last fire claimed two days ago: last night's 03:00 was missed
    state("now() - interval '7 days'", "now() - interval '2 days'");
    long before = catchUps();
    Optional<Long> first = schedule.catchUp(Instant.now());
    assertTrue(first.isPresent(), "the missed run is queued");
    assertFalse(
        schedule.catchUp(Instant.now()).isPresent(), "a second replica starting queues none");
    assertEquals(before + 1, catchUps());
  }

  @Test
  void aFirstStartCatchesUpNothing() throws Exception {
    state("now()", "NULL");
    long before = catchUps();
    assertFalse(schedule.catchUp(Instant.now()).isPresent());
    assertEquals(before, catchUps());
  }
}
