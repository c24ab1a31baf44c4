package io.territorysync.rollup;

import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.territorysync.Api;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.OrgData;
import io.territorysync.emulator.OrgQuery;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rollups of a small org built by hand, every figure computed by hand: own and subtree values,
 * periods, quota attainment, balance of siblings, unassigned accounts; then the write-back to
 * Territory_Performance__c, which writes nothing the second time.
 */
@QuarkusTest
@TestProfile(RollupTest.WithQuotas.class)
class RollupTest {

  static final Path QUOTAS = Path.of("target/test-quotas.csv");
  static final Path RULES = Path.of("target/test-rules.yaml");

  /** A quotas file for territory A; opportunities keep the territories the test gives them. */
  public static class WithQuotas implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      // opportunity territories stay as built by hand
      return Map.of(
          "territory.rollups.quotas-file",
          QUOTAS.toString(),
          "territory.assignment.opportunities.enabled",
          "false");
    }
  }

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;

  OrgData org;
  Map<String, String> t = new HashMap<>();
  List<FiscalPeriods.Period> periods;

  /**
   * Territories R (Region) → A, B, C (Area) and A → A1 (District). Accounts: a1 (0.2M) in A1; a2
   * (3M) in A and B; a3 (0.4M) in B; a4 (2.4M) in C; a5 (0.7M) in none.
   */
  @BeforeEach
  void handBuiltOrg() throws Exception {
    emulator.reset(new DemoOrg.Spec(0, 5, 0, 0));
    org = emulator.emulator().org();
    TestSql.wipe(dataSource);
    periods = FiscalPeriods.current(LocalDate.now(ZoneOffset.UTC), 1);
    String model =
        org.insertSystem(
            "Territory2Model", Map.of("DeveloperName", "Test_Model", "Name", "Test Model"));
    org.activateModel(model);
    String region = type("Region", 20);
    String area = type("Area", 40);
    String district = type("District", 60);
    t.put("R", territory("R", region, null, model));
    t.put("A", territory("A", area, t.get("R"), model));
    t.put("B", territory("B", area, t.get("R"), model));
    t.put("C", territory("C", area, t.get("R"), model));
    t.put("A1", territory("A1", district, t.get("A"), model));
    String a1 = account("a1", 200_000);
    String a2 = account("a2", 3_000_000);
    String a3 = account("a3", 400_000);
    String a4 = account("a4", 2_400_000);
    account("a5", 700_000);
    associate(a1, "A1");
    associate(a2, "A");
    associate(a2, "B");
    associate(a3, "B");
    associate(a4, "C");
    FiscalPeriods.Period year = periods.get(0);
    FiscalPeriods.Period quarter = periods.get(1);
    LocalDate inQuarter = quarter.start().plusDays(3);
    LocalDate inYearNotQuarter = quarter.start().isAfter(year.start()) ? year.start() : year.end();
    opportunity(a1, "A1", 100_000, 50, "Prospecting", inQuarter);
    opportunity(a1, "A1", 200_000, 100, "Closed Won", inQuarter);
    opportunity(a1, "A1", 50_000, 0, "Closed Lost", inQuarter);
    opportunity(a2, "B", 300_000, 100, "Closed Won", inYearNotQuarter);
    opportunity(a4, "C", 80_000, 25, "Prospecting", year.end().plusDays(10));
    opportunity(a2, "A", 1_000, 100, "Closed Won", inQuarter);
    String u1 = user("u1");
    String u2 = user("u2");
    String u3 = user("u3");
    member(u1, "A1", true);
    member(u2, "A", true);
    member(u2, "B", true);
    member(u3, "C", false);
    Files.writeString(
        QUOTAS, "territory,period,quota\nA," + year.label() + ",400000\nB,FY1999,5\n");
    Files.writeString(RULES, "model: Test_Model\nterritories: {}\n");
  }

  private String type(String name, int priority) {
    return org.insertSystem(
        "Territory2Type", Map.of("DeveloperName", name, "MasterLabel", name, "Priority", priority));
  }

  private String territory(String name, String type, String parent, String model) {
    Map<String, Object> f = new HashMap<>();
    f.put("DeveloperName", name);
    f.put("Name", "Territory " + name);
    f.put("Territory2ModelId", model);
    f.put("Territory2TypeId", type);
    f.put("AccountAccessLevel", "Edit");
    f.put("OpportunityAccessLevel", "Edit");
    f.put("CaseAccessLevel", "Read");
    if (parent != null) {
      f.put("ParentTerritory2Id", parent);
    }
    return org.insertSystem("Territory2", f);
  }

  private String account(String name, double revenue) {
    return org.insertSystem("Account", Map.of("Name", name, "AnnualRevenue", revenue));
  }

  private void associate(String account, String territory) {
    org.insertSystem(
        "ObjectTerritory2Association",
        Map.of(
            "ObjectId",
            account,
            "Territory2Id",
            t.get(territory),
            "AssociationCause",
            "Territory2Manual"));
  }

  private void opportunity(
      String account,
      String territory,
      double amount,
      int probability,
      String stage,
      LocalDate close) {
    org.insertSystem(
        "Opportunity",
        Map.of(
            "Name", "o",
            "AccountId", account,
            "Territory2Id", t.get(territory),
            "Amount", amount,
            "Probability", probability,
            "StageName", stage,
            "CloseDate", close.toString()));
  }

  private String user(String name) {
    return org.insertSystem(
        "User",
        Map.of(
            "Username",
            name + "@rollup.example",
            "Email",
            name + "@rollup.example",
            "LastName",
            name,
            "IsActive",
            true));
  }

  private void member(String user, String territory, boolean active) {
    org.insertSystem(
        "UserTerritory2Association",
        Map.of("UserId", user, "Territory2Id", t.get(territory), "IsActive", active));
  }

  /** territory_rollup of one territory and period, column → value. */
  private Map<String, Object> rollup(String territory, String period) throws Exception {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT * FROM territory_rollup WHERE territory_id = '"
                    + t.get(territory)
                    + "' AND period = '"
                    + period
                    + "'")) {
      assertTrue(rs.next(), territory + " " + period);
      Map<String, Object> m = new HashMap<>();
      for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
        m.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
      }
      return m;
    }
  }

  private static void near(double expected, Object actual, String what) {
    assertEquals(expected, ((Number) actual).doubleValue(), 1e-6, what);
  }

  private Run run() {
    Run run = runs.execute(new RunService.RunRequest("test", false, false, false));
    assertEquals("succeeded", run.status, run.error);
    return run;
  }

  @Test
  void everyFigureMatchesTheHandComputedOne() throws Exception {
    Run run = run();
    String year = periods.get(0).label();
    String quarter = periods.get(1).label();

    Map<String, Object> a1q = rollup("A1", quarter);
    near(1, a1q.get("account_count"), "A1 accounts");
    near(200_000, a1q.get("annual_revenue"), "A1 revenue");
    near(100_000, a1q.get("open_pipeline"), "A1 open pipeline");
    near(50_000, a1q.get("weighted_pipeline"), "A1 weighted = amount x probability");
    near(200_000, a1q.get("closed_won_amount"), "A1 won");
    near(1, a1q.get("closed_won_count"), "A1 won count");
    near(1, a1q.get("closed_lost_count"), "A1 lost count");
    near(0.5, a1q.get("win_rate"), "A1 win rate won / (won + lost)");
    near(200_000, a1q.get("average_deal_size"), "A1 average deal");
    near(1, a1q.get("assigned_users"), "A1 users");

    Map<String, Object> bq = rollup("B", quarter);
    near(2, bq.get("account_count"), "B accounts");
    near(3_400_000, bq.get("annual_revenue"), "B revenue");
    near(1_700_000, bq.get("average_annual_revenue"), "B average revenue");
    near(0, bq.get("closed_won_amount"), "B won this quarter");
    assertNull(bq.get("win_rate"), "no closed deals, no win rate");
    near(300_000, rollup("B", year).get("closed_won_amount"), "B won this year");

    Map<String, Object> ay = rollup("A", year);
    near(1, ay.get("account_count"), "A own accounts");
    near(2, ay.get("subtree_account_count"), "A subtree accounts: a1, a2");
    near(3_200_000, ay.get("subtree_annual_revenue"), "A subtree revenue");
    near(201_000, ay.get("subtree_closed_won_amount"), "A subtree won");
    near(2, ay.get("subtree_closed_won_count"), "A subtree won count");
    near(2.0 / 3, ay.get("subtree_win_rate"), "A subtree win rate");
    near(2, ay.get("subtree_assigned_users"), "A subtree users u1, u2");
    near(400_000, ay.get("quota"), "A quota");
    near(201_000.0 / 400_000, ay.get("quota_attainment"), "A attainment = subtree won / quota");
    assertNull(rollup("A", quarter).get("quota"), "no quota for the quarter");

    Map<String, Object> ry = rollup("R", year);
    near(0, ry.get("account_count"), "R has no accounts of its own");
    near(4, ry.get("subtree_account_count"), "R subtree: a2 counted once");
    near(6_000_000, ry.get("subtree_annual_revenue"), "R subtree revenue, a2 once");
    near(501_000, ry.get("subtree_closed_won_amount"), "R subtree won this year");
    near(100_000, ry.get("subtree_open_pipeline"), "the next year's deal is in no period");
    near(2, ry.get("subtree_assigned_users"), "u3's association is inactive");
    near(0, rollup("C", year).get("assigned_users"), "inactive users do not count");

    // balance of A, B, C (Area siblings under R): potential 3.2M, 3.4M, 2.4M; workload 2, 2, 1
    assertEquals("Within", ay.get("potential_balance"));
    assertEquals("Within", rollup("B", year).get("potential_balance"));
    assertEquals("Under", rollup("C", year).get("potential_balance"));
    assertEquals("Over", ay.get("workload_balance"));
    assertEquals("Under", rollup("C", quarter).get("workload_balance"));
    assertNull(rollup("A1", year).get("potential_balance"), "an only child has no balance");
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM territory_balance")) {
      assertTrue(rs.next());
      near(3, rs.getObject("territories"), "one group of three");
      near(3_000_000, rs.getObject("potential_mean"), "mean potential");
      near(Math.sqrt((0.04 + 0.16 + 0.36) / 3) / 3.0, rs.getObject("potential_cv"), "potential cv");
      near(3.4 / 2.4, rs.getObject("potential_max_min"), "potential max/min");
      near(Math.sqrt(2.0 / 9) / (5.0 / 3), rs.getObject("workload_cv"), "workload cv");
      near(2, rs.getObject("workload_max_min"), "workload max/min");
      assertTrue(!rs.next());
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> report = (Map<String, Object>) run.summary.get("rollups");
    @SuppressWarnings("unchecked")
    Map<String, Object> unassigned = (Map<String, Object>) report.get("unassigned");
    near(1, unassigned.get("accounts"), "a5 is in no territory");
    near(700_000, unassigned.get("potential"), "a5's potential");

    Api.viewer()
        .get("/api/territories?period=" + year)
        .then()
        .statusCode(200)
        .body("territories.size()", is(5))
        .body("territories.find { it.developerName == 'A' }.subtreeAccountCount", is(2))
        .body("balance[0].outside.territory", hasItem("C"))
        .body("unassigned.unassigned.accounts", is(1));
  }

  @Test
  void rollupsAreWrittenToTheOrgAndOnlyChangesAreRewritten() throws Exception {
    Run first = run();
    @SuppressWarnings("unchecked")
    Map<String, Object> report = (Map<String, Object>) first.summary.get("rollups");
    assertEquals(10, ((Number) report.get("written")).intValue(), report.toString());
    List<List<String>> records =
        OrgQuery.rows(
            org,
            "SELECT Key__c, Territory_Developer_Name__c, Period__c, Subtree_Account_Count__c,"
                + " Win_Rate__c, Quota_Attainment__c FROM Territory_Performance__c");
    assertEquals(10, records.size(), "five territories, two periods");
    String quarter = periods.get(1).label();
    List<String> a1 =
        records.stream()
            .filter(r -> r.get(1).equals("A1") && r.get(2).equals(quarter))
            .findFirst()
            .orElseThrow();
    assertEquals(t.get("A1") + "-" + quarter, a1.get(0));
    assertEquals(50.0, Double.parseDouble(a1.get(4)), 1e-9, "win rate in percent");

    Run second = run();
    @SuppressWarnings("unchecked")
    Map<String, Object> again = (Map<String, Object>) second.summary.get("rollups");
    assertEquals(0, ((Number) again.get("written")).intValue(), "nothing changed, nothing written");
    assertEquals(10, ((Number) again.get("unchanged")).intValue());

    // a deal is won: the territory's records change, the others do not
    String open =
        OrgQuery.rows(
                org,
                "SELECT Id FROM Opportunity WHERE StageName = 'Prospecting'"
                    + " AND Territory2Id = '"
                    + t.get("A1")
                    + "'")
            .get(0)
            .get(0);
    org.updateSystem(open, Map.of("StageName", "Closed Won", "Probability", 100));
    Run third = run();
    @SuppressWarnings("unchecked")
    Map<String, Object> changed = (Map<String, Object>) third.summary.get("rollups");
    // A1, A and R, for the year and the quarter
    assertEquals(6, ((Number) changed.get("written")).intValue(), changed.toString());
    BigDecimal won =
        new BigDecimal(
            OrgQuery.rows(
                    org,
                    "SELECT Closed_Won_Amount__c FROM Territory_Performance__c WHERE Key__c = '"
                        + t.get("A1")
                        + "-"
                        + quarter
                        + "'")
                .get(0)
                .get(0));
    assertEquals(0, won.compareTo(new BigDecimal("300000")));
  }

  @Test
  void anAccountInATerritoryAndItsDescendantCountsOnceInTheSubtree() throws Exception {
    // a1 is in A1 already; now also in A, A1's parent
    associate(OrgQuery.rows(org, "SELECT Id FROM Account WHERE Name = 'a1'").get(0).get(0), "A");
    run();
    String year = periods.get(0).label();
    Map<String, Object> ay = rollup("A", year);
    near(2, ay.get("account_count"), "A own accounts: a1, a2");
    near(2, ay.get("subtree_account_count"), "A subtree: a1 once, a2");
    near(3_200_000, ay.get("subtree_annual_revenue"), "A subtree revenue, a1 once");
    Map<String, Object> ry = rollup("R", year);
    near(4, ry.get("subtree_account_count"), "R subtree: a1 and a2 once each");
    near(6_000_000, ry.get("subtree_annual_revenue"), "R subtree revenue");
  }

  @Test
  void subtreeAccountFiguresEqualANaiveDistinctQueryOnARandomOrg() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(800, 77, 60, 2.0));
    org = emulator.emulator().org();
    TestSql.wipe(dataSource);
    Files.writeString(RULES, "model: Global_Sales\nterritories: {}\n");
    Files.writeString(QUOTAS, "territory,period,quota\n");
    // put random associated accounts in an ancestor of their territory too, and in a sibling
    java.util.Random random = new java.util.Random(77);
    Map<String, String> parent = new HashMap<>();
    for (List<String> r :
        OrgQuery.rows(
            org,
            "SELECT Id, ParentTerritory2Id FROM Territory2 WHERE Territory2ModelId = '"
                + demo.activeModelId()
                + "'")) {
      parent.put(r.get(0), r.get(1));
    }
    java.util.Set<String> pairs = new java.util.HashSet<>();
    List<List<String>> associations =
        OrgQuery.rows(org, "SELECT ObjectId, Territory2Id FROM ObjectTerritory2Association");
    associations.forEach(r -> pairs.add(r.get(0) + "|" + r.get(1)));
    int added = 0;
    for (List<String> r : associations) {
      String up = parent.get(r.get(1));
      for (int steps = random.nextInt(3); up != null && !up.isEmpty() && steps > 0; steps--) {
        up = parent.get(up);
      }
      if (up != null && !up.isEmpty() && random.nextInt(4) == 0 && pairs.add(r.get(0) + "|" + up)) {
        org.insertSystem(
            "ObjectTerritory2Association",
            Map.of(
                "ObjectId", r.get(0), "Territory2Id", up, "AssociationCause", "Territory2Manual"));
        added++;
      }
    }
    assertTrue(added > 20, "accounts added to an ancestor: " + added);
    run();
    Map<String, String> naive = new HashMap<>();
    for (String row :
        TestSql.strings(
            dataSource,
            "WITH RECURSIVE sub(root, id) AS ("
                + " SELECT id, id FROM sf_territory2 WHERE territory2_model_id = '"
                + demo.activeModelId()
                + "' UNION ALL SELECT s.root, t.id FROM sub s"
                + " JOIN sf_territory2 t ON t.parent_territory2_id = s.id)"
                + " SELECT d.root || '|' || count(*) || '|' || sum(coalesce(a.annual_revenue, 0))"
                + " FROM (SELECT DISTINCT s.root, o.object_id FROM sub s"
                + " JOIN sf_object_territory2_association o ON o.territory2_id = s.id) d"
                + " JOIN sf_account a ON a.id = d.object_id GROUP BY d.root")) {
      String[] p = row.split("\\|");
      naive.put(p[0], p[1] + "|" + new BigDecimal(p[2]).stripTrailingZeros().toPlainString());
    }
    String period = periods.get(0).label();
    int compared = 0;
    for (String row :
        TestSql.strings(
            dataSource,
            "SELECT territory_id || '|' || subtree_account_count || '|' || subtree_annual_revenue"
                + " FROM territory_rollup WHERE period = '"
                + period
                + "'")) {
      String[] p = row.split("\\|");
      String got = p[1] + "|" + new BigDecimal(p[2]).stripTrailingZeros().toPlainString();
      assertEquals(naive.getOrDefault(p[0], "0|0"), got, "territory " + p[0]);
      compared++;
    }
    assertEquals(parent.size(), compared, "every territory of the model has its rollup");
  }
}
