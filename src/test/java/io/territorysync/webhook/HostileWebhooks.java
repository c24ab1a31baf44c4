package io.territorysync.webhook;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generated hostile webhook bodies: oversized, deeply nested, truncated, mutated, wrong org, wrong
 * types and bad encodings for the Outbound Message endpoint; wrong signatures, replays, bad
 * timestamps, truncated, deep and badly encoded JSON for the signed endpoint.
 */
final class HostileWebhooks {

  private HostileWebhooks() {}

  /** One request: its kind, body, and for the signed endpoint the two headers (null: omitted). */
  record Attack(String kind, byte[] body, String timestamp, String signature) {}

  static final String ACCOUNT = "001000000000001AAA";

  /** Outbound Messages, from a valid one ({@code orgId} the connected org). */
  static List<Attack> outbound(String orgId, long seed) {
    Random random = new Random(seed);
    List<Attack> out = new ArrayList<>();
    String valid = WebhookTest.outboundMessage(orgId, "04l5g00000AbCdEAAV", ACCOUNT);
    byte[] validBytes = valid.getBytes(StandardCharsets.UTF_8);
    // oversized
    for (int mb : new int[] {1, 2, 5}) {
      out.add(new Attack("oversized " + mb + " MB", pad(valid, mb * 1024 * 1024 + 1), null, null));
    }
    // deeply nested, at the root, in the Body and inside a notification
    for (int depth : new int[] {33, 100, 1_000, 10_000, 100_000, 300_000}) {
      String open = "<a>".repeat(depth);
      String close = "</a>".repeat(depth);
      out.add(soap("deep root " + depth, open + close));
      out.add(
          soap(
              "deep in notification " + depth,
              valid.replace("<sf:Name>", open + close + "<sf:Name>")));
      out.add(
          soap("deep unclosed " + depth, valid.replace("<soapenv:Body>", "<soapenv:Body>" + open)));
    }
    // truncated at 300 points
    for (int i = 0; i < 300; i++) {
      int cut = 1 + random.nextInt(validBytes.length - 2);
      byte[] b = java.util.Arrays.copyOf(validBytes, cut);
      out.add(new Attack("truncated at " + cut, b, null, null));
    }
    // random mutations of the markup ('<', '>' and the '/' of end and empty tags), which leave
    // no well-formed document; the text of the elements is left alone, so none is a valid message
    // (not in empty-element tags: '<' of <SessionId/> made text leaves a valid message)
    List<Integer> markup = new ArrayList<>();
    int emptyTagEnd = -1;
    for (int i = 0; i < validBytes.length; i++) {
      byte c = validBytes[i];
      if (c == '<') {
        int end = valid.indexOf('>', i);
        emptyTagEnd = valid.charAt(end - 1) == '/' ? end : -1;
      }
      if (emptyTagEnd >= i) {
        continue;
      }
      if (c == '<'
          || c == '>'
          || (c == '/' && (validBytes[i - 1] == '<' || validBytes[i + 1] == '>'))) {
        markup.add(i);
      }
    }
    for (int m = 0; m < 300; m++) {
      byte[] b = validBytes.clone();
      int flips = 1 + random.nextInt(4);
      for (int f = 0; f < flips; f++) {
        byte to;
        do {
          to = (byte) random.nextInt(256);
        } while (to == '<' || to == '>' || to == '/');
        b[markup.get(random.nextInt(markup.size()))] = to;
      }
      out.add(new Attack("mutated markup " + m, b, null, null));
    }
    // wrong org (well-formed ids of other orgs)
    for (int i = 0; i < 60; i++) {
      String other = String.format("00D%012dAAA", random.nextInt(1_000_000_000) + 1L);
      if (other.substring(0, 15).equals(orgId.substring(0, 15))) {
        continue;
      }
      out.add(
          soap(
              "wrong org " + other,
              WebhookTest.outboundMessage(other, "04l5g00000AbCdEAAV", ACCOUNT)));
    }
    // not accounts, bad ids, missing parts
    out.add(soap("a contact", valid.replace("sf:Account", "sf:Contact")));
    out.add(soap("an opportunity id", valid.replace(ACCOUNT, "006000000000001AAA")));
    out.add(soap("no account id", valid.replace("<sf:Id>" + ACCOUNT + "</sf:Id>", "")));
    out.add(soap("no notification id", valid.replace("<Id>04l5g00000AbCdEAAV</Id>", "")));
    out.add(soap("no sObject", valid.replaceAll("(?s)<sObject.*</sObject>", "")));
    out.add(soap("no org", valid.replace("<OrganizationId>" + orgId + "</OrganizationId>", "")));
    out.add(soap("no notifications", valid.replaceAll("(?s)<notifications.*</notifications>", "")));
    out.add(soap("not SOAP", "<notifications xmlns=\"http://soap.sforce.com/2005/09/outbound\"/>"));
    out.add(soap("empty", ""));
    out.add(soap("JSON", "{\"accountIds\": [\"" + ACCOUNT + "\"]}"));
    String one =
        valid.substring(valid.indexOf("<Notification>"), valid.indexOf("</Notification>") + 15);
    out.add(soap("101 notifications", valid.replace(one, one.repeat(101))));
    out.add(soap("100,000 notifications", valid.replace(one, one.repeat(100_000))));
    // entities and DOCTYPEs
    out.add(
        soap(
            "billion laughs",
            "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\">"
                + "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
                + valid.substring(valid.indexOf("<soapenv:Envelope")).replace(ACCOUNT, "&c;")));
    out.add(
        soap(
            "external entity",
            "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + valid.substring(valid.indexOf("<soapenv:Envelope")).replace(ACCOUNT, "&e;")));
    out.add(soap("undeclared entity", valid.replace(ACCOUNT, "&e;")));
    // bad encodings
    out.add(
        new Attack(
            "UTF-16 bytes declared UTF-8", valid.getBytes(StandardCharsets.UTF_16), null, null));
    out.add(
        soap(
            "declared UTF-16, sent UTF-8",
            valid.replace("encoding=\"UTF-8\"", "encoding=\"UTF-16\"")));
    out.add(soap("declared EBCDIC", valid.replace("encoding=\"UTF-8\"", "encoding=\"IBM037\"")));
    out.add(
        soap(
            "declared an unknown charset",
            valid.replace("encoding=\"UTF-8\"", "encoding=\"X-NOPE\"")));
    for (int i = 0; i < 40; i++) {
      byte[] b = validBytes.clone();
      int at = valid.indexOf(ACCOUNT) + random.nextInt(ACCOUNT.length());
      b[at] = (byte) (0x80 + random.nextInt(0x80)); // a lone continuation or lead byte
      out.add(new Attack("invalid UTF-8 in the account id " + i, b, null, null));
    }
    out.add(soap("a NUL character", valid.replace(ACCOUNT, "001\u0000")));
    return out;
  }

  /** Signed JSON requests; only a signature with {@code secret} over the right bytes is valid. */
  static List<Attack> signed(String secret, long now, long seed) {
    Random random = new Random(seed);
    List<Attack> out = new ArrayList<>();
    String valid = "{\"accountIds\": [\"" + ACCOUNT + "\"], \"eventId\": \"hostile\"}";
    byte[] validBytes = valid.getBytes(StandardCharsets.UTF_8);
    // wrong signatures
    for (int i = 0; i < 150; i++) {
      byte[] sig = new byte[32];
      random.nextBytes(sig);
      out.add(
          new Attack(
              "random signature " + i,
              validBytes,
              ts(now),
              "sha256=" + java.util.HexFormat.of().formatHex(sig)));
    }
    for (int i = 0; i < 50; i++) {
      out.add(
          new Attack(
              "another secret " + i,
              validBytes,
              ts(now),
              WebhookReceiver.sign("wrong-" + i, now, validBytes)));
    }
    for (int i = 0; i < 50; i++) {
      byte[] other =
          ("{\"accountIds\": [\"001000000000" + String.format("%03d", i) + "AAA\"]}")
              .getBytes(StandardCharsets.UTF_8);
      out.add(
          new Attack(
              "signature of another body " + i,
              validBytes,
              ts(now),
              WebhookReceiver.sign(secret, now, other)));
    }
    for (int i = 0; i < 30; i++) {
      out.add(
          new Attack(
              "signature for another time " + i,
              validBytes,
              ts(now),
              WebhookReceiver.sign(secret, now - 1 - i, validBytes)));
    }
    out.add(new Attack("no signature", validBytes, ts(now), null));
    out.add(
        new Attack(
            "no timestamp", validBytes, null, WebhookReceiver.sign(secret, now, validBytes)));
    out.add(new Attack("signature not hex", validBytes, ts(now), "sha256=zz"));
    out.add(new Attack("empty signature", validBytes, ts(now), ""));
    // replayed: a valid request sent again outside the clock-skew window
    for (int i = 0; i < 100; i++) {
      long then = now - 301 - random.nextInt(1_000_000);
      out.add(
          new Attack(
              "replayed from " + then,
              validBytes,
              ts(then),
              WebhookReceiver.sign(secret, then, validBytes)));
    }
    for (int i = 0; i < 20; i++) {
      long later = now + 301 + random.nextInt(1_000_000);
      out.add(
          new Attack(
              "from the future " + later,
              validBytes,
              ts(later),
              WebhookReceiver.sign(secret, later, validBytes)));
    }
    // timestamps that are not times
    for (String t :
        new String[] {
          "9223372036854775807",
          "-9223372036854775808",
          "99999999999999999999",
          "1e10",
          "now",
          "",
          " ",
          "0x10",
          "-1",
          "1.5",
          "１２３"
        }) {
      out.add(new Attack("timestamp '" + t + "'", validBytes, t, "sha256=00"));
    }
    out.add(
        new Attack(
            "a huge timestamp, signed",
            validBytes,
            "9223372036854775807",
            WebhookReceiver.sign(secret, Long.MAX_VALUE, validBytes)));
    // oversized (correctly signed)
    for (int mb : new int[] {1, 3}) {
      byte[] big = pad(valid, mb * 1024 * 1024 + 1);
      out.add(
          new Attack(
              "oversized " + mb + " MB", big, ts(now), WebhookReceiver.sign(secret, now, big)));
    }
    // truncated, correctly signed
    for (int i = 0; i < 150; i++) {
      int cut = 1 + random.nextInt(validBytes.length - 2);
      byte[] b = java.util.Arrays.copyOf(validBytes, cut);
      out.add(signed(secret, now, "truncated at " + cut, b));
    }
    // deep, correctly signed
    for (int depth : new int[] {1_001, 10_000, 200_000}) {
      out.add(
          signed(
              secret,
              now,
              "deep arrays " + depth,
              ("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.UTF_8)));
      out.add(
          signed(
              secret,
              now,
              "deep in accountIds " + depth,
              ("{\"accountIds\": " + "[".repeat(depth) + "]".repeat(depth) + "}")
                  .getBytes(StandardCharsets.UTF_8)));
    }
    // wrong content, correctly signed
    String[] wrong = {
      "{}",
      "[]",
      "null",
      "\"x\"",
      "{\"accountIds\": []}",
      "{\"accountIds\": \"" + ACCOUNT + "\"}",
      "{\"accountIds\": [1]}",
      "{\"accountIds\": [null]}",
      "{\"accountIds\": [\"006000000000001AAA\"]}",
      "{\"accountIds\": [\"001000000000001AAB\"]}",
      "{\"accountIds\": [\"001\"]}",
      "{\"accountIds\": [{}]}",
      "{\"accountIds\": [\"" + "001000000000001AAA".repeat(1000) + "\"]}"
    };
    for (String w : wrong) {
      out.add(
          signed(
              secret,
              now,
              "content " + w.substring(0, Math.min(40, w.length())),
              w.getBytes(StandardCharsets.UTF_8)));
    }
    StringBuilder many = new StringBuilder("{\"accountIds\": [");
    for (int i = 0; i < 1001; i++) {
      many.append(i == 0 ? "" : ",").append("\"").append(ACCOUNT).append("\"");
    }
    out.add(
        signed(
            secret,
            now,
            "1001 ids",
            many.append("]}").toString().getBytes(StandardCharsets.UTF_8)));
    // bad encodings, correctly signed
    for (int i = 0; i < 40; i++) {
      byte[] b = validBytes.clone();
      int at = valid.indexOf(ACCOUNT) + random.nextInt(ACCOUNT.length());
      b[at] = (byte) (0x80 + random.nextInt(0x80));
      out.add(signed(secret, now, "invalid UTF-8 in the id " + i, b));
    }
    out.add(signed(secret, now, "UTF-16", valid.getBytes(StandardCharsets.UTF_16)));
    out.add(
        signed(secret, now, "UTF-32", valid.getBytes(java.nio.charset.Charset.forName("UTF-32"))));
    return out;
  }

  private static Attack signed(String secret, long now, String kind, byte[] body) {
    return new Attack(kind, body, ts(now), WebhookReceiver.sign(secret, now, body));
  }

  private static String ts(long t) {
    return Long.toString(t);
  }

  private static Attack soap(String kind, String xml) {
    return new Attack(kind, xml.getBytes(StandardCharsets.UTF_8), null, null);
  }

  /** {@code text} padded with spaces (or cut) to {@code size} bytes. */
  private static byte[] pad(String text, int size) {
    byte[] b = java.util.Arrays.copyOf(text.getBytes(StandardCharsets.UTF_8), size);
    java.util.Arrays.fill(b, text.length(), size, (byte) ' ');
    return b;
  }
}
