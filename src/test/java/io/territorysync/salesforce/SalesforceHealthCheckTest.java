package io.territorysync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.emulator.InProcessEmulator;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * During an outage, readiness answers from the last failed check instead of calling the org (with
 * retries, under a lock) on every probe, and its public body carries no internal message.
 */
@QuarkusTest
class SalesforceHealthCheckTest {

  @Inject @Readiness SalesforceHealthCheck check;
  @Inject InProcessEmulator emulator;

  @AfterEach
  void orgBack() {
    emulator.emulator().faults().clear();
    check.forget();
  }

  @Test
  void aFailedCheckIsReusedAndSaysNothingInternal() {
    check.forget();
    emulator.emulator().faults().serverUnavailableRate(1.0);
    HealthCheckResponse first = check.call();
    assertEquals(HealthCheckResponse.Status.DOWN, first.getStatus());
    String error = String.valueOf(first.getData().orElseThrow().get("error"));
    assertEquals("the Salesforce org cannot be reached (the service log says why)", error);
    assertFalse(error.contains("SERVER_UNAVAILABLE"), error);
    assertSame(first, check.call(), "the next probe reuses the failed answer");
  }
}
