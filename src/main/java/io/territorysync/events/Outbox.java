package io.territorysync.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The outbox's contract for the stages that record changes: whether events are recorded at all, and
 * the statement that adds one event per row of a query, run in the caller's transaction so an event
 * exists exactly when its change is recorded.
 */
@ApplicationScoped
public class Outbox {

  /** CloudEvents {@code type} prefix of every event. */
  public static final String TYPE_PREFIX = "io.territorysync.";

  @Inject EventsConfig config;

  /** Whether events are recorded: only when some endpoint is configured to receive them. */
  public boolean enabled() {
    return config.endpoints().map(l -> l.stream().anyMatch(s -> !s.isBlank())).orElse(false);
  }

  /**
   * An {@code INSERT ... SELECT} that adds one event per row of {@code from}: a {@code FROM ...
   * WHERE ...} clause whose rows give the SQL expressions {@code runId}, {@code changeId}, {@code
   * subject} and {@code data} (a jsonb object), added in the order of {@code orderBy}. The event's
   * id, the consumers' idempotency key, is a random UUID fixed when the event is recorded.
   */
  public static String insert(
      String type,
      String runId,
      String changeId,
      String subject,
      String data,
      String from,
      String orderBy) {
    return "INSERT INTO change_event (event_id, run_id, change_id, type, subject, data)"
        + " SELECT gen_random_uuid()::text, "
        + runId
        + ", "
        + changeId
        + ", '"
        + TYPE_PREFIX
        + type
        + "', "
        + subject
        + ", "
        + data
        + " "
        + from
        + " ORDER BY "
        + orderBy;
  }
}
