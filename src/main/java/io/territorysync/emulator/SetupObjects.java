package io.territorysync.emulator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Setup objects an admin's checks read: the integration user's permission sets (its profile's own
 * one included, as Salesforce lists it among the assignments) and the Apex classes that implement a
 * system interface, such as an Opportunity Territory Assignment filter.
 */
public final class SetupObjects {

  /** The permission set shipped in {@code deploy/salesforce}. */
  public static final String TERRITORY_SYNC_PERMISSION_SET = "Territory_Sync";

  /** The interface an Opportunity Territory Assignment filter class implements. */
  public static final String OPPORTUNITY_FILTER_INTERFACE = "OpportunityTerritory2AssignmentFilter";

  private SetupObjects() {}

  static void define(OrgSchema schema) {
    schema
        .define("PermissionSet", "0PS")
        .add(FieldDef.of("Name", FieldType.STRING).required())
        .add(FieldDef.of("Label", FieldType.STRING))
        .add(FieldDef.of("IsOwnedByProfile", FieldType.BOOLEAN))
        .add(FieldDef.of("PermissionsApiEnabled", FieldType.BOOLEAN))
        .add(FieldDef.of("PermissionsApiUserOnly", FieldType.BOOLEAN))
        .add(FieldDef.of("PermissionsManageTerritories", FieldType.BOOLEAN))
        .add(FieldDef.of("PermissionsViewSetup", FieldType.BOOLEAN))
        .add(FieldDef.of("PermissionsViewAllUsers", FieldType.BOOLEAN));
    schema
        .define("PermissionSetAssignment", "0Pa")
        .add(FieldDef.reference("AssigneeId", "Assignee", "User").required().createOnly())
        .add(
            FieldDef.reference("PermissionSetId", "PermissionSet", "PermissionSet")
                .required()
                .createOnly())
        .uniqueKey("DUPLICATE_VALUE", "AssigneeId", "PermissionSetId");
    schema
        .define("ApexTypeImplementor", "0Yi", true, false, true, OrgSchema.RECYCLE_BIN)
        .add(FieldDef.of("ClassName", FieldType.STRING).required())
        .add(FieldDef.of("ClassNamespacePrefix", FieldType.STRING))
        .add(FieldDef.of("InterfaceName", FieldType.STRING).required())
        .add(FieldDef.of("InterfaceNamespacePrefix", FieldType.STRING))
        .add(FieldDef.of("IsConcrete", FieldType.BOOLEAN));
  }

  /**
   * Gives the integration user what a well set-up org gives it: a profile with API access and
   * Manage Territories, and the {@code Territory_Sync} permission set assigned.
   */
  static void seed(OrgData org, String integrationUserId) {
    Map<String, Object> profile = new LinkedHashMap<>();
    profile.put("Name", "X00ex000000018ozh");
    profile.put("Label", "Minimum Access - API Only Integrations");
    profile.put("IsOwnedByProfile", true);
    profile.put("PermissionsApiEnabled", true);
    profile.put("PermissionsApiUserOnly", true);
    profile.put("PermissionsManageTerritories", true);
    profile.put("PermissionsViewSetup", true);
    profile.put("PermissionsViewAllUsers", true);
    String profileSet = org.insertSystem("PermissionSet", profile);
    String territorySync =
        org.insertSystem(
            "PermissionSet",
            Map.of(
                "Name",
                TERRITORY_SYNC_PERMISSION_SET,
                "Label",
                "Territory Sync",
                "IsOwnedByProfile",
                false));
    for (String set : new String[] {profileSet, territorySync}) {
      org.insertSystem(
          "PermissionSetAssignment",
          Map.of("AssigneeId", integrationUserId, "PermissionSetId", set));
    }
  }
}
