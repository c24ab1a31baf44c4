package io.territorysync.rules;

import java.util.Locale;

/** How rules compare a field's values. */
public enum FieldKind {
  TEXT,
  MULTI_PICKLIST,
  NUMBER,
  BOOLEAN,
  DATE,
  DATETIME,
  ID;

  /** The kind of a Salesforce describe type. */
  public static FieldKind ofDescribeType(String type) {
    return switch (type == null ? "" : type.toLowerCase(Locale.ROOT)) {
      case "int", "double", "currency", "percent", "long" -> NUMBER;
      case "boolean" -> BOOLEAN;
      case "date" -> DATE;
      case "datetime" -> DATETIME;
      case "id", "reference" -> ID;
      case "multipicklist" -> MULTI_PICKLIST;
      default -> TEXT;
    };
  }

  public boolean textual() {
    return this == TEXT || this == MULTI_PICKLIST || this == ID;
  }
}
