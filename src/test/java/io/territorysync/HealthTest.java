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

  @jakarta.inject.Inject org.apache.camel.CamelContext camel;

  @Test
  void everyRouteOfTheRoutesFolderIsLoadedAndStarted() throws Exception {
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .body("checks.find { it.name == 'context' }.data.'context.status'", equalTo("Started"));
    java.util.List<String> declared = new java.util.ArrayList<>();
    org.snakeyaml.engine.v2.api.Load yaml =
        new org.snakeyaml.engine.v2.api.Load(
            org.snakeyaml.engine.v2.api.LoadSettings.builder().build());
    try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/routes"))) {
      for (var f : files.sorted().toList()) {
        for (Object item :
            (java.util.List<?>) yaml.loadFromString(java.nio.file.Files.readString(f))) {
          Object route = ((java.util.Map<?, ?>) item).get("route");
          if (route != null) {
            declared.add((String) ((java.util.Map<?, ?>) route).get("id"));
          }
        }
      }
    }
    org.junit.jupiter.api.Assertions.assertTrue(declared.size() >= 15, declared.toString());
    for (String id : declared) {
      org.junit.jupiter.api.Assertions.assertEquals(
          org.apache.camel.ServiceStatus.Started,
          camel.getRouteController().getRouteStatus(id),
          "route " + id);
    }
  }
}
