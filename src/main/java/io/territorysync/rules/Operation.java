package io.territorysync.rules;

import java.util.Locale;
import java.util.Optional;

/**
 * Criterion operations: Salesforce's assignment-rule operations, with their native meaning, and
 * Territory Sync's additions.
 */
public enum Operation {
  // Salesforce (ObjectTerritory2AssignmentRuleItem.Operation)
  EQUALS("equals", true),
  NOT_EQUAL("notEqual", true),
  LESS_THAN("lessThan", true),
  GREATER_THAN("greaterThan", true),
  LESS_OR_EQUAL("lessOrEqual", true),
  GREATER_OR_EQUAL("greaterOrEqual", true),
  CONTAINS("contains", true),
  NOT_CONTAIN("notContain", true),
  STARTS_WITH("startsWith", true),
  INCLUDES("includes", true),
  EXCLUDES("excludes", true),
  // Territory Sync
  IN("in", false),
  NOT_IN("notIn", false),
  BETWEEN("between", false),
  POSTAL_RANGE("postalRange", false),
  POSTAL_PREFIX("postalPrefix", false),
  MATCHES("matches", false),
  IS_BLANK("isBlank", false),
  IS_NOT_BLANK("isNotBlank", false),
  WITHIN_RADIUS("withinRadius", false),
  WITHIN_POLYGON("withinPolygon", false);

  private final String name;
  private final boolean salesforce;

  Operation(String name, boolean salesforce) {
    this.name = name;
    this.salesforce = salesforce;
  }

  /** The name used in rules files (and, for Salesforce's, in the org). */
  public String label() {
    return name;
  }

  /** Whether native ETM has this operation. */
  public boolean salesforce() {
    return salesforce;
  }

  /** Operations whose field is the Billing coordinates rather than one field. */
  public boolean geographic() {
    return this == WITHIN_RADIUS || this == WITHIN_POLYGON;
  }

  /** Operations that need no value. */
  public boolean unary() {
    return this == IS_BLANK || this == IS_NOT_BLANK;
  }

  public static Optional<Operation> parse(String name) {
    for (Operation o : values()) {
      if (o.name.equalsIgnoreCase(name) || o.name().equalsIgnoreCase(name)) {
        return Optional.of(o);
      }
    }
    String n = name.toLowerCase(Locale.ROOT);
    if (n.equals("notequals") || n.equals("not_equals")) {
      return Optional.of(NOT_EQUAL);
    }
    if (n.equals("notcontains")) {
      return Optional.of(NOT_CONTAIN);
    }
    return Optional.empty();
  }

  /**
   * How {@code postalRange} reads a postal code: its digits only, as a number of the first {@code
   * digits} digits; -1 when there are fewer.
   */
  public static long postalNumber(String postal, int digits) {
    long n = 0;
    int seen = 0;
    for (int i = 0; i < postal.length() && seen < digits; i++) {
      char ch = postal.charAt(i);
      if (ch >= '0' && ch <= '9') {
        n = n * 10 + (ch - '0');
        seen++;
      }
    }
    return seen == digits ? n : -1;
  }
}
