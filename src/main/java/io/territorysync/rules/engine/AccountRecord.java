package io.territorysync.rules.engine;

import io.territorysync.rules.FieldKind;
import java.util.Locale;

/**
 * One account as the engine reads it: its id and the values of the fields the rules use, by slot
 * (see {@link FieldSlots}), with text also kept in lower case for case-insensitive tests.
 */
public final class AccountRecord {

  final String id;
  final Object[] values;
  final String[] lower;
  final boolean excludedFromRealign;

  /**
   * @param values per slot: String for text, Double for numbers, Boolean, Long (epoch day) for
   *     dates and Long (epoch millis) for datetimes; null when empty. Text is trimmed in place.
   */
  public AccountRecord(String id, Object[] values, boolean excludedFromRealign, FieldSlots slots) {
    this.id = id;
    this.values = values;
    this.excludedFromRealign = excludedFromRealign;
    this.lower = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      if (values[i] instanceof String s && slots.kind(i).textual()) {
        String t = s.trim();
        if (t.isEmpty()) {
          values[i] = null;
        } else {
          values[i] = t;
          lower[i] = t.toLowerCase(Locale.ROOT);
        }
      }
    }
  }

  public String id() {
    return id;
  }

  /** The account's IsExcludedFromRealign: rules must not move it. */
  public boolean excludedFromRealign() {
    return excludedFromRealign;
  }

  public Object value(int slot) {
    return values[slot];
  }

  String lower(int slot) {
    return lower[slot];
  }

  /** The slot's value as text; text fields are already trimmed. */
  String text(int slot) {
    Object v = values[slot];
    return v == null ? null : v instanceof String s ? s : v.toString().trim();
  }

  double number(int slot) {
    Object v = values[slot];
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  /**
   * Converts a raw text value (from the mirror) to the slot's type; null when empty or unreadable.
   */
  public static Object convert(String raw, FieldKind kind) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    try {
      return switch (kind) {
        case NUMBER -> Double.valueOf(raw.trim());
        case BOOLEAN -> Boolean.valueOf(raw.trim());
        case DATE ->
            java.time.LocalDate.parse(
                    raw.trim().length() > 10 ? raw.trim().substring(0, 10) : raw.trim())
                .toEpochDay();
        case DATETIME ->
            java.time.OffsetDateTime.parse(raw.trim().replace("+0000", "Z").replace(' ', 'T'))
                .toInstant()
                .toEpochMilli();
        default -> raw;
      };
    } catch (RuntimeException e) {
      return null;
    }
  }
}
