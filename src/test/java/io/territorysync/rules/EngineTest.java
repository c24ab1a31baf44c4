package io.territorysync.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.territorysync.rules.engine.CompiledRules;
import io.territorysync.rules.engine.RuleCompiler;
import io.territorysync.salesforce.SalesforceId;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Each operator, Salesforce's semantics, modes, precedence, overrides, exclusions, inheritance,
 * explain.
 */
class EngineTest {

  static final String ACCOUNT = SalesforceId.of("001", "4S", 7);

  static CompiledRules compile(String yaml) {
    RulesReader.Result read = RulesReader.read(yaml, "test.yaml");
    assertTrue(read.ok(), read.problems().toString());
    RuleCompiler.Compilation c = RuleCompiler.compile(read.rules(), ValidationTest.CTX);
    assertTrue(c.ok(), c.problems().toString());
    return c.rules();
  }

  static Set<String> assign(CompiledRules rules, Map<String, Object> fields) {
    Map<String, Object> a = new HashMap<>(fields);
    a.putIfAbsent("Id", ACCOUNT);
    CompiledRules.Assignment got =
        rules.assign(RandomRules.record(a, rules.slots()), rules.scratch());
    Set<String> out = new TreeSet<>();
    for (int t : got.territories()) {
      out.add(rules.territory(t).developerName());
    }
    return out;
  }

  /** Whether a one-criterion rule on US_West holds for an account with {@code field = value}. */
  static boolean holds(String criterion, String field, Object value) {
    CompiledRules rules =
        compile(
            "model: Global_Sales\nterritories:\n  US_West:\n    rules:\n      - criteria: ["
                + criterion
                + "]\n");
    Map<String, Object> a = new HashMap<>();
    if (value != null) {
      a.put(field, value);
    }
    return assign(rules, a).contains("US_West");
  }

  @Test
  void equalsTakesAnyOfACommaListCaseInsensitively() {
    String c = "{field: BillingCountry, operation: equals, value: \"United States, USA\"}";
    assertTrue(holds(c, "BillingCountry", "usa"));
    assertTrue(holds(c, "BillingCountry", " United States "));
    assertFalse(holds(c, "BillingCountry", "US"));
    assertFalse(holds(c, "BillingCountry", null));
    assertFalse(
        holds(
            "{field: BillingCountry, operation: equals, value: USA, caseSensitive: true}",
            "BillingCountry",
            "usa"));
  }

  @Test
  void notEqualAndNotContainHoldForEmptyValues() {
    assertTrue(
        holds(
            "{field: Industry, operation: notEqual, value: \"Retail, Banking\"}",
            "Industry",
            null));
    assertFalse(
        holds(
            "{field: Industry, operation: notEqual, value: \"Retail, Banking\"}",
            "Industry",
            "banking"));
    assertTrue(holds("{field: Name, operation: notContain, value: test}", "Name", null));
    assertFalse(
        holds("{field: Name, operation: notContain, value: \"test, demo\"}", "Name", "Demo Corp"));
  }

  @Test
  void containsAndStartsWith() {
    assertTrue(
        holds(
            "{field: Name, operation: contains, value: \"bank, insur\"}",
            "Name",
            "First National BANK"));
    assertTrue(
        holds(
            "{field: BillingPostalCode, operation: startsWith, value: \"94, 95\"}",
            "BillingPostalCode",
            "95014"));
    assertFalse(
        holds(
            "{field: BillingPostalCode, operation: startsWith, value: 94}",
            "BillingPostalCode",
            "19401"));
  }

  @Test
  void comparisonsAreNumericOnNumbersAndTextualOnTextLikeSalesforce() {
    assertTrue(
        holds(
            "{field: AnnualRevenue, operation: greaterThan, value: 9}", "AnnualRevenue", 80000.0));
    assertTrue(
        holds(
            "{field: AnnualRevenue, operation: lessOrEqual, value: 80000}",
            "AnnualRevenue",
            80000.0));
    assertFalse(
        holds(
            "{field: AnnualRevenue, operation: lessThan, value: 80000}", "AnnualRevenue", 80000.0));
    // the native trap: postal codes are text, so "9" > "80000"
    assertFalse(
        holds(
            "{field: BillingPostalCode, operation: greaterThan, value: 9}",
            "BillingPostalCode",
            "80000"));
    assertTrue(
        holds(
            "{field: BillingPostalCode, operation: greaterThan, value: 80000}",
            "BillingPostalCode",
            "9"));
  }

  @Test
  void postalRangesCompareNumbersNotText() {
    String c =
        "{field: BillingPostalCode, operation: postalRange, value: [90000-96199, 00500-00599]}";
    assertTrue(holds(c, "BillingPostalCode", "94105"));
    assertTrue(holds(c, "BillingPostalCode", "96199-1234"));
    assertTrue(holds(c, "BillingPostalCode", "00501"));
    assertFalse(holds(c, "BillingPostalCode", "9"));
    assertFalse(holds(c, "BillingPostalCode", "96200"));
    assertTrue(
        holds(
            "{field: BillingPostalCode, operation: postalRange, value: 1000000-2089999}",
            "BillingPostalCode",
            "105-0011"),
        "Japanese codes by their digits");
  }

  @Test
  void postalPrefixIgnoresSpacesAndCase() {
    String c = "{field: BillingPostalCode, operation: postalPrefix, value: \"SW1A, EC1\"}";
    assertTrue(holds(c, "BillingPostalCode", "sw1a 1aa"));
    assertTrue(holds(c, "BillingPostalCode", "EC1V 9HX"));
    assertFalse(holds(c, "BillingPostalCode", "E14 5AB"));
  }

  @Test
  void betweenInListsAndBlankChecks() {
    assertTrue(
        holds(
            "{field: NumberOfEmployees, operation: between, value: [100, 500]}",
            "NumberOfEmployees",
            500.0));
    assertFalse(
        holds(
            "{field: NumberOfEmployees, operation: between, value: [100, 500]}",
            "NumberOfEmployees",
            501.0));
    assertTrue(
        holds(
            "{field: BillingState, operation: in, value: [CA, \"New York\"]}",
            "BillingState",
            "new york"));
    assertTrue(
        holds("{field: BillingState, operation: notIn, value: [CA, NY]}", "BillingState", "WA"));
    assertTrue(holds("{field: Industry, operation: isBlank}", "Industry", "  "));
    assertFalse(holds("{field: Industry, operation: isNotBlank}", "Industry", null));
  }

  @Test
  void regularExpressionsMatchTheWholeValue() {
    assertTrue(
        holds(
            "{field: Name, operation: matches, value: \"acme( inc\\\\.?)?\"}",
            "Name",
            "ACME Inc."));
    assertFalse(holds("{field: Name, operation: matches, value: acme}", "Name", "Acme Corp"));
    assertFalse(
        holds(
            "{field: Name, operation: matches, value: acme, caseSensitive: true}", "Name", "ACME"));
  }

  @Test
  void includesAndExcludesFollowMultiSelectPicklists() {
    String inc = "{field: Rating, operation: includes, value: [\"Hot;Warm\", Cold]}";
    assertTrue(holds(inc, "Rating", "Warm;Hot;Other"));
    assertTrue(holds(inc, "Rating", "Cold"));
    assertFalse(holds(inc, "Rating", "Hot"));
    assertTrue(holds("{field: Rating, operation: excludes, value: Cold}", "Rating", "Hot"));
  }

  @Test
  void datesAndCheckboxes() {
    assertTrue(
        holds(
            "{field: Founded__c, operation: lessThan, value: 2000-01-01}",
            "Founded__c",
            LocalDate.of(1999, 12, 31)));
    assertFalse(
        holds(
            "{field: Founded__c, operation: greaterOrEqual, value: 2000-01-01}",
            "Founded__c",
            LocalDate.of(1999, 12, 31)));
    assertTrue(
        holds(
            "{field: IsExcludedFromRealign, operation: equals, value: false}",
            "IsExcludedFromRealign",
            false));
  }

  @Test
  void geographyByRadiusAndPolygon() {
    String bay = "{operation: withinRadius, value: {lat: 37.7749, lon: -122.4194, km: 80}}";
    Map<String, Object> sanJose = Map.of("BillingLatitude", 37.3382, "BillingLongitude", -121.8863);
    Map<String, Object> sacramento =
        Map.of("BillingLatitude", 38.5816, "BillingLongitude", -121.4944);
    CompiledRules r =
        compile(
            "model: Global_Sales\nterritories:\n  US_West:\n    rules:\n      - criteria: ["
                + bay
                + "]\n");
    assertEquals(
        Set.of("US_West"), assign(r, sanJose), "San Jose is about 67 km from San Francisco");
    assertEquals(Set.of(), assign(r, sacramento), "Sacramento is about 120 km away");
    String box =
        "{operation: withinPolygon, value: [[37, -123], [38.5, -123], [38.5, -121], [37, -121]]}";
    r =
        compile(
            "model: Global_Sales\nterritories:\n  US_West:\n    rules:\n      - criteria: ["
                + box
                + "]\n");
    assertEquals(Set.of("US_West"), assign(r, sanJose));
    assertEquals(Set.of(), assign(r, sacramento));
    assertEquals(Set.of(), assign(r, Map.of()), "no coordinates, no match");
  }

  @Test
  void booleanFiltersCombineCriteria() {
    CompiledRules r =
        compile(
            "model: Global_Sales\nterritories:\n  US_West:\n    rules:\n      - filter: (1 AND 2) OR NOT 3\n        criteria:\n          - {field: BillingState, operation: equals, value: CA}\n          - {field: Industry, operation: equals, value: Retail}\n          - {field: AnnualRevenue, operation: greaterThan, value: 1000}\n");
    assertEquals(
        Set.of("US_West"),
        assign(r, Map.of("BillingState", "CA", "Industry", "Retail", "AnnualRevenue", 5000.0)));
    assertEquals(
        Set.of(),
        assign(r, Map.of("BillingState", "CA", "Industry", "Energy", "AnnualRevenue", 5000.0)));
    assertEquals(Set.of("US_West"), assign(r, Map.of("AnnualRevenue", 10.0)));
  }

  @Test
  void multiModeJoinsEveryMatchAndAllRulesOfATerritoryMustHold() {
    String yaml =
        "model: Global_Sales\nterritories:\n  US_West:\n    rules:\n      - criteria: [{field: BillingState, operation: equals, value: CA}]\n      - criteria: [{field: Segment__c, operation: equals, value: SMB}]\n  Healthcare:\n    rules:\n      - criteria: [{field: Industry, operation: equals, value: Healthcare}]\n";
    CompiledRules r = compile(yaml);
    assertEquals(
        Set.of("Healthcare", "US_West"),
        assign(r, Map.of("BillingState", "CA", "Segment__c", "SMB", "Industry", "Healthcare")));
    assertEquals(
        Set.of("Healthcare"),
        assign(
            r, Map.of("BillingState", "CA", "Segment__c", "Enterprise", "Industry", "Healthcare")),
        "both rules of US_West must match");
  }

  @Test
  void exclusiveModeKeepsOnePerTypeByTypePriorityThenPriority() {
    String yaml =
        "model: Global_Sales\nmode: exclusive\nterritories:\n  US_West:\n    priority: 1\n    rules: [{criteria: [{field: BillingState, operation: equals, value: CA}]}]\n  US_East:\n    priority: 5\n    rules: [{criteria: [{field: Industry, operation: equals, value: Retail}]}]\n  Healthcare:\n    rules: [{criteria: [{field: Industry, operation: equals, value: Retail}]}]\n";
    CompiledRules r = compile(yaml);
    assertEquals(
        Set.of("Healthcare", "US_East"),
        assign(r, Map.of("BillingState", "CA", "Industry", "Retail")),
        "US_East outranks US_West in the Geo type; Healthcare is another type");
    String perModel =
        yaml.replace("mode: exclusive\n", "mode: exclusive\nexclusive: {per: model}\n");
    assertEquals(
        Set.of("US_East"),
        assign(compile(perModel), Map.of("BillingState", "CA", "Industry", "Retail")),
        "per model: the Geo type (priority 20) beats Overlay (5)");
  }

  @Test
  void overridesPinAndExclusionsBar() {
    String yaml =
        "model: Global_Sales\nmode: exclusive\nterritories:\n  US_West:\n    priority: 9\n    exclude: ["
            + ACCOUNT
            + "]\n    rules: [{criteria: [{field: BillingState, operation: equals, value: CA}]}]\n  US_East:\n    rules: [{criteria: [{field: BillingState, operation: equals, value: NY}]}]\noverrides:\n  - {account: "
            + ACCOUNT.substring(0, 15)
            + ", territory: US_East}\n";
    CompiledRules r = compile(yaml);
    assertEquals(
        Set.of("US_East"),
        assign(r, Map.of("BillingState", "CA")),
        "excluded from US_West, pinned to US_East");
    assertEquals(
        Set.of("US_West"),
        assign(r, Map.of("Id", SalesforceId.of("001", "4S", 8), "BillingState", "CA")));
  }

  @Test
  void inheritedRulesApplyToChildTerritories() {
    String yaml =
        "model: Global_Sales\nterritories:\n  US_West:\n    rules:\n      - inherited: true\n        criteria: [{field: BillingCountry, operation: equals, value: USA}]\n  Bay_Area:\n    rules:\n      - criteria: [{field: BillingCity, operation: equals, value: San Francisco}]\n";
    CompiledRules r = compile(yaml);
    assertEquals(
        Set.of("Bay_Area", "US_West"),
        assign(r, Map.of("BillingCountry", "USA", "BillingCity", "San Francisco")));
    assertEquals(
        Set.of(),
        assign(r, Map.of("BillingCountry", "France", "BillingCity", "San Francisco")),
        "Bay_Area also needs the inherited rule");
  }

  @Test
  void explainNamesTheRuleAndTheFirstFailedCriterion() {
    CompiledRules r =
        compile(
            "model: Global_Sales\nterritories:\n  US_West:\n    rules:\n      - name: west-smb\n        criteria:\n          - {field: BillingState, operation: equals, value: CA}\n          - {field: Segment__c, operation: equals, value: SMB}\n  US_East:\n    rules:\n      - name: east\n        criteria: [{field: BillingState, operation: equals, value: NY}]\n");
    Map<String, Object> a =
        new HashMap<>(Map.of("Id", ACCOUNT, "BillingState", "CA", "Segment__c", "Enterprise"));
    var record = RandomRules.record(a, r.slots());
    var assignment = r.assign(record, r.scratch());
    int west =
        r.territories().stream()
            .filter(t -> t.developerName().equals("US_West"))
            .findFirst()
            .orElseThrow()
            .index();
    CompiledRules.Explanation e = r.explain(record, west, assignment);
    assertFalse(e.assigned());
    assertEquals("west-smb", e.rules().get(0).rule());
    assertEquals("2: Segment__c equals SMB", e.rules().get(0).firstFailed());
    assertEquals("Enterprise", e.rules().get(0).criteria().get(1).value());
    assertEquals(0.5, e.closeness());
    assertEquals(
        "US_West",
        r.nearMisses(record, assignment, 3).get(0).territory(),
        "the closest miss comes first");
  }
}
