package io.territorysync.emulator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.emulator.demo.DemoOrg;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The emulator served on the app's own port in dev mode and tests. */
@QuarkusTest
class InProcessEmulatorTest {

  @Inject InProcessEmulator inProcess;

  @Test
  void servesTheOrgOnTheAppPortAndTakesFaultsFromTheAdminApi() {
    inProcess.reset(new DemoOrg.Spec(40, 3, 100, 2.0));
    String token =
        given()
            .formParam("grant_type", "client_credentials")
            .formParam("client_id", "territory-sync-demo")
            .formParam("client_secret", "demo-secret")
            .post("/services/oauth2/token")
            .then()
            .statusCode(200)
            .extract()
            .path("access_token");
    given()
        .auth()
        .oauth2(token)
        .queryParam("q", "SELECT COUNT() FROM Account")
        .get("/services/data/v62.0/query")
        .then()
        .statusCode(200)
        .body("totalSize", equalTo(40));
    given()
        .contentType("application/json")
        .body("{\"lockRowRate\": 0.25, \"latencyMillis\": 5}")
        .put("/emulator/admin/faults")
        .then()
        .statusCode(200)
        .body("lockRowRate", equalTo(0.25f));
    assertEquals(5, inProcess.emulator().faults().latencyMillis());
    given()
        .contentType("application/json")
        .body("{\"nonsense\": 1}")
        .put("/emulator/admin/faults")
        .then()
        .statusCode(400);
    inProcess.emulator().faults().clear();
  }
}
