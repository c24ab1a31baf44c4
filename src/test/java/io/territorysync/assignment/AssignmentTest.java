package io.territorysync.assignment;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.Api;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.OrgData;
import io.territorysync.emulator.OrgQuery;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Plan and write-back end to end against the in-process emulator: the demo org assigned, nothing
 * written twice, moves as inserts before deletes, native rows untouched, opportunity territories by
 * the default filter logic with ties, user associations reconciled, the safety guard, dry runs, and
 * an org that fails writes transiently.
 */
@QuarkusTest
class AssignmentTest {

  static final Path RULES = Path.of("target/test-rules.yaml");

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;

  DemoOrg.Result demo;
  OrgData org;
  String rules;

  @BeforeEach
  void demoOrg() throws Exception {
    demo = emulator.reset(new DemoOrg.Spec(600, 31, 100, 2.0));
    org = emulator.emulator().org();
    rules = DemoRules.text(demo);
    Files.writeString(RULES, rules);
    TestSql.wipe(dataSource);
  }

  @AfterEach
  void clearFaults() {
    emulator.emulator().faults().clear();
  }

  private Run run(boolean dryRun, boolean force) {
    return runs.execute(new RunService.RunRequest("test", false, dryRun, force));
  }

  private Run run() {
    Run run = run(false, false);
    assertEquals("succeeded", run.status, run.error);
    return run;
  }

  private Set<String> orgAssociations(String cause) {
    return Checks.orgAssociations(org, cause);
  }

  private Set<String> strings(String sql) throws Exception {
    return Checks.strings(dataSource, sql);
  }

  private Set<String> desired() throws Exception {
    return Checks.desired(dataSource);
  }

  private void assertOrgMatchesTheRules() throws Exception {
    Checks.assertOrgMatchesTheRules(org, dataSource);
  }

  @Test
  void theFirstRunAssignsTheDemoOrgAndASecondRunWritesNothing() throws Exception {
    Set<String> manualBefore = orgAssociations("Territory2Manual");
    Set<String> allBefore = orgAssociations(null);
    long mark = org.writeLog().mark();
    Run first = run();
    // the org's own log: each insert is an association the org lacked, sent once
    List<String> inserted = Checks.associationInserts(org, mark);
    assertEquals(new HashSet<>(inserted).size(), inserted.size(), "nothing sent twice");
    Set<String> resent = new TreeSet<>(inserted);
    resent.retainAll(allBefore);
    assertEquals(Set.of(), resent, "nothing the org had was sent");
    assertEquals(Checks.count(first, "assignments", "added"), inserted.size());
    assertOrgMatchesTheRules();
    Set<String> manualAfter = orgAssociations("Territory2Manual");
    long added = Checks.count(first, "assignments", "added");
    assertTrue(added > 100, first.summary.toString());
    assertEquals(manualBefore.size() + added, manualAfter.size(), "added matches the org");
    assertEquals(0, Checks.count(first, "assignments", "removed"));
    assertEquals(0, Checks.count(first, "assignments", "failed"));
    assertTrue(Checks.count(first, "assignments", "unchanged") > 0, "the demo org had some right");
    assertEquals(
        desired().size(),
        Checks.count(first, "assignments", "added")
            + Checks.count(first, "assignments", "unchanged"),
        "every wanted association was added or already there: " + first.summary);
    assertTrue(Checks.count(first, "opportunities", "updated") > 0);
    assertTrue(Checks.count(first, "users", "added") > 0);

    mark = org.writeLog().mark();
    Run second = run();
    assertEquals(List.of(), org.writeLog().after(mark), "the org received no write");
    assertEquals(0, Checks.writeCalls(second), "nothing changed, nothing written");
    assertEquals(0, Checks.count(second, "assignments", "added"));
    assertEquals(0, Checks.count(second, "assignments", "removed"));
    assertEquals(0, Checks.count(second, "opportunities", "updated"));
    assertEquals(0, Checks.count(second, "users", "added"));
    assertEquals(manualAfter, orgAssociations("Territory2Manual"));
  }

  @Test
  void aRulesChangeMovesExactlyTheAccountsItConcernsInsertBeforeDelete() throws Exception {
    long firstMark = org.writeLog().mark();
    run();
    // what the first run created is Territory Sync's, as the org's own log tells
    Set<String> createdByFirst = new TreeSet<>(Checks.associationInserts(org, firstMark));
    Set<String> orgBefore = orgAssociations(null);
    // Enterprise and mid-market swap territories in the US West
    Files.writeString(
        RULES,
        rules
            .replace("- name: na-us-west-ent", "- name: na-us-west-ent-now-mm")
            .replaceFirst(
                "(na-us-west-ent-now-mm\\n        criteria:\\n(?:.*\\n){2}.*value: )Enterprise",
                "$1Mid-Market__SWAP")
            .replaceFirst(
                "(- name: na-us-west-mm\\n        criteria:\\n(?:.*\\n){2}.*value: )Mid-Market",
                "$1Enterprise")
            .replace("Mid-Market__SWAP", "Mid-Market"));

    // What the swap must do, from the generator's plan of the two territories and the org's
    // accounts, without the product's tables: an enterprise account of the US West belongs in the
    // mid-market territory now and the reverse; the old association goes if Territory Sync made it.
    io.territorysync.emulator.demo.DemoTerritory ent = demoTerritory("NA_US_West_ENT");
    io.territorysync.emulator.demo.DemoTerritory mm = demoTerritory("NA_US_West_MM");
    Map<String, String> territoryId = new HashMap<>();
    for (List<String> r :
        OrgQuery.rows(
            org,
            "SELECT Id, DeveloperName FROM Territory2 WHERE Territory2ModelId = '"
                + demo.activeModelId()
                + "'")) {
      territoryId.put(r.get(1), r.get(0));
    }
    assertEquals(
        ent.criteria().stream().filter(c -> !c.field().equals("Segment__c")).toList(),
        mm.criteria().stream().filter(c -> !c.field().equals("Segment__c")).toList(),
        "the two territories cover the same accounts but for their segment");
    String entId = territoryId.get(ent.developerName());
    String mmId = territoryId.get(mm.developerName());
    Set<String> exclusions = new HashSet<>();
    for (List<String> r :
        OrgQuery.rows(org, "SELECT ObjectId, Territory2Id FROM Territory2ObjectExclusion")) {
      exclusions.add(r.get(0) + "|" + r.get(1));
    }
    Set<String> expectedAdds = new TreeSet<>();
    Set<String> expectedRemoves = new TreeSet<>();
    for (List<String> a :
        OrgQuery.rows(
            org,
            "SELECT Id, BillingCountry, BillingState, Segment__c, IsExcludedFromRealign"
                + " FROM Account")) {
      Map<String, String> fields =
          Map.of("BillingCountry", a.get(1), "BillingState", a.get(2), "Segment__c", a.get(3));
      if (a.get(4).equals("true")
          || !(matches(ent, fields, "Enterprise") || matches(mm, fields, "Mid-Market"))) {
        continue;
      }
      boolean enterprise = a.get(3).equals("Enterprise");
      String now = a.get(0) + "|" + (enterprise ? mmId : entId);
      String was = a.get(0) + "|" + (enterprise ? entId : mmId);
      if (!exclusions.contains(now) && !orgBefore.contains(now)) {
        expectedAdds.add(now);
      }
      if (createdByFirst.contains(was) && orgBefore.contains(was)) {
        expectedRemoves.add(was);
      }
    }
    assertFalse(expectedAdds.isEmpty() || expectedRemoves.isEmpty(), "the swap moves accounts");
    Set<String> expectedAccounts = new TreeSet<>();
    for (String pair : expectedAdds) {
      expectedAccounts.add(pair.substring(0, pair.indexOf('|')));
    }
    for (String pair : expectedRemoves) {
      expectedAccounts.add(pair.substring(0, pair.indexOf('|')));
    }

    Map<String, String> associationById = new HashMap<>();
    for (List<String> r :
        OrgQuery.rows(org, "SELECT Id, ObjectId, Territory2Id FROM ObjectTerritory2Association")) {
      associationById.put(r.get(0), r.get(1) + "|" + r.get(2));
    }
    long mark = org.writeLog().mark();
    Run moved = run();
    Set<String> inserted = new TreeSet<>();
    Set<String> deleted = new TreeSet<>();
    Set<String> written = new TreeSet<>();
    for (var w : org.writeLog().after(mark)) {
      if ("ObjectTerritory2Association".equals(w.type())) {
        String pair =
            w.operation().equals("delete")
                ? associationById.get(w.id())
                : w.field("ObjectId") + "|" + w.field("Territory2Id");
        (w.operation().equals("delete") ? deleted : inserted).add(pair);
        written.add(pair.substring(0, pair.indexOf('|')));
      }
    }
    assertEquals(expectedAdds, inserted, "the org received exactly the inserts the swap needs");
    assertEquals(expectedRemoves, deleted, "and exactly the deletes");
    assertEquals(
        expectedAccounts, written, "exactly the accounts the swap concerns reached the org");
    Set<String> orgAfter = orgAssociations(null);
    assertTrue(orgAfter.containsAll(expectedAdds));
    Set<String> stillThere = new TreeSet<>(expectedRemoves);
    stillThere.retainAll(orgAfter);
    assertEquals(Set.of(), stillThere, "the old associations Territory Sync made are gone");
    assertOrgMatchesTheRules();
    assertEquals(expectedAdds.size(), Checks.count(moved, "assignments", "added"));
    assertEquals(expectedRemoves.size(), Checks.count(moved, "assignments", "removed"));
    // an account moved when it gained one association and lost another
    Set<String> movedAccounts = new TreeSet<>();
    for (String pair : inserted) {
      movedAccounts.add(pair.substring(0, pair.indexOf('|')));
    }
    Set<String> lost = new TreeSet<>();
    for (String pair : deleted) {
      lost.add(pair.substring(0, pair.indexOf('|')));
    }
    movedAccounts.retainAll(lost);
    assertFalse(movedAccounts.isEmpty(), "the swap moves accounts from one territory to another");
    @SuppressWarnings("unchecked")
    Map<String, Object> plan = (Map<String, Object>) moved.summary.get("plan");
    assertEquals(movedAccounts.size(), ((Number) plan.get("accountsMoved")).intValue());
    // every insert was written before any delete
    assertEquals(
        Set.of("t"),
        strings(
            "SELECT (SELECT max(written_at) FROM plan_change WHERE run_id = "
                + moved.id
                + " AND phase = 1) <= (SELECT min(written_at) FROM plan_change WHERE run_id = "
                + moved.id
                + " AND phase = 4)"));
  }

  private io.territorysync.emulator.demo.DemoTerritory demoTerritory(String developerName) {
    return demo.territories().stream()
        .filter(t -> t.developerName().equals(developerName))
        .findFirst()
        .orElseThrow();
  }

  /**
   * Whether {@code fields} meet every criterion the generator gave {@code t}, with {@code segment}
   * for its segment (the generator's criteria are lists of accepted values, compared as
   * Salesforce's equals does: ignoring case).
   */
  private static boolean matches(
      io.territorysync.emulator.demo.DemoTerritory t, Map<String, String> fields, String segment) {
    for (var c : t.criteria()) {
      assertEquals("equals", c.operation(), "a leaf of the US West has only equals criteria");
      List<String> accepted = c.field().equals("Segment__c") ? List.of(segment) : c.values();
      String value = fields.get(c.field());
      if (value == null || accepted.stream().noneMatch(v -> v.equalsIgnoreCase(value))) {
        return false;
      }
    }
    return true;
  }

  @Test
  void rowsCreatedByNativeRulesAndOtherModelsAreNeverTouched() throws Exception {
    Set<String> nativeRows = orgAssociations("Territory2AssignmentRule");
    assertFalse(nativeRows.isEmpty(), "the demo org has rule-created associations");
    run();
    // rules that want nothing at all: only what Territory Sync created may go
    Files.writeString(RULES, "model: Global_Sales\nterritories: {}\n");
    Set<String> manualNotOurs = orgAssociations("Territory2Manual");
    manualNotOurs.removeAll(
        strings(
            "SELECT object_id || '|' || territory_id FROM managed_association"
                + " WHERE kind = 'account'"));
    Run emptied = run(false, true);
    assertEquals("succeeded", emptied.status, emptied.error);
    assertEquals(nativeRows, orgAssociations("Territory2AssignmentRule"));
    assertEquals(manualNotOurs, orgAssociations("Territory2Manual"), "only owned rows removed");
    assertEquals(
        0,
        TestSql.count(
            dataSource, "SELECT count(*) FROM managed_association WHERE kind = 'account'"));
  }

  @Test
  void opportunityTerritoriesFollowTheDefaultFilterLogicIncludingTies() throws Exception {
    // One opportunity is excluded from the filter and keeps whatever it has.
    List<String> excludedOpp =
        OrgQuery.rows(
                org, "SELECT Id, Territory2Id FROM Opportunity WHERE IsClosed = false LIMIT 1")
            .get(0);
    org.updateSystem(excludedOpp.get(0), Map.of("IsExcludedFromTerritory2Filter", true));
    Map<String, String> closedBefore = closedOpportunities();
    run();
    // Someone adds a second territory of the same type to a few accounts by hand: their
    // opportunities then tie at the top priority and get no territory.
    List<List<String>> rows =
        OrgQuery.rows(
            org,
            "SELECT ObjectId, Territory2Id, Territory2.Territory2TypeId"
                + " FROM ObjectTerritory2Association WHERE Territory2.Territory2Type.DeveloperName"
                + " = 'District' ORDER BY ObjectId");
    int added = 0;
    for (int i = 0; i + 1 < rows.size() && added < 5; i += 7) {
      List<String> x = rows.get(i);
      for (List<String> y : rows) {
        if (!y.get(1).equals(x.get(1)) && y.get(2).equals(x.get(2))) {
          org.insertSystem(
              "ObjectTerritory2Association",
              Map.of(
                  "ObjectId", x.get(0),
                  "Territory2Id", y.get(1),
                  "AssociationCause", "Territory2Manual"));
          added++;
          break;
        }
      }
    }
    assertEquals(5, added);
    run();

    String activeModel = demo.activeModelId();
    Map<String, Map<String, Integer>> territories = new HashMap<>();
    for (List<String> r :
        OrgQuery.rows(
            org,
            "SELECT ObjectId, Territory2Id, Territory2.Territory2Type.Priority,"
                + " Territory2.Territory2ModelId FROM ObjectTerritory2Association")) {
      if (r.get(3).equals(activeModel)) {
        territories
            .computeIfAbsent(r.get(0), k -> new HashMap<>())
            .put(r.get(1), r.get(2).isEmpty() ? 0 : Integer.parseInt(r.get(2)));
      }
    }
    int ties = 0;
    int assigned = 0;
    int closedTheLogicWouldMove = 0;
    for (List<String> o :
        OrgQuery.rows(
            org,
            "SELECT Id, AccountId, Territory2Id, IsClosed, IsExcludedFromTerritory2Filter"
                + " FROM Opportunity")) {
      if (o.get(4).equals("true") || o.get(1).isEmpty()) {
        continue;
      }
      Map<String, Integer> ts = territories.getOrDefault(o.get(1), Map.of());
      int top = ts.values().stream().mapToInt(Integer::intValue).max().orElse(Integer.MIN_VALUE);
      List<String> best =
          ts.entrySet().stream().filter(e -> e.getValue() == top).map(Map.Entry::getKey).toList();
      String expected = best.size() == 1 ? best.get(0) : "";
      if (o.get(3).equals("true")) {
        closedTheLogicWouldMove += expected.equals(o.get(2)) ? 0 : 1;
        continue;
      }
      ties += best.size() > 1 ? 1 : 0;
      assigned += best.size() == 1 ? 1 : 0;
      assertEquals(expected, o.get(2), "opportunity " + o.get(0) + " of account " + o.get(1));
    }
    assertTrue(ties > 0 && assigned > 0, ties + " ties, " + assigned + " assigned");
    List<String> excludedAfter =
        OrgQuery.rows(
                org,
                "SELECT Id, Territory2Id FROM Opportunity WHERE Id = '" + excludedOpp.get(0) + "'")
            .get(0);
    assertEquals(excludedOpp.get(1), excludedAfter.get(1), "excluded opportunity left alone");
    assertTrue(
        closedTheLogicWouldMove > 10,
        "closed opportunities the default filter logic would move: " + closedTheLogicWouldMove);
    assertEquals(closedBefore, closedOpportunities(), "closed opportunities keep their territory");
    assertTrue(closedBefore.size() > 10, "the demo org has closed opportunities");
    for (var w : org.writeLog().after(0)) {
      assertFalse(
          "Opportunity".equals(w.type()) && closedBefore.containsKey(w.id()),
          "a closed opportunity was written: " + w);
    }
  }

  /** Closed opportunity id to its territory (empty for none). */
  private Map<String, String> closedOpportunities() {
    Map<String, String> out = new HashMap<>();
    for (List<String> o :
        OrgQuery.rows(org, "SELECT Id, Territory2Id FROM Opportunity WHERE IsClosed = true")) {
      out.put(o.get(0), o.get(1));
    }
    return out;
  }

  @Test
  void userAssociationsFollowTheUsersListedInTheRules() throws Exception {
    Map<String, String> existing = userAssociations();
    List<List<String>> users =
        OrgQuery.rows(org, "SELECT Id, Username FROM User WHERE IsActive = true ORDER BY Username");
    List<List<String>> territories =
        OrgQuery.rows(
            org,
            "SELECT Id, DeveloperName FROM Territory2 WHERE Territory2ModelId = '"
                + demo.activeModelId()
                + "' ORDER BY DeveloperName");
    // three (user, territory) pairs the org does not have yet, and a fourth for someone else
    List<String[]> pairs = new java.util.ArrayList<>();
    for (List<String> t : territories) {
      for (List<String> u : users) {
        if (pairs.size() < 4 && !existing.containsKey(u.get(0) + "|" + t.get(0))) {
          if (pairs.stream().noneMatch(p -> p[0].equals(u.get(0)) || p[2].equals(t.get(0)))) {
            pairs.add(new String[] {u.get(0), u.get(1), t.get(0), t.get(1)});
          }
        }
      }
    }
    String[] a = pairs.get(0);
    String[] b = pairs.get(1);
    String[] c = pairs.get(2);
    String[] foreign = pairs.get(3);
    org.insertSystem(
        "UserTerritory2Association",
        Map.of("UserId", foreign[0], "Territory2Id", foreign[2], "RoleInTerritory2", "Overlay"));
    Files.writeString(
        RULES,
        "model: Global_Sales\nterritories:\n"
            + "  "
            + a[3]
            + ":\n    users:\n"
            + "      - {user: "
            + a[1]
            + ", role: Owner}\n"
            + "  "
            + b[3]
            + ":\n    users:\n"
            + "      - {user: "
            + b[1]
            + ", role: Sales Rep}\n"
            + "  "
            + c[3]
            + ":\n    users:\n"
            + "      - {user: "
            + c[1]
            + ", role: Sales Manager}\n");
    Run first = run();
    assertEquals(3, Checks.count(first, "users", "added"));
    Map<String, String> now = userAssociations();
    assertEquals("Owner", now.get(a[0] + "|" + a[2]));
    assertEquals("Sales Rep", now.get(b[0] + "|" + b[2]));

    // b leaves its territory, c changes role; the foreign association is not Territory Sync's
    Files.writeString(
        RULES,
        "model: Global_Sales\nterritories:\n"
            + "  "
            + a[3]
            + ":\n    users:\n"
            + "      - {user: "
            + a[1]
            + ", role: Owner}\n"
            + "  "
            + c[3]
            + ":\n    users:\n"
            + "      - {user: "
            + c[1]
            + ", role: Overlay}\n");
    Run second = run();
    assertEquals(1, Checks.count(second, "users", "removed"));
    assertEquals(1, Checks.count(second, "users", "updated"));
    Map<String, String> after = userAssociations();
    assertFalse(after.containsKey(b[0] + "|" + b[2]), "no longer listed: removed");
    assertEquals("Overlay", after.get(c[0] + "|" + c[2]));
    assertEquals("Overlay", after.get(foreign[0] + "|" + foreign[2]), "not owned: kept");
    assertEquals(existing.size() + 3, after.size());
    assertEquals(0, Checks.writeCalls(run()), "and then nothing more to do");
  }

  /** "user|territory" to role. */
  private Map<String, String> userAssociations() {
    Map<String, String> out = new HashMap<>();
    for (List<String> r :
        OrgQuery.rows(
            org, "SELECT UserId, Territory2Id, RoleInTerritory2 FROM UserTerritory2Association")) {
      out.put(r.get(0) + "|" + r.get(1), r.get(2));
    }
    return out;
  }

  @Test
  void theSafetyGuardHoldsADestructivePlanUntilForced() throws Exception {
    run();
    Set<String> assigned = orgAssociations(null);
    Files.writeString(RULES, "model: Global_Sales\nterritories: {}\n");
    long mark = org.writeLog().mark();
    Run held = run(false, false);
    assertEquals(List.of(), org.writeLog().after(mark), "the org received no write");
    assertEquals("stopped_by_guard", held.status);
    assertTrue(
        held.error.contains("safety guard: the plan removes")
            && held.error.contains("max-remove-share"),
        held.error);
    assertEquals(assigned, orgAssociations(null), "nothing written");
    @SuppressWarnings("unchecked")
    Map<String, Object> stages = (Map<String, Object>) held.summary.get("stages");
    assertFalse(stages.containsKey("write"), "the write stage never ran: " + stages);
    assertTrue(
        TestSql.count(
                dataSource,
                "SELECT count(*) FROM plan_change WHERE status = 'held' AND run_id = " + held.id)
            > 0);
    Run forced = run(false, true);
    assertEquals("succeeded", forced.status, forced.error);
    assertTrue(Checks.count(forced, "assignments", "removed") > 0);
  }

  @Test
  void aDryRunStoresThePlanAndWritesNothing() throws Exception {
    Set<String> before = orgAssociations(null);
    long mark = org.writeLog().mark();
    Run dry = run(true, false);
    assertEquals(List.of(), org.writeLog().after(mark), "the org received no write");
    assertEquals("succeeded", dry.status, dry.error);
    assertEquals(before, orgAssociations(null));
    assertEquals(0, Checks.writeCalls(dry));
    @SuppressWarnings("unchecked")
    Map<String, Object> plan = (Map<String, Object>) dry.summary.get("plan");
    long adds = ((Number) plan.get("accountAdds")).longValue();
    assertTrue(adds > 0, plan.toString());
    assertEquals(
        adds,
        TestSql.count(
            dataSource,
            "SELECT count(*) FROM plan_change WHERE status = 'planned' AND phase = 1 AND run_id = "
                + dry.id));
    assertEquals(0, Checks.count(dry, "assignments", "added"));
    Run real = run();
    assertEquals(
        adds, Checks.count(real, "assignments", "added"), "the real run writes what was planned");
  }

  @Test
  void lockErrorsAndUnavailableServersStillEndInTheRightOrg() throws Exception {
    emulator.emulator().faults().lockRowRate(0.3).serverUnavailableRate(0.15);
    Run run = run();
    emulator.emulator().faults().clear();
    assertOrgMatchesTheRules();
    assertEquals(0, Checks.count(run, "assignments", "failed"));
    assertTrue(
        TestSql.count(
                dataSource,
                "SELECT count(*) FROM plan_change WHERE attempts > 1 AND run_id = " + run.id)
            > 0,
        "some records needed another round");
    Run again = run();
    assertEquals(0, Checks.writeCalls(again));
  }

  @Test
  void insertsWhoseAnswerIsLostAfterTheOrgAppliedThemCountAsAlreadyDone() throws Exception {
    // the retry of the Composite call meets DUPLICATE_VALUE for every association it made
    emulator
        .emulator()
        .faults()
        .loseAnswers(
            "^POST composite \\{.*\"method\":\"POST\",\"url\":\"[^\"]*/composite/sobjects\"", 1);
    long mark = org.writeLog().mark();
    Run run = run();
    assertEquals(1, emulator.emulator().faults().answersLost(), "the answer was lost once");
    emulator.emulator().faults().clear();
    assertEquals(0, Checks.count(run, "assignments", "failed"), "no false failures");
    assertTrue(Checks.count(run, "assignments", "alreadyDone") > 0, "the retry found them done");
    assertOrgMatchesTheRules();
    List<String> applied = new ArrayList<>();
    for (var w : org.writeLog().after(mark)) {
      if (w.succeeded()
          && w.operation().equals("create")
          && "ObjectTerritory2Association".equals(w.type())) {
        applied.add(w.field("ObjectId") + "|" + w.field("Territory2Id"));
      }
    }
    assertEquals(Set.copyOf(applied).size(), applied.size(), "no association created twice");
    assertEquals(0, Checks.writeCalls(run()), "nothing left to write");
  }

  @Test
  void theAdminApiServesARunsChangesAnAccountsHistoryAndItsExplanation() throws Exception {
    Run first = run();
    String account =
        strings(
                "SELECT account_id FROM plan_change WHERE phase = 1 AND status = 'done'"
                    + " AND rule IS NOT NULL AND run_id = "
                    + first.id)
            .iterator()
            .next();
    Api.viewer()
        .get("/api/runs/" + first.id + "/changes?kind=account&status=done&limit=5")
        .then()
        .statusCode(200)
        .body("totals.'account add: done'", greaterThan(0))
        .body("changes.size()", is(5))
        .body("changes[0].status", is("done"));
    Api.viewer()
        .get("/api/accounts/" + account + "/history")
        .then()
        .statusCode(200)
        .body("find { it.kind == 'account' }.rule", notNullValue())
        .body("find { it.kind == 'account' }.runId", is(first.id.intValue()));
    Api.viewer()
        .get("/api/accounts/" + account.substring(0, 15) + "/explain")
        .then()
        .statusCode(200)
        .body("accountId", is(account))
        .body("territories.size()", greaterThan(0))
        .body("territories[0].inOrg", is(true))
        .body("territories[0].next", is("keep"))
        .body("territories[0].explanation.rules[0].criteria.matched", everyItem(is(true)))
        .body("closest.size()", greaterThan(0))
        .body("closest[0].rules.firstFailed", hasItem(notNullValue()));
    Api.viewer()
        .get("/api/accounts/not-an-id/explain")
        .then()
        .statusCode(400)
        .body("error", containsString("not a Salesforce id"));
    Api.viewer().get("/api/accounts/001000000000000AAA/explain").then().statusCode(404);
    Api.viewer().get("/api/runs/999999/changes").then().statusCode(404);
  }
}
