package io.territorysync.console;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.territorysync.TestSql;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code territory.map.preload}: the service reads the map into memory after start-up by itself, so
 * the first map a user opens answers from memory (tests turn it off everywhere else).
 */
@QuarkusTest
@TestProfile(MapPreloadTest.Preload.class)
class MapPreloadTest {

  /** The service as deployed: the map is preloaded. */
  public static class Preload implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("territory.map.preload", "true");
    }
  }

  @Inject MapIndex index;
  @Inject AgroalDataSource dataSource;

  @Test
  void theMapIsInMemoryAfterStartUpWithoutAnyRequest() throws Exception {
    // nothing here asks the index for a snapshot: only the start-up read can fill it
    await().atMost(Duration.ofSeconds(60)).until(() -> index.loaded() != null);
    assertEquals(
        TestSql.count(
            dataSource,
            "SELECT count(*) FROM sf_account"
                + " WHERE billing_latitude IS NOT NULL AND billing_longitude IS NOT NULL"),
        index.loaded().size,
        "every account with coordinates of the mirror as it was at start-up");
  }
}
