package io.territorysync.deploy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.TestDatabase;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every path the Kubernetes manifests probe, scrape or route to is served by the app. */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class DeployPathsTest {

  @Test
  void probesAndTheMetricsScrapeAnswer200() {
    Set<String> paths = DeployManifestsTest.httpPaths();
    assertThat(paths, hasItems("/q/health/live", "/q/health/ready", "/q/metrics"));
    for (String path : paths) {
      if (path.startsWith("/q/")) {
        given().redirects().follow(false).when().get(path).then().statusCode(200);
      }
    }
  }

  @Test
  void everyPathTheIngressRoutesIsServed() {
    for (String path : DeployManifestsTest.httpPaths()) {
      if (!path.startsWith("/q/")) {
        // A prefix is served when something under it answers: the console's root, the webhook
        // receivers and the WebJars htmx.
        String probe =
            switch (path) {
              case "/webhooks" -> "/webhooks/accounts";
              case "/webjars" -> "/webjars/htmx.org/dist/htmx.min.js";
              default -> path;
            };
        int status =
            given().redirects().follow(false).when().get(probe).then().extract().statusCode();
        assertNotEquals(404, status, path + " (as " + probe + ")");
      }
    }
  }
}
