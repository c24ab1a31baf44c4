package io.territorysync.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Address ranges (CIDR, IPv4 or IPv6) a webhook sender must come from. Empty: any sender. An
 * IPv4-mapped IPv6 address ({@code ::ffff:10.0.0.1}) matches the IPv4 ranges.
 */
final class SourceAllowList {

  private record Range(byte[] network, int bits, String text) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Range> ranges;

  private SourceAllowList(List<Range> ranges) {
    this.ranges = List.copyOf(ranges);
  }

  /**
   * Parses ranges such as {@code 13.108.0.0/14}, {@code 2a01:111::/32} or a single address.
   *
   * @throws IllegalArgumentException naming the setting and the entry that is not a range
   */
  static SourceAllowList parse(String setting, List<String> entries) {
    List<Range> ranges = new ArrayList<>();
    for (String raw : entries) {
      String entry = raw.strip();
      if (entry.isEmpty()) {
        continue;
      }
      int slash = entry.indexOf('/');
      String host = slash < 0 ? entry : entry.substring(0, slash);
      if (!host.matches("[0-9A-Fa-f:.]+")) {
        throw invalid(setting, entry, "not an IP address (host names are not resolved)");
      }
      byte[] network;
      try {
        network = InetAddress.getByName(host).getAddress();
      } catch (UnknownHostException e) {
        throw invalid(setting, entry, "not an IP address");
      }
      int bits = network.length * 8;
      if (slash >= 0) {
        String prefix = entry.substring(slash + 1);
        if (!prefix.matches("[0-9]{1,3}") || Integer.parseInt(prefix) > network.length * 8) {
          throw invalid(setting, entry, "the prefix length must be 0 to " + (network.length * 8));
        }
        bits = Integer.parseInt(prefix);
      }
      ranges.add(new Range(network, bits, entry));
    }
    return new SourceAllowList(ranges);
  }

  private static IllegalArgumentException invalid(String setting, String entry, String why) {
    return new IllegalArgumentException(setting + ": '" + entry + "': " + why);
  }

  /** Whether no range is set (every sender is allowed). */
  boolean allowsAny() {
    return ranges.isEmpty();
  }

  /** Whether the sender's address (as the HTTP layer reports it) is in one of the ranges. */
  boolean allows(String address) {
    if (ranges.isEmpty()) {
      return true;
    }
    String literal = address == null ? "" : address.replaceAll("^\\[|\\]$|%.*$", "");
    if (!literal.matches("[0-9A-Fa-f:.]+")) {
      return false;
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      return false;
    }
    for (Range range : ranges) {
      if (range.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return ranges.isEmpty() ? "any" : String.join(", ", ranges.stream().map(Range::text).toList());
  }
}
