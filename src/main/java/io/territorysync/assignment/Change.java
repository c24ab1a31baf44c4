package io.territorysync.assignment;

/**
 * One planned change to write: a row of {@code plan_change}.
 *
 * @param objectId the account, user or opportunity
 * @param territoryId the territory to associate, or the opportunity's new territory (null: none)
 * @param associationId the association to delete or update
 */
record Change(
    long id, String objectId, String territoryId, String associationId, String role, int attempts) {

  /** The key Bulk API results are matched by. */
  String key(Phase phase) {
    return phase.insert() ? objectId + "|" + territoryId : id(phase);
  }

  /** The record id the write addresses (updates and deletes). */
  String id(Phase phase) {
    return phase == Phase.OPPORTUNITY ? objectId : associationId;
  }
}
