package io.territorysync.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SourceAllowListTest {

  private static SourceAllowList of(String... ranges) {
    return SourceAllowList.parse("territory.webhooks.allowed-sources", List.of(ranges));
  }

  @Test
  void noRangesAllowsEverySender() {
    assertTrue(of().allows("203.0.113.9"));
    assertTrue(of().allowsAny());
  }

  @Test
  void anIpv4RangeAllowsItsAddressesOnlyUpToThePrefixBit() {
    SourceAllowList list = of("13.108.0.0/14");
    assertTrue(list.allows("13.108.0.1"));
    assertTrue(list.allows("13.111.255.255"));
    assertFalse(list.allows("13.112.0.0"));
    assertFalse(list.allows("13.107.255.255"));
    assertTrue(list.allows("::ffff:13.109.1.1"), "an IPv4-mapped IPv6 sender is its IPv4 address");
  }

  @Test
  void anIpv6RangeAndASingleAddressMatchExactly() {
    SourceAllowList list = of("2a01:111::/32", "198.51.100.7");
    assertTrue(list.allows("2a01:111:f00::1"));
    assertTrue(list.allows("[2a01:111::5]"));
    assertFalse(list.allows("2a01:112::1"));
    assertTrue(list.allows("198.51.100.7"));
    assertFalse(list.allows("198.51.100.8"));
    assertFalse(list.allows("13.108.0.1"), "an IPv4 sender never matches an IPv6 range");
  }

  @Test
  void senderNamesThatAreNotAddressesAreRefusedWithoutALookup() {
    SourceAllowList list = of("127.0.0.0/8");
    assertFalse(list.allows("localhost"));
    assertFalse(list.allows(null));
    assertFalse(list.allows(""));
  }

  @Test
  void aBadEntryNamesTheSettingAndTheEntry() {
    IllegalArgumentException host =
        assertThrows(IllegalArgumentException.class, () -> of("10.0.0.0/8", "salesforce.com"));
    assertEquals(
        "territory.webhooks.allowed-sources: 'salesforce.com': not an IP address (host names are"
            + " not resolved)",
        host.getMessage());
    IllegalArgumentException prefix =
        assertThrows(IllegalArgumentException.class, () -> of("10.0.0.0/33"));
    assertEquals(
        "territory.webhooks.allowed-sources: '10.0.0.0/33': the prefix length must be 0 to 32",
        prefix.getMessage());
  }
}
