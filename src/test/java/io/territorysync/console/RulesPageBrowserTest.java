package io.territorysync.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
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
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Rules page in a real browser on a demo org: the editor flags an error at its line as you
 * type, a preview shows what an edit moves (the expected figures come from the mirrored accounts
 * and the edit, not from the preview), publish then roll back, and viewers can neither see nor post
 * the admin actions.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RulesPageBrowserTest {

  static final Path RULES = Path.of("target/test-rules.yaml");

  /** The edit: the healthcare overlay no longer takes biotechnology accounts. */
  static final String HEALTHCARE = "value: [Healthcare, Biotechnology]";

  static final String HEALTHCARE_ONLY = "value: [Healthcare]";

  static Browser browser;
  static String rules;

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;

  @BeforeAll
  static void start() {
    browser = Browser.start();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  @Order(1)
  void theEditorFlagsAnErrorAtItsLineWhileTyping() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(600, 7, 40, 2.0));
    rules = DemoRules.text(demo);
    Files.writeString(RULES, rules);
    TestSql.wipe(dataSource);
    Run run = runs.execute(new RunService.RunRequest("test", false, false, false));
    assertEquals("succeeded", run.status, run.error);
    assertTrue(rules.contains(HEALTHCARE), "the demo rules name both industries:\n" + rules);

    browser.signInWithKey(Api.ADMIN_KEY);
    browser.open("/console/rules");
    browser.waitForText("#check", "valid", 10);
    assertEquals(rules, editorText(), "the editor holds the rules in force");

    // type an unknown operation on a line the test picks: "operation: equals" -> "equalz"
    int at = rules.indexOf("operation: equals") + "operation: equal".length();
    int line = rules.substring(0, at).split("\n", -1).length;
    browser
        .driver()
        .executeScript(
            "const t = document.getElementById('rules-text');"
                + "t.value = t.value.substring(0, arguments[0]) + t.value.substring(arguments[0] + 1);"
                + "t.focus(); t.setSelectionRange(arguments[0], arguments[0]);",
            at);
    browser.find("#rules-text").sendKeys("z");
    browser.waitForText("#check", "line " + line + ",", 10);
    assertTrue(
        browser.find("#check").getText().contains("equalz"), browser.find("#check").getText());
    List<String> flagged =
        browser.driver().findElements(By.cssSelector(".gutter .ln.error")).stream()
            .map(e -> e.getAttribute("data-line"))
            .toList();
    assertEquals(List.of(Integer.toString(line)), flagged, "only that line is flagged");
    assertTrue(browser.has(".backdrop .bl.error[data-line='" + line + "']"), "line highlighted");
    // its link puts the caret on the line (and scrolls the editor there)
    browser.find("#check button.goto").click();
    assertEquals(
        (long) line,
        browser
            .driver()
            .executeScript(
                "const t = document.getElementById('rules-text');"
                    + "return t.value.substring(0, t.selectionStart).split('\\n').length;"));
    browser.screenshot("rules");

    // fixing it clears the error
    browser
        .driver()
        .executeScript(
            "document.getElementById('rules-text').setSelectionRange(arguments[0], arguments[0])",
            at + 1);
    browser.find("#rules-text").sendKeys("\b" + "s");
    browser.waitForText("#check", "valid", 10);
    assertFalse(browser.has(".gutter .ln.error"));
  }

  @Test
  @Order(2)
  void aPreviewShowsTheAccountsThatTheEditMoves() throws Exception {
    // expected from the mirror: every biotechnology account leaves the overlay, none joins it
    long biotech =
        TestSql.count(
            dataSource,
            "SELECT count(*) FROM sf_account WHERE lower(trim(industry)) = 'biotechnology'");
    long overlay =
        TestSql.count(
            dataSource,
            "SELECT count(*) FROM sf_account"
                + " WHERE lower(trim(industry)) IN ('healthcare', 'biotechnology')");
    assertTrue(biotech > 0, "the demo org has biotechnology accounts");

    browser.open("/console/rules");
    browser.waitForText("#check", "valid", 10);
    setEditor(rules.replace(HEALTHCARE, HEALTHCARE_ONLY));
    browser.waitForText("#check", "valid", 10);
    browser.find("#preview-button").click();
    browser.waitForText("#preview", "Moving in", 60);

    WebElement row = browser.find("#preview-territories tr[data-territory='Healthcare_Overlay']");
    List<String> cells =
        row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
    assertEquals(fmt(overlay), cells.get(1), "accounts before: " + cells);
    assertEquals("0", cells.get(2), "none moves in: " + cells);
    assertEquals("−" + fmt(biotech), cells.get(3), "moving out: " + cells);
    assertEquals(fmt(overlay - biotech), cells.get(4), "accounts after: " + cells);
    assertEquals(fmt(biotech), browser.find("#preview-changed").getText());
    assertEquals("1", browser.find("#preview-chart").getAttribute("data-drawn"));
    assertEquals(0, TestSql.count(dataSource, "SELECT count(*) FROM rules_publication"));
    browser.driver().executeScript("document.getElementById('preview').scrollIntoView()");
    browser.screenshot("rules-preview");
  }

  @Test
  @Order(3)
  void publishPutsTheEditInForceAndRollBackRestoresTheFormerVersion() throws Exception {
    long original = Api.viewer().get("/api/rules").jsonPath().getLong("version");
    browser.open("/console/rules");
    browser.waitForText("#check", "valid", 10);
    setEditor(rules.replace(HEALTHCARE, HEALTHCARE_ONLY));
    browser.waitForText("#check", "valid", 10);
    browser.find("#publish-note").sendKeys("biotech leaves the overlay");
    browser.find("#publish-button").click();
    browser.driver().switchTo().alert().accept();
    browser.waitForText("#rules-notice", "Published", 10);

    JsonPath now = Api.viewer().get("/api/rules").jsonPath();
    long published = now.getLong("version");
    assertNotEquals(original, published);
    assertEquals(HEALTHCARE_ONLY, inForceLine(published));
    assertEquals(rules.replace(HEALTHCARE, HEALTHCARE_ONLY), editorText());
    assertTrue(
        browser
            .find("#versions tr[data-version='" + published + "']")
            .getText()
            .contains("biotech leaves the overlay"),
        "who/when/note in the history");

    browser.find("#versions tr[data-version='" + original + "'] button.rollback").click();
    browser.driver().switchTo().alert().accept();
    browser.waitForText("#rules-notice", "Rolled back", 10);
    assertEquals(original, Api.viewer().get("/api/rules").jsonPath().getLong("version"));
    assertEquals(HEALTHCARE, inForceLine(original));
    assertEquals(rules, editorText(), "the editor shows the rules in force again");
    assertEquals(
        Long.toString(original),
        browser.find("#versions tr.in-force").getAttribute("data-version"));
  }

  @Test
  @Order(4)
  void aViewerSeesNoAdminButtonsAndIsRefusedTheAdminPosts() {
    browser.signInWithKey(Api.VIEWER_KEY);
    browser.open("/console/rules");
    browser.waitForText("#check", "valid", 10);
    for (String admin :
        List.of("#preview-button", "#publish-button", "button.rollback", "#follow-source")) {
      assertFalse(browser.has(admin), admin + " shown to a viewer");
    }
    ConsoleSession viewer = ConsoleSession.signIn(Api.VIEWER_KEY);
    for (String path :
        List.of(
            "/console/rules/publish",
            "/console/rules/preview",
            "/console/rules/follow-source",
            "/console/rules/versions/1/rollback")) {
      viewer
          .request()
          .formParam("csrf-token", viewer.csrf())
          .formParam("rules", rules)
          .post(path)
          .then()
          .statusCode(403);
    }
    viewer
        .request()
        .formParam("csrf-token", viewer.csrf())
        .formParam("rules", rules)
        .post("/console/rules/validate")
        .then()
        .statusCode(200);
  }

  @Test
  @Order(5)
  void aPublishFormWithoutItsCsrfTokenIsRefused() throws Exception {
    long before = TestSql.count(dataSource, "SELECT count(*) FROM rules_publication");
    ConsoleSession admin = ConsoleSession.signIn(Api.ADMIN_KEY);
    String edited = rules.replace(HEALTHCARE, HEALTHCARE_ONLY);
    admin
        .request()
        .formParam("rules", edited)
        .post("/console/rules/publish")
        .then()
        .statusCode(403);
    admin
        .request()
        .formParam("csrf-token", "forged")
        .formParam("rules", edited)
        .post("/console/rules/publish")
        .then()
        .statusCode(403);
    assertEquals(before, TestSql.count(dataSource, "SELECT count(*) FROM rules_publication"));
    // the same form with its token goes through
    admin
        .request()
        .formParam("csrf-token", admin.csrf())
        .formParam("rules", edited)
        .post("/console/rules/publish")
        .then()
        .statusCode(303);
    assertEquals(before + 1, TestSql.count(dataSource, "SELECT count(*) FROM rules_publication"));
  }

  /** The healthcare overlay's industry list in a stored version's text. */
  private static String inForceLine(long version) {
    String text =
        Api.viewer().get("/api/rules/versions/" + version).jsonPath().getString("content");
    return text.contains(HEALTHCARE)
        ? HEALTHCARE
        : text.contains(HEALTHCARE_ONLY) ? HEALTHCARE_ONLY : "?";
  }

  private static String editorText() {
    return (String)
        browser.driver().executeScript("return document.getElementById('rules-text').value");
  }

  /** Replaces the editor's text and lets it know, as typing would. */
  private static void setEditor(String text) {
    browser
        .driver()
        .executeScript(
            "const t = document.getElementById('rules-text'); t.value = arguments[0];"
                + "t.dispatchEvent(new Event('input', {bubbles: true}));",
            text);
    new WebDriverWait(browser.driver(), Duration.ofSeconds(30))
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> !browser.find("#check").getText().contains("Checking"));
  }

  private static String fmt(long n) {
    return String.format(java.util.Locale.US, "%,d", n);
  }
}
