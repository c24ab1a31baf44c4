package io.territorysync.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.run.FinishedRuns;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service's hourly purge uses the configured retention (365 days by default) and is on in a
 * serving replica.
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

    retention.purge();

    assertEquals(0, changes(yearAndADay));
    assertEquals(4, changes(elevenMonths));
  }

  private long changes(long runId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM plan_change WHERE run_id = " + runId)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
