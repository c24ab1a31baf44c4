package io.territorysync.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Realignment page in a real browser on a demo org: an admin plans one parent's children,
 * watches the progress, sees before/after balance with the tolerance band and the moves (in a table
 * and as marks on the map, one per move), previews the proposal as rules and publishes it; a viewer
 * gets no plan form and a 403 on the admin POSTs.
 */
@QuarkusTest
class RealignmentPageBrowserTest {

  static final Path RULES = Path.of("target/test-rules.yaml");
  static final String SCOPE = "NA_US_West_SMB";

  static Browser browser;

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
  void anAdminPlansTheDemoOrgSeesBeforeAndAfterAndPublishesThroughTheRules() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(3000, 5, 110, 1.0));
    Files.writeString(RULES, DemoRules.text(demo));
    TestSql.wipe(dataSource);
    Run run = runs.execute(new RunService.RunRequest("test", false, false, false));
    assertEquals("succeeded", run.status, run.error);
    long rulesBefore = Api.viewer().get("/api/rules").jsonPath().getLong("version");

    browser.signInWithKey(Api.ADMIN_KEY);
    browser.open("/console/realignment");
    long callsBefore = emulator.emulator().usage().calls();
    assertTrue(
        browser.find("header nav a[aria-current=page]").getText().equals("Realignment"),
        "in the navigation");
    if (!browser.has("details.plan-form[open]")) {
      browser.find("details.plan-form summary").click();
    }
    WebElement scope = browser.find("#r-scope");
    scope.clear();
    scope.sendKeys(SCOPE);
    new Select(browser.find("#r-measure")).selectByValue("accounts");
    WebElement tolerance = browser.find("#r-tolerance");
    tolerance.clear();
    tolerance.sendKeys("10");
    WebElement max = browser.find("#r-max");
    max.clear();
    max.sendKeys("100");
    browser.find("#plan-button").click();

    browser.find("#plan-status");
    assertTrue(browser.path().startsWith("/console/realignment?id="), browser.path());
    long id = Long.parseLong(browser.path().substring("/console/realignment?id=".length()));
    browser.driver().executeScript("window.sameDocument = true;");
    browser.waitForText("#plan-status", "done", 120);
    assertEquals(
        Boolean.TRUE,
        browser.driver().executeScript("return window.sameDocument === true;"),
        "the plan's progress came in without reloading the page");
    assertEquals(callsBefore, emulator.emulator().usage().calls(), "planning calls no API");

    // the figures on screen are the plan's report
    JsonPath report = Api.viewer().get("/api/realignment/" + id).jsonPath();
    assertEquals("done", report.getString("status"));
    String within =
        report.getLong("report.withinTolerance.before")
            + " → "
            + report.getLong("report.withinTolerance.after");
    assertEquals(within, browser.find("#within-figure").getText());
    assertEquals(
        String.format(
            java.util.Locale.US, "%,d", report.getLong("report.disruption.accountsMoved")),
        browser.find("#moved-figure").getText());
    List<String> moved = report.getList("report.moves.unit");
    assertFalse(moved.isEmpty(), "the demo org's West SMB districts are out of balance");
    List<String> listed =
        browser
            .driver()
            .findElements(By.cssSelector("#moves tbody tr td:first-child .unit"))
            .stream()
            .map(WebElement::getText)
            .toList();
    assertEquals(moved, listed);
    // before/after bars with the band: drawn, and the scope's group is among them
    List<WebElement> charts = browser.driver().findElements(By.cssSelector("canvas.balance-chart"));
    assertFalse(charts.isEmpty());
    assertTrue(charts.stream().allMatch(c -> "1".equals(c.getAttribute("data-drawn"))));
    assertTrue(browser.text().contains(SCOPE), "the scope's group is charted");
    browser.driver().executeScript("window.scrollTo(0, 0)");
    browser.screenshot("realignment");

    // the moved units on the map: one mark per move, at its centroid, from → to as in the report
    List<Map<String, Object>> moves = report.getList("report.moves");
    assertTrue(moves.stream().allMatch(m -> m.get("lat") != null), "demo accounts are located");
    new WebDriverWait(browser.driver(), Duration.ofSeconds(30))
        .until(d -> browser.has("#moves-map[data-marks][data-outlines-drawn]"));
    List<WebElement> marks =
        browser.driver().findElements(By.cssSelector("#moves-map .leaflet-marker-icon.move-mark"));
    assertEquals(moves.size(), marks.size(), "one mark per move");
    assertEquals(
        moves.stream()
            .map(m -> m.get("unit") + ": " + m.get("from") + " → " + m.get("to"))
            .toList(),
        marks.stream()
            .map(
                e ->
                    e.getAttribute("data-unit")
                        + ": "
                        + e.getAttribute("data-from")
                        + " → "
                        + e.getAttribute("data-to"))
            .toList());
    for (int i = 0; i < marks.size(); i++) {
      // the mark's two colours are the territories' own (Palette), old then new
      List<String> colours =
          marks.get(i).findElements(By.cssSelector(".swatch")).stream()
              .map(e -> e.getAttribute("class"))
              .toList();
      assertEquals(
          List.of(
              "swatch territory-"
                  + ConsoleFormat.territoryIndex((String) moves.get(i).get("fromId")),
              "swatch territory-"
                  + ConsoleFormat.territoryIndex((String) moves.get(i).get("toId"))),
          colours);
    }
    browser
        .driver()
        .executeScript(
            "document.getElementById('moves-map-h').scrollIntoView({block: 'start'});"
                + " window.scrollBy(0, -70)");
    browser.screenshot("realignment-map");
    // a mark's popup: unit, from, to, accounts
    browser.driver().executeScript("arguments[0].scrollIntoView({block: 'center'})", marks.get(0));
    browser.driver().executeScript("arguments[0].click()", marks.get(0));
    WebElement popup = browser.find(".leaflet-popup .move-popup");
    assertEquals(moves.get(0).get("unit"), popup.getAttribute("data-unit"));
    assertEquals(
        moves.get(0).get("from"), popup.findElement(By.cssSelector(".move-from")).getText());
    assertEquals(moves.get(0).get("to"), popup.findElement(By.cssSelector(".move-to")).getText());
    assertTrue(
        popup
            .getText()
            .contains(
                String.format(java.util.Locale.US, "%,d account", moves.get(0).get("accounts"))),
        popup.getText());

    // preview as rules: the accounts that move, nothing written
    browser.find("#preview-proposal").click();
    browser.waitForText("#preview", "Moving in", 60);
    assertTrue(browser.has("#preview-territories tbody tr"));
    assertEquals(rulesBefore, Api.viewer().get("/api/rules").jsonPath().getLong("version"));

    // publish: the proposal is the rules in force, and the Rules page shows it
    browser.find("#publish-plan").click();
    browser.driver().switchTo().alert().accept();
    browser.waitForText("#rules-notice", "Published", 10);
    JsonPath now = Api.viewer().get("/api/rules").jsonPath();
    assertTrue(now.getLong("version") > rulesBefore);
    assertEquals("realignment proposal " + id, now.getString("publication.note"));
    String proposal = Api.viewer().get("/api/realignment/" + id + "/rules").asString();
    assertEquals(
        proposal,
        browser.driver().executeScript("return document.getElementById('rules-text').value"));

    // a viewer sees the plan but no form, and the admin POSTs are refused
    browser.signInWithKey(Api.VIEWER_KEY);
    browser.open("/console/realignment?id=" + id);
    browser.find("#plan-status");
    for (String admin : List.of("#plan-button", "#preview-proposal", "#publish-plan")) {
      assertFalse(browser.has(admin), admin + " shown to a viewer");
    }
    ConsoleSession viewer = ConsoleSession.signIn(Api.VIEWER_KEY);
    for (String path :
        List.of(
            "/console/realignment",
            "/console/realignment/" + id + "/preview",
            "/console/realignment/" + id + "/publish")) {
      viewer.request().formParam("csrf-token", viewer.csrf()).post(path).then().statusCode(403);
    }
  }
}
