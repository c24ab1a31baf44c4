package io.territorysync.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.Api;
import io.territorysync.emulator.OrgEmulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Signing in to the console with an API key, in a real browser. */
@QuarkusTest
class SignInBrowserTest {

  static Browser browser;

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
  void signInWithSalesforceGivesTheRoleOfTheUsersPermissionSetAndRefusesOthers() {
    signInWithSalesforce(OrgEmulator.CONSOLE_ADMIN);
    browser.find("header nav");
    assertEquals("/console/", browser.path());
    assertEquals("admin", browser.find(".role").getText().toLowerCase());
    assertEquals("Avery Admin", browser.find(".who-name").getText());
    assertTrue(browser.has("#run-now"), "an admin may start runs");

    signInWithSalesforce(OrgEmulator.CONSOLE_VIEWER);
    browser.find("header nav");
    assertEquals("viewer", browser.find(".role").getText().toLowerCase());
    assertFalse(browser.has("#run-now"), "a viewer may not");

    signInWithSalesforce(OrgEmulator.SALES_REP);
    assertTrue(browser.find("[role=alert]").getText().contains("permission sets"), browser.text());
    browser.open("/console/");
    assertTrue(
        browser.path().startsWith("/console/sign-in"), "no session for a user without a role");
  }

  private static void signInWithSalesforce(String username) {
    browser.driver().manage().deleteAllCookies();
    browser.open("/console/sign-in");
    browser.screenshot("sign-in");
    browser
        .driver()
        .findElement(org.openqa.selenium.By.linkText("Sign in with Salesforce"))
        .click();
    // the emulated org's own sign-in page
    browser.find("#username").sendKeys(username);
    browser.find("#allow").click();
  }

  @Test
  void anUnknownKeyIsRefusedAndAViewerKeyOpensTheConsoleWhereTheyWereGoing() {
    browser.driver().manage().deleteAllCookies();
    browser.open("/console/runs");
    assertEquals("/console/sign-in?next=%2Fconsole%2Fruns", browser.path());
    browser.find("#key").sendKeys("not-a-key");
    browser.find("form[action='/console/sign-in'] button[type=submit]").click();
    assertTrue(browser.find("[role=alert]").getText().contains("not valid"), browser.text());
    browser.find("#key").sendKeys(Api.VIEWER_KEY);
    browser.find("form[action='/console/sign-in'] button[type=submit]").click();
    browser.find("header nav");
    assertEquals("/console/runs", browser.path());
    assertTrue(browser.find(".role").getText().equalsIgnoreCase("viewer"));
    assertFalse(browser.text().contains(Api.VIEWER_KEY), "the key is never shown");
    browser.find(".who button").click();
    browser.find("#key");
    assertTrue(browser.text().contains("You are signed out"));
    browser.open("/console/");
    assertTrue(browser.path().startsWith("/console/sign-in"), browser.path());
  }
}
