package io.territorysync;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.territorysync.salesforce.ApiBudget;
import io.territorysync.salesforce.SalesforceApi;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The code's layers, checked on the compiled classes: triggers and API → run orchestration → stages
 * → mirror, Salesforce gateway, database. A stage never imports the orchestrator or what triggers
 * it; only the Salesforce gateway knows camel-salesforce and Salesforce's REST paths; no package
 * depends on itself through others.
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

  /**
   * Stages, preflight and the rest say what to ask (objects, SOQL, records); the gateway knows the
   * REST paths and the request shapes. Checked on the string literals in the compiled classes, so a
   * constant or a concatenation counts and a comment does not; the emulator serves those paths.
   */
  @ArchTest
  static final ArchRule onlyTheSalesforceGatewayKnowsRestPaths =
      noClasses()
          .that()
          .resideOutsideOfPackages("io.territorysync.salesforce..", "io.territorysync.emulator..")
          .should(containSalesforceRestPathLiterals());

  /**
   * Pieces of Salesforce REST URLs: the API root, OAuth's endpoints, and the resources below the
   * version.
   */
  private static final Pattern REST_PATH =
      Pattern.compile(
          "/services/(data|async|oauth2)\\b"
              + "|^/(query|queryAll|composite|sobjects|jobs/(ingest|query)|limits|tooling)\\b");

  private static ArchCondition<JavaClass> containSalesforceRestPathLiterals() {
    return new ArchCondition<>("contain Salesforce REST path literals") {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        Set<String> paths = new TreeSet<>();
        for (String literal : stringLiterals(c)) {
          // a concatenation's recipe marks each argument with character 1 and each constant with 2
          for (String piece : literal.split("[\\x01\\x02]")) {
            if (REST_PATH.matcher(piece).find()) {
              paths.add(piece);
            }
          }
        }
        for (String path : paths) {
          events.add(
              SimpleConditionEvent.satisfied(
                  c, c.getName() + " contains the Salesforce REST path \"" + path + "\""));
        }
      }
    };
  }

  /** The string constants of a compiled class, read from its constant pool. */
  static List<String> stringLiterals(JavaClass c) {
    String resource = c.getName().replace('.', '/') + ".class";
    try (InputStream stream =
            ArchitectureTest.class.getClassLoader().getResourceAsStream(resource);
        DataInputStream in = new DataInputStream(stream)) {
      in.skipBytes(8); // magic, minor and major version
      int count = in.readUnsignedShort();
      String[] utf8 = new String[count];
      List<Integer> strings = new ArrayList<>();
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> utf8[i] = in.readUTF();
          case 8 -> strings.add(in.readUnsignedShort());
          case 7, 16, 19, 20 -> in.skipBytes(2);
          case 15 -> in.skipBytes(3);
          case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
          case 5, 6 -> {
            in.skipBytes(8);
            i++; // a long or a double takes two entries
          }
          default -> throw new IllegalStateException(resource + ": constant pool tag " + tag);
        }
      }
      return strings.stream().map(i -> utf8[i]).toList();
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
