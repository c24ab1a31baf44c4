package io.territorysync.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.territorysync.TestSql;
import io.territorysync.run.FinishedRuns;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service's hourly purge uses the configured retention (365 days by default), is on in a
 * serving replica and counts what it deleted for Prometheus.
 */
@QuarkusTest
class HistoryRetentionTest {

  @Inject AgroalDataSource dataSource;
  @Inject HistoryRetention retention;

  private FinishedRuns runs;

  @BeforeEach
  void runs() {
    runs = new FinishedRuns(dataSource);
  }

  @AfterEach
  void removeTheTestsRuns() throws SQLException {
    runs.remove();
  }

  @Test
  void theServicesPurgeDeletesTheChangesOfRunsOlderThanAYearAndKeepsYoungerOnes() throws Exception {
    Instant now = Instant.now();
    long yearAndADay = runs.add(false, "succeeded", now.minus(Duration.ofDays(366)), 3);
    long elevenMonths = runs.add(false, "succeeded", now.minus(Duration.ofDays(335)), 4);
    runs.add(false, "succeeded", now, 1); // the newest whole run that ended cleanly

    double before = deletedChanges();

    retention.purge();

    assertEquals(0, changes(yearAndADay));
    assertEquals(4, changes(elevenMonths));
    assertEquals(3.0, deletedChanges() - before, "territory_history_deleted_total{what=changes}");
  }

  /** The Prometheus counter of deleted changes, as served at /q/metrics. */
  private static double deletedChanges() {
    String prefix = "territory_history_deleted_total{what=\"changes\"} ";
    return RestAssured.get("/q/metrics")
        .asString()
        .lines()
        .filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
        .findFirst()
        .orElse(0);
  }

  private long changes(long runId) throws SQLException {
    return TestSql.count(dataSource, "SELECT count(*) FROM plan_change WHERE run_id = " + runId);
  }
}
