package io.territorysync.emulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Schema of one emulated object. Every row is an {@code Object[]} laid out by field index; the
 * system fields come first (see {@link #ID} and friends).
 */
public final class ObjectDef {

  public static final int ID = 0;
  public static final int IS_DELETED = 1;
  public static final int CREATED_DATE = 2;
  public static final int CREATED_BY_ID = 3;
  public static final int LAST_MODIFIED_DATE = 4;
  public static final int LAST_MODIFIED_BY_ID = 5;
  public static final int SYSTEM_MODSTAMP = 6;

  private final String name;
  private final String keyPrefix;
  private final boolean createable;
  private final boolean updateable;
  private final boolean deletable;
  private final Duration deletedRetention;
  private final List<FieldDef> fields = new ArrayList<>();
  private final Map<String, Integer> index = new HashMap<>();
  private final Map<String, Integer> relationships = new HashMap<>();
  private final List<UniqueKey> uniqueKeys = new ArrayList<>();

  /**
   * Fields whose values together must be unique among live rows; breaking it fails with {@code
   * errorCode}.
   */
  public record UniqueKey(String errorCode, int[] fields) {}

  ObjectDef(
      String name,
      String keyPrefix,
      boolean createable,
      boolean updateable,
      boolean deletable,
      Duration deletedRetention) {
    this.name = name;
    this.keyPrefix = keyPrefix;
    this.createable = createable;
    this.updateable = updateable;
    this.deletable = deletable;
    this.deletedRetention = deletedRetention;
    add(FieldDef.system("Id", FieldType.ID));
    add(FieldDef.system("IsDeleted", FieldType.BOOLEAN));
    add(FieldDef.system("CreatedDate", FieldType.DATETIME));
    add(
        new FieldDef(
            "CreatedById",
            FieldType.REFERENCE,
            List.of("User"),
            "CreatedBy",
            false,
            false,
            false,
            false,
            false,
            List.of(),
            false,
            18));
    add(FieldDef.system("LastModifiedDate", FieldType.DATETIME));
    add(
        new FieldDef(
            "LastModifiedById",
            FieldType.REFERENCE,
            List.of("User"),
            "LastModifiedBy",
            false,
            false,
            false,
            false,
            false,
            List.of(),
            false,
            18));
    add(FieldDef.system("SystemModstamp", FieldType.DATETIME));
  }

  /** Adds a field (at the end of the row layout); returns this. */
  public synchronized ObjectDef add(FieldDef field) {
    String key = field.name().toLowerCase(Locale.ROOT);
    if (index.containsKey(key)) {
      throw new IllegalArgumentException(name + "." + field.name() + " is defined twice");
    }
    index.put(key, fields.size());
    if (field.unique()) {
      uniqueKeys.add(new UniqueKey("DUPLICATE_VALUE", new int[] {fields.size()}));
    }
    if (field.relationshipName() != null) {
      relationships.put(field.relationshipName().toLowerCase(Locale.ROOT), fields.size());
    }
    fields.add(field);
    return this;
  }

  /** Declares that {@code fieldNames} together are unique among live rows. */
  public synchronized ObjectDef uniqueKey(String errorCode, String... fieldNames) {
    int[] idx = new int[fieldNames.length];
    for (int i = 0; i < fieldNames.length; i++) {
      idx[i] = indexOf(fieldNames[i]);
      if (idx[i] < 0) {
        throw new IllegalArgumentException(name + " has no field " + fieldNames[i]);
      }
    }
    uniqueKeys.add(new UniqueKey(errorCode, idx));
    return this;
  }

  public synchronized List<UniqueKey> uniqueKeys() {
    return List.copyOf(uniqueKeys);
  }

  public String name() {
    return name;
  }

  public String keyPrefix() {
    return keyPrefix;
  }

  public boolean createable() {
    return createable;
  }

  public boolean updateable() {
    return updateable;
  }

  public boolean deletable() {
    return deletable;
  }

  /** How long deleted rows stay visible to queryAll. */
  public Duration deletedRetention() {
    return deletedRetention;
  }

  public synchronized List<FieldDef> fields() {
    return Collections.unmodifiableList(new ArrayList<>(fields));
  }

  public synchronized int fieldCount() {
    return fields.size();
  }

  /** Index of field {@code fieldName} (case-insensitive), or -1. */
  public synchronized int indexOf(String fieldName) {
    Integer i = index.get(fieldName.toLowerCase(Locale.ROOT));
    return i == null ? -1 : i;
  }

  public synchronized FieldDef field(int i) {
    return fields.get(i);
  }

  public Optional<FieldDef> field(String fieldName) {
    int i = indexOf(fieldName);
    return i < 0 ? Optional.empty() : Optional.of(field(i));
  }

  /** Index of the reference field behind relationship {@code relationshipName}, or -1. */
  public synchronized int relationshipIndex(String relationshipName) {
    Integer i = relationships.get(relationshipName.toLowerCase(Locale.ROOT));
    return i == null ? -1 : i;
  }

  /** Reads field {@code i} of {@code row}; rows created before a field was added read null. */
  public static Object get(Object[] row, int i) {
    return i < row.length ? row[i] : null;
  }
}
