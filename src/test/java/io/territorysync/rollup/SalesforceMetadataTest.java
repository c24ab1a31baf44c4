package io.territorysync.rollup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * The SFDX metadata an admin deploys, the object the emulator knows and the fields the rollups
 * write agree with each other.
 */
class SalesforceMetadataTest {

  static final Path OBJECT =
      Path.of("deploy/salesforce/force-app/main/default/objects/Territory_Performance__c");
  static final Map<String, String> TYPES =
      Map.of(
          "string", "Text",
          "date", "Date",
          "double", "Number",
          "currency", "Currency",
          "percent", "Percent",
          "picklist", "Picklist");

  private static Document xml(Path file) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
  }

  private static String text(Document d, String tag) {
    return d.getElementsByTagName(tag).item(0).getTextContent();
  }

  @Test
  void everyEmulatorFieldIsDeployedWithItsTypeAndEveryWrittenFieldExists() throws Exception {
    JsonNode object =
        new ObjectMapper()
            .readTree(Files.readString(Path.of("src/main/resources/emulator/custom-schema.json")))
            .path("objects")
            .get(0);
    assertEquals("Territory_Performance__c", object.path("name").asText());
    TreeSet<String> emulator = new TreeSet<>();
    for (JsonNode f : object.path("fields")) {
      String name = f.path("name").asText();
      emulator.add(name);
      Document d = xml(OBJECT.resolve("fields").resolve(name + ".field-meta.xml"));
      assertEquals(name, text(d, "fullName"));
      assertEquals(TYPES.get(f.path("type").asText()), text(d, "type"), name);
      assertEquals(
          Boolean.toString(f.path("externalId").asBoolean(false)), text(d, "externalId"), name);
    }
    TreeSet<String> deployed = new TreeSet<>();
    try (Stream<Path> files = Files.list(OBJECT.resolve("fields"))) {
      files.forEach(p -> deployed.add(p.getFileName().toString().replace(".field-meta.xml", "")));
    }
    assertEquals(emulator, deployed, "the same fields in the emulator and in the metadata");
    assertTrue(
        emulator.containsAll(RollupWriter.FIELDS.keySet()), "the writer writes known fields");
    assertTrue(emulator.contains("Key__c"));

    String permissions =
        Files.readString(
            Path.of(
                "deploy/salesforce/force-app/main/default/permissionsets/"
                    + "Territory_Sync.permissionset-meta.xml"));
    String report =
        Files.readString(
            Path.of(
                "deploy/salesforce/force-app/main/default/reportTypes/"
                    + "Territory_Performance.reportType-meta.xml"));
    for (String field : RollupWriter.FIELDS.keySet()) {
      assertTrue(
          permissions.contains("<field>Territory_Performance__c." + field + "</field>"), field);
      assertTrue(report.contains("<field>" + field + "</field>"), field);
    }
  }
}
