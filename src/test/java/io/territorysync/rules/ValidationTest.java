package io.territorysync.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.territorysync.rules.engine.RuleCompiler;
import io.territorysync.salesforce.SalesforceId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Malformed rules files: each gets an error naming what is wrong, at the right line and column. */
class ValidationTest {

  static final RulesContext CTX = context();

  static RulesContext context() {
    String model = SalesforceId.of("0MA", "4S", 1);
    String geo = SalesforceId.of("0M5", "4S", 1);
    String overlay = SalesforceId.of("0M5", "4S", 2);
    Map<String, RulesContext.Territory> ts = new LinkedHashMap<>();
    String west = SalesforceId.of("0MI", "4S", 1);
    ts.put("us_west", new RulesContext.Territory(west, "US_West", "US West", geo, null));
    ts.put(
        "us_east",
        new RulesContext.Territory(
            SalesforceId.of("0MI", "4S", 2), "US_East", "US East", geo, null));
    ts.put(
        "healthcare",
        new RulesContext.Territory(
            SalesforceId.of("0MI", "4S", 3), "Healthcare", "Healthcare", overlay, null));
    ts.put(
        "bay_area",
        new RulesContext.Territory(
            SalesforceId.of("0MI", "4S", 4), "Bay_Area", "Bay Area", geo, west));
    Map<String, RulesContext.Field> fields = new LinkedHashMap<>();
    RulesContext.STANDARD_ACCOUNT_FIELDS.forEach(
        f -> fields.put(f.name().toLowerCase(Locale.ROOT), f));
    fields.put("segment__c", new RulesContext.Field("Segment__c", FieldKind.TEXT));
    fields.put("rating", new RulesContext.Field("Rating", FieldKind.TEXT));
    fields.put("founded__c", new RulesContext.Field("Founded__c", FieldKind.DATE));
    return new RulesContext(
        Map.of("global_sales", new RulesContext.Model(model, "Global_Sales", "Active")),
        Map.of(model, ts),
        Map.of(
            geo,
            new RulesContext.Type(geo, "Geo", 20),
            overlay,
            new RulesContext.Type(overlay, "Overlay", 5)),
        Map.of("jane@acme.example", SalesforceId.of("005", "4S", 2)),
        fields);
  }

  /** Errors of {@code yaml}: reading, then checking against the context. */
  static List<RuleProblem> problems(String yaml) {
    RulesReader.Result read = RulesReader.read(yaml, "rules.yaml");
    List<RuleProblem> out = new ArrayList<>(read.problems());
    if (read.ok()) {
      out.addAll(RuleCompiler.compile(read.rules(), CTX).problems());
    }
    out.removeIf(RuleProblem::warning);
    return out;
  }

  private static final String HEAD = "model: Global_Sales\nterritories:\n";

  static Stream<Arguments> malformed() {
    return Stream.of(
        // 1-5: structure
        Arguments.of("not YAML", "model: [Global_Sales\n", 2, 1, "not valid YAML"),
        Arguments.of("a list at the top", "- model: x\n", 1, 1, "a rules file is a mapping"),
        Arguments.of("no model", "territories:\n  US_West: {}\n", 1, 1, "model is missing"),
        Arguments.of("no territories", "model: Global_Sales\n", 1, 1, "territories is missing"),
        Arguments.of(
            "unknown top-level key",
            "model: Global_Sales\nterritory:\n  US_West: {}\n",
            2,
            1,
            "unknown key 'territory' in rules file (did you mean territories?)"),
        // 6-10: mode and model
        Arguments.of(
            "bad mode",
            "model: Global_Sales\nmode: single\nterritories: {}\n",
            2,
            7,
            "mode must be multi or exclusive, not 'single'"),
        Arguments.of(
            "bad exclusive per",
            "model: Global_Sales\nmode: exclusive\nexclusive: {per: region}\nterritories: {}\n",
            3,
            18,
            "exclusive.per must be type or model"),
        Arguments.of(
            "unknown model",
            "model: Global_Sale\nterritories:\n  US_West: {}\n",
            1,
            8,
            "unknown Territory2Model 'Global_Sale'"),
        Arguments.of(
            "territories not a mapping",
            "model: Global_Sales\nterritories: [US_West]\n",
            2,
            14,
            "territories must be a mapping"),
        Arguments.of(
            "territory listed twice",
            HEAD + "  US_West: {}\n  us_west: {}\n",
            4,
            3,
            "territory us_west is listed twice (first at line 3)"),
        // 11-15: territories
        Arguments.of(
            "unknown territory",
            HEAD + "  US_Wst:\n    rules: []\n",
            3,
            3,
            "unknown territory 'US_Wst' in model Global_Sales (did you mean US_West?)"),
        Arguments.of(
            "territory is a list",
            HEAD + "  US_West:\n    - x\n",
            4,
            5,
            "territory US_West must be a mapping"),
        Arguments.of(
            "unknown territory key",
            HEAD + "  US_West:\n    rule: []\n",
            4,
            5,
            "unknown key 'rule' in territory US_West (did you mean rules?)"),
        Arguments.of(
            "priority not a number",
            HEAD + "  US_West:\n    priority: high\n",
            4,
            15,
            "priority must be a whole number, not 'high'"),
        Arguments.of(
            "rules not a list",
            HEAD + "  US_West:\n    rules: {a: b}\n",
            4,
            12,
            "rules of US_West must be a list"),
        // 16-20: rules
        Arguments.of(
            "rule without criteria",
            HEAD + "  US_West:\n    rules:\n      - name: west\n",
            5,
            9,
            "rule west of US_West has no criteria"),
        Arguments.of(
            "empty criteria",
            HEAD + "  US_West:\n    rules:\n      - name: west\n        criteria: []\n",
            6,
            19,
            "has no criteria"),
        Arguments.of(
            "duplicate rule name",
            HEAD
                + "  US_West:\n    rules:\n      - {name: a, criteria: [{field: Industry, operation: equals, value: X}]}\n      - {name: a, criteria: [{field: Industry, operation: equals, value: Y}]}\n",
            6,
            9,
            "rule name 'a' is used twice"),
        Arguments.of(
            "inherited not boolean",
            HEAD
                + "  US_West:\n    rules:\n      - {inherited: maybe, criteria: [{field: Industry, operation: equals, value: X}]}\n",
            5,
            21,
            "inherited must be true or false"),
        Arguments.of(
            "unknown rule key",
            HEAD
                + "  US_West:\n    rules:\n      - {filtr: 1, criteria: [{field: Industry, operation: equals, value: X}]}\n",
            5,
            10,
            "unknown key 'filtr' in rule (did you mean filter?)"),
        // 21-30: criteria
        Arguments.of(
            "unknown operation",
            HEAD
                + "  US_West:\n    rules:\n      - criteria:\n          - {field: Industry, operation: equal, value: X}\n",
            6,
            42,
            "unknown operation 'equal'"),
        Arguments.of(
            "criterion without operation",
            HEAD
                + "  US_West:\n    rules:\n      - criteria:\n          - {field: Industry, value: X}\n",
            6,
            13,
            "criterion has no operation"),
        Arguments.of(
            "criterion without value",
            HEAD
                + "  US_West:\n    rules:\n      - criteria:\n          - {field: Industry, operation: equals}\n",
            6,
            13,
            "criterion on Industry has no value"),
        Arguments.of(
            "criterion without field",
            HEAD
                + "  US_West:\n    rules:\n      - criteria:\n          - {operation: equals, value: X}\n",
            6,
            13,
            "criterion has no field"),
        Arguments.of(
            "misspelt criterion key",
            HEAD
                + "  US_West:\n    rules:\n      - criteria:\n          - {field: Industry, opertion: equals, value: X}\n",
            6,
            31,
            "unknown key 'opertion' in criterion (did you mean operation?)"),
        Arguments.of(
            "unknown field",
            HEAD
                + "  US_West:\n    rules:\n      - criteria:\n          - {field: Segmnt__c, operation: equals, value: SMB}\n",
            6,
            21,
            "unknown Account field 'Segmnt__c' (did you mean Segment__c?)"),
        Arguments.of(
            "number field given text",
            HEAD
                + "  US_West:\n    rules:\n      - criteria:\n          - {field: AnnualRevenue, operation: greaterThan, value: lots}\n",
            6,
            67,
            "AnnualRevenue is a number; 'lots' is not"),
        Arguments.of(
            "contains on a number",
            HEAD
                + "  US_West:\n    rules:\n      - criteria:\n          - {field: AnnualRevenue, operation: contains, value: 5}\n",
            6,
            13,
            "contains does not apply to the number field AnnualRevenue"),
        Arguments.of(
            "comparison with two values",
            HEAD
                + "  US_West:\n    rules:\n      - criteria:\n          - {field: NumberOfEmployees, operation: lessThan, value: [5, 10]}\n",
            6,
            68,
            "lessThan takes one value, not 2"),
        Arguments.of(
            "bad postal range",
            HEAD
                + "  US_West:\n    rules:\n      - criteria:\n          - {field: BillingPostalCode, operation: postalRange, value: 9000-96199}\n",
            6,
            71,
            "both ends of the postal range '9000-96199' need the same number of digits"),
        // 31-40: operands, filters, ties, names
        Arguments.of(
            "postal range backwards",
            HEAD
                + "  US_West:\n    rules:\n      - criteria:\n          - {field: BillingPostalCode, operation: postalRange, value: 99999-10000}\n",
            6,
            71,
            "starts after it ends"),
        Arguments.of(
            "bad regex",
            HEAD
                + "  US_West:\n    rules:\n      - criteria:\n          - {field: Name, operation: matches, value: \"acme(\"}\n",
            6,
            54,
            "not a valid regular expression for Name"),
        Arguments.of(
            "radius without km",
            HEAD
                + "  US_West:\n    rules:\n      - criteria:\n          - {operation: withinRadius, value: {lat: 37.7, lon: -122.4}}\n",
            6,
            46,
            "withinRadius needs lat, lon and km"),
        Arguments.of(
            "radius latitude out of range",
            HEAD
                + "  US_West:\n    rules:\n      - criteria:\n          - {operation: withinRadius, value: {lat: 137.7, lon: -122.4, km: 50}}\n",
            6,
            46,
            "withinRadius needs lat (-90..90)"),
        Arguments.of(
            "polygon with two points",
            HEAD
                + "  US_West:\n    rules:\n      - criteria:\n          - {operation: withinPolygon, value: [[1, 2], [3, 4]]}\n",
            6,
            47,
            "withinPolygon needs at least three"),
        Arguments.of(
            "date field given a bad date",
            HEAD
                + "  US_West:\n    rules:\n      - criteria:\n          - {field: Founded__c, operation: lessThan, value: 2020-13-01}\n",
            6,
            61,
            "Founded__c is a date"),
        Arguments.of(
            "checkbox given text",
            HEAD
                + "  US_West:\n    rules:\n      - criteria:\n          - {field: IsExcludedFromRealign, operation: equals, value: yes}\n",
            6,
            70,
            "IsExcludedFromRealign is true or false"),
        Arguments.of(
            "filter syntax",
            HEAD
                + "  US_West:\n    rules:\n      - filter: \"1 AND (2\"\n        criteria:\n          - {field: Industry, operation: equals, value: X}\n          - {field: Rating, operation: equals, value: Hot}\n",
            5,
            25,
            "bad filter '1 AND (2': missing ')'"),
        Arguments.of(
            "filter refers to a missing criterion",
            HEAD
                + "  US_West:\n    rules:\n      - filter: 1 OR 3\n        criteria:\n          - {field: Industry, operation: equals, value: X}\n          - {field: Rating, operation: equals, value: Hot}\n",
            5,
            22,
            "criterion 3 does not exist (the rule has 2)"),
        Arguments.of(
            "AND then OR without parentheses",
            HEAD
                + "  US_West:\n    rules:\n      - filter: 1 AND 2 OR 3\n        criteria:\n          - {field: Industry, operation: equals, value: X}\n          - {field: Rating, operation: equals, value: Hot}\n          - {field: Segment__c, operation: equals, value: SMB}\n",
            5,
            25,
            "bad filter '1 AND 2 OR 3': AND and OR are mixed without parentheses; Salesforce requires"),
        Arguments.of(
            "OR then AND without parentheses, inside parentheses",
            HEAD
                + "  US_West:\n    rules:\n      - filter: NOT (1 OR 2 and 3)\n        criteria:\n          - {field: Industry, operation: equals, value: X}\n          - {field: Rating, operation: equals, value: Hot}\n          - {field: Segment__c, operation: equals, value: SMB}\n",
            5,
            29,
            "write (1 AND 2) OR 3 or 1 AND (2 OR 3)"),
        Arguments.of(
            "criterion unused by the filter",
            HEAD
                + "  US_West:\n    rules:\n      - filter: 1\n        criteria:\n          - {field: Industry, operation: equals, value: X}\n          - {field: Rating, operation: equals, value: Hot}\n",
            5,
            17,
            "criterion 2 of rule rule-1 is not used by its filter '1'"),
        Arguments.of(
            "exclusive tie",
            "model: Global_Sales\nmode: exclusive\nterritories:\n  US_West:\n    rules:\n      - criteria: [{field: Industry, operation: equals, value: Retail}]\n  US_East:\n    rules:\n      - criteria: [{field: Rating, operation: equals, value: Hot}]\n",
            4,
            3,
            "in exclusive mode US_West and US_East (line 7) can match the same account with equal precedence"),
        Arguments.of(
            "unknown user",
            HEAD + "  US_West:\n    users:\n      - {user: joe@acme.example, role: Owner}\n",
            5,
            9,
            "unknown user 'joe@acme.example' for US_West"),
        Arguments.of(
            "override of a malformed id",
            HEAD + "  US_West: {}\noverrides:\n  - {account: 001XYZ, territory: US_West}\n",
            5,
            5,
            "override account '001XYZ' is not a Salesforce id"),
        Arguments.of(
            "override to an unknown territory",
            HEAD
                + "  US_West: {}\noverrides:\n  - {account: 0014S000000000B, territory: US_Nowhere}\n",
            5,
            5,
            "override territory 'US_Nowhere' is not in the model"),
        Arguments.of(
            "exclude of a malformed id",
            HEAD + "  US_West:\n    exclude: [abc]\n",
            3,
            3,
            "exclude of US_West: 'abc' is not a Salesforce id"),
        Arguments.of(
            "key given twice",
            "model: Global_Sales\nmodel: Other\nterritories: {}\n",
            2,
            1,
            "'model' is given twice"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedFileGetsAPositionedError(
      String what, String yaml, int line, int column, String message) {
    List<RuleProblem> problems = problems(yaml);
    assertFalse(problems.isEmpty(), what + ": no error");
    boolean found =
        problems.stream()
            .anyMatch(
                p ->
                    p.message().contains(message)
                        && p.pos().line() == line
                        && p.pos().column() == column);
    assertTrue(
        found,
        () ->
            what
                + ": expected '"
                + message
                + "' at "
                + line
                + ":"
                + column
                + ", got "
                + problems.stream().map(p -> p.pos() + " " + p.message()).toList());
  }

  @org.junit.jupiter.api.Test
  void everyErrorIsReportedAtOnce() {
    String yaml =
        HEAD
            + "  US_Wst: {}\n  US_East:\n    rules:\n      - criteria:\n          - {field: Nope, operation: equals, value: X}\n          - {field: AnnualRevenue, operation: between, value: [9, 1]}\n";
    List<RuleProblem> problems = new ArrayList<>(problems(yaml));
    problems.sort(java.util.Comparator.comparingInt(p -> p.pos().line()));
    List<String> got = problems.stream().map(p -> p.pos().line() + ": " + p.message()).toList();
    assertEquals(3, problems.size(), got.toString());
    assertEquals(
        List.of(3, 7, 8), problems.stream().map(p -> p.pos().line()).toList(), got.toString());
    assertTrue(problems.get(0).message().contains("unknown territory 'US_Wst'"), got.toString());
    assertTrue(problems.get(1).message().contains("'Nope'"), got.toString());
    assertTrue(
        problems.get(2).message().contains("between takes two numbers, lowest first"),
        got.toString());
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "(1 AND 2) OR 3",
        "1 AND (2 OR 3)",
        "1 OR 2 OR NOT 3",
        "1 AND 2 AND 3",
        "((1 OR 2) AND 3)",
        "NOT (1 AND 2) OR 3"
      })
  void filterLogicWithOneOperatorPerLevelIsAccepted(String filter) {
    String yaml =
        HEAD
            + "  US_West:\n    rules:\n      - filter: "
            + filter
            + "\n        criteria:\n          - {field: Industry, operation: equals, value: X}\n          - {field: Rating, operation: equals, value: Hot}\n          - {field: Segment__c, operation: equals, value: SMB}\n";
    assertEquals(List.of(), problems(yaml), filter);
  }

  @org.junit.jupiter.api.Test
  void aGoodFileHasNoErrors() {
    String yaml =
        "model: Global_Sales\nmode: exclusive\nterritories:\n  US_West:\n    priority: 2\n    rules:\n      - name: west\n        filter: (1 AND 2) OR 3\n        criteria:\n          - {field: BillingCountry, operation: equals, value: \"United States, USA\"}\n          - {field: BillingPostalCode, operation: postalRange, value: [90000-96199, 97000-97999]}\n          - {operation: withinRadius, value: {lat: 37.77, lon: -122.42, miles: 50}}\n    users: [{user: jane@acme.example, role: Owner}]\n  US_East:\n    priority: 1\n    rules:\n      - criteria: [{field: BillingState, operation: in, value: [NY, MA]}]\n  Healthcare:\n    rules:\n      - criteria: [{field: Industry, operation: equals, value: Healthcare}]\noverrides:\n  - {account: 0014S000000000B, territory: US_East}\n";
    List<RuleProblem> problems = problems(yaml);
    assertTrue(problems.isEmpty(), problems.toString());
  }
}
