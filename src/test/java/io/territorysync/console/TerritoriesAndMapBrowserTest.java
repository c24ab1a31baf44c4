package io.territorysync.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.config.JsonPathConfig;
import io.territorysync.Api;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
 * The Territories and Map pages in a real browser on a demo org after a run: the tree shows the
 * figures of {@code GET /api/territories}, branches open on demand, a territory's detail has its
 * figures, sibling charts and users; the map draws the accounts coloured by territory and a filter
 * narrows it. Screenshots go to docs/console/territories.png and map.png.
 */
@QuarkusTest
@TestProfile(TerritoriesAndMapBrowserTest.WithQuotas.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TerritoriesAndMapBrowserTest {

  static final Path QUOTAS = Path.of("target/console-quotas.csv");

  /** The test app with a quotas file, so the pages have quota attainment to show. */
  public static class WithQuotas implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "territory.rollups.quotas-file",
          QUOTAS.toString(),
          // few enough that the whole demo org is counted per cell and one territory is not
          "territory.map.points-below",
          "150");
    }
  }

  static Browser browser;
  static String period;

  @Inject InProcessEmulator emulator;
  @Inject AgroalDataSource dataSource;
  @Inject RunService runs;

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
  void theTreeShowsTheFiguresOfTheTerritoriesApi() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(600, 17, 40, 2.0));
    Files.writeString(Path.of("target/test-rules.yaml"), DemoRules.text(demo));
    Files.writeString(QUOTAS, "territory,period,quota\n");
    TestSql.wipe(dataSource);
    assertEquals("succeeded", run().status);
    writeQuotas();
    assertEquals("succeeded", run().status);

    Map<String, Object> api =
        Api.viewer()
            .get("/api/territories")
            .jsonPath(
                JsonPathConfig.jsonPathConfig()
                    .numberReturnType(JsonPathConfig.NumberReturnType.BIG_DECIMAL))
            .getMap("$");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> all = (List<Map<String, Object>>) api.get("territories");
    browser.signInWithKey(Api.VIEWER_KEY);
    browser.open("/console/territories");
    period = browser.find("#period").getAttribute("value");
    assertTrue(period.matches("FY\\d{4}"), period);
    Map<String, Map<String, Object>> byId = new HashMap<>();
    for (Map<String, Object> t : all) {
      if (period.equals(t.get("period"))) {
        byId.put((String) t.get("territoryId"), t);
      }
    }
    List<WebElement> rows =
        browser.driver().findElements(By.cssSelector("#territory-tree tbody tr"));
    assertTrue(rows.size() > 5, "the tree opens a few levels: " + rows.size());
    Set<String> flagged = new HashSet<>();
    for (WebElement row : rows) {
      Map<String, Object> t = byId.get(row.getAttribute("data-id"));
      assertNotNull(t, "a row of the tree is a territory of the API");
      List<WebElement> cells = row.findElements(By.tagName("td"));
      assertEquals(fmt(t.get("subtreeAccountCount")), cells.get(0).getText(), "accounts");
      // amounts are shortened (1.2 M) with the exact figure in the title
      assertEquals(fmt(t.get("subtreePotential")), cells.get(1).getAttribute("title"), "potential");
      assertEquals(
          fmt(t.get("subtreeOpenPipeline")), cells.get(2).getAttribute("title"), "pipeline");
      assertEquals(fmt(t.get("subtreeClosedWonAmount")), cells.get(3).getAttribute("title"), "won");
      if (t.get("quotaAttainment") != null) {
        assertTrue(cells.get(4).getText().endsWith(" %"), cells.get(4).getText());
      }
      boolean off = isOff(t.get("potentialBalance")) || isOff(t.get("workloadBalance"));
      assertEquals(off, row.getAttribute("class").contains("out-of-balance"), t.toString());
      if (off) {
        flagged.add((String) t.get("territoryId"));
      }
    }
    assertFalse(flagged.isEmpty(), "the demo org has territories out of balance");

    // a leaf with siblings, out of balance: its detail has its own and subtree figures, the
    // sibling charts with the band, and its users
    Map<String, Object> leaf =
        byId.values().stream()
            .filter(t -> isOff(t.get("potentialBalance")) || isOff(t.get("workloadBalance")))
            .filter(
                t ->
                    byId.values().stream()
                        .noneMatch(c -> t.get("territoryId").equals(c.get("parentId"))))
            .findFirst()
            .orElseThrow();
    browser.open("/console/territories?period=" + period + "&t=" + leaf.get("territoryId"));
    WebElement kpis = browser.find("#kpis");
    assertEquals(
        List.of(fmt(leaf.get("accountCount")), fmt(leaf.get("subtreeAccountCount"))),
        cells(kpis, "accounts"));
    assertEquals(
        List.of(fmt(leaf.get("potential")), fmt(leaf.get("subtreePotential"))),
        cells(kpis, "potential"));
    assertEquals(
        List.of(fmt(leaf.get("openPipeline")), fmt(leaf.get("subtreeOpenPipeline"))),
        cells(kpis, "pipeline"));
    assertEquals(
        ((Number) leaf.get("assignedUsers")).intValue(),
        browser.driver().findElements(By.cssSelector("#territory-users li")).size(),
        "the users of the territory");
    assertTrue(browser.find("#territory-detail").getText().contains("out of balance"));
    assertEquals("1", browser.find("#potential-chart").getAttribute("data-drawn"));
    assertEquals(
        "selected",
        browser
            .find("#territory-tree tr[data-id='" + leaf.get("territoryId") + "']")
            .getAttribute("class")
            .replaceAll(".*\\b(selected)\\b.*", "$1"));
    // the screenshot: a US area among its sibling areas
    browser.open("/console/territories?period=" + period + "&t=" + territoryId("NA_US_West"));
    browser.find("#potential-chart[data-drawn='1']");
    browser.screenshot("territories");

    // with one level open, a closed branch opens through htmx with its children from the API
    browser.open("/console/territories?period=" + period + "&open=1");
    List<WebElement> closed =
        browser
            .driver()
            .findElements(By.cssSelector("#territory-tree button.toggle[aria-expanded=false]"));
    assertFalse(closed.isEmpty(), "some branch starts closed");
    WebElement toggle = closed.get(0);
    String parent = toggle.findElement(By.xpath("./ancestor::tr")).getAttribute("data-id");
    long children = byId.values().stream().filter(t -> parent.equals(t.get("parentId"))).count();
    browser.driver().executeScript("window.sameDocument = true;");
    toggle.click();
    new WebDriverWait(browser.driver(), Duration.ofSeconds(30))
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(
            d ->
                d.findElements(By.cssSelector("#territory-tree tr[data-parent='" + parent + "']"))
                        .size()
                    == children);
    toggle.click();
    assertTrue(
        browser
            .driver()
            .findElements(By.cssSelector("#territory-tree tr[data-parent='" + parent + "']"))
            .stream()
            .noneMatch(WebElement::isDisplayed),
        "closing hides the branch");
    assertEquals(
        Boolean.TRUE, browser.driver().executeScript("return window.sameDocument === true;"));
  }

  @Test
  @Order(2)
  void theMapCountsAccountsPerCellThenShowsThemColouredByTerritory() throws Exception {
    browser.open("/console/map");
    WebElement map = browser.find("#map");
    int loads = waitForLoad(0);
    long located =
        TestSql.count(
            dataSource, "SELECT count(*) FROM sf_account WHERE billing_latitude IS NOT NULL");
    assertTrue(located > 150, "the demo org's accounts have coordinates: " + located);
    // the whole org: more accounts than points-below, so counted per grid cell
    assertEquals("cells", map.getAttribute("data-mode"));
    assertEquals(located, Long.parseLong(map.getAttribute("data-total")));
    List<WebElement> cells = browser.driver().findElements(By.cssSelector("#map path.cell"));
    assertTrue(cells.size() > 3 && cells.size() < located, "cells: " + cells.size());
    long counted = 0;
    for (WebElement c : cells) {
      counted += Long.parseLong(c.getAttribute("data-count"));
      assertEquals(
          colourOf(c.getAttribute("data-territory")),
          c.getAttribute("fill").toUpperCase(Locale.ROOT));
    }
    assertEquals(located, counted, "every account is in one cell");
    List<WebElement> hulls = browser.driver().findElements(By.cssSelector("#map path.hull"));
    assertFalse(hulls.isEmpty(), "territory hulls are drawn");
    for (WebElement h : hulls) {
      assertEquals(
          colourOf(h.getAttribute("data-territory")),
          h.getAttribute("stroke").toUpperCase(Locale.ROOT));
    }
    assertTrue(
        browser.find("#map-legend").getText().matches("(?s).*\\d.*"), "a legend with counts");
    assertTrue(
        browser.has("#map path.leaflet-interactive") || browser.has("#map svg"), "outlines drawn");

    // filtered to a parent with several children: only its subtree's accounts, one by one,
    // each in the colour of its own territory there
    String parent =
        TestSql.strings(
                dataSource,
                "WITH RECURSIVE closure(ancestor, id) AS (SELECT id, id FROM sf_territory2"
                    + " UNION SELECT c.ancestor, t.id FROM closure c"
                    + " JOIN sf_territory2 t ON t.parent_territory2_id = c.id)"
                    + " SELECT c.ancestor FROM closure c"
                    + " JOIN sf_object_territory2_association o ON o.territory2_id = c.id"
                    + " JOIN sf_account a ON a.id = o.object_id AND a.billing_latitude IS NOT NULL"
                    + " GROUP BY c.ancestor"
                    + " HAVING count(DISTINCT c.id) >= 3 AND count(DISTINCT a.id) <= 150"
                    + " ORDER BY count(DISTINCT a.id) DESC LIMIT 1")
            .get(0);
    Set<String> pairs =
        new HashSet<>(
            TestSql.strings(
                dataSource,
                "WITH RECURSIVE sub AS (SELECT id FROM sf_territory2 WHERE id = '"
                    + parent
                    + "' UNION SELECT t.id FROM sf_territory2 t JOIN sub ON t.parent_territory2_id = sub.id)"
                    + " SELECT o.object_id || ' ' || o.territory2_id FROM sf_object_territory2_association o"
                    + " JOIN sub ON sub.id = o.territory2_id JOIN sf_account a ON a.id = o.object_id"
                    + " WHERE a.billing_latitude IS NOT NULL"));
    long inSubtree = pairs.stream().map(p -> p.split(" ")[0]).distinct().count();
    new org.openqa.selenium.support.ui.Select(browser.find("#map-territory")).selectByValue(parent);
    waitForLoad(loads);
    assertEquals("points", map.getAttribute("data-mode"));
    List<WebElement> points = browser.driver().findElements(By.cssSelector("#map path.account"));
    assertEquals(inSubtree, points.size(), "the filter narrows the map to the parent's accounts");
    assertTrue(inSubtree < located);
    Set<String> fills = new HashSet<>();
    for (WebElement p : points) {
      String territory = p.getAttribute("data-territory");
      assertTrue(
          pairs.contains(p.getAttribute("data-account") + " " + territory), "in its territory");
      String fill = p.getAttribute("fill").toUpperCase(Locale.ROOT);
      assertEquals(colourOf(territory), fill);
      fills.add(fill);
    }
    assertTrue(fills.size() >= 2, "accounts of different territories have different colours");
    assertTrue(browser.path().endsWith("?territory=" + parent), browser.path());

    // an account's popup explains it
    WebElement first = points.get(0);
    String account = first.getAttribute("data-account");
    browser
        .driver()
        .executeScript(
            "arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", first);
    WebElement popup = browser.find(".leaflet-popup .map-popup");
    new WebDriverWait(browser.driver(), Duration.ofSeconds(30))
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(
            d ->
                !d.findElement(By.cssSelector(".leaflet-popup-content"))
                    .getText()
                    .contains("Loading"));
    assertEquals(account, browser.find(".leaflet-popup .map-popup").getAttribute("data-account"));
    assertTrue(
        browser
            .find(".leaflet-popup-content a[href='/console/accounts/" + account + "']")
            .isDisplayed());
    assertNotNull(popup);

    // the screenshot: the United States, counted per cell (after the popup's own pan has loaded)
    int before = waitForLoad(0);
    new org.openqa.selenium.support.ui.Select(browser.find("#map-territory"))
        .selectByValue(territoryId("NA_US"));
    waitForLoad(before);
    browser.driver().executeScript("document.activeElement.blur()");
    browser.screenshot("map");
  }

  /** Waits until the map has drawn a view after the {@code after}-th and loads nothing more. */
  private int waitForLoad(int after) {
    new WebDriverWait(browser.driver(), Duration.ofSeconds(60))
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(
            d -> {
              WebElement map = d.findElement(By.id("map"));
              String n = map.getAttribute("data-loads");
              return n != null
                  && Integer.parseInt(n) > after
                  && "0".equals(map.getAttribute("data-busy"));
            });
    return Integer.parseInt(browser.find("#map").getAttribute("data-loads"));
  }

  private static String colourOf(String territory) {
    return (territory == null || territory.isEmpty() ? Palette.NONE : Palette.colourOf(territory))
        .toUpperCase(Locale.ROOT);
  }

  private String territoryId(String developerName) throws Exception {
    return TestSql.strings(
            dataSource,
            "SELECT id FROM sf_territory2 WHERE developer_name = '" + developerName + "'")
        .get(0);
  }

  private Run run() {
    return runs.execute(new RunService.RunRequest("test", false, false, false));
  }

  /**
   * Quotas for the year: about what each territory won, from 60 % to 160 % of it, so attainment
   * varies.
   */
  private void writeQuotas() throws Exception {
    StringBuilder csv = new StringBuilder("territory,period,quota\n");
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT developer_name, period, subtree_closed_won_amount FROM territory_rollup"
                    + " WHERE period NOT LIKE '%-Q%' ORDER BY developer_name")) {
      int i = 0;
      while (rs.next()) {
        BigDecimal won = rs.getBigDecimal(3);
        double factor = 0.6 + (i++ % 6) * 0.2;
        long quota = Math.max(50_000, Math.round(won.doubleValue() * factor / 1000) * 1000);
        csv.append(rs.getString(1))
            .append(',')
            .append(rs.getString(2))
            .append(',')
            .append(quota)
            .append('\n');
      }
    }
    Files.writeString(QUOTAS, csv);
  }

  private static List<String> cells(WebElement table, String kpi) {
    List<String> out = new ArrayList<>();
    for (WebElement td : table.findElements(By.cssSelector("tr[data-kpi=" + kpi + "] td"))) {
      out.add(td.getText());
    }
    return out;
  }

  private static boolean isOff(Object status) {
    return "Over".equals(status) || "Under".equals(status);
  }

  /** The console's number format (1,234,567.5), written here again on purpose. */
  static String fmt(Object n) {
    DecimalFormat f = new DecimalFormat("#,##0.#", DecimalFormatSymbols.getInstance(Locale.US));
    return f.format(new BigDecimal(n.toString()));
  }
}
