package io.territorysync.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.territorysync.mirror.MirrorObject;
import io.territorysync.mirror.SkippedFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Fields the integration user cannot read (field-level security, or a field the org lacks): an
 * optional extra ({@link MirrorObject#baseExtraFields}) is left out of the sync with one warning
 * per run, in the run summary and the health details; a field Territory Sync needs (a typed column)
 * fails the run with a message that names it.
 */
final class FieldVisibility {

  private static final Logger LOG = Logger.getLogger(FieldVisibility.class);

  /** Salesforce's INVALID_FIELD message for a field the query may not name. */
  private static final Pattern NO_SUCH_COLUMN =
      Pattern.compile("No such column '([^']+)' on entity '([^']+)'");

  private FieldVisibility() {}

  /** Whether {@code field} is an optional extra of {@code object}. */
  static boolean optional(MirrorObject object, String field) {
    return object.baseExtraFields().stream().anyMatch(f -> f.equalsIgnoreCase(field));
  }

  /** Whether {@code Object.field} is among the fields skipped in this run. */
  static boolean isSkipped(MirrorObject object, String field, Set<String> skipped) {
    String key = object.apiName() + "." + field;
    return skipped.stream().anyMatch(s -> s.equalsIgnoreCase(key));
  }

  /** The field a query error says the query may not name, or null. */
  static String refusedField(JsonNode error) {
    if (!"INVALID_FIELD".equals(error.path("errorCode").asText())) {
      return null;
    }
    Matcher m = NO_SUCH_COLUMN.matcher(error.path("message").asText(""));
    return m.find() ? m.group(1) : null;
  }

  /** The optional extra of {@code object} a query error refuses, or null. */
  static String optionalRefused(MirrorObject object, JsonNode error) {
    String field = refusedField(error);
    return field != null && optional(object, field) ? field : null;
  }

  /** Why the query of {@code plan}'s object was refused, naming a needed field it cannot read. */
  static String refusal(SyncPlan.ObjectPlan plan, JsonNode error) {
    String object = plan.object().apiName();
    String field = refusedField(error);
    String salesforce =
        error.path("errorCode").asText() + ": " + error.path("message").asText().strip();
    if (field != null) {
      return object
          + "."
          + field
          + " cannot be read by the integration user (field-level security hides it, or the"
          + " org lacks it), and Territory Sync needs it: give the integration user read access"
          + " to it (Salesforce refused the query of "
          + object
          + ": "
          + salesforce
          + ")";
    }
    return "Salesforce refused the query of "
        + object
        + ": "
        + salesforce
        + " ("
        + plan.soql()
        + ")";
  }

  /** One warning, the run summary and the health details for what the run's sync skipped. */
  static void report(SyncRun run, Set<String> skipped, SkippedFields latest) {
    List<String> fields = new ArrayList<>(skipped);
    latest.record(fields);
    if (fields.isEmpty()) {
      return;
    }
    run.report("skippedFields", fields);
    LOG.warnf(
        "Run %d: optional field(s) %s cannot be read by the integration user (field-level"
            + " security hides them, or the org lacks them) and are not synced; give it read"
            + " access to sync them",
        run.runId(), String.join(", ", fields));
  }
}
