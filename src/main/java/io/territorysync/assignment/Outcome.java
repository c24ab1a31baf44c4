package io.territorysync.assignment;

import io.territorysync.salesforce.SalesforceCallException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What became of one change: {@code done}, {@code already} (the org had it), {@code skipped} (the
 * record is gone), {@code failed}, or {@code retry} (transient: another round will try again).
 */
record Outcome(long changeId, String status, String newId, String error) {

  private static final Set<String> GONE =
      Set.of("ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "NOT_FOUND", "INVALID_ID_FIELD");
  private static final Pattern EXISTING_ID = Pattern.compile("id: ([a-zA-Z0-9]{15,18})");

  static Outcome done(Change c, String newId) {
    return new Outcome(c.id(), "done", newId, null);
  }

  static Outcome retry(Change c, String error) {
    return new Outcome(c.id(), "retry", null, error);
  }

  /** Classifies a per-record Salesforce error. */
  static Outcome error(Change c, Phase phase, String code, String message) {
    String error = code + ": " + message;
    if ("DUPLICATE_VALUE".equals(code) && phase.insert()) {
      Matcher m = EXISTING_ID.matcher(message == null ? "" : message);
      return new Outcome(c.id(), "already", m.find() ? m.group(1) : null, error);
    }
    if (SalesforceCallException.isTransientCode(code)) {
      return retry(c, error);
    }
    if (GONE.contains(code)) {
      return new Outcome(c.id(), "skipped", null, error);
    }
    return new Outcome(c.id(), "failed", null, error);
  }
}
