package io.territorysync.emulator;

import io.territorysync.salesforce.SalesforceId;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The records of one emulated org and the DML that changes them, with Salesforce's validation and
 * per-record errors.
 *
 * <p>Rows are never removed: a row's index is its id's sequence number, so ids resolve without a
 * map. Deleted rows keep {@code IsDeleted = true} and stay visible to queryAll for the object's
 * retention.
 */
public final class OrgData {

  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  /** A record to create or update: its object and raw field values (JSON or CSV forms). */
  public record RecordInput(String type, Map<String, Object> fields) {}

  /** The outcome of one record, in Salesforce's SaveResult / UpsertResult shape. */
  public record SaveResult(
      String id, boolean success, List<SalesforceError> errors, Boolean created) {
    static SaveResult ok(String id) {
      return new SaveResult(id, true, List.of(), null);
    }

    static SaveResult failed(String id, SalesforceError error) {
      return new SaveResult(id, false, List.of(error), null);
    }

    SaveResult withCreated(boolean created) {
      return new SaveResult(id, success, errors, created);
    }
  }

  /** Decides per record whether an injected UNABLE_TO_LOCK_ROW happens. */
  @FunctionalInterface
  public interface LockFaults {
    boolean lockFails();

    LockFaults NONE = () -> false;
  }

  private static final class Table {
    final ObjectDef def;
    final Rows rows = new Rows();
    final List<Map<String, Integer>> unique = new ArrayList<>();

    Table(ObjectDef def) {
      this.def = def;
    }
  }

  /**
   * A table's rows, with lookups by a field's value built on first use and kept up to date as rows
   * are added or replaced: how Salesforce answers {@code Id IN (…)} or {@code AccountId IN (…)}
   * from an index instead of a scan. A lookup may list a row whose value changed since (callers
   * check the condition again); it never misses one.
   */
  private static final class Rows extends ArrayList<Object[]> {
    private final Map<Integer, Map<Object, int[]>> lookups =
        new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public boolean add(Object[] row) {
      boolean added = super.add(row);
      note(size() - 1, row);
      return added;
    }

    @Override
    public Object[] set(int index, Object[] row) {
      Object[] old = super.set(index, row);
      note(index, row);
      return old;
    }

    private void note(int index, Object[] row) {
      for (Map.Entry<Integer, Map<Object, int[]>> lookup : lookups.entrySet()) {
        Object value = ObjectDef.get(row, lookup.getKey());
        if (value != null) {
          append(lookup.getValue(), value, index);
        }
      }
    }

    private static void append(Map<Object, int[]> lookup, Object value, int index) {
      // int[0] is the count, then the positions
      int[] at = lookup.get(value);
      if (at == null) {
        lookup.put(value, new int[] {1, index, 0});
        return;
      }
      if (at[at[0]] == index) {
        return;
      }
      if (at[0] + 1 >= at.length) {
        at = java.util.Arrays.copyOf(at, at.length * 2);
        lookup.put(value, at);
      }
      at[++at[0]] = index;
    }

    /** Positions of the rows whose {@code field} had one of {@code values}, ascending. */
    int[] positions(int field, java.util.Collection<?> values) {
      Map<Object, int[]> lookup = lookups.get(field);
      if (lookup == null) {
        synchronized (this) {
          lookup = lookups.get(field);
          if (lookup == null) {
            lookup = new java.util.HashMap<>();
            for (int i = 0; i < size(); i++) {
              Object value = ObjectDef.get(get(i), field);
              if (value != null) {
                append(lookup, value, i);
              }
            }
            lookups.put(field, lookup);
          }
        }
      }
      java.util.BitSet found = new java.util.BitSet();
      for (Object value : values) {
        int[] at = lookup.get(value);
        if (at != null) {
          for (int k = 1; k <= at[0]; k++) {
            if (at[k] < size()) {
              found.set(at[k]);
            }
          }
        }
      }
      return found.stream().toArray();
    }
  }

  /** Thrown inside DML to fail one record. */
  private static final class RecordError extends RuntimeException {
    final SalesforceError error;

    RecordError(String statusCode, String message, String... fields) {
      super(message, null, false, false);
      this.error = SalesforceError.of(statusCode, message, fields);
    }
  }

  private final OrgSchema schema;
  private final Clock clock;
  private final String orgId;
  private final String pod;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<ObjectDef, Table> tables = new HashMap<>();
  private volatile String defaultUserId;
  private volatile boolean duplicateAssociationFails = true;
  private volatile boolean duplicateAssociationInserted;
  private final WriteLog writeLog = new WriteLog();
  private final UserAccess access = new UserAccess();

  public OrgData(OrgSchema schema, Clock clock, String pod) {
    this.schema = schema;
    this.clock = clock;
    this.pod = pod;
    this.orgId = SalesforceId.to18("00D" + pod + "0000000001");
    for (ObjectDef def : schema.objects()) {
      tables.put(def, new Table(def));
    }
  }

  public OrgSchema schema() {
    return schema;
  }

  /** What the integration user may see and do (everything until restricted). */
  public UserAccess access() {
    return access;
  }

  public String orgId() {
    return orgId;
  }

  public Instant now() {
    return clock.instant();
  }

  /**
   * The user changes in system context are attributed to (created by, last modified by, owner): the
   * org's admin in {@link OrgEmulator}, a person working in Setup, not the integration user whose
   * session makes the API calls.
   */
  public String defaultUserId() {
    return defaultUserId;
  }

  public void defaultUserId(String userId) {
    this.defaultUserId = userId;
  }

  /**
   * Whether a second association of the same account and territory fails with DUPLICATE_VALUE (the
   * default) or succeeds with the existing row's id (what a real org does is unverified).
   */
  public void duplicateAssociationFails(boolean fails) {
    this.duplicateAssociationFails = fails;
  }

  /**
   * Whether a second association of the same account and territory is inserted as a second row
   * (overrides {@link #duplicateAssociationFails}): an org that does not refuse duplicates, where
   * only the client can keep an association from being written twice.
   */
  public void duplicateAssociationInserted(boolean inserted) {
    this.duplicateAssociationInserted = inserted;
  }

  public boolean duplicateAssociationInserted() {
    return duplicateAssociationInserted;
  }

  public boolean duplicateAssociationFails() {
    return duplicateAssociationFails;
  }

  /** Every record write clients asked for, with its outcome. */
  public WriteLog writeLog() {
    return writeLog;
  }

  private List<SaveResult> logged(
      String operation, List<String> types, List<Map<String, Object>> fields, List<SaveResult> rs) {
    for (int i = 0; i < rs.size(); i++) {
      SaveResult r = rs.get(i);
      String type = types.get(i);
      if (type == null && r.id() != null) {
        type = objectOf(r.id()).map(ObjectDef::name).orElse(null);
      }
      writeLog.add(
          operation,
          type,
          r.id(),
          fields.get(i),
          r.success() || r.errors().isEmpty() ? null : r.errors().get(0).statusCode());
    }
    return rs;
  }

  // ---------------------------------------------------------------------------------- reads

  /** Runs {@code read} under the read lock. */
  public <T> T read(Supplier<T> read) {
    lock.readLock().lock();
    try {
      return read.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Rows of {@code def} matching {@code filter}; deleted rows only with {@code includeDeleted} (and
   * only within the object's retention). Call under {@link #read}.
   */
  public List<Object[]> rows(ObjectDef def, boolean includeDeleted, Predicate<Object[]> filter) {
    Table t = tables.get(def);
    Instant cutoff = now().minus(def.deletedRetention());
    List<Object[]> out = new ArrayList<>();
    for (Object[] row : t.rows) {
      if (Boolean.TRUE.equals(row[ObjectDef.IS_DELETED])) {
        if (!includeDeleted || ((Instant) row[ObjectDef.SYSTEM_MODSTAMP]).isBefore(cutoff)) {
          continue;
        }
      }
      if (filter.test(row)) {
        out.add(row);
      }
    }
    return out;
  }

  /**
   * Like {@link #rows}, for a condition that requires {@code field} to be one of {@code values}:
   * looks the rows up by that value instead of scanning. Call under {@link #read}.
   */
  public List<Object[]> rowsWhere(
      ObjectDef def,
      boolean includeDeleted,
      int field,
      java.util.Collection<?> values,
      Predicate<Object[]> filter) {
    Table t = tables.get(def);
    Instant cutoff = now().minus(def.deletedRetention());
    int[] positions;
    if (field == ObjectDef.ID) {
      java.util.BitSet found = new java.util.BitSet();
      for (Object v : values) {
        if (v instanceof String id && tableFor(id) == t) {
          int i = rowIndex(id);
          if (i >= 0 && i < t.rows.size()) {
            found.set(i);
          }
        }
      }
      positions = found.stream().toArray();
    } else {
      positions = t.rows.positions(field, values);
    }
    List<Object[]> out = new ArrayList<>();
    for (int i : positions) {
      Object[] row = t.rows.get(i);
      if (Boolean.TRUE.equals(row[ObjectDef.IS_DELETED])) {
        if (!includeDeleted || ((Instant) row[ObjectDef.SYSTEM_MODSTAMP]).isBefore(cutoff)) {
          continue;
        }
      }
      if (filter.test(row)) {
        out.add(row);
      }
    }
    return out;
  }

  /** Number of live rows of {@code type}. */
  public int count(String type) {
    ObjectDef def = schema.require(type);
    return read(() -> rows(def, false, r -> true).size());
  }

  /** The row with 18-character id {@code id18} (live or deleted), if this org has it. */
  public Optional<Object[]> row(String id18) {
    Table t = tableFor(id18);
    if (t == null) {
      return Optional.empty();
    }
    int i = rowIndex(id18);
    return i >= 0 && i < t.rows.size() ? Optional.of(t.rows.get(i)) : Optional.empty();
  }

  /** The object of an id, by its key prefix. */
  public Optional<ObjectDef> objectOf(String id) {
    return schema.byKeyPrefix(SalesforceId.keyPrefix(id));
  }

  /** Field values of a live record by name (system use: tests, generator, admin). */
  public Optional<Map<String, Object>> get(String id) {
    return read(
        () ->
            SalesforceId.normalize(id)
                .flatMap(this::row)
                .filter(r -> !Boolean.TRUE.equals(r[ObjectDef.IS_DELETED]))
                .map(
                    r -> {
                      ObjectDef def = objectOf((String) r[ObjectDef.ID]).orElseThrow();
                      Map<String, Object> out = new LinkedHashMap<>();
                      for (int i = 0; i < def.fieldCount(); i++) {
                        out.put(def.field(i).name(), ObjectDef.get(r, i));
                      }
                      return out;
                    }));
  }

  private Table tableFor(String id18) {
    return schema.byKeyPrefix(SalesforceId.keyPrefix(id18)).map(tables::get).orElse(null);
  }

  private int rowIndex(String id18) {
    if (!id18.startsWith(pod, 3) || id18.charAt(5) != '0') {
      return -1;
    }
    long n = 0;
    for (int i = 6; i < 15; i++) {
      int d = BASE62.indexOf(id18.charAt(i));
      if (d < 0) {
        return -1;
      }
      n = n * 62 + d;
    }
    return n > Integer.MAX_VALUE ? -1 : (int) n - 1;
  }

  // ----------------------------------------------------------------------------------- DML

  /** Creates records in order; with {@code allOrNone} one failure rolls back all. */
  public List<SaveResult> create(
      List<RecordInput> records, boolean allOrNone, String userId, LockFaults faults) {
    return logged(
        "create",
        records.stream().map(RecordInput::type).toList(),
        records.stream().map(RecordInput::fields).toList(),
        createUnlogged(records, allOrNone, userId, faults));
  }

  private List<SaveResult> createUnlogged(
      List<RecordInput> records, boolean allOrNone, String userId, LockFaults faults) {
    return write(
        records.size(),
        allOrNone,
        (i, undo) -> {
          RecordInput r = records.get(i);
          if (faults.lockFails()) {
            throw lockError("");
          }
          return SaveResult.ok(insert(r.type(), r.fields(), userId, false, undo));
        });
  }

  /** Updates records (each carrying its Id) in order. */
  public List<SaveResult> update(
      List<RecordInput> records, boolean allOrNone, String userId, LockFaults faults) {
    return logged(
        "update",
        records.stream().map(RecordInput::type).toList(),
        records.stream().map(RecordInput::fields).toList(),
        updateUnlogged(records, allOrNone, userId, faults));
  }

  private List<SaveResult> updateUnlogged(
      List<RecordInput> records, boolean allOrNone, String userId, LockFaults faults) {
    List<String> ids = new ArrayList<>();
    for (RecordInput r : records) {
      Object id = r.fields().get("Id");
      ids.add(id == null ? null : SalesforceId.normalize(id.toString()).orElse(id.toString()));
    }
    return write(
        records.size(),
        allOrNone,
        (i, undo) -> {
          RecordInput r = records.get(i);
          if (faults.lockFails()) {
            throw lockError(ids.get(i));
          }
          modify(r.type(), ids.get(i), r.fields(), userId, undo);
          return SaveResult.ok(ids.get(i));
        });
  }

  /**
   * Creates or updates records of {@code type} matched by the external id field {@code extField}.
   */
  public List<SaveResult> upsert(
      String type,
      String extField,
      List<Map<String, Object>> records,
      boolean allOrNone,
      String userId,
      LockFaults faults) {
    List<SaveResult> rs = upsertUnlogged(type, extField, records, allOrNone, userId, faults);
    List<String> types = new ArrayList<>();
    for (SaveResult r : rs) {
      types.add(type);
    }
    return logged("upsert", types, records, rs);
  }

  private List<SaveResult> upsertUnlogged(
      String type,
      String extField,
      List<Map<String, Object>> records,
      boolean allOrNone,
      String userId,
      LockFaults faults) {
    ObjectDef def = schema.object(type).orElseThrow(() -> ApiException.invalidType(type));
    FieldDef ext =
        def.field(extField)
            .filter(FieldDef::externalId)
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "Provided external ID field does not exist or is not accessible: "
                            + extField));
    int extIdx = def.indexOf(ext.name());
    return write(
        records.size(),
        allOrNone,
        (i, undo) -> {
          Map<String, Object> fields = records.get(i);
          Object raw = fields.get(ext.name());
          if (raw == null) {
            for (var e : fields.entrySet()) {
              if (e.getKey().equalsIgnoreCase(ext.name())) {
                raw = e.getValue();
              }
            }
          }
          if (raw == null || raw.toString().isEmpty()) {
            throw new RecordError("MISSING_ARGUMENT", ext.name() + " not specified", ext.name());
          }
          if (faults.lockFails()) {
            throw lockError("");
          }
          Object value = Values.coerce(ext, raw);
          Integer existing = uniqueIndex(tables.get(def), extIdx).get(key(value));
          if (existing == null) {
            return SaveResult.ok(insert(def.name(), fields, userId, false, undo)).withCreated(true);
          }
          String id = (String) tables.get(def).rows.get(existing)[ObjectDef.ID];
          Map<String, Object> changes = new LinkedHashMap<>(fields);
          changes.keySet().removeIf(k -> k.equalsIgnoreCase(ext.name()));
          modify(def.name(), id, changes, userId, undo);
          return SaveResult.ok(id).withCreated(false);
        });
  }

  /** Deletes records by id in order. */
  public List<SaveResult> delete(List<String> rawIds, boolean allOrNone, LockFaults faults) {
    List<String> types = new ArrayList<>();
    List<Map<String, Object>> fields = new ArrayList<>();
    for (String raw : rawIds) {
      types.add(raw == null ? null : objectOf(raw).map(ObjectDef::name).orElse(null));
      fields.add(Map.of("Id", raw == null ? "" : raw));
    }
    return logged("delete", types, fields, deleteUnlogged(rawIds, allOrNone, faults));
  }

  private List<SaveResult> deleteUnlogged(
      List<String> rawIds, boolean allOrNone, LockFaults faults) {
    return write(
        rawIds.size(),
        allOrNone,
        (i, undo) -> {
          String raw = rawIds.get(i);
          String id =
              SalesforceId.normalize(raw)
                  .orElseThrow(() -> new RecordError("MALFORMED_ID", "malformed id " + raw));
          if (faults.lockFails()) {
            throw lockError(id);
          }
          remove(id, undo);
          return SaveResult.ok(id);
        });
  }

  /**
   * Inserts a record in system context: read-only fields may be set and nothing is checked but
   * references and types. For the demo generator, tests and the admin API.
   */
  public String insertSystem(String type, Map<String, Object> fields) {
    lock.writeLock().lock();
    try {
      return insert(type, fields, defaultUserId, true, new ArrayList<>());
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Loads many rows of one object fast, in system context, for the demo generator: values are
   * already typed and references already valid, so only defaults, derived fields and unique keys
   * are applied. Not for API traffic.
   */
  public final class Loader implements AutoCloseable {
    private final Table table;
    private final ObjectDef def;

    private Loader(String type) {
      this.def = schema.require(type);
      this.table = tables.get(def);
      lock.writeLock().lock();
    }

    /** Row index of field {@code name}. */
    public int field(String name) {
      int i = def.indexOf(name);
      if (i < 0) {
        throw new IllegalArgumentException(def.name() + " has no field " + name);
      }
      return i;
    }

    /** A new empty row for this object. */
    public Object[] row() {
      return new Object[def.fieldCount()];
    }

    /** Adds {@code row} (typed values by field index); returns the new id. */
    public String add(Object[] row) {
      String id = SalesforceId.of(def.keyPrefix(), pod, table.rows.size() + 1L);
      Instant now = now();
      row[ObjectDef.ID] = id;
      row[ObjectDef.IS_DELETED] = Boolean.FALSE;
      if (row[ObjectDef.CREATED_DATE] == null) {
        row[ObjectDef.CREATED_DATE] = now;
      }
      if (row[ObjectDef.LAST_MODIFIED_DATE] == null) {
        row[ObjectDef.LAST_MODIFIED_DATE] = row[ObjectDef.CREATED_DATE];
      }
      if (row[ObjectDef.SYSTEM_MODSTAMP] == null) {
        row[ObjectDef.SYSTEM_MODSTAMP] = row[ObjectDef.LAST_MODIFIED_DATE];
      }
      row[ObjectDef.CREATED_BY_ID] = defaultUserId;
      row[ObjectDef.LAST_MODIFIED_BY_ID] = defaultUserId;
      applyDefaults(def, row, defaultUserId, true);
      applyRules(def, row, null, true);
      if (findDuplicate(table, row, -1).isPresent()) {
        throw new IllegalArgumentException("duplicate " + def.name() + " row");
      }
      int index = table.rows.size();
      table.rows.add(row);
      indexUnique(table, row, index, true);
      return id;
    }

    @Override
    public void close() {
      lock.writeLock().unlock();
    }
  }

  /** Opens a {@link Loader} for {@code type}; holds the write lock until closed. */
  public Loader loader(String type) {
    return new Loader(type);
  }

  /** Updates a record in system context (read-only fields allowed). */
  public void updateSystem(String id, Map<String, Object> fields) {
    lock.writeLock().lock();
    try {
      String id18 = SalesforceId.normalize(id).orElseThrow();
      modifyRow(
          objectOf(id18).orElseThrow().name(),
          id18,
          fields,
          defaultUserId,
          true,
          new ArrayList<>());
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Makes {@code modelId} the one Active model; the model active before is archived. */
  public void activateModel(String modelId) {
    lock.writeLock().lock();
    try {
      String id18 =
          SalesforceId.normalize(modelId)
              .orElseThrow(() -> ApiException.notFound("no model " + modelId));
      ObjectDef models = schema.require("Territory2Model");
      int state = models.indexOf("State");
      for (Object[] row : rows(models, false, r -> "Active".equals(r[state]))) {
        if (!row[ObjectDef.ID].equals(id18)) {
          modifyRow(
              models.name(),
              (String) row[ObjectDef.ID],
              Map.of("State", "Archived", "DeactivatedDate", now()),
              defaultUserId,
              true,
              new ArrayList<>());
        }
      }
      modifyRow(
          models.name(),
          id18,
          Map.of("State", "Active", "ActivatedDate", now()),
          defaultUserId,
          true,
          new ArrayList<>());
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Id of the Active Territory2Model, if any. */
  public Optional<String> activeModelId() {
    ObjectDef models = schema.require("Territory2Model");
    int state = models.indexOf("State");
    return read(
        () ->
            rows(models, false, r -> "Active".equals(r[state])).stream()
                .map(r -> (String) r[ObjectDef.ID])
                .findFirst());
  }

  @FunctionalInterface
  private interface RecordOp {
    SaveResult apply(int index, List<Runnable> undo);
  }

  private List<SaveResult> write(int count, boolean allOrNone, RecordOp op) {
    lock.writeLock().lock();
    try {
      List<SaveResult> results = new ArrayList<>(count);
      List<Runnable> undo = new ArrayList<>();
      boolean failed = false;
      for (int i = 0; i < count; i++) {
        List<Runnable> recordUndo = new ArrayList<>();
        try {
          results.add(op.apply(i, recordUndo));
          undo.addAll(recordUndo);
        } catch (RecordError e) {
          rollback(recordUndo);
          results.add(new SaveResult(null, false, List.of(e.error), null));
          failed = true;
        } catch (Values.InvalidValue e) {
          rollback(recordUndo);
          results.add(
              new SaveResult(
                  null, false, List.of(SalesforceError.of(e.statusCode(), e.getMessage())), null));
          failed = true;
        }
      }
      if (allOrNone && failed) {
        rollback(undo);
        List<SaveResult> rolledBack = new ArrayList<>(count);
        for (SaveResult r : results) {
          rolledBack.add(
              r.success()
                  ? new SaveResult(
                      null,
                      false,
                      List.of(
                          SalesforceError.of(
                              "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                              "Record rolled back because not all records were valid and the request was using AllOrNone header")),
                      null)
                  : r);
        }
        return rolledBack;
      }
      return results;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static void rollback(List<Runnable> undo) {
    for (int i = undo.size() - 1; i >= 0; i--) {
      undo.get(i).run();
    }
  }

  private static RecordError lockError(String id) {
    return new RecordError(
        "UNABLE_TO_LOCK_ROW",
        "unable to obtain exclusive access to this record or 1 records: " + id);
  }

  private String insert(
      String type, Map<String, Object> fields, String userId, boolean system, List<Runnable> undo) {
    ObjectDef def =
        schema
            .object(type)
            .orElseThrow(
                () ->
                    new RecordError(
                        "INVALID_TYPE", "sObject type '" + type + "' is not supported."));
    if (!system && !def.createable()) {
      throw new RecordError(
          "INVALID_TYPE_FOR_OPERATION", "entity type " + def.name() + " does not support insert");
    }
    Table t = tables.get(def);
    Object[] row = new Object[def.fieldCount()];
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      String name = e.getKey();
      if (name.equals("attributes")) {
        continue;
      }
      int idx = def.indexOf(name);
      if (idx < 0) {
        throw new RecordError(
            "INVALID_FIELD",
            "No such column '" + name + "' on sobject of type " + def.name(),
            name);
      }
      FieldDef f = def.field(idx);
      if (!system && idx == ObjectDef.ID) {
        throw new RecordError("INVALID_FIELD", "cannot specify Id in an insert call", "Id");
      }
      if (!system && !f.createable()) {
        throw new RecordError(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "Unable to create/update fields: "
                + f.name()
                + ". Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
            f.name());
      }
      row[idx] = checked(f, Values.coerce(f, e.getValue()));
    }
    Instant now = now();
    String creator = userId != null ? userId : defaultUserId;
    String id = SalesforceId.of(def.keyPrefix(), pod, t.rows.size() + 1L);
    row[ObjectDef.ID] = id;
    row[ObjectDef.IS_DELETED] = Boolean.FALSE;
    if (row[ObjectDef.CREATED_DATE] == null) {
      row[ObjectDef.CREATED_DATE] = now;
    }
    row[ObjectDef.CREATED_BY_ID] = creator;
    row[ObjectDef.LAST_MODIFIED_DATE] =
        row[ObjectDef.LAST_MODIFIED_DATE] != null
            ? row[ObjectDef.LAST_MODIFIED_DATE]
            : row[ObjectDef.CREATED_DATE];
    row[ObjectDef.LAST_MODIFIED_BY_ID] = creator;
    row[ObjectDef.SYSTEM_MODSTAMP] =
        row[ObjectDef.SYSTEM_MODSTAMP] != null
            ? row[ObjectDef.SYSTEM_MODSTAMP]
            : row[ObjectDef.LAST_MODIFIED_DATE];
    applyDefaults(def, row, creator, true);
    applyRules(def, row, null, system);
    List<String> missing = new ArrayList<>();
    for (int i = ObjectDef.SYSTEM_MODSTAMP + 1; i < def.fieldCount(); i++) {
      FieldDef f = def.field(i);
      if (!f.nillable() && f.createable() && row[i] == null) {
        missing.add(f.name());
      }
    }
    if (!missing.isEmpty()) {
      throw new RecordError(
          "REQUIRED_FIELD_MISSING",
          "Required fields are missing: " + missing,
          missing.toArray(String[]::new));
    }
    Optional<Object[]> duplicate = findDuplicate(t, row, -1);
    boolean association = def.name().equals("ObjectTerritory2Association");
    if (duplicate.isPresent() && association && !system && duplicateAssociationInserted) {
      // a second row, left out of the unique index (which keeps pointing at the first)
      int index = t.rows.size();
      t.rows.add(row);
      undo.add(() -> t.rows.remove(index));
      return id;
    }
    if (duplicate.isPresent()) {
      if (association && !duplicateAssociationFails) {
        return (String) duplicate.get()[ObjectDef.ID];
      }
      throw duplicateError(t, row, duplicate.get());
    }
    int index = t.rows.size();
    t.rows.add(row);
    indexUnique(t, row, index, true);
    undo.add(
        () -> {
          indexUnique(t, row, index, false);
          t.rows.remove(index);
        });
    return id;
  }

  private void modify(
      String type, String id, Map<String, Object> fields, String userId, List<Runnable> undo) {
    if (id == null) {
      throw new RecordError("MISSING_ARGUMENT", "Id not specified in an update call");
    }
    modifyRow(type, id, fields, userId, false, undo);
  }

  private void modifyRow(
      String type,
      String rawId,
      Map<String, Object> fields,
      String userId,
      boolean system,
      List<Runnable> undo) {
    String id =
        SalesforceId.normalize(rawId)
            .orElseThrow(() -> new RecordError("MALFORMED_ID", "malformed id " + rawId));
    ObjectDef def =
        objectOf(id)
            .orElseThrow(
                () -> new RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"));
    if (type != null && !type.equalsIgnoreCase(def.name())) {
      throw new RecordError("MALFORMED_ID", def.name() + " ID: id value of incorrect type: " + id);
    }
    Table t = tables.get(def);
    int index = rowIndex(id);
    if (index < 0 || index >= t.rows.size()) {
      throw new RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id");
    }
    Object[] old = t.rows.get(index);
    if (Boolean.TRUE.equals(old[ObjectDef.IS_DELETED])) {
      throw new RecordError("ENTITY_IS_DELETED", "entity is deleted");
    }
    if (!system && !def.updateable()) {
      throw new RecordError(
          "INVALID_TYPE_FOR_OPERATION", "entity type " + def.name() + " does not support update");
    }
    Object[] row = java.util.Arrays.copyOf(old, Math.max(old.length, def.fieldCount()));
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      String name = e.getKey();
      if (name.equals("attributes") || name.equalsIgnoreCase("Id")) {
        continue;
      }
      int idx = def.indexOf(name);
      if (idx < 0) {
        throw new RecordError(
            "INVALID_FIELD",
            "No such column '" + name + "' on sobject of type " + def.name(),
            name);
      }
      FieldDef f = def.field(idx);
      if (!system && !f.updateable()) {
        throw new RecordError(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "Unable to create/update fields: "
                + f.name()
                + ". Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
            f.name());
      }
      Object value = checked(f, Values.coerce(f, e.getValue()));
      if (value == null && !f.nillable() && f.type() != FieldType.BOOLEAN) {
        throw new RecordError(
            "REQUIRED_FIELD_MISSING", "Required fields are missing: [" + f.name() + "]", f.name());
      }
      row[idx] = value;
    }
    Instant now = now();
    row[ObjectDef.LAST_MODIFIED_DATE] = now;
    row[ObjectDef.LAST_MODIFIED_BY_ID] = userId != null ? userId : defaultUserId;
    row[ObjectDef.SYSTEM_MODSTAMP] = now;
    applyDefaults(def, row, userId, false);
    applyRules(def, row, old, system);
    Optional<Object[]> duplicate = findDuplicate(t, row, index);
    if (duplicate.isPresent()) {
      throw duplicateError(t, row, duplicate.get());
    }
    indexUnique(t, old, index, false);
    t.rows.set(index, row);
    indexUnique(t, row, index, true);
    undo.add(
        () -> {
          indexUnique(t, row, index, false);
          t.rows.set(index, old);
          indexUnique(t, old, index, true);
        });
  }

  private void remove(String id, List<Runnable> undo) {
    ObjectDef def =
        objectOf(id)
            .orElseThrow(
                () -> new RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"));
    Table t = tables.get(def);
    int index = rowIndex(id);
    if (index < 0 || index >= t.rows.size()) {
      throw new RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id");
    }
    Object[] old = t.rows.get(index);
    if (Boolean.TRUE.equals(old[ObjectDef.IS_DELETED])) {
      throw new RecordError("ENTITY_IS_DELETED", "entity is deleted");
    }
    if (!def.deletable()) {
      throw new RecordError(
          "INVALID_TYPE_FOR_OPERATION", "entity type " + def.name() + " does not support delete");
    }
    if (def.name().equals("Territory2")) {
      int parent = def.indexOf("ParentTerritory2Id");
      if (!rows(def, false, r -> id.equals(r[parent])).isEmpty()) {
        throw new RecordError(
            "DELETE_FAILED", "Can't delete a territory that has child territories.");
      }
    }
    markDeleted(t, index, undo);
    cascade(def, id, undo);
  }

  private void markDeleted(Table t, int index, List<Runnable> undo) {
    Object[] old = t.rows.get(index);
    Object[] row = old.clone();
    row[ObjectDef.IS_DELETED] = Boolean.TRUE;
    row[ObjectDef.SYSTEM_MODSTAMP] = now();
    indexUnique(t, old, index, false);
    t.rows.set(index, row);
    undo.add(
        () -> {
          t.rows.set(index, old);
          indexUnique(t, old, index, true);
        });
  }

  /**
   * Deletes what Salesforce deletes with a record: an account's opportunities and associations, a
   * territory's associations.
   */
  private void cascade(ObjectDef def, String id, List<Runnable> undo) {
    Map<String, String> children =
        switch (def.name()) {
          case "Account" ->
              Map.of(
                  "Opportunity",
                  "AccountId",
                  "ObjectTerritory2Association",
                  "ObjectId",
                  "Territory2ObjectExclusion",
                  "ObjectId");
          case "Territory2" ->
              Map.of(
                  "ObjectTerritory2Association",
                  "Territory2Id",
                  "UserTerritory2Association",
                  "Territory2Id",
                  "Territory2ObjectExclusion",
                  "Territory2Id");
          default -> Map.of();
        };
    for (var child : children.entrySet()) {
      Table t = tables.get(schema.require(child.getKey()));
      int ref = t.def.indexOf(child.getValue());
      for (int i = 0; i < t.rows.size(); i++) {
        Object[] r = t.rows.get(i);
        if (!Boolean.TRUE.equals(r[ObjectDef.IS_DELETED]) && id.equals(ObjectDef.get(r, ref))) {
          markDeleted(t, i, undo);
        }
      }
    }
  }

  /** Checks length, picklist and reference rules; returns the value to store. */
  private Object checked(FieldDef f, Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof String s) {
      if (f.type() == FieldType.REFERENCE || f.type() == FieldType.ID) {
        return reference(f, s);
      }
      if (f.length() > 0 && s.length() > f.length()) {
        throw new RecordError(
            "STRING_TOO_LONG",
            f.name()
                + ": data value too large: "
                + s.substring(0, Math.min(40, s.length()))
                + " (max length="
                + f.length()
                + ")",
            f.name());
      }
      if (f.type() == FieldType.PICKLIST
          && f.restricted()
          && f.picklistValues().stream().noneMatch(v -> v.equals(s))) {
        throw new RecordError(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            f.name() + ": bad value for restricted picklist field: " + s,
            f.name());
      }
    }
    return value;
  }

  private String reference(FieldDef f, String raw) {
    String id =
        SalesforceId.normalize(raw)
            .orElseThrow(
                () ->
                    new RecordError(
                        "MALFORMED_ID",
                        f.name() + ": id value of incorrect type: " + raw,
                        f.name()));
    ObjectDef target = objectOf(id).orElse(null);
    if (target == null
        || f.referenceTo().stream().noneMatch(t -> t.equalsIgnoreCase(target.name()))) {
      throw new RecordError(
          "FIELD_INTEGRITY_EXCEPTION", f.name() + ": id value of incorrect type: " + id, f.name());
    }
    Object[] row = row(id).orElse(null);
    if (row == null) {
      throw new RecordError(
          "INVALID_CROSS_REFERENCE_KEY", f.name() + ": invalid cross reference id", f.name());
    }
    if (Boolean.TRUE.equals(row[ObjectDef.IS_DELETED])) {
      throw new RecordError("ENTITY_IS_DELETED", f.name() + ": entity is deleted", f.name());
    }
    return id;
  }

  private void applyDefaults(ObjectDef def, Object[] row, String userId, boolean creating) {
    for (int i = 0; i < def.fieldCount(); i++) {
      if (def.field(i).type() == FieldType.BOOLEAN && row[i] == null) {
        boolean activeByDefault = creating && def.field(i).name().equals("IsActive");
        row[i] = activeByDefault;
      }
    }
    int owner = def.indexOf("OwnerId");
    if (creating && owner >= 0 && row[owner] == null) {
      row[owner] = userId != null ? userId : defaultUserId;
    }
  }

  /** Object-specific behaviour: derived fields and the territory rules of FACTS.md. */
  private void applyRules(ObjectDef def, Object[] row, Object[] old, boolean system) {
    switch (def.name()) {
      case "User" -> {
        Object first = row[def.indexOf("FirstName")];
        row[def.indexOf("Name")] =
            ((first == null ? "" : first + " ") + row[def.indexOf("LastName")]).trim();
      }
      case "Opportunity" -> {
        int stage = def.indexOf("StageName");
        int probability = def.indexOf("Probability");
        Stages.Stage s = Stages.of((String) row[stage]);
        boolean stageChanged = old == null || !java.util.Objects.equals(old[stage], row[stage]);
        boolean probabilityGiven =
            old == null
                ? row[probability] != null
                : !java.util.Objects.equals(old[probability], row[probability]);
        if (stageChanged && !probabilityGiven) {
          row[probability] = (double) s.probability();
        }
        row[def.indexOf("IsClosed")] = s.closed();
        row[def.indexOf("IsWon")] = s.won();
        row[def.indexOf("ForecastCategoryName")] = s.forecastCategory();
        Object amount = row[def.indexOf("Amount")];
        Object p = row[probability];
        row[def.indexOf("ExpectedRevenue")] =
            amount == null || p == null ? null : (Double) amount * (Double) p / 100.0;
        int territory = def.indexOf("Territory2Id");
        if (row[territory] != null && (old == null || !row[territory].equals(old[territory]))) {
          String model =
              (String)
                  row(row[territory].toString())
                      .map(t -> t[schema.require("Territory2").indexOf("Territory2ModelId")])
                      .orElse(null);
          if (model == null || !model.equals(activeModelIdLocked())) {
            throw new RecordError(
                "FIELD_INTEGRITY_EXCEPTION",
                "Territory2Id: The territory must belong to the active territory model.",
                "Territory2Id");
          }
        }
      }
      case "Territory2" -> {
        int parent = def.indexOf("ParentTerritory2Id");
        int model = def.indexOf("Territory2ModelId");
        if (row[parent] != null) {
          if (row[parent].equals(row[ObjectDef.ID])) {
            throw new RecordError(
                "FIELD_INTEGRITY_EXCEPTION",
                "ParentTerritory2Id: a territory can't be its own parent",
                "ParentTerritory2Id");
          }
          Object parentModel = row((String) row[parent]).map(r -> r[model]).orElse(null);
          if (!row[model].equals(parentModel)) {
            throw new RecordError(
                "FIELD_INTEGRITY_EXCEPTION",
                "ParentTerritory2Id: the parent territory must be in the same territory model",
                "ParentTerritory2Id");
          }
        }
      }
      case "ObjectTerritory2Association" -> {
        int cause = def.indexOf("AssociationCause");
        if (row[cause] == null) {
          row[cause] = "Territory2Manual";
        } else if (!system && !"Territory2Manual".equals(row[cause])) {
          throw new RecordError(
              "FIELD_INTEGRITY_EXCEPTION",
              "AssociationCause: only Territory2Manual can be set through the API",
              "AssociationCause");
        }
        row[def.indexOf("SobjectType")] = "Account";
      }
      case "Territory2Model" -> {
        int state = def.indexOf("State");
        if (row[state] == null) {
          row[state] = "Planning";
        }
        if ("Active".equals(row[state]) && (old == null || !"Active".equals(old[state]))) {
          String active = activeModelIdLocked();
          if (active != null && !active.equals(row[ObjectDef.ID])) {
            throw new RecordError(
                "FIELD_INTEGRITY_EXCEPTION", "Only one territory model can be active", "State");
          }
        }
      }
      default -> {}
    }
  }

  private String activeModelIdLocked() {
    ObjectDef models = schema.require("Territory2Model");
    int state = models.indexOf("State");
    for (Object[] r : tables.get(models).rows) {
      if ("Active".equals(r[state]) && !Boolean.TRUE.equals(r[ObjectDef.IS_DELETED])) {
        return (String) r[ObjectDef.ID];
      }
    }
    return null;
  }

  // ------------------------------------------------------------------------- unique keys

  private Map<String, Integer> uniqueIndex(Table t, int field) {
    List<ObjectDef.UniqueKey> keys = t.def.uniqueKeys();
    for (int k = 0; k < keys.size(); k++) {
      if (keys.get(k).fields().length == 1 && keys.get(k).fields()[0] == field) {
        return indexes(t).get(k);
      }
    }
    throw new IllegalStateException(t.def.name() + " field " + field + " is not unique");
  }

  private List<Map<String, Integer>> indexes(Table t) {
    while (t.unique.size() < t.def.uniqueKeys().size()) {
      t.unique.add(new HashMap<>());
    }
    return t.unique;
  }

  private Optional<Object[]> findDuplicate(Table t, Object[] row, int self) {
    List<ObjectDef.UniqueKey> keys = t.def.uniqueKeys();
    List<Map<String, Integer>> maps = indexes(t);
    for (int k = 0; k < keys.size(); k++) {
      String key = key(row, keys.get(k).fields());
      if (key != null) {
        Integer other = maps.get(k).get(key);
        if (other != null && other != self) {
          return Optional.of(t.rows.get(other));
        }
      }
    }
    return Optional.empty();
  }

  private RecordError duplicateError(Table t, Object[] row, Object[] other) {
    for (ObjectDef.UniqueKey k : t.def.uniqueKeys()) {
      String key = key(row, k.fields());
      if (key != null && key.equals(key(other, k.fields()))) {
        String[] names = new String[k.fields().length];
        for (int i = 0; i < names.length; i++) {
          names[i] = t.def.field(k.fields()[i]).name();
        }
        return new RecordError(
            k.errorCode(),
            "duplicate value found: "
                + String.join(", ", names)
                + " duplicates value on record with id: "
                + other[ObjectDef.ID],
            names);
      }
    }
    return new RecordError("DUPLICATE_VALUE", "duplicate value found");
  }

  private void indexUnique(Table t, Object[] row, int index, boolean add) {
    if (Boolean.TRUE.equals(row[ObjectDef.IS_DELETED])) {
      return;
    }
    List<ObjectDef.UniqueKey> keys = t.def.uniqueKeys();
    List<Map<String, Integer>> maps = indexes(t);
    for (int k = 0; k < keys.size(); k++) {
      String key = key(row, keys.get(k).fields());
      if (key == null) {
        continue;
      }
      if (add) {
        maps.get(k).put(key, index);
      } else {
        maps.get(k).remove(key, index);
      }
    }
  }

  private static String key(Object[] row, int[] fields) {
    if (fields.length == 1) {
      return key(ObjectDef.get(row, fields[0]));
    }
    StringBuilder sb = new StringBuilder();
    for (int f : fields) {
      String part = key(ObjectDef.get(row, f));
      if (part == null) {
        return null;
      }
      sb.append(part).append('\u0000');
    }
    return sb.toString();
  }

  private static String key(Object value) {
    return value == null ? null : Values.text(value).toLowerCase(Locale.ROOT);
  }

  /** Ids of every live row of {@code type} (system use). */
  public Set<String> ids(String type) {
    ObjectDef def = schema.require(type);
    return read(
        () -> {
          Set<String> ids = new HashSet<>();
          for (Object[] r : rows(def, false, x -> true)) {
            ids.add((String) r[ObjectDef.ID]);
          }
          return ids;
        });
  }
}
