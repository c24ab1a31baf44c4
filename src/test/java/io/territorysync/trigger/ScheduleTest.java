package io.territorysync.trigger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.territorysync.TestSql;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The schedule fires on its cron, and a fire time is claimed once however many replicas fire. */
@QuarkusTest
@TestProfile(ScheduleTest.EveryTwoSeconds.class)
class ScheduleTest {

  /** A schedule that fires every two seconds. */
  public static class EveryTwoSeconds implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "territory.schedule.enabled", "true",
          "territory.schedule.cron", "0/2 * * * * ?",
          "territory.schedule.time-zone", "Europe/Berlin");
    }
  }

  @Inject NightlySchedule schedule;
  @Inject AgroalDataSource dataSource;

  private long runs(String trigger) throws Exception {
    return TestSql.count(dataSource, "SELECT count(*) FROM run WHERE trigger = '" + trigger + "'");
  }

  @Test
  void theScheduleFiresOnItsCron() throws Exception {
    long before = runs("schedule");
    await().atMost(Duration.ofSeconds(15)).until(() -> runs("schedule") >= before + 2);
  }

  @Test
  void aFireTimeIsClaimedByOneReplicaOnly() throws Exception {
    Instant at = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    assertTrue(schedule.claim("claim-test", at), "the first replica takes it");
    assertFalse(
        schedule.claim("claim-test", at), "a second replica firing at the same time does not");
    assertFalse(schedule.claim("claim-test", at.minusSeconds(2)), "nor does an older fire time");
  }
}
