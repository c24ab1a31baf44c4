package io.territorysync.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.Api;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The console's pages in a real browser on a demo org: a run started from the console goes to
 * success on screen without a reload, then every page shows its data; a viewer sees no admin
 * button. Screenshots of each page go to docs/console/.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsolePagesBrowserTest {

  static Browser browser;
  static long runId;

  @Inject InProcessEmulator emulator;
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
  void aRunStartedFromTheConsoleProgressesToSuccessOnScreen() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(400, 11, 40, 2.0));
    Files.writeString(Path.of("target/test-rules.yaml"), DemoRules.text(demo));
    TestSql.wipe(dataSource);
    browser.signInWithKey(Api.ADMIN_KEY);
    browser.open("/console/");
    WebElement dryRun = browser.find("form.run-now input[name=dryRun]");
    if (dryRun.isSelected()) {
      dryRun.click();
    }
    browser.find("#run-now").click();
    browser.find("#run-live");
    assertTrue(browser.path().matches("/console/runs/\\d+"), browser.path());
    runId = Long.parseLong(browser.path().substring("/console/runs/".length()));
    browser.driver().executeScript("window.sameDocument = true;");
    browser.waitForText("#run-status", "succeeded", 120);
    assertEquals(
        Boolean.TRUE,
        browser.driver().executeScript("return window.sameDocument === true;"),
        "progress came in without reloading the page");
    browser.find("#stage-chart");
    assertTrue(browser.find("#run-live").getText().contains("added"), browser.text());
    // the chart was drawn (Chart.js sizes the canvas it draws on)
    Object drawn =
        browser
            .driver()
            .executeScript("return document.getElementById('stage-chart').dataset.drawn");
    assertEquals("1", drawn);
    // the changes: all, then only opportunities through the htmx filter
    browser.find("#changes tbody tr");
    browser.driver().findElement(By.id("c-kind")).sendKeys("opportunity");
    browser.find("section[aria-labelledby=changes-h] button[type=submit]").click();
    browser.waitForText("#changes tbody", "opportunity", 10);
    List<WebElement> kinds =
        browser.driver().findElements(By.cssSelector("#changes tbody tr td:first-child"));
    assertTrue(kinds.stream().allMatch(k -> k.getText().equals("opportunity")));
    browser.driver().executeScript("window.scrollTo(0, 0)");
    browser.screenshot("run");
  }

  @Test
  @Order(2)
  void theOverviewAndRunListShowTheOrgAndTheRun() {
    browser.open("/console/");
    String text = browser.text();
    assertTrue(text.contains("connected"), text);
    assertTrue(text.contains("Run " + runId), text);
    assertTrue(browser.has("ul.checklist li"), "a readiness checklist");
    assertTrue(text.contains("API calls today"));
    browser.screenshot("overview");
    browser.open("/console/runs");
    assertTrue(browser.find("table").getText().contains(Long.toString(runId)));
    assertTrue(browser.text().contains("succeeded"));
    browser.screenshot("runs");
  }

  @Test
  @Order(3)
  void anAccountIsFoundByNameAndExplained() throws Exception {
    String name =
        TestSql.strings(
                dataSource,
                "SELECT a.name FROM sf_account a JOIN sf_object_territory2_association o"
                    + " ON o.object_id = a.id ORDER BY a.id LIMIT 1")
            .get(0);
    browser.open("/console/accounts");
    browser.find("#q").sendKeys(name.substring(0, Math.min(6, name.length())));
    browser.find("form[role=search] button").click();
    browser.driver().findElement(By.linkText(name)).click();
    browser.find("#why-h");
    String text = browser.text();
    assertTrue(text.contains("assigned"), text);
    assertTrue(text.contains("Account's value"), text);
    assertTrue(text.contains("History"), text);
    browser.screenshot("account");
  }

  @Test
  @Order(4)
  void deadWebhookEventsAreListedAndRetriedByAnAdmin() throws Exception {
    String account = TestSql.strings(dataSource, "SELECT id FROM sf_account LIMIT 1").get(0);
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO webhook_event (source, dedupe_key, account_id, status, attempts, error)"
              + " VALUES ('signed-json', 'console-test-dead', '"
              + account
              + "', 'dead', 8, 'INVALID_CROSS_REFERENCE_KEY: territory deleted')");
    }
    browser.open("/console/webhooks?status=dead");
    assertTrue(browser.text().contains("INVALID_CROSS_REFERENCE_KEY"));
    browser.screenshot("webhooks");
    browser.find("button.retry-one").click();
    browser.find("p.notice");
    assertTrue(browser.text().contains("1 dead event(s) queued again"), browser.text());
    assertEquals(
        0, TestSql.count(dataSource, "SELECT count(*) FROM webhook_event WHERE status = 'dead'"));
  }

  @Test
  @Order(5)
  void aViewerSeesEveryPageButNoAdminButton() throws Exception {
    // the retried event is processed first, so it cannot overwrite the status set here
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(60))
        .until(
            () ->
                TestSql.count(
                        dataSource, "SELECT count(*) FROM webhook_event WHERE status = 'pending'")
                    == 0);
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "UPDATE webhook_event SET status = 'dead', error = 'INVALID_CROSS_REFERENCE_KEY: again'"
              + " WHERE dedupe_key = 'console-test-dead'");
    }
    browser.signInWithKey(Api.VIEWER_KEY);
    browser.open("/console/");
    assertFalse(browser.has("#run-now"), "no Run now for a viewer");
    browser.open("/console/runs");
    assertFalse(browser.has("form.run-now"));
    browser.open("/console/webhooks?status=dead");
    assertTrue(browser.text().contains("INVALID_CROSS_REFERENCE_KEY"));
    assertFalse(browser.has("button.retry-one") || browser.has("#retry-all"));
    browser.open("/console/runs/" + runId);
    browser.find("#stage-chart");
  }
}
