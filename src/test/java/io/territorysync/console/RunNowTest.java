package io.territorysync.console;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.territorysync.Api;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Overview's Run now form says what its box does and does it: ticked, the run re-reads
 * everything and evaluates every account (a full run); left alone, a run after the first works on
 * what changed.
 */
@QuarkusTest
class RunNowTest {

  static final Pattern FULL_LABEL =
      Pattern.compile("<label[^>]*><input[^>]*name=\"full\"[^>]*>([^<]*)</label>");

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;

  @Test
  void theFullRunBoxStartsARunOverEveryAccount() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(200, 5, 30, 2.0));
    Files.writeString(Path.of("target/test-rules.yaml"), DemoRules.text(demo));
    TestSql.wipe(dataSource);
    Run first = runs.execute(new RunService.RunRequest("test", false, false, false));
    assertEquals("succeeded", first.status, first.error);

    ConsoleSession admin = ConsoleSession.signIn(Api.ADMIN_KEY);
    String overview = admin.request().get("/console/").asString();
    Matcher label = FULL_LABEL.matcher(overview);
    assertTrue(label.find(), "the Run now form has the full-run box");
    assertTrue(
        label.group(1).contains("Full run") && label.group(1).contains("every account"),
        "the box says it starts a full run: " + label.group(1));

    // unticked first: a full dry run makes the next run a full one too
    assertEquals("incremental", startAndFinish(admin, false).getString("summary.scope.mode"));
    assertEquals("full", startAndFinish(admin, true).getString("summary.scope.mode"));
  }

  /** Posts the Overview's form (a dry run) and waits for the run it queued to end. */
  private static JsonPath startAndFinish(ConsoleSession admin, boolean full) {
    var request = admin.request().formParam("dryRun", "true").formParam("csrf-token", admin.csrf());
    if (full) {
      request = request.formParam("full", "true");
    }
    String location =
        request.post("/console/runs").then().statusCode(303).extract().header("Location");
    String id = location.substring(location.lastIndexOf('/') + 1);
    await()
        .atMost(Duration.ofSeconds(120))
        .until(
            () -> Api.viewer().get("/api/runs/" + id).jsonPath().getString("finishedAt") != null);
    JsonPath run = Api.viewer().get("/api/runs/" + id).jsonPath();
    assertEquals("succeeded", run.getString("status"), run.prettify());
    assertEquals(full, run.getBoolean("full"));
    return run;
  }
}
