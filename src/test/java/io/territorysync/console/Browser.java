package io.territorysync.console;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) driven through
 * Selenium at 1280×800, pointed at the Quarkus test app. Screenshots go to {@code docs/console/}.
 * Without Chromium the browser tests are skipped, except in CI ({@code CI=true}) where they fail.
 */
public final class Browser implements AutoCloseable {

  /** Where page screenshots are written (committed, shown in the README and docs/console.md). */
  public static final Path SCREENSHOTS = Path.of("docs", "console");

  static final String CHROMIUM = env("TERRITORY_TEST_CHROMIUM", "/usr/bin/chromium");
  static final String CHROMEDRIVER = env("TERRITORY_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");

  private final ChromeDriver driver;
  private final String base;

  private Browser(ChromeDriver driver, String base) {
    this.driver = driver;
    this.base = base;
  }

  /** Starts Chromium, or skips the calling test when it is not installed (outside CI). */
  public static Browser start() {
    boolean installed = new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute();
    if (!installed && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException(
          "Chromium is not installed at "
              + CHROMIUM
              + " / "
              + CHROMEDRIVER
              + ": apt-get install chromium chromium-driver (.ci/run does)");
    }
    Assumptions.assumeTrue(
        installed, "Chromium and chromedriver not installed: console browser tests skipped");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--window-size=1280,800");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    // the viewport itself is 1280x800 (a window of that size has less room for the page)
    driver.executeCdpCommand(
        "Emulation.setDeviceMetricsOverride",
        java.util.Map.of("width", 1280, "height", 800, "deviceScaleFactor", 1, "mobile", false));
    int port =
        ConfigProvider.getConfig()
            .getOptionalValue("quarkus.http.test-port", Integer.class)
            .orElse(8081);
    return new Browser(driver, "http://localhost:" + port);
  }

  /** The driver, for anything the helpers here do not cover. */
  public ChromeDriver driver() {
    return driver;
  }

  /** Opens a path of the app. */
  public Browser open(String path) {
    driver.get(base + path);
    return this;
  }

  /** The path (and query) of the page shown now. */
  public String path() {
    String url = driver.getCurrentUrl();
    return url.startsWith(base) ? url.substring(base.length()) : url;
  }

  /** The first element matching {@code css}, waiting for it up to 10 s. */
  public WebElement find(String css) {
    return new WebDriverWait(driver, Duration.ofSeconds(30))
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
  }

  /** Waits up to {@code seconds} until the element matching {@code css} shows {@code text}. */
  public void waitForText(String css, String text, int seconds) {
    new WebDriverWait(driver, Duration.ofSeconds(seconds))
        .until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
  }

  /** The visible text of the whole page. */
  public String text() {
    return driver.findElement(By.tagName("body")).getText();
  }

  /** Whether any element matches {@code css}. */
  public boolean has(String css) {
    return !driver.findElements(By.cssSelector(css)).isEmpty();
  }

  /** Signs in on the sign-in page with an API key and waits for the console to show. */
  public Browser signInWithKey(String key) {
    open("/console/sign-in");
    driver.manage().deleteAllCookies();
    open("/console/sign-in");
    find("#key").sendKeys(key);
    find("form[action='/console/sign-in'] button[type=submit]").click();
    find("header nav");
    return this;
  }

  /** Saves what the browser shows (1280×800) as {@code docs/console/<name>.png}. */
  public Path screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path target = SCREENSHOTS.resolve(name + ".png");
      Files.copy(
          driver.getScreenshotAs(OutputType.FILE).toPath(),
          target,
          StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    driver.quit();
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
