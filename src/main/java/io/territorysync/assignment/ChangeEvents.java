package io.territorysync.assignment;

import io.territorysync.events.Outbox;
import java.util.List;

/**
 * The change events of the write stage: one per change recorded as done, with the state of what it
 * touched before and after (the account's territories in the model, the opportunity's territory,
 * the user's association), read from the mirror in the transaction that records the outcome.
 */
final class ChangeEvents {

  private ChangeEvents() {}

  /** The temporary table that keeps each change's state from before the mirror is updated. */
  static final String BEFORE_TABLE =
      "CREATE TEMP TABLE IF NOT EXISTS write_event_before (change_id BIGINT PRIMARY KEY,"
          + " state JSONB) ON COMMIT DELETE ROWS";

  private static final String DONE =
      " FROM write_outcome w JOIN plan_change p ON p.id = w.change_id WHERE w.status = 'done'";

  /** Stores the state of what each done change touches, before the mirror changes. */
  static String before(Phase phase) {
    return "INSERT INTO write_event_before (change_id, state) SELECT p.id, " + state(phase) + DONE;
  }

  /** Adds one event per done change to the outbox, after the mirror changed. */
  static String record(Phase phase) {
    String objectKey =
        switch (phase) {
          case USER_ADD, USER_ROLE, USER_REMOVE -> "userId";
          case OPPORTUNITY -> "opportunityId";
          default -> "accountId";
        };
    String data =
        "jsonb_build_object('runId', p.run_id, 'changeId', p.id, '"
            + objectKey
            + "', p.object_id"
            + (objectKey.equals("accountId") ? "" : ", 'accountId', p.account_id")
            + ", 'territory', "
            + territory("p.territory_id")
            + ", 'rule', p.rule, 'rulesVersion', p.rules_version, 'reason', p.reason,"
            + " 'before', b.state, 'after', "
            + state(phase)
            + ")";
    return Outbox.insert(
        type(phase),
        "p.run_id",
        "p.id",
        "coalesce(p.account_id, p.object_id)",
        data,
        " FROM write_outcome w JOIN plan_change p ON p.id = w.change_id"
            + " LEFT JOIN write_event_before b ON b.change_id = p.id WHERE w.status = 'done'",
        "p.id");
  }

  /** The statements, in order, around the mirror statements of {@link WriteStage}. */
  static List<String> beforeMirror(Phase phase) {
    return List.of(BEFORE_TABLE, before(phase));
  }

  /** The CloudEvents type, after {@link Outbox#TYPE_PREFIX}. */
  static String type(Phase phase) {
    return switch (phase) {
      case ACCOUNT_ADD -> "account.territory.added";
      case ACCOUNT_REMOVE -> "account.territory.removed";
      case OPPORTUNITY -> "opportunity.territory.changed";
      case USER_ADD -> "user.territory.added";
      case USER_ROLE -> "user.territory.role.changed";
      case USER_REMOVE -> "user.territory.removed";
    };
  }

  /** A territory as {id, developerName, name}, or null. */
  private static String territory(String idExpression) {
    return "(SELECT jsonb_build_object('id', t.id, 'developerName', t.developer_name, 'name',"
        + " t.name) FROM sf_territory2 t WHERE t.id = "
        + idExpression
        + ")";
  }

  /** The mirror's state of what a change of {@code phase} touches, as a jsonb expression. */
  private static String state(Phase phase) {
    return switch (phase) {
      case ACCOUNT_ADD, ACCOUNT_REMOVE ->
          "jsonb_build_object('territories', (SELECT coalesce(jsonb_agg(jsonb_build_object('id',"
              + " t.id, 'developerName', t.developer_name, 'name', t.name)"
              + " ORDER BY t.developer_name, t.id), '[]'::jsonb)"
              + " FROM sf_object_territory2_association o JOIN sf_territory2 t"
              + " ON t.id = o.territory2_id WHERE o.object_id = p.object_id"
              + " AND t.territory2_model_id = (SELECT m.territory2_model_id FROM sf_territory2 m"
              + " WHERE m.id = p.territory_id)))";
      case OPPORTUNITY ->
          "jsonb_build_object('territory', (SELECT "
              + territory("o.territory2_id")
              + " FROM sf_opportunity o WHERE o.id = p.object_id))";
      case USER_ADD, USER_ROLE, USER_REMOVE ->
          "(SELECT jsonb_build_object('territory', "
              + territory("x.territory2_id")
              + ", 'role', x.role_in_territory2) FROM sf_user_territory2_association x"
              + " WHERE x.user_id = p.object_id AND x.territory2_id = p.territory_id LIMIT 1)";
    };
  }
}
