package io.territorysync.emulator;

/** Field types of the emulated objects, with the names describe returns. */
public enum FieldType {
  ID("id"),
  REFERENCE("reference"),
  STRING("string"),
  TEXTAREA("textarea"),
  PICKLIST("picklist"),
  BOOLEAN("boolean"),
  INT("int"),
  DOUBLE("double"),
  CURRENCY("currency"),
  PERCENT("percent"),
  DATE("date"),
  DATETIME("datetime");

  private final String soapName;

  FieldType(String soapName) {
    this.soapName = soapName;
  }

  /** The type name Salesforce uses in describe results. */
  public String describeName() {
    return soapName;
  }

  public boolean numeric() {
    return this == INT || this == DOUBLE || this == CURRENCY || this == PERCENT;
  }

  public boolean textual() {
    return this == STRING
        || this == TEXTAREA
        || this == PICKLIST
        || this == ID
        || this == REFERENCE;
  }

  /** Parses a type name as used in custom-object schema files. */
  public static FieldType parse(String name) {
    for (FieldType t : values()) {
      if (t.soapName.equalsIgnoreCase(name) || t.name().equalsIgnoreCase(name)) {
        return t;
      }
    }
    if ("number".equalsIgnoreCase(name)) {
      return DOUBLE;
    }
    if ("text".equalsIgnoreCase(name)) {
      return STRING;
    }
    throw new IllegalArgumentException("unknown field type '" + name + "'");
  }
}
