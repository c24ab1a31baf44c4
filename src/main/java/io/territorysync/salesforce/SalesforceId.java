package io.territorysync.salesforce;

import java.util.Optional;

/**
 * Salesforce record ids: 15 case-sensitive characters (3-character key prefix, 2-character pod, a
 * reserved {@code 0}, 9 base-62 digits) or 18 with a 3-character case checksum.
 */
public final class SalesforceId {

  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final String CHECKSUM_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

  private SalesforceId() {}

  /**
   * The 18-character id of record number {@code sequence} with {@code keyPrefix} on {@code pod}.
   */
  public static String of(String keyPrefix, String pod, long sequence) {
    char[] digits = new char[9];
    long n = sequence;
    for (int i = 8; i >= 0; i--) {
      digits[i] = BASE62.charAt((int) (n % 62));
      n /= 62;
    }
    if (n != 0) {
      throw new IllegalArgumentException("sequence too large: " + sequence);
    }
    return to18(keyPrefix + pod + "0" + new String(digits));
  }

  /** Adds the case checksum to a 15-character id; an 18-character id is returned as is. */
  public static String to18(String id) {
    if (id.length() == 18) {
      return id;
    }
    if (id.length() != 15) {
      throw new IllegalArgumentException("not a Salesforce id: " + id);
    }
    StringBuilder sb = new StringBuilder(18).append(id);
    for (int chunk = 0; chunk < 3; chunk++) {
      int bits = 0;
      for (int i = 0; i < 5; i++) {
        char c = id.charAt(chunk * 5 + i);
        if (c >= 'A' && c <= 'Z') {
          bits |= 1 << i;
        }
      }
      sb.append(CHECKSUM_CHARS.charAt(bits));
    }
    return sb.toString();
  }

  /**
   * The 18-character form of {@code id} when it is a well-formed 15- or 18-character id (an 18-
   * character one must carry the right checksum), else empty.
   */
  public static Optional<String> normalize(String id) {
    if (id == null || (id.length() != 15 && id.length() != 18)) {
      return Optional.empty();
    }
    for (int i = 0; i < 15; i++) {
      if (BASE62.indexOf(id.charAt(i)) < 0) {
        return Optional.empty();
      }
    }
    String full = to18(id.substring(0, 15));
    if (id.length() == 18 && !full.equalsIgnoreCase(id)) {
      return Optional.empty();
    }
    return Optional.of(full);
  }

  /** The key prefix (first three characters). */
  public static String keyPrefix(String id) {
    return id.substring(0, 3);
  }
}
