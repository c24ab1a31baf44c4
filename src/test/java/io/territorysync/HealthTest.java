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
        .body(
            "checks.find { it.name == 'database-schema' }.data.version", equalTo(latestMigration()))
        .body("checks.name", hasItem("Database connections health check"));
  }

  @Test
  void readinessReportsSalesforceWithTheDailyCallsLeft() {
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .body("checks.find { it.name == 'salesforce' }.status", equalTo("UP"))
        .body("checks.find { it.name == 'salesforce' }.data.dailyApiRequestsMax", equalTo(100000));
  }

  /** The highest V<n>__*.sql migration shipped. */
  static String latestMigration() {
    try (var files =
        java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/db/migration"))) {
      return String.valueOf(
          files
              .map(f -> f.getFileName().toString())
              .filter(n -> n.matches("V\\d+__.*\\.sql"))
              .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))
              .max()
              .orElseThrow());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
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
