package io.territorysync.salesforce;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Records of one object to create, update, upsert (by an external id) or delete with sObject
 * Collections; {@link SObjectCollections} sends up to {@link SObjectCollections#PER_CALL} in one
 * Composite call. Records carry their {@code attributes.type}; deletes carry only ids.
 */
public record CollectionWrite(
    Kind kind, String object, String externalIdField, List<ObjectNode> records, List<String> ids) {

  /** What the write does. */
  public enum Kind {
    CREATE,
    UPDATE,
    UPSERT,
    DELETE
  }

  public static CollectionWrite create(String object, List<ObjectNode> records) {
    return new CollectionWrite(Kind.CREATE, object, null, records, null);
  }

  public static CollectionWrite update(String object, List<ObjectNode> records) {
    return new CollectionWrite(Kind.UPDATE, object, null, records, null);
  }

  public static CollectionWrite upsert(
      String object, String externalIdField, List<ObjectNode> records) {
    return new CollectionWrite(Kind.UPSERT, object, externalIdField, records, null);
  }

  public static CollectionWrite delete(List<String> ids) {
    return new CollectionWrite(Kind.DELETE, null, null, null, ids);
  }

  /** How many records the write carries. */
  public int size() {
    return kind == Kind.DELETE ? ids.size() : records.size();
  }
}
