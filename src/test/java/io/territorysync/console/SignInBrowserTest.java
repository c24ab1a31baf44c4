package io.territorysync.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.Api;
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
  void anUnknownKeyIsRefusedAndAViewerKeyOpensTheConsoleWhereTheyWereGoing() {
    browser.driver().manage().deleteAllCookies();
    browser.open("/console/runs");
    assertEquals("/console/sign-in?next=%2Fconsole%2Fruns", browser.path());
    browser.screenshot("sign-in");
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
