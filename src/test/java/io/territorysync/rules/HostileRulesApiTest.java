package io.territorysync.rules;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.territorysync.Api;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Hostile rules files through the admin API: each is refused with its message and position, the
 * rules in force stay, and the service answers normally afterwards. And validate and run agree on
 * every example rules file of the repository and the docs.
 */
@QuarkusTest
class HostileRulesApiTest {

  static final Path RULES = Path.of("target/test-rules.yaml");

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject RulesService rules;
  @Inject AgroalDataSource dataSource;

  private String demo() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(200, 5, 30, 2.0));
    String text = DemoRules.text(demo);
    Files.writeString(RULES, text);
    TestSql.wipe(dataSource);
    Run run = runs.execute(new RunService.RunRequest("test", false, false, false));
    assertEquals("succeeded", run.status, run.error);
    return text;
  }

  @Test
  void everyHostileFileIsRefusedAndTheRulesInForceStay() throws Exception {
    demo();
    int version = Api.viewer().get("/api/rules").then().statusCode(200).extract().path("version");
    int refused = 0;
    for (HostileRules.Case hostile : HostileRules.all()) {
      ExtractableResponse<Response> checked =
          Api.viewer()
              .contentType("application/yaml; charset=UTF-8")
              .body(hostile.bytes())
              .post("/api/rules/validate")
              .then()
              .statusCode(200)
              .body("valid", equalTo(false))
              .extract();
      List<String> messages = checked.path("problems.message");
      assertTrue(
          messages.stream().anyMatch(m -> m.contains(hostile.says())),
          hostile.name() + ": " + messages);
      if (hostile.line() > 0) {
        List<String> positions = checked.path("problems.position");
        assertTrue(
            positions.stream().anyMatch(p -> p.startsWith(hostile.line() + ":")),
            hostile.name() + ": " + positions);
      }
      Api.admin()
          .contentType("application/yaml; charset=UTF-8")
          .body(hostile.bytes())
          .post("/api/rules/publish")
          .then()
          .statusCode(422)
          .body("changed", equalTo(false))
          .body("versionInForce", equalTo(version));
      refused++;
    }
    assertEquals(HostileRules.all().size(), refused);
    Api.viewer().get("/api/rules").then().statusCode(200).body("version", equalTo(version));
    Run after = runs.execute(new RunService.RunRequest("test", false, false, false));
    assertEquals("succeeded", after.status, after.error);
  }

  @Test
  void aRulesFileOverTheSizeLimitIsRefusedBeforeItIsRead() {
    byte[] huge = new byte[RulesReader.MAX_BYTES + 1];
    java.util.Arrays.fill(huge, (byte) '#');
    Api.viewer()
        .contentType("application/yaml; charset=UTF-8")
        .body(huge)
        .post("/api/rules/validate")
        .then()
        .statusCode(413)
        .body("error", containsString("larger than this endpoint accepts"));
    Api.admin()
        .contentType("application/yaml; charset=UTF-8")
        .body(huge)
        .post("/api/rules/preview")
        .then()
        .statusCode(413);
  }

  /** The rules files a user finds in the repository and the docs. */
  static Map<String, String> examples() throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    out.put(
        "src/main/resources/rules/demo-territory-rules.yaml",
        Files.readString(Path.of("src/main/resources/rules/demo-territory-rules.yaml")));
    for (Path doc : List.of(Path.of("docs/rules.md"), Path.of("README.md"))) {
      Matcher m =
          Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(doc));
      int n = 0;
      while (m.find()) {
        if (m.group(1).contains("territories:")) {
          out.put(doc + " example " + ++n, m.group(1));
        }
      }
    }
    return out;
  }

  @Test
  void validateAndRunAgreeOnEveryExampleRulesFile() throws Exception {
    Map<String, String> examples = examples();
    assertTrue(examples.size() >= 2, examples.keySet().toString());
    List<String> disagreements = new ArrayList<>();
    for (Map.Entry<String, String> example : examples.entrySet()) {
      // a new user's first command: no mirror yet
      TestSql.wipe(dataSource);
      RulesService.LoadResult fresh = rules.validate(example.getValue(), example.getKey());
      if (!fresh.ok()) {
        disagreements.add(example.getKey() + " without a mirror: " + fresh.messages());
      }
      // then against the mirrored demo org, compared with a run of the same file
      demo();
      Files.writeString(RULES, example.getValue());
      RulesService.LoadResult mirrored = rules.validate(example.getValue(), example.getKey());
      Run run = runs.execute(new RunService.RunRequest("test", false, false, false));
      // an invalid file never replaces the rules in force: the run goes on with the last good ones
      boolean adopted =
          "succeeded".equals(run.status)
              && rules
                  .current()
                  .map(r -> r.checksum().equals(RulesService.checksum(example.getValue())))
                  .orElse(false);
      if (mirrored.ok() != adopted) {
        disagreements.add(
            example.getKey()
                + ": validate says "
                + (mirrored.ok() ? "valid" : mirrored.messages())
                + " but the run "
                + run.status
                + (adopted ? " with these rules " : " without these rules ")
                + run.error);
      }
    }
    assertEquals(List.of(), disagreements);
  }
}
