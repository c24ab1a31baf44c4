package io.territorysync.rules;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Malformed and malicious rules files: alias bombs, deep nesting, huge documents, catastrophic
 * regular expressions, wrong types, unknown fields and bad encodings. Each must be refused with a
 * message containing {@code says}, at {@code line}:{@code column} when {@code line} is not 0.
 */
public final class HostileRules {

  private HostileRules() {}

  /** One hostile file. */
  public record Case(String name, byte[] bytes, int line, int column, String says) {
    @Override
    public String toString() {
      return name;
    }

    public String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private static final String HEAD = "model: Global_Sales\nterritories:\n  US_West:\n";

  /** A rule of US_West with one criterion {@code criterion} (a flow mapping) and a filter. */
  private static String rule(String criterion, String filter) {
    return HEAD
        + "    rules:\n"
        + "      - name: r\n"
        + (filter == null ? "" : "        filter: " + filter + "\n")
        + "        criteria:\n"
        + "          - "
        + criterion
        + "\n";
  }

  private static String matches(String regex) {
    return rule(
        "{field: Name, operation: matches, value: '" + regex.replace("'", "''") + "'}", null);
  }

  public static List<Case> all() {
    List<Case> c = new ArrayList<>();
    // --- alias bombs
    // 101 aliases of it expand past the limit
    String big = "x".repeat((int) (RulesReader.MAX_EXPANDED / 100) + 1);
    c.add(
        text(
            "aliases of a large scalar",
            "big: &s "
                + big
                + "\n"
                + HEAD.replace("model: Global_Sales\n", "model: Global_Sales\n")
                + "    rules:\n      - criteria:\n          - field: Name\n            operation: in\n"
                + "            values: ["
                + "*s, ".repeat(100)
                + "*s]\n",
            9,
            0,
            "aliases expand the file"));
    StringBuilder laughs =
        new StringBuilder("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i <= 9; i++) {
      laughs.append("l").append(i).append(": &l").append(i).append(" [");
      laughs.append(("*l" + (i - 1) + ", ").repeat(8)).append("*l").append(i - 1).append("]\n");
    }
    c.add(text("billion laughs", laughs + HEAD, 0, 0, "aliases expand the file"));
    c.add(
        text(
            "more aliases than allowed",
            "a: &a x\nb: [" + "*a, ".repeat(RulesReader.MAX_ALIASES) + "*a]\n" + HEAD,
            2,
            0,
            "aliases (*name)"));
    c.add(
        text(
            "an alias to itself",
            "model: &a [*a]\nterritories: {}\n",
            1,
            8,
            "model must be a plain value"));
    c.add(text("an undefined alias", "model: *nowhere\n", 1, 8, "not valid YAML"));
    // --- deep nesting
    c.add(text("deep flow lists", "model: " + "[".repeat(100_000), 1, 0, "nested more than"));
    c.add(text("deep flow mappings", "model: " + "{a: ".repeat(50_000), 1, 0, "nested more than"));
    StringBuilder block = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      block.append(" ".repeat(i)).append("k").append(i).append(":\n");
    }
    c.add(text("deep block mappings", block.toString(), 41, 0, "nested more than"));
    c.add(
        text(
            "deeply parenthesised filter",
            rule(
                "{field: Name, operation: equals, value: a}",
                "'" + "(".repeat(100_000) + "1" + ")".repeat(100_000) + "'"),
            6,
            0,
            "nested more than 50 deep"));
    c.add(
        text(
            "a filter of ten thousand NOTs",
            rule("{field: Name, operation: equals, value: a}", "'" + "NOT ".repeat(10_000) + "1'"),
            6,
            0,
            "nested more than 50 deep"));
    c.add(
        text(
            "a filter naming a criterion beyond any number",
            rule("{field: Name, operation: equals, value: a}", "99999999999999999999"),
            6,
            0,
            "does not exist"));
    // --- huge documents
    c.add(
        text(
            "a document over the size limit",
            HEAD + "#" + "x".repeat(RulesReader.MAX_CODE_POINTS) + "\n",
            1,
            1,
            "characters; at most"));
    c.add(
        text(
            "a regular expression over the length limit",
            matches("a".repeat(1001)),
            7,
            0,
            "at most 1000"));
    // --- catastrophic and unsupported regular expressions
    c.add(text("a backreference", matches("(a+)+\\1"), 7, 54, "not a valid regular expression"));
    c.add(text("a lookahead", matches("(?=a)(.*a){12}z"), 7, 54, "not a valid regular expression"));
    c.add(
        text("a negative lookbehind", matches("(?<!x)a"), 7, 54, "not a valid regular expression"));
    c.add(
        text(
            "a possessive quantifier",
            matches("(a|b)*+c"),
            7,
            54,
            "not a valid regular expression"));
    c.add(text("an atomic group", matches("(?>a+)b"), 7, 54, "not a valid regular expression"));
    c.add(text("a repetition count over 1000", matches("(a{1000}){1000}"), 7, 54, "too complex"));
    c.add(text("an unclosed class", matches("[a-"), 7, 54, "not a valid regular expression"));
    // --- wrong types
    c.add(
        text(
            "priority as text",
            HEAD + "    priority: high\n",
            4,
            15,
            "priority must be a whole number"));
    c.add(
        text(
            "priority as a list",
            HEAD + "    priority: [1, 2]\n",
            4,
            15,
            "priority must be a whole number"));
    c.add(
        text(
            "priority beyond an int",
            HEAD + "    priority: 99999999999\n",
            4,
            15,
            "priority must be a whole number"));
    c.add(
        text(
            "inherited as text",
            HEAD
                + "    rules:\n      - inherited: maybe\n        criteria: [{field: Name, operation: equals, value: a}]\n",
            5,
            20,
            "inherited must be true or false"));
    c.add(
        text(
            "criteria as text",
            HEAD + "    rules:\n      - criteria: everything\n",
            5,
            19,
            "criteria must be a list"));
    c.add(
        text(
            "territories as a list",
            "model: Global_Sales\nterritories: [US_West]\n",
            2,
            14,
            "territories must be a mapping"));
    c.add(
        text(
            "model as a mapping",
            "model: {a: 1}\nterritories: {}\n",
            1,
            8,
            "model must be a plain value"));
    c.add(text("a list for a file", "- model: Global_Sales\n", 1, 1, "a rules file is a mapping"));
    c.add(text("an empty file", "", 1, 1, "a rules file is a mapping"));
    c.add(text("two documents", HEAD + "---\n" + HEAD, 0, 0, "not valid YAML"));
    c.add(text("a key that is a list", "? [a, b]\n: c\n" + HEAD, 0, 0, "not valid YAML"));
    c.add(
        text(
            "a radius that is text",
            rule("{operation: withinRadius, value: near}", null),
            7,
            0,
            "withinRadius takes {lat, lon, km}"));
    // --- unknown fields and operations
    c.add(
        text(
            "a misspelt top key",
            "modle: Global_Sales\nterritories: {}\n",
            1,
            1,
            "unknown key 'modle'"));
    c.add(
        text(
            "a misspelt criterion key",
            rule("{feild: Name, operation: equals, value: a}", null),
            7,
            14,
            "unknown key 'feild'"));
    c.add(
        text(
            "an unknown operation",
            rule("{field: Name, operation: resembles, value: a}", null),
            7,
            0,
            "unknown operation 'resembles'"));
    c.add(
        text(
            "a field the org does not have",
            rule("{field: Nonexistent__c, operation: equals, value: a}", null),
            7,
            0,
            "Nonexistent__c"));
    // --- bad encodings
    c.add(
        bytes(
            "a byte that is not UTF-8",
            concat(HEAD + "    description: caf", new byte[] {(byte) 0xE9}, "\n"),
            4,
            21,
            "not valid UTF-8"));
    c.add(
        bytes(
            "an overlong UTF-8 slash",
            concat("model: a", new byte[] {(byte) 0xC0, (byte) 0xAF}, "\n"),
            1,
            9,
            "not valid UTF-8"));
    c.add(
        bytes(
            "UTF-16 with a byte order mark",
            ("\uFEFF" + HEAD).getBytes(StandardCharsets.UTF_16),
            1,
            1,
            "not valid UTF-8"));
    c.add(
        bytes(
            "a truncated multi-byte character",
            concat("model: a", new byte[] {(byte) 0xE2, (byte) 0x82}, ""),
            1,
            9,
            "not valid UTF-8"));
    c.add(text("a NUL character", HEAD.replace("US_West", "US\u0000West"), 3, 5, "is not allowed"));
    return c;
  }

  private static Case text(String name, String text, int line, int column, String says) {
    return new Case(name, text.getBytes(StandardCharsets.UTF_8), line, column, says);
  }

  private static Case bytes(String name, byte[] bytes, int line, int column, String says) {
    return new Case(name, bytes, line, column, says);
  }

  private static byte[] concat(String before, byte[] middle, String after) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(middle);
    out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }
}
