package io.territorysync;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.territorysync.salesforce.ApiBudget;
import io.territorysync.salesforce.SalesforceApi;
import java.util.List;

/**
 * The code's layers, checked on the compiled classes: triggers and API → run orchestration → stages
 * → mirror, Salesforce gateway, database. A stage never imports the orchestrator or what triggers
 * it; only the Salesforce gateway knows camel-salesforce; no package depends on itself through
 * others.
 */
@AnalyzeClasses(packages = "io.territorysync", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  /** The pipeline's stages and what they build on. */
  private static final String[] STAGES = {
    "io.territorysync.sync..",
    "io.territorysync.rules..",
    "io.territorysync.assignment..",
    "io.territorysync.rollup..",
    "io.territorysync.realign..",
    "io.territorysync.events..",
  };

  private static final String[] BELOW_STAGES = {
    "io.territorysync.mirror..", "io.territorysync.salesforce..", "io.territorysync.database..",
  };

  /** The run orchestrator, and what starts runs or serves people: triggers, API, console, CLI. */
  private static final String[] ORCHESTRATION_AND_ABOVE = {
    "io.territorysync.run..",
    "io.territorysync.trigger..",
    "io.territorysync.webhook..",
    "io.territorysync.api..",
    "io.territorysync.console..",
    "io.territorysync.cli..",
    "io.territorysync.preflight..",
  };

  @ArchTest
  static final ArchRule noPackageCycles =
      slices().matching("io.territorysync.(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule stagesNeverImportTheOrchestratorOrWhatIsAboveIt =
      noClasses()
          .that()
          .resideInAnyPackage(STAGES)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(ORCHESTRATION_AND_ABOVE);

  @ArchTest
  static final ArchRule mirrorGatewayAndDatabaseNeverImportAStage =
      noClasses()
          .that()
          .resideInAnyPackage(BELOW_STAGES)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(concat(STAGES, ORCHESTRATION_AND_ABOVE));

  @ArchTest
  static final ArchRule theOrchestratorNeverImportsWhatStartsIt =
      noClasses()
          .that()
          .resideInAPackage("io.territorysync.run..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.territorysync.trigger..",
              "io.territorysync.webhook..",
              "io.territorysync.api..",
              "io.territorysync.console..",
              "io.territorysync.cli..");

  @ArchTest
  static final ArchRule onlyTheSalesforceGatewayKnowsCamelSalesforce =
      noClasses()
          .that()
          .resideOutsideOfPackage("io.territorysync.salesforce..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.apache.camel.component.salesforce..");

  /** Write-backs say what to write; the gateway knows the URLs and reads the answers. */
  @ArchTest
  static final ArchRule writeBacksLeaveUrlShapesToTheGateway =
      noClasses()
          .that()
          .resideInAnyPackage("io.territorysync.assignment..", "io.territorysync.rollup..")
          .should()
          .callMethod(SalesforceApi.class, "dataPath")
          .orShould()
          .callMethod(
              SalesforceApi.class, "raw", ApiBudget.class, String.class, String.class, String.class)
          .orShould()
          .callMethod(SalesforceApi.class, "composite", ApiBudget.class, List.class);

  private static String[] concat(String[] a, String[] b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
