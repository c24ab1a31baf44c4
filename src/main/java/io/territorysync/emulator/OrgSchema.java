package io.territorysync.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The objects the emulator knows: the standard ones Territory Sync uses, the Enterprise Territory
 * Management objects, and custom objects and fields read from a schema file.
 */
public final class OrgSchema {

  /** Default recycle-bin retention for soft-deleted rows. */
  static final Duration RECYCLE_BIN = Duration.ofDays(15);

  /** Deleted ObjectTerritory2Association rows skip the recycle bin but stay queryable this long. */
  static final Duration OT2A_DELETED_RETENTION = Duration.ofHours(12);

  private final Map<String, ObjectDef> objects = new LinkedHashMap<>();
  private final Map<String, ObjectDef> byPrefix = new LinkedHashMap<>();

  /** The standard and territory objects, plus the custom schema on the classpath. */
  public static OrgSchema standard() {
    OrgSchema schema = new OrgSchema();
    schema.defineStandardObjects();
    SetupObjects.define(schema);
    try (InputStream in = OrgSchema.class.getResourceAsStream("/emulator/custom-schema.json")) {
      if (in != null) {
        schema.addCustom(new ObjectMapper().readTree(in));
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read emulator/custom-schema.json", e);
    }
    return schema;
  }

  public Optional<ObjectDef> object(String name) {
    return Optional.ofNullable(objects.get(name.toLowerCase(Locale.ROOT)));
  }

  public ObjectDef require(String name) {
    return object(name).orElseThrow(() -> new IllegalArgumentException("unknown object " + name));
  }

  public Optional<ObjectDef> byKeyPrefix(String prefix) {
    return Optional.ofNullable(byPrefix.get(prefix));
  }

  public Collection<ObjectDef> objects() {
    return objects.values();
  }

  ObjectDef define(
      String name,
      String prefix,
      boolean createable,
      boolean updateable,
      boolean deletable,
      Duration retention) {
    ObjectDef def = new ObjectDef(name, prefix, createable, updateable, deletable, retention);
    objects.put(name.toLowerCase(Locale.ROOT), def);
    byPrefix.put(prefix, def);
    return def;
  }

  ObjectDef define(String name, String prefix) {
    return define(name, prefix, true, true, true, RECYCLE_BIN);
  }

  private void defineStandardObjects() {
    define("Profile", "00e").add(FieldDef.of("Name", FieldType.STRING).required());
    define("User", "005")
        .add(FieldDef.of("Username", FieldType.STRING).required().asUnique())
        .add(FieldDef.of("FirstName", FieldType.STRING))
        .add(FieldDef.of("LastName", FieldType.STRING).required())
        .add(FieldDef.system("Name", FieldType.STRING))
        .add(FieldDef.of("Email", FieldType.STRING).required())
        .add(FieldDef.of("Alias", FieldType.STRING))
        .add(FieldDef.of("IsActive", FieldType.BOOLEAN))
        .add(FieldDef.of("Title", FieldType.STRING))
        .add(FieldDef.of("Department", FieldType.STRING))
        .add(FieldDef.of("Division", FieldType.STRING))
        .add(FieldDef.of("Country", FieldType.STRING))
        .add(FieldDef.of("State", FieldType.STRING))
        .add(FieldDef.of("City", FieldType.STRING))
        .add(FieldDef.of("EmployeeNumber", FieldType.STRING))
        .add(FieldDef.of("FederationIdentifier", FieldType.STRING))
        .add(FieldDef.reference("ManagerId", "Manager", "User"))
        .add(FieldDef.reference("ProfileId", "Profile", "Profile"));

    define("Account", "001")
        .add(FieldDef.of("Name", FieldType.STRING).required())
        .add(
            FieldDef.picklist(
                "Type",
                false,
                "Prospect",
                "Customer - Direct",
                "Customer - Channel",
                "Channel Partner / Reseller",
                "Installation Partner",
                "Technology Partner",
                "Other"))
        .add(FieldDef.reference("ParentId", "Parent", "Account"))
        .add(FieldDef.of("AccountNumber", FieldType.STRING))
        .add(FieldDef.of("BillingStreet", FieldType.TEXTAREA))
        .add(FieldDef.of("BillingCity", FieldType.STRING))
        .add(FieldDef.of("BillingState", FieldType.STRING))
        .add(FieldDef.of("BillingPostalCode", FieldType.STRING))
        .add(FieldDef.of("BillingCountry", FieldType.STRING))
        .add(FieldDef.of("BillingLatitude", FieldType.DOUBLE))
        .add(FieldDef.of("BillingLongitude", FieldType.DOUBLE))
        .add(FieldDef.picklist("Industry", false, Industries.ALL.toArray(String[]::new)))
        .add(FieldDef.of("AnnualRevenue", FieldType.CURRENCY))
        .add(FieldDef.of("NumberOfEmployees", FieldType.INT))
        .add(FieldDef.of("Phone", FieldType.STRING))
        .add(FieldDef.of("Website", FieldType.STRING))
        .add(FieldDef.picklist("Rating", false, "Hot", "Warm", "Cold"))
        .add(FieldDef.of("Description", FieldType.TEXTAREA))
        .add(FieldDef.reference("OwnerId", "Owner", "User"))
        .add(FieldDef.of("IsExcludedFromRealign", FieldType.BOOLEAN));

    define("Opportunity", "006")
        .add(FieldDef.of("Name", FieldType.STRING).required())
        .add(FieldDef.reference("AccountId", "Account", "Account"))
        .add(FieldDef.reference("OwnerId", "Owner", "User"))
        .add(FieldDef.of("Amount", FieldType.CURRENCY))
        .add(FieldDef.of("Probability", FieldType.PERCENT))
        .add(FieldDef.system("ExpectedRevenue", FieldType.CURRENCY))
        .add(FieldDef.picklist("StageName", false, Stages.NAMES.toArray(String[]::new)).required())
        .add(FieldDef.system("IsClosed", FieldType.BOOLEAN))
        .add(FieldDef.system("IsWon", FieldType.BOOLEAN))
        .add(FieldDef.system("ForecastCategoryName", FieldType.PICKLIST))
        .add(FieldDef.of("CloseDate", FieldType.DATE).required())
        .add(FieldDef.picklist("Type", false, "New Business", "Existing Business", "Renewal"))
        .add(
            FieldDef.picklist(
                "LeadSource",
                false,
                "Web",
                "Phone Inquiry",
                "Partner Referral",
                "Purchased List",
                "Other"))
        .add(FieldDef.of("NextStep", FieldType.STRING))
        .add(FieldDef.of("Description", FieldType.TEXTAREA))
        .add(FieldDef.reference("Territory2Id", "Territory2", "Territory2"))
        .add(FieldDef.of("IsExcludedFromTerritory2Filter", FieldType.BOOLEAN));

    define("Territory2Model", "0MA")
        .add(FieldDef.of("DeveloperName", FieldType.STRING).required().asUnique())
        .add(FieldDef.of("Name", FieldType.STRING).required())
        .add(FieldDef.of("Description", FieldType.TEXTAREA))
        .add(
            new FieldDef(
                "State",
                FieldType.PICKLIST,
                List.of(),
                null,
                false,
                false,
                false,
                false,
                false,
                List.of(
                    "Planning",
                    "Active",
                    "Archived",
                    "Cloning",
                    "Activating",
                    "Deactivating",
                    "Archiving",
                    "Deleting"),
                true,
                40))
        .add(FieldDef.system("ActivatedDate", FieldType.DATETIME))
        .add(FieldDef.system("DeactivatedDate", FieldType.DATETIME))
        .add(FieldDef.system("LastRunRulesEndDate", FieldType.DATETIME));

    define("Territory2Type", "0M5")
        .add(FieldDef.of("DeveloperName", FieldType.STRING).required().asUnique())
        .add(FieldDef.of("MasterLabel", FieldType.STRING).required())
        .add(FieldDef.of("Priority", FieldType.INT).required().asUnique())
        .add(FieldDef.of("Description", FieldType.TEXTAREA));

    define("Territory2", "0MI")
        .add(FieldDef.of("DeveloperName", FieldType.STRING).required())
        .add(FieldDef.of("Name", FieldType.STRING).required())
        .add(
            FieldDef.reference("Territory2ModelId", "Territory2Model", "Territory2Model")
                .required()
                .createOnly())
        .add(FieldDef.reference("Territory2TypeId", "Territory2Type", "Territory2Type").required())
        .add(FieldDef.reference("ParentTerritory2Id", "ParentTerritory2", "Territory2"))
        .add(FieldDef.picklist("AccountAccessLevel", true, "Read", "Edit", "All"))
        .add(FieldDef.picklist("OpportunityAccessLevel", true, "None", "Read", "Edit"))
        .add(FieldDef.picklist("CaseAccessLevel", true, "None", "Read", "Edit"))
        .add(FieldDef.picklist("ContactAccessLevel", true, "None", "Read", "Edit"))
        .add(FieldDef.reference("ForecastUserId", "ForecastUser", "User"))
        .add(FieldDef.of("Description", FieldType.TEXTAREA))
        .uniqueKey("DUPLICATE_DEVELOPER_NAME", "Territory2ModelId", "DeveloperName");

    define("ObjectTerritory2Association", "0R0", true, false, true, OT2A_DELETED_RETENTION)
        .add(FieldDef.reference("ObjectId", "Object", "Account").required().createOnly())
        .add(FieldDef.reference("Territory2Id", "Territory2", "Territory2").required().createOnly())
        .add(
            new FieldDef(
                "AssociationCause",
                FieldType.PICKLIST,
                List.of(),
                null,
                true,
                false,
                true,
                false,
                false,
                List.of("Territory2Manual", "Territory2AssignmentRule"),
                true,
                40))
        .add(FieldDef.system("SobjectType", FieldType.STRING))
        .uniqueKey("DUPLICATE_VALUE", "ObjectId", "Territory2Id");

    define("UserTerritory2Association", "0R1")
        .add(FieldDef.reference("UserId", "User", "User").required().createOnly())
        .add(FieldDef.reference("Territory2Id", "Territory2", "Territory2").required().createOnly())
        .add(
            FieldDef.picklist(
                "RoleInTerritory2",
                false,
                "Owner",
                "Sales Rep",
                "Sales Engineer",
                "Sales Manager",
                "Overlay"))
        .add(FieldDef.of("IsActive", FieldType.BOOLEAN))
        .uniqueKey("DUPLICATE_VALUE", "UserId", "Territory2Id");

    define("ObjectTerritory2AssignmentRule", "0OH")
        .add(FieldDef.of("DeveloperName", FieldType.STRING).required())
        .add(FieldDef.of("MasterLabel", FieldType.STRING).required())
        .add(FieldDef.of("IsActive", FieldType.BOOLEAN))
        .add(FieldDef.picklist("ObjectType", true, "Account").required())
        .add(
            FieldDef.reference("Territory2ModelId", "Territory2Model", "Territory2Model")
                .required()
                .createOnly())
        .add(
            new FieldDef(
                "BooleanFilter",
                FieldType.STRING,
                List.of(),
                null,
                true,
                true,
                true,
                false,
                false,
                List.of(),
                false,
                255));

    define("ObjectTerritory2AssignmentRuleItem", "0OI")
        .add(
            FieldDef.reference("RuleId", "Rule", "ObjectTerritory2AssignmentRule")
                .required()
                .createOnly())
        .add(FieldDef.of("SortOrder", FieldType.INT).required())
        .add(FieldDef.of("Field", FieldType.STRING).required())
        .add(
            FieldDef.picklist(
                    "Operation",
                    true,
                    "equals",
                    "notEqual",
                    "lessThan",
                    "greaterThan",
                    "lessOrEqual",
                    "greaterOrEqual",
                    "contains",
                    "notContain",
                    "startsWith",
                    "includes",
                    "excludes",
                    "within")
                .required())
        .add(
            new FieldDef(
                "Value",
                FieldType.STRING,
                List.of(),
                null,
                true,
                true,
                true,
                false,
                false,
                List.of(),
                false,
                1000));

    define("RuleTerritory2Association", "0OJ", false, false, false, RECYCLE_BIN)
        .add(FieldDef.reference("RuleId", "Rule", "ObjectTerritory2AssignmentRule").readOnly())
        .add(FieldDef.reference("Territory2Id", "Territory2", "Territory2").readOnly())
        .add(FieldDef.of("IsInherited", FieldType.BOOLEAN).readOnly());

    define("Territory2ObjectExclusion", "0RE", true, false, true, RECYCLE_BIN)
        .add(FieldDef.reference("ObjectId", "Object", "Account").required().createOnly())
        .add(FieldDef.reference("Territory2Id", "Territory2", "Territory2").required().createOnly())
        .uniqueKey("DUPLICATE_VALUE", "ObjectId", "Territory2Id");
  }

  /**
   * Adds custom objects and fields from a schema document: {@code {"objects":[{"name",
   * "keyPrefix","fields":[…]}], "fields":{"Account":[…]}}}; a field is {@code {"name","type",
   * "referenceTo","relationshipName","externalId","required","unique","values","restricted",
   * "length"}}.
   */
  public void addCustom(JsonNode doc) {
    for (JsonNode o : doc.path("objects")) {
      String name = o.path("name").asText();
      if (!name.endsWith("__c")) {
        throw new IllegalArgumentException("custom object name must end in __c: " + name);
      }
      ObjectDef def =
          object(name)
              .orElseGet(
                  () ->
                      define(
                          name,
                          o.path("keyPrefix").asText("a0" + (char) ('0' + objects.size() % 10))));
      def.add(FieldDef.of("Name", FieldType.STRING));
      for (JsonNode f : o.path("fields")) {
        def.add(customField(name, f));
      }
    }
    doc.path("fields")
        .fields()
        .forEachRemaining(
            e -> {
              ObjectDef def = require(e.getKey());
              for (JsonNode f : e.getValue()) {
                def.add(customField(def.name(), f));
              }
            });
  }

  private static FieldDef customField(String object, JsonNode f) {
    String name = f.path("name").asText();
    if (!name.endsWith("__c")) {
      throw new IllegalArgumentException(
          "custom field name must end in __c: " + object + "." + name);
    }
    FieldType type = FieldType.parse(f.path("type").asText("string"));
    List<String> values = new ArrayList<>();
    f.path("values").forEach(v -> values.add(v.asText()));
    List<String> targets = new ArrayList<>();
    if (f.has("referenceTo")) {
      targets.add(f.path("referenceTo").asText());
    }
    String relationship =
        type == FieldType.REFERENCE
            ? f.path("relationshipName").asText(name.substring(0, name.length() - 3) + "__r")
            : null;
    int length =
        f.path("length")
            .asInt(
                type == FieldType.STRING || type == FieldType.PICKLIST
                    ? 255
                    : type == FieldType.TEXTAREA ? 32768 : 0);
    boolean externalId = f.path("externalId").asBoolean(false);
    return new FieldDef(
        name,
        type,
        List.copyOf(targets),
        relationship,
        true,
        true,
        !f.path("required").asBoolean(false),
        externalId,
        externalId || f.path("unique").asBoolean(false),
        List.copyOf(values),
        f.path("restricted").asBoolean(false),
        length);
  }
}
