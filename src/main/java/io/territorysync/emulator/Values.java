package io.territorysync.emulator;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;

/**
 * Converts field values between their wire forms (JSON, CSV, SOQL literals) and the typed values
 * the emulator stores: String, Boolean, Integer, Double, LocalDate and Instant.
 */
public final class Values {

  /** Salesforce's datetime format on the wire: {@code 2024-01-15T10:30:00.000+0000}. */
  public static final DateTimeFormatter DATETIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private static final DateTimeFormatter DATETIME_IN =
      new DateTimeFormatterBuilder()
          .appendPattern("yyyy-MM-dd'T'HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .optionalStart()
          .appendLiteral('Z')
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HH:MM", "Z")
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HHMM", "Z")
          .optionalEnd()
          .toFormatter(Locale.ROOT);

  private Values() {}

  /** A value that does not fit its field; carries the per-record status code. */
  public static final class InvalidValue extends RuntimeException {
    private final String statusCode;

    InvalidValue(String statusCode, String message) {
      super(message);
      this.statusCode = statusCode;
    }

    public String statusCode() {
      return statusCode;
    }
  }

  /** Converts a JSON or CSV value to the stored type of {@code field}; null stays null. */
  public static Object coerce(FieldDef field, Object raw) {
    if (raw == null) {
      return null;
    }
    try {
      switch (field.type()) {
        case BOOLEAN:
          if (raw instanceof Boolean b) {
            return b;
          }
          String s = raw.toString().trim();
          if (s.equalsIgnoreCase("true") || s.equals("1")) {
            return Boolean.TRUE;
          }
          if (s.equalsIgnoreCase("false") || s.equals("0")) {
            return Boolean.FALSE;
          }
          throw invalid(field, raw);
        case INT:
          if (raw instanceof Number n) {
            if (n.doubleValue() != Math.rint(n.doubleValue())) {
              throw invalid(field, raw);
            }
            return n.intValue();
          }
          return new BigDecimal(raw.toString().trim()).intValueExact();
        case DOUBLE:
        case CURRENCY:
        case PERCENT:
          if (raw instanceof Number n) {
            return n.doubleValue();
          }
          return Double.valueOf(new BigDecimal(raw.toString().trim()).doubleValue());
        case DATE:
          if (raw instanceof LocalDate d) {
            return d;
          }
          String ds = raw.toString().trim();
          return LocalDate.parse(ds.length() > 10 ? ds.substring(0, 10) : ds);
        case DATETIME:
          if (raw instanceof Instant i) {
            return i;
          }
          return parseDateTime(raw.toString().trim());
        default:
          if (raw instanceof Boolean || raw instanceof Number) {
            if (field.type() == FieldType.ID || field.type() == FieldType.REFERENCE) {
              throw invalid(field, raw);
            }
          }
          String text = raw.toString();
          return text.isEmpty() ? null : text;
      }
    } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
      throw invalid(field, raw);
    }
  }

  /** Parses a datetime in any of the forms Salesforce accepts. */
  public static Instant parseDateTime(String text) {
    if (text.length() == 10) {
      return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    var parsed = DATETIME_IN.parseBest(text, OffsetDateTime::from, java.time.LocalDateTime::from);
    if (parsed instanceof OffsetDateTime odt) {
      return odt.toInstant();
    }
    return ((java.time.LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
  }

  private static InvalidValue invalid(FieldDef field, Object raw) {
    return new InvalidValue(
        "INVALID_TYPE_ON_FIELD_IN_RECORD", field.name() + ": value not of required type: " + raw);
  }

  /** The JSON form of a stored value: strings for dates, numbers and booleans as they are. */
  public static Object json(Object value) {
    if (value instanceof Instant i) {
      return DATETIME.format(i);
    }
    if (value instanceof LocalDate d) {
      return d.toString();
    }
    return value;
  }

  /** The CSV text of a stored value; null is empty. */
  public static String text(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof Instant i) {
      return DATETIME.format(i);
    }
    if (value instanceof Double d) {
      BigDecimal b = BigDecimal.valueOf(d).stripTrailingZeros();
      return b.scale() < 0 ? b.setScale(0).toPlainString() : b.toPlainString();
    }
    return value.toString();
  }
}
