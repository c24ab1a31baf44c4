package io.territorysync.preflight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The webhooks check: the dev server's own http address is green with the emulated org (so a new
 * user of {@code quarkus:dev} sees every check green), and stays a warning for a real org.
 */
class WebhooksCheckTest {

  @Test
  void theDevServersOwnAddressIsGreenWithTheEmulatedOrg() {
    Check c = PreflightService.webhooks(Optional.of("http://localhost:8080/"), true, true);
    assertEquals(Check.Status.OK, c.status(), c.found());
    assertTrue(
        c.found().contains("http://localhost:8080/webhooks/salesforce/outbound-message"),
        c.found());
    assertTrue(c.found().contains("a real org needs an https address"), c.found());
  }

  @Test
  void anHttpAddressIsAWarningForARealOrg() {
    Check c = PreflightService.webhooks(Optional.of("http://localhost:8080"), true, false);
    assertEquals(Check.Status.WARNING, c.status());
    assertTrue(c.fix().contains("https"), c.fix());
  }

  @Test
  void anotherMachinesHttpAddressIsAWarningEvenWithTheEmulatedOrg() {
    Check c = PreflightService.webhooks(Optional.of("http://sync.example.com"), true, true);
    assertEquals(Check.Status.WARNING, c.status());
  }

  @Test
  void noAddressIsAWarningThatSaysWhatToSet() {
    Check c = PreflightService.webhooks(Optional.empty(), true, true);
    assertEquals(Check.Status.WARNING, c.status());
    assertTrue(c.fix().contains("territory.public-url"), c.fix());
  }

  @Test
  void anHttpsAddressWithTheSecretIsGreen() {
    Check c =
        PreflightService.webhooks(Optional.of("https://territory-sync.example.com"), true, false);
    assertEquals(Check.Status.OK, c.status(), c.found());
  }
}
