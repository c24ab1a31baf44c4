package io.territorysync.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.Api;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.run.RunLock;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin API's runs: authentication and roles, queueing behind a running run, lifecycle. */
@QuarkusTest
class RunsApiTest {

  @Inject InProcessEmulator emulator;
  @Inject AgroalDataSource dataSource;

  @BeforeEach
  void demoOrg() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(200, 11, 40, 2.0));
    Files.writeString(Path.of("target/test-rules.yaml"), DemoRules.text(demo));
    TestSql.wipe(dataSource);
  }

  @Test
  void theApiWantsAKeyAndAdminRightsToChangeThings() {
    given()
        .get("/api/runs")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", containsString("Bearer"))
        .body("error", containsString("API key is required"));
    given()
        .header("Authorization", "Bearer wrong")
        .get("/api/runs")
        .then()
        .statusCode(401)
        .body("error", equalTo("unknown API key"));
    Api.viewer().get("/api/runs").then().statusCode(200);
    given().header("X-API-Key", Api.VIEWER_KEY).get("/api/runs").then().statusCode(200);
    String basic = Base64.getEncoder().encodeToString(("ops:" + Api.VIEWER_KEY).getBytes());
    given().header("Authorization", "Basic " + basic).get("/api/runs").then().statusCode(200);
    Api.viewer()
        .contentType("application/json")
        .body("{}")
        .post("/api/runs")
        .then()
        .statusCode(403)
        .body("error", containsString("admin"));
    // the service's own endpoints stay open: health, metrics, API description
    given().get("/q/health/live").then().statusCode(200);
    given().get("/q/openapi").then().statusCode(200).body(containsString("/api/runs"));
  }

  @Test
  void aRunRequestedWhileAnotherRunsWaitsThenRunsAndReportsItsState() throws Exception {
    Optional<RunLock> held = RunLock.tryAcquire(dataSource);
    assertTrue(held.isPresent(), "no run holds the lock");
    long id;
    long orgCallsBefore;
    try (RunLock lock = held.get()) {
      id =
          Api.admin()
              .contentType("application/json")
              .body("{\"dryRun\": true}")
              .post("/api/runs")
              .then()
              .statusCode(202)
              .header("Location", containsString("/api/runs/"))
              .body("status", equalTo("queued"))
              .body("queuedNow", equalTo(true))
              .extract()
              .jsonPath()
              .getLong("id");
      // the same request again joins the waiting run
      Api.admin()
          .contentType("application/json")
          .body("{\"dryRun\": true}")
          .post("/api/runs")
          .then()
          .statusCode(202)
          .body("id", equalTo((int) id))
          .body("queuedNow", equalTo(false));
      // the dispatcher polls, but cannot start it while the lock is held elsewhere
      await()
          .during(Duration.ofMillis(600))
          .atMost(Duration.ofSeconds(2))
          .until(
              () ->
                  Api.viewer()
                      .get("/api/runs/" + id)
                      .jsonPath()
                      .getString("status")
                      .equals("queued"));
      Api.viewer().get("/api/runs/" + id).then().body("position", equalTo(1));
      orgCallsBefore = emulator.emulator().usage().calls();
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                Api.viewer()
                    .get("/api/runs/" + id)
                    .jsonPath()
                    .getString("status")
                    .equals("succeeded"));
    Api.viewer()
        .get("/api/runs/" + id)
        .then()
        .body("trigger", equalTo("api"))
        .body("dryRun", equalTo(true))
        .body("startedAt", notNullValue())
        .body("summary.status", equalTo("succeeded"))
        .body("summary.synced.Account", equalTo(200))
        .body(
            "summary.apiCalls",
            equalTo(Api.viewer().get("/api/runs/" + id).<Integer>path("apiCalls")))
        .body("apiCalls", equalTo((int) (emulator.emulator().usage().calls() - orgCallsBefore)));
    Api.viewer().get("/api/runs?trigger=api").then().statusCode(200).body("id", hasItem((int) id));
    Api.viewer().get("/api/runs/" + id + "/changes").then().statusCode(200);
    Api.viewer().get("/api/runs/99999999").then().statusCode(404);
    // the finished run is counted in the metrics, with its stages timed
    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(
            org.hamcrest.Matchers.matchesPattern(
                "(?s).*territory_runs_total\\{[^}]*status=\"succeeded\"[^}]*trigger=\"api\"[^}]*\\}"
                    + " [1-9].*"))
        .body(
            containsString(
                "territory_stage_duration_seconds_count{kind=\"whole\",stage=\"plan\"}"));
    assertEquals(
        1,
        TestSql.count(dataSource, "SELECT count(*) FROM run WHERE trigger = 'api' AND id = " + id));
  }
}
