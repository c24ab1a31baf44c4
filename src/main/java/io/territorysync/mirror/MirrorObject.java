package io.territorysync.mirror;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A Salesforce object Territory Sync mirrors: its table, its typed columns and the fields always
 * synced into {@code extra}.
 *
 * @param apiName object API name
 * @param table mirror table
 * @param columns typed columns (Id and SystemModstamp are implicit)
 * @param baseExtraFields fields always synced into {@code extra}
 * @param deletedRetention how long the org shows deleted rows to queryAll; an incremental sync
 *     older than this cannot see every deletion and reconciles ids instead
 * @param describe whether the object's fields are described (so rules may name any field)
 * @param snapshot whether the object is small enough to read whole on every run, so deletions need
 *     no separate query
 */
public record MirrorObject(
    String apiName,
    String table,
    List<MirrorColumn> columns,
    List<String> baseExtraFields,
    Duration deletedRetention,
    boolean describe,
    boolean snapshot) {

  private static final Duration RECYCLE_BIN = Duration.ofDays(15);

  private static MirrorObject snapshot(
      String apiName, String table, List<MirrorColumn> columns, List<String> extra) {
    return new MirrorObject(apiName, table, columns, extra, RECYCLE_BIN, false, true);
  }

  /** Every mirrored object, in sync order. */
  public static final List<MirrorObject> ALL =
      List.of(
          new MirrorObject(
              "User",
              "sf_user",
              List.of(
                  MirrorColumn.text("Name", "name"),
                  MirrorColumn.text("Username", "username"),
                  MirrorColumn.text("Email", "email"),
                  MirrorColumn.bool("IsActive", "is_active")),
              List.of("FirstName", "LastName", "Title", "Department"),
              RECYCLE_BIN,
              true,
              false),
          snapshot(
              "Territory2Model",
              "sf_territory2_model",
              List.of(
                  MirrorColumn.text("DeveloperName", "developer_name"),
                  MirrorColumn.text("Name", "name"),
                  MirrorColumn.text("State", "state")),
              List.of()),
          snapshot(
              "Territory2Type",
              "sf_territory2_type",
              List.of(
                  MirrorColumn.text("DeveloperName", "developer_name"),
                  MirrorColumn.text("MasterLabel", "master_label"),
                  MirrorColumn.integer("Priority", "priority")),
              List.of()),
          snapshot(
              "Territory2",
              "sf_territory2",
              List.of(
                  MirrorColumn.text("DeveloperName", "developer_name"),
                  MirrorColumn.text("Name", "name"),
                  MirrorColumn.text("Territory2ModelId", "territory2_model_id"),
                  MirrorColumn.text("Territory2TypeId", "territory2_type_id"),
                  MirrorColumn.text("ParentTerritory2Id", "parent_territory2_id")),
              List.of(
                  "AccountAccessLevel",
                  "OpportunityAccessLevel",
                  "CaseAccessLevel",
                  "ForecastUserId",
                  "Description")),
          snapshot(
              "ObjectTerritory2AssignmentRule",
              "sf_object_territory2_assignment_rule",
              List.of(
                  MirrorColumn.text("DeveloperName", "developer_name"),
                  MirrorColumn.text("MasterLabel", "master_label"),
                  MirrorColumn.bool("IsActive", "is_active"),
                  MirrorColumn.text("ObjectType", "object_type"),
                  MirrorColumn.text("Territory2ModelId", "territory2_model_id"),
                  MirrorColumn.text("BooleanFilter", "boolean_filter")),
              List.of()),
          snapshot(
              "ObjectTerritory2AssignmentRuleItem",
              "sf_object_territory2_assignment_rule_item",
              List.of(
                  MirrorColumn.text("RuleId", "rule_id"),
                  MirrorColumn.integer("SortOrder", "sort_order"),
                  MirrorColumn.text("Field", "field"),
                  MirrorColumn.text("Operation", "operation"),
                  MirrorColumn.text("Value", "value")),
              List.of()),
          snapshot(
              "RuleTerritory2Association",
              "sf_rule_territory2_association",
              List.of(
                  MirrorColumn.text("RuleId", "rule_id"),
                  MirrorColumn.text("Territory2Id", "territory2_id"),
                  MirrorColumn.bool("IsInherited", "is_inherited")),
              List.of()),
          snapshot(
              "Territory2ObjectExclusion",
              "sf_territory2_object_exclusion",
              List.of(
                  MirrorColumn.text("ObjectId", "object_id"),
                  MirrorColumn.text("Territory2Id", "territory2_id")),
              List.of()),
          snapshot(
              "UserTerritory2Association",
              "sf_user_territory2_association",
              List.of(
                  MirrorColumn.text("UserId", "user_id"),
                  MirrorColumn.text("Territory2Id", "territory2_id"),
                  MirrorColumn.text("RoleInTerritory2", "role_in_territory2"),
                  MirrorColumn.bool("IsActive", "is_active")),
              List.of()),
          new MirrorObject(
              "Account",
              "sf_account",
              List.of(
                  MirrorColumn.text("Name", "name"),
                  MirrorColumn.text("Type", "type"),
                  MirrorColumn.text("ParentId", "parent_id"),
                  MirrorColumn.text("BillingStreet", "billing_street"),
                  MirrorColumn.text("BillingCity", "billing_city"),
                  MirrorColumn.text("BillingState", "billing_state"),
                  MirrorColumn.text("BillingPostalCode", "billing_postal_code"),
                  MirrorColumn.text("BillingCountry", "billing_country"),
                  MirrorColumn.real("BillingLatitude", "billing_latitude"),
                  MirrorColumn.real("BillingLongitude", "billing_longitude"),
                  MirrorColumn.text("Industry", "industry"),
                  MirrorColumn.number("AnnualRevenue", "annual_revenue"),
                  MirrorColumn.integer("NumberOfEmployees", "number_of_employees"),
                  MirrorColumn.text("OwnerId", "owner_id"),
                  MirrorColumn.bool("IsExcludedFromRealign", "is_excluded_from_realign")),
              List.of(),
              RECYCLE_BIN,
              true,
              false),
          new MirrorObject(
              "ObjectTerritory2Association",
              "sf_object_territory2_association",
              List.of(
                  MirrorColumn.text("ObjectId", "object_id"),
                  MirrorColumn.text("Territory2Id", "territory2_id"),
                  MirrorColumn.text("AssociationCause", "association_cause")),
              List.of(),
              Duration.ofHours(12),
              false,
              false),
          new MirrorObject(
              "Opportunity",
              "sf_opportunity",
              List.of(
                  MirrorColumn.text("Name", "name"),
                  MirrorColumn.text("AccountId", "account_id"),
                  MirrorColumn.text("OwnerId", "owner_id"),
                  MirrorColumn.number("Amount", "amount"),
                  MirrorColumn.number("Probability", "probability"),
                  MirrorColumn.text("StageName", "stage_name"),
                  MirrorColumn.bool("IsClosed", "is_closed"),
                  MirrorColumn.bool("IsWon", "is_won"),
                  MirrorColumn.date("CloseDate", "close_date"),
                  MirrorColumn.text("Type", "type"),
                  MirrorColumn.text("Territory2Id", "territory2_id"),
                  MirrorColumn.bool(
                      "IsExcludedFromTerritory2Filter", "is_excluded_from_territory2_filter")),
              List.of(),
              RECYCLE_BIN,
              true,
              false));

  /** The mirrored object with {@code apiName} (case-insensitive). */
  public static Optional<MirrorObject> byName(String apiName) {
    return ALL.stream().filter(o -> o.apiName().equalsIgnoreCase(apiName)).findFirst();
  }

  /** The typed column for {@code field}, if there is one. */
  public Optional<MirrorColumn> column(String field) {
    return columns.stream().filter(c -> c.field().equalsIgnoreCase(field)).findFirst();
  }

  /** Route id of this object's sync ({@code sync-object-territory2-association}). */
  public String routeId() {
    return "sync-"
        + apiName
            .replaceAll("([a-z0-9])([A-Z])", "$1-$2")
            .replaceAll("([A-Z])([A-Z][a-z])", "$1-$2")
            .toLowerCase(Locale.ROOT);
  }
}
