package io.territorysync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.territorysync.database.EmbeddedDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two faults of the fault suite against the packaged jar, each set on a separate emulator process
 * through its admin API: a Bulk API 2.0 close (UploadComplete) applied by the org whose answer is
 * lost, and optional fields the integration user cannot read.
 */
class LostAnswersAndHiddenFieldsIT {

  static final int ACCOUNTS = 1200;

  @TempDir Path tmp;

  @Test
  void aBulkCloseTheOrgAppliedButWhoseAnswerWasLostIsFollowedAndNoRecordIsReportedFailed()
      throws Exception {
    try (PackagedApp.Emulator emulator =
        PackagedApp.Emulator.start(ACCOUNTS, 0, tmp.resolve("emulator.log"))) {
      int port = emulator.port();
      Path data = tmp.resolve("data");
      Map<String, String> env = new HashMap<>(PackagedApp.smallCallsEnv(port, tmp, data, ACCOUNTS));
      // every phase by Bulk API 2.0; the first job's close is applied, its answer never comes
      env.put("TERRITORY_ASSIGNMENT_WRITE_BULK_THRESHOLD", "1");
      PackagedApp.emulatorAdmin(
          port,
          "PUT",
          "faults",
          "{\"loseAnswers\":\"^PATCH jobs/ingest/\\\\w+ .*UploadComplete\"}");
      long mark = PackagedApp.writeMark(port);
      Path out = tmp.resolve("run.out");
      JsonNode summary = aRunThatSucceeds(env, out);
      assertTrue(summary.path("assignments").path("added").asLong() > 0, summary.toString());
      assertEquals(0, summary.path("assignments").path("failed").asLong(), summary.toString());
      assertEquals(0, summary.path("opportunities").path("failed").asLong(), summary.toString());
      assertEquals(
          1,
          PackagedApp.emulatorAdmin(port, "GET", "faults", null).path("answersLost").asLong(),
          "the org applied the close and lost its answer once");
      assertOrgAsTheRulesWant(port, data, mark);
    }
  }

  @Test
  void optionalFieldsTheUserCannotReadAreSkippedWithOneWarningAndTheRunSucceeds() throws Exception {
    try (PackagedApp.Emulator emulator =
        PackagedApp.Emulator.start(ACCOUNTS, 0, tmp.resolve("emulator.log"))) {
      int port = emulator.port();
      Path data = tmp.resolve("data");
      Map<String, String> env = PackagedApp.smallCallsEnv(port, tmp, data, ACCOUNTS);
      PackagedApp.emulatorAdmin(
          port,
          "PUT",
          "access",
          "{\"hiddenFields\":[\"User.Department\",\"Territory2.CaseAccessLevel\"]}");
      long mark = PackagedApp.writeMark(port);
      Path out = tmp.resolve("run.out");
      JsonNode summary = aRunThatSucceeds(env, out);
      assertEquals(
          "[\"Territory2.CaseAccessLevel\",\"User.Department\"]",
          summary.path("skippedFields").toString());
      List<String> warnings =
          Files.readAllLines(out).stream()
              .filter(l -> l.contains("WARN") && l.contains("User.Department"))
              .toList();
      assertEquals(1, warnings.size(), "one warning for the run: " + warnings);
      assertTrue(warnings.get(0).contains("Territory2.CaseAccessLevel"), warnings.get(0));
      assertOrgAsTheRulesWant(port, data, mark);
    }
  }

  /** Runs {@code run --json} to its end; asserts it succeeded and answers its summary. */
  private static JsonNode aRunThatSucceeds(Map<String, String> env, Path out) throws Exception {
    int exit = PackagedApp.runToEnd(env, List.of("run", "--json"), out, Duration.ofMinutes(4));
    assertEquals(0, exit, PackagedApp.tail(out));
    JsonNode summary = PackagedApp.lastJsonLine(out);
    assertEquals("succeeded", summary.path("status").asText(), summary.toString());
    return summary;
  }

  /** Opens the run's embedded database once the command has ended and checks the org with it. */
  private static void assertOrgAsTheRulesWant(int port, Path data, long mark) throws Exception {
    EmbeddedDatabase db =
        EmbeddedDatabase.start(data.resolve("postgres"), 0, Duration.ofSeconds(60));
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), null)) {
      assertTrue(PackagedApp.assertOrgAsTheRulesWant(port, c, mark) > 0);
    } finally {
      db.stop();
    }
  }
}
