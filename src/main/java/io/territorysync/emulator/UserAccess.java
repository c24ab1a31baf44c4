package io.territorysync.emulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the integration user of an emulated org may see and do, changeable while it runs: objects it
 * cannot see at all (or that the org does not have, as when Enterprise Territory Management is off
 * or a custom object is not deployed), fields hidden or read-only by field-level security, objects
 * it may read but not create, edit or delete, and org features that are off (Bulk API 2.0,
 * Composite, the username-password flow). Everything is allowed until a test or the admin API says
 * otherwise. Describe and SOQL honour it as Salesforce does: hidden objects are absent (404,
 * INVALID_TYPE), hidden fields are absent from describe and refused by queries (INVALID_FIELD).
 */
public final class UserAccess {

  /** The Enterprise Territory Management objects, absent from an org where ETM is not enabled. */
  public static final List<String> TERRITORY_OBJECTS =
      List.of(
          "Territory2Model",
          "Territory2Type",
          "Territory2",
          "ObjectTerritory2Association",
          "UserTerritory2Association",
          "ObjectTerritory2AssignmentRule",
          "ObjectTerritory2AssignmentRuleItem",
          "RuleTerritory2Association",
          "Territory2ObjectExclusion");

  private final Set<String> hiddenObjects = ConcurrentHashMap.newKeySet();
  private final Set<String> hiddenFields = ConcurrentHashMap.newKeySet();
  private final Set<String> readOnlyFields = ConcurrentHashMap.newKeySet();
  private final Set<String> noCreate = ConcurrentHashMap.newKeySet();
  private final Set<String> noEdit = ConcurrentHashMap.newKeySet();
  private final Set<String> noDelete = ConcurrentHashMap.newKeySet();
  private volatile boolean territoryManagement = true;
  private volatile boolean bulkApi = true;
  private volatile boolean composite = true;
  private volatile boolean usernamePasswordFlow = true;

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  /** Whether the user sees {@code object} at all. */
  public boolean canSee(String object) {
    if (!territoryManagement
        && TERRITORY_OBJECTS.stream().anyMatch(o -> o.equalsIgnoreCase(object))) {
      return false;
    }
    return !hiddenObjects.contains(key(object));
  }

  /** Whether field-level security hides {@code object.field}. */
  public boolean hidden(String object, String field) {
    return hiddenFields.contains(key(object + "." + field));
  }

  /** Whether field-level security makes {@code object.field} read-only. */
  public boolean readOnly(String object, String field) {
    return readOnlyFields.contains(key(object + "." + field));
  }

  /** Whether the user may create records of {@code object} (on top of the object's own rules). */
  public boolean mayCreate(String object) {
    return !noCreate.contains(key(object));
  }

  /** Whether the user may edit records of {@code object}. */
  public boolean mayEdit(String object) {
    return !noEdit.contains(key(object));
  }

  /** Whether the user may delete records of {@code object}. */
  public boolean mayDelete(String object) {
    return !noDelete.contains(key(object));
  }

  public boolean bulkApi() {
    return bulkApi;
  }

  public boolean composite() {
    return composite;
  }

  public boolean usernamePasswordFlow() {
    return usernamePasswordFlow;
  }

  /** Turns Enterprise Territory Management off (its objects vanish) or on. */
  public UserAccess territoryManagement(boolean on) {
    this.territoryManagement = on;
    return this;
  }

  public UserAccess bulkApi(boolean on) {
    this.bulkApi = on;
    return this;
  }

  public UserAccess composite(boolean on) {
    this.composite = on;
    return this;
  }

  /** Blocks the username-password OAuth flow, as orgs created since Summer '23 do by default. */
  public UserAccess usernamePasswordFlow(boolean on) {
    this.usernamePasswordFlow = on;
    return this;
  }

  public UserAccess hideObject(String object) {
    hiddenObjects.add(key(object));
    return this;
  }

  /** Hides {@code Object.Field} (field-level security: no read). */
  public UserAccess hideField(String objectDotField) {
    hiddenFields.add(key(objectDotField));
    return this;
  }

  /** Makes {@code Object.Field} read-only (field-level security: read, no edit). */
  public UserAccess readOnlyField(String objectDotField) {
    readOnlyFields.add(key(objectDotField));
    return this;
  }

  /** Takes create, edit and/or delete on {@code object} away ("read" leaves only read). */
  public UserAccess objectPermission(String object, String permissions) {
    String p = permissions.toLowerCase(Locale.ROOT);
    setIf(noCreate, object, !p.contains("create"));
    setIf(noEdit, object, !p.contains("edit"));
    setIf(noDelete, object, !p.contains("delete"));
    return this;
  }

  private static void setIf(Set<String> set, String object, boolean add) {
    if (add) {
      set.add(key(object));
    } else {
      set.remove(key(object));
    }
  }

  /** Allows everything again. */
  public UserAccess clear() {
    hiddenObjects.clear();
    hiddenFields.clear();
    readOnlyFields.clear();
    noCreate.clear();
    noEdit.clear();
    noDelete.clear();
    territoryManagement = true;
    bulkApi = true;
    composite = true;
    usernamePasswordFlow = true;
    return this;
  }

  /** As the admin API shows it. */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("territoryManagement", territoryManagement);
    m.put("bulkApi", bulkApi);
    m.put("composite", composite);
    m.put("usernamePasswordFlow", usernamePasswordFlow);
    m.put("hiddenObjects", new TreeSet<>(hiddenObjects));
    m.put("hiddenFields", new TreeSet<>(hiddenFields));
    m.put("readOnlyFields", new TreeSet<>(readOnlyFields));
    Map<String, String> perms = new LinkedHashMap<>();
    Set<String> objects = new TreeSet<>(noCreate);
    objects.addAll(noEdit);
    objects.addAll(noDelete);
    for (String o : objects) {
      perms.put(
          o,
          "read"
              + (noCreate.contains(o) ? "" : ",create")
              + (noEdit.contains(o) ? "" : ",edit")
              + (noDelete.contains(o) ? "" : ",delete"));
    }
    m.put("objectPermissions", perms);
    return m;
  }

  /**
   * Applies an admin API body: {@code {"territoryManagement":false, "bulkApi":false,
   * "composite":false, "usernamePasswordFlow":false, "hiddenObjects":[…], "hiddenFields":
   * ["Account.Industry"], "readOnlyFields":[…], "objectPermissions":{"Opportunity":"read"},
   * "clear":true}}; {@code clear} first allows everything again.
   */
  public void apply(com.fasterxml.jackson.databind.JsonNode body) {
    if (body.path("clear").asBoolean(false)) {
      clear();
    }
    body.fields()
        .forEachRemaining(
            e -> {
              com.fasterxml.jackson.databind.JsonNode v = e.getValue();
              switch (e.getKey()) {
                case "clear" -> {}
                case "territoryManagement" -> territoryManagement(v.asBoolean());
                case "bulkApi" -> bulkApi(v.asBoolean());
                case "composite" -> composite(v.asBoolean());
                case "usernamePasswordFlow" -> usernamePasswordFlow(v.asBoolean());
                case "hiddenObjects" -> v.forEach(o -> hideObject(o.asText()));
                case "hiddenFields" -> v.forEach(f -> hideField(f.asText()));
                case "readOnlyFields" -> v.forEach(f -> readOnlyField(f.asText()));
                case "objectPermissions" ->
                    v.fields()
                        .forEachRemaining(p -> objectPermission(p.getKey(), p.getValue().asText()));
                default ->
                    throw new IllegalArgumentException(
                        "unknown access setting '" + e.getKey() + "'");
              }
            });
  }
}
