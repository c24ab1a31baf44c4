package io.territorysync.assignment;

import org.apache.camel.component.salesforce.api.dto.bulkv2.OperationEnum;

/** The write-back's phases, in the order they run: every insert before any delete. */
enum Phase {
  ACCOUNT_ADD(1, "ObjectTerritory2Association", OperationEnum.INSERT, "account"),
  USER_ADD(2, "UserTerritory2Association", OperationEnum.INSERT, "user"),
  USER_ROLE(3, "UserTerritory2Association", OperationEnum.UPDATE, "user"),
  ACCOUNT_REMOVE(4, "ObjectTerritory2Association", OperationEnum.DELETE, "account"),
  USER_REMOVE(5, "UserTerritory2Association", OperationEnum.DELETE, "user"),
  OPPORTUNITY(6, "Opportunity", OperationEnum.UPDATE, "opportunity");

  final int number;
  final String object;
  final OperationEnum operation;
  final String kind;

  Phase(int number, String object, OperationEnum operation, String kind) {
    this.number = number;
    this.object = object;
    this.operation = operation;
    this.kind = kind;
  }

  boolean insert() {
    return operation == OperationEnum.INSERT;
  }

  boolean delete() {
    return operation == OperationEnum.DELETE;
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
