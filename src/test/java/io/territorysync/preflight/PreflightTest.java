package io.territorysync.preflight;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.Api;
import io.territorysync.TestSql;
import io.territorysync.emulator.EmulatorSettings;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.OrgData;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every preflight check against the emulated demo org: all ok as set up, then each fault the
 * emulator can show turns exactly its check red (or amber) with the problem named, and back to ok
 * once it is undone.
 */
@QuarkusTest
class PreflightTest {

  @Inject InProcessEmulator emulator;
  @Inject PreflightService preflight;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;

  OrgData org;

  @BeforeEach
  void demoOrg() throws Exception {
    DemoOrg.Result demo = emulator.reset(DemoOrg.Spec.of(400, 7));
    org = emulator.emulator().org();
    TestSql.wipe(dataSource);
    Files.writeString(Path.of("target/test-rules.yaml"), DemoRules.text(demo));
  }

  @AfterEach
  void allowEverything() {
    org.access().clear();
  }

  private static String notOk(PreflightReport r) {
    return r.checks().stream()
        .filter(c -> c.status() != Check.Status.OK)
        .map(c -> c.id() + ": " + c.status().label() + ": " + c.found())
        .toList()
        .toString();
  }

  /**
   * Breaks the org with {@code fault}, expects {@code id} at {@code status} naming {@code words}.
   */
  private void redThenGreen(
      Consumer<OrgData> fault, Runnable undo, String id, Check.Status status, String... words) {
    fault.accept(org);
    PreflightReport broken = preflight.run();
    Check check = broken.check(id);
    assertEquals(status, check.status(), check.toString());
    for (String w : words) {
      assertTrue((check.found() + " | " + check.fix()).contains(w), "'" + w + "' in " + check);
    }
    assertEquals(status == Check.Status.FAILING ? 1 : 2, broken.exitCode(), notOk(broken));
    undo.run();
    PreflightReport fixed = preflight.run();
    assertEquals(Check.Status.OK, fixed.check(id).status(), fixed.check(id).toString());
  }

  @Test
  void theDemoOrgIsAllGreenInFourApiCallsThenThreeOnceMirrored() {
    long before = emulator.emulator().usage().calls();
    PreflightReport report = preflight.run();
    assertEquals(Check.Status.OK, report.status(), notOk(report));
    assertEquals(0, report.exitCode());
    assertEquals(4, report.apiCalls(), "composite, limits, bulk, record counts");
    assertEquals(
        before + 4, emulator.emulator().usage().calls(), "the org counted what was reported");
    assertTrue(report.check("territory-model").found().contains("Active model"), report.toString());

    Run sync = runs.execute(new RunService.RunRequest("test", false, false, false, true));
    assertEquals("succeeded", sync.status, sync.error);
    PreflightReport mirrored = preflight.run();
    assertEquals(Check.Status.OK, mirrored.status(), notOk(mirrored));
    assertEquals(3, mirrored.apiCalls(), "the mirror's counts replace the org's");
    assertTrue(
        mirrored.check("api-headroom").found().contains("from the mirror"),
        mirrored.check("api-headroom").toString());
  }

  @Test
  void territoryManagementOffIsNamedWithTheSetupStep() {
    redThenGreen(
        o -> o.access().territoryManagement(false),
        () -> org.access().territoryManagement(true),
        "territory-management",
        Check.Status.FAILING,
        "no Territory2 object",
        "Enable Enterprise Territory Management");
  }

  @Test
  void noActiveModelFails() {
    String active = org.activeModelId().orElseThrow();
    redThenGreen(
        o -> o.updateSystem(active, Map.of("State", "Planning")),
        () -> org.activateModel(active),
        "territory-model",
        Check.Status.FAILING,
        "no Active model",
        "activate a model");
  }

  @Test
  void anObjectTheUserCannotWriteIsNamed() {
    redThenGreen(
        o -> o.access().objectPermission("ObjectTerritory2Association", "read"),
        () -> org.access().objectPermission("ObjectTerritory2Association", "create,edit,delete"),
        "object-access",
        Check.Status.FAILING,
        "create ObjectTerritory2Association",
        "delete ObjectTerritory2Association",
        "Manage Territories");
    redThenGreen(
        o -> o.access().objectPermission("Opportunity", "read"),
        () -> org.access().objectPermission("Opportunity", "create,edit,delete"),
        "object-access",
        Check.Status.FAILING,
        "edit Opportunity");
  }

  @Test
  void aHiddenRequiredFieldFailsAndAHiddenOptionalOneWarnsBothNamed() {
    redThenGreen(
        o -> o.access().hideField("Account.BillingPostalCode"),
        () -> org.access().clear(),
        "field-access",
        Check.Status.FAILING,
        "required: Account.BillingPostalCode for the mirror");
    redThenGreen(
        o -> o.access().readOnlyField("Opportunity.Territory2Id"),
        () -> org.access().clear(),
        "field-access",
        Check.Status.FAILING,
        "Opportunity.Territory2Id (edit) for the write-back");
    redThenGreen(
        o -> o.access().hideField("User.Department"),
        () -> org.access().clear(),
        "field-access",
        Check.Status.WARNING,
        "optional, not readable: User.Department");
  }

  @Test
  void aHiddenFieldTheRulesReadIsRequired() {
    String rulesField =
        preflight.fieldNeeds(null).stream().noneMatch(n -> n.why().equals("rules"))
            ? null
            : preflight.fieldNeeds(null).stream()
                .filter(n -> n.why().equals("rules"))
                .findFirst()
                .orElseThrow()
                .field();
    assertTrue(rulesField != null, "the demo rules read a custom field");
    redThenGreen(
        o -> o.access().hideField("Account." + rulesField),
        () -> org.access().clear(),
        "field-access",
        Check.Status.FAILING,
        "Account." + rulesField + " for the rules");
  }

  @Test
  void developerNameHiddenWithoutViewSetupFails() {
    redThenGreen(
        o -> o.access().hideField("Territory2.DeveloperName"),
        () -> org.access().clear(),
        "developer-name",
        Check.Status.FAILING,
        "Territory2.DeveloperName",
        "View Setup and Configuration");
  }

  @Test
  void theRollupObjectNotDeployedGivesTheDeployCommand() {
    redThenGreen(
        o -> o.access().hideObject("Territory_Performance__c"),
        () -> org.access().clear(),
        "rollup-object",
        Check.Status.FAILING,
        "sf project deploy start --source-dir force-app");
    redThenGreen(
        o -> o.access().hideField("Territory_Performance__c.Win_Rate__c"),
        () -> org.access().clear(),
        "rollup-object",
        Check.Status.FAILING,
        "Win_Rate__c");
  }

  @Test
  void theUnassignedPermissionSetWarnsWithTheAssignCommand() {
    String territorySync =
        org.ids("PermissionSetAssignment").stream()
            .filter(
                id ->
                    "Territory_Sync"
                        .equals(
                            org.get((String) org.get(id).orElseThrow().get("PermissionSetId"))
                                .orElseThrow()
                                .get("Name")))
            .findFirst()
            .orElseThrow();
    Map<String, Object> fields = org.get(territorySync).orElseThrow();
    redThenGreen(
        o -> o.delete(List.of(territorySync), false, () -> false),
        () ->
            org.insertSystem(
                "PermissionSetAssignment",
                Map.of(
                    "AssigneeId", fields.get("AssigneeId"),
                    "PermissionSetId", fields.get("PermissionSetId"))),
        "permission-set",
        Check.Status.WARNING,
        "not assigned",
        "sf org assign permset --name Territory_Sync");
  }

  @Test
  void bulkApiOffFails() {
    redThenGreen(
        o -> o.access().bulkApi(false),
        () -> org.access().bulkApi(true),
        "bulk-api",
        Check.Status.FAILING,
        "FUNCTIONALITY_NOT_ENABLED");
  }

  @Test
  void compositeOffFails() {
    redThenGreen(
        o -> o.access().composite(false),
        () -> org.access().composite(true),
        "composite",
        Check.Status.FAILING,
        "FUNCTIONALITY_NOT_ENABLED");
  }

  @Test
  void tooFewApiCallsLeftForAFullRunFails() {
    long max = emulator.emulator().settings().dailyApiRequests();
    redThenGreen(
        o -> emulator.emulator().usage().spend(max - 5_003),
        () -> emulator.emulator().usage().reset(),
        "api-headroom",
        Check.Status.FAILING,
        "left (floor 5000)",
        "a full run costs about");
  }

  @Test
  void salesforcesOpportunityFilterIsDetected() {
    String[] id = new String[1];
    redThenGreen(
        o ->
            id[0] =
                o.insertSystem(
                    "ApexTypeImplementor",
                    Map.of(
                        "ClassName", "OppTerrAssignDefaultLogicFilter",
                        "InterfaceName", "OpportunityTerritory2AssignmentFilter",
                        "InterfaceNamespacePrefix", "TerritoryMgmt",
                        "IsConcrete", true)),
        () -> org.delete(List.of(id[0]), false, () -> false),
        "opportunity-filter",
        Check.Status.WARNING,
        "OppTerrAssignDefaultLogicFilter",
        "Territory Settings");
  }

  @Test
  void aRefusedLoginNamesTheSettingsToCheck() {
    EmulatorSettings settings = emulator.emulator().settings();
    redThenGreen(
        o -> emulator.emulator().settings(settings.withCredentials(settings.clientId(), "rotated")),
        () -> emulator.emulator().settings(settings),
        "login",
        Check.Status.FAILING,
        "CLIENT_CREDENTIALS login failed",
        "client-id and client-secret");
  }

  @Test
  void theApiListsTheChecksForViewers() {
    Api.viewer()
        .get("/api/preflight?fresh=true")
        .then()
        .statusCode(200)
        .body("status", equalTo("ok"))
        .body("exitCode", equalTo(0))
        .body("checks.id", hasItem("field-access"))
        .body(
            "checks.find { it.id == 'webhooks' }.found",
            containsString(
                "https://territory-sync.example.com/webhooks/salesforce/outbound-message"));
    io.restassured.RestAssured.given().get("/api/preflight").then().statusCode(401);
  }

  @Test
  void theHealthDetailsShowAFailingCheck() {
    org.access().hideField("Account.Industry");
    preflight.run();
    io.restassured.RestAssured.given()
        .get("/q/health/well")
        .then()
        .statusCode(503)
        .body(
            "checks.find { it.name == 'preflight' }.data.'field-access'",
            containsString("Account.Industry"));
    org.access().clear();
    preflight.run();
    io.restassured.RestAssured.given().get("/q/health/well").then().statusCode(200);
  }
}
