package io.territorysync.sync;

import java.util.Set;

/**
 * A source of fields the mirror must hold: the rules stage names the account fields its active
 * rules read, so a rule on a new custom field works after the next sync.
 */
public interface FieldDemand {

  /** Fields of {@code object} this source needs (API names). */
  Set<String> fields(String object);
}
