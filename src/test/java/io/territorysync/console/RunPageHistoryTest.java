package io.territorysync.console;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.Api;
import io.territorysync.run.FinishedRuns;
import io.territorysync.run.RunHistory;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The run page of a run older than the history retention says its changes were deleted. */
@QuarkusTest
class RunPageHistoryTest {

  @Inject AgroalDataSource dataSource;
  @Inject RunHistory history;

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
  void aRunWhoseChangesWereDeletedSaysSoInsteadOfListingNone() throws Exception {
    long old = runs.add(false, "succeeded", Instant.now().minus(Duration.ofDays(10)), 1);
    long recent = runs.add(false, "succeeded", Instant.now().minus(Duration.ofDays(1)), 1);
    history.purge(Instant.now().minus(Duration.ofDays(5)), () -> true);

    ConsoleSession viewer = ConsoleSession.signIn(Api.VIEWER_KEY);
    viewer
        .request()
        .get("/console/runs/" + old)
        .then()
        .statusCode(200)
        .body(containsString("id=\"changes-purged\""))
        .body(containsString("territory.runs.history-retention"))
        .body(not(containsString("H1</a>")))
        .body(not(containsString("id=\"changes-filter\"")))
        .body(not(containsString("changes.csv")));
    viewer
        .request()
        .get("/console/runs/" + recent)
        .then()
        .statusCode(200)
        .body(not(containsString("id=\"changes-purged\"")))
        .body(containsString("H1</a>"))
        .body(containsString("id=\"changes-filter\""));
  }
}
