package io.territorysync.emulator.soql;

import java.util.List;

/**
 * The part of SOQL the emulator answers: fields and parent-relationship paths, COUNT(), WHERE with
 * AND/OR/NOT, comparison, IN, LIKE, INCLUDES/EXCLUDES, ORDER BY, LIMIT and OFFSET, and one
 * aggregate: {@code COUNT(field)} grouped by at most one field.
 *
 * @param groupBy the GROUP BY field, or null
 * @param countOf the field of {@code COUNT(field)}, or null when the query has no aggregate
 * @param countAlias the name of the count in the results ({@code expr0} without an alias)
 */
public record SoqlQuery(
    String object,
    List<List<String>> fields,
    boolean count,
    Condition where,
    List<Order> orderBy,
    Integer limit,
    Integer offset,
    List<String> groupBy,
    List<String> countOf,
    String countAlias) {

  /** Whether the query answers aggregate rows. */
  public boolean aggregate() {
    return countOf != null;
  }

  /** One ORDER BY item. */
  public record Order(List<String> path, boolean descending, boolean nullsFirst) {}

  /** A WHERE condition. */
  public sealed interface Condition permits And, Or, Not, Comparison {}

  public record And(List<Condition> parts) implements Condition {}

  public record Or(List<Condition> parts) implements Condition {}

  public record Not(Condition part) implements Condition {}

  /** {@code path op value}; for IN / NOT IN / INCLUDES / EXCLUDES the value is a list. */
  public record Comparison(List<String> path, Operator op, Literal value) implements Condition {}

  /** Comparison operators. */
  public enum Operator {
    EQ("="),
    NE("!="),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">="),
    LIKE("LIKE"),
    IN("IN"),
    NOT_IN("NOT IN"),
    INCLUDES("INCLUDES"),
    EXCLUDES("EXCLUDES");

    public final String text;

    Operator(String text) {
      this.text = text;
    }
  }

  /** A literal: null, boolean, number, string, date, datetime, date formula or a list of them. */
  public sealed interface Literal
      permits Null, Bool, Num, Str, DateValue, DateTimeValue, DateRange, ListValue {}

  public record Null() implements Literal {}

  public record Bool(boolean value) implements Literal {}

  public record Num(java.math.BigDecimal value) implements Literal {}

  public record Str(String value) implements Literal {}

  public record DateValue(java.time.LocalDate value) implements Literal {}

  public record DateTimeValue(java.time.Instant value) implements Literal {}

  /** A relative date literal such as TODAY or LAST_N_DAYS:7, resolved to [from, to) days. */
  public record DateRange(String text, java.time.LocalDate from, java.time.LocalDate to)
      implements Literal {}

  public record ListValue(List<Literal> values) implements Literal {}
}
