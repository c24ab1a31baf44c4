package io.territorysync.database;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(UnreachableDatabaseTest.Unreachable.class)
class UnreachableDatabaseTest {

  /** Points the datasource at a port where nothing listens. */
  public static class Unreachable implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:1/territory",
          "quarkus.datasource.jdbc.acquisition-timeout", "2s");
    }

    @Override
    public boolean disableGlobalTestResources() {
      return true;
    }
  }

  @Test
  void readinessIsDownWithTheSettingToFix() {
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .statusCode(503)
        .body("status", equalTo("DOWN"))
        .body(
            "checks.find { it.name == 'database-schema' }.data.error",
            containsString("quarkus.datasource.jdbc.url=jdbc:postgresql://127.0.0.1:1/territory"));
  }

  @Test
  void livenessStaysUp() {
    given().when().get("/q/health/live").then().statusCode(200);
  }
}
