package io.territorysync.assignment;

import io.territorysync.salesforce.BulkOperation;

/** The write-back's phases, in the order they run: every insert before any delete. */
enum Phase {
  ACCOUNT_ADD(1, "ObjectTerritory2Association", BulkOperation.INSERT, "account"),
  USER_ADD(2, "UserTerritory2Association", BulkOperation.INSERT, "user"),
  USER_ROLE(3, "UserTerritory2Association", BulkOperation.UPDATE, "user"),
  ACCOUNT_REMOVE(4, "ObjectTerritory2Association", BulkOperation.DELETE, "account"),
  USER_REMOVE(5, "UserTerritory2Association", BulkOperation.DELETE, "user"),
  OPPORTUNITY(6, "Opportunity", BulkOperation.UPDATE, "opportunity");

  final int number;
  final String object;
  final BulkOperation operation;
  final String kind;

  Phase(int number, String object, BulkOperation operation, String kind) {
    this.number = number;
    this.object = object;
    this.operation = operation;
    this.kind = kind;
  }

  boolean insert() {
    return operation == BulkOperation.INSERT;
  }

  boolean delete() {
    return operation == BulkOperation.DELETE;
  }

  /** What one record of this phase is, for logs. */
  String noun() {
    return switch (this) {
      case ACCOUNT_ADD -> "account association(s) to add";
      case USER_ADD -> "user association(s) to add";
      case USER_ROLE -> "user role(s) to change";
      case ACCOUNT_REMOVE -> "account association(s) to remove";
      case USER_REMOVE -> "user association(s) to remove";
      case OPPORTUNITY -> "opportunity territory change(s)";
    };
  }
}
