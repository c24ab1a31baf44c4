package io.territorysync;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class HealthTest {

  @Test
  void readinessReportsDatabaseAndSchema() {
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItem("database-schema"))
        .body("checks.find { it.name == 'database-schema' }.data.version", equalTo("1"))
        .body("checks.name", hasItem("Database connections health check"));
  }

  @Test
  void livenessIsUp() {
    given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void camelRoutesFromTheRoutesFolderAreStarted() {
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .body("checks.find { it.name == 'context' }.data.'context.status'", equalTo("Started"));
  }
}
