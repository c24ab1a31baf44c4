package io.territorysync.rules.engine;

import java.util.List;

/**
 * A criterion ready to test: its predicate, a readable form for explanations, and the index keys
 * under which an account that satisfies it must appear (null when it cannot be indexed).
 */
public record CompiledCriterion(String description, Pred pred, List<IndexKey> keys) {

  /** Tests one account. */
  @FunctionalInterface
  public interface Pred {
    boolean test(AccountRecord a);
  }

  /** Where an account satisfying a criterion can be found in the candidate index. */
  public sealed interface IndexKey permits Exact, Prefix, Postal, Range {}

  /** The slot's lower-case text equals {@code value}. */
  public record Exact(int slot, String value) implements IndexKey {}

  /**
   * The slot's lower-case text (or, for postal codes, its normalized form) starts with {@code
   * prefix}.
   */
  public record Prefix(int slot, String prefix, boolean postal) implements IndexKey {}

  /**
   * The first {@code digits} digits of the slot's postal code, as a number, are within [from, to].
   */
  public record Postal(int slot, int digits, long from, long to) implements IndexKey {}

  /** The slot's number is within [from, to) (to may be infinite). */
  public record Range(int slot, double from, double to) implements IndexKey {}
}
