package io.territorysync.rules;

import io.territorysync.rules.engine.AccountRecord;
import io.territorysync.rules.engine.FieldSlots;
import io.territorysync.salesforce.SalesforceId;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random models, rule sets and accounts over small value domains, so rules and accounts meet often.
 */
final class RandomRules {

  static final String[] COUNTRIES = {"Germany", "France", "United States", "USA", "Japan"};
  static final String[] STATES = {"CA", "NY", "TX", "WA", "BY", "HE", "ON", "13"};
  static final String[] INDUSTRIES = {
    "Retail", "Banking", "Healthcare", "Technology", "Energy", "Other"
  };
  static final String[] SEGMENTS = {"Enterprise", "Mid-Market", "SMB", "Public Sector"};
  static final String[] TAGS = {"a", "b", "c", "d"};
  static final String[] WORDS = {"Acme", "Blue", "North", "Delta", "Zen", "acme", "Prime"};

  final SplittableRandom r;
  final RulesContext ctx;
  final List<String> territoryNames = new ArrayList<>();
  final List<String> accountIds = new ArrayList<>();

  RandomRules(long seed, int territories, int accounts) {
    r = new SplittableRandom(seed);
    Map<String, RulesContext.Type> types = new HashMap<>();
    for (int i = 1; i <= 4; i++) {
      String id = SalesforceId.of("0M5", "4S", i);
      types.put(id, new RulesContext.Type(id, "Type" + i, i * 10));
    }
    List<String> typeIds = new ArrayList<>(types.keySet());
    Collections.sort(typeIds);
    Map<String, RulesContext.Territory> ts = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= territories; i++) {
      String id = SalesforceId.of("0MI", "4S", i);
      String parent = ids.isEmpty() || r.nextInt(4) == 0 ? null : ids.get(r.nextInt(ids.size()));
      String name = "T" + i;
      ts.put(
          name.toLowerCase(Locale.ROOT),
          new RulesContext.Territory(
              id, name, name, typeIds.get(r.nextInt(typeIds.size())), parent));
      ids.add(id);
      territoryNames.add(name);
    }
    String modelId = SalesforceId.of("0MA", "4S", 1);
    Map<String, RulesContext.Field> fields = new LinkedHashMap<>();
    for (RulesContext.Field f : RulesContext.STANDARD_ACCOUNT_FIELDS) {
      fields.put(f.name().toLowerCase(Locale.ROOT), f);
    }
    fields.put("segment__c", new RulesContext.Field("Segment__c", FieldKind.TEXT));
    fields.put("tags__c", new RulesContext.Field("Tags__c", FieldKind.MULTI_PICKLIST));
    fields.put("founded__c", new RulesContext.Field("Founded__c", FieldKind.DATE));
    ctx =
        new RulesContext(
            Map.of("m", new RulesContext.Model(modelId, "M", "Active")),
            Map.of(modelId, ts),
            types,
            Map.of("u@x.example", SalesforceId.of("005", "4S", 1)),
            fields);
    for (int i = 1; i <= accounts; i++) {
      accountIds.add(SalesforceId.of("001", "4S", i));
    }
  }

  <T> T pick(T[] a) {
    return a[r.nextInt(a.length)];
  }

  RuleSet ruleSet() {
    RuleSet.Mode mode = r.nextBoolean() ? RuleSet.Mode.MULTI : RuleSet.Mode.EXCLUSIVE;
    RuleSet.ExclusivePer per =
        r.nextBoolean() ? RuleSet.ExclusivePer.TYPE : RuleSet.ExclusivePer.MODEL;
    List<Integer> priorities = new ArrayList<>();
    for (int i = 1; i <= territoryNames.size(); i++) {
      priorities.add(i);
    }
    Collections.shuffle(priorities, new java.util.Random(r.nextLong()));
    List<RuleSet.TerritoryRules> out = new ArrayList<>();
    for (int t = 0; t < territoryNames.size(); t++) {
      if (r.nextInt(5) == 0) {
        continue;
      }
      List<RuleSet.Rule> rules = new ArrayList<>();
      int n = r.nextInt(3);
      for (int k = 0; k < n; k++) {
        rules.add(rule(k));
      }
      List<String> exclude = new ArrayList<>();
      if (r.nextInt(6) == 0) {
        exclude.add(accountIds.get(r.nextInt(accountIds.size())));
      }
      out.add(
          new RuleSet.TerritoryRules(
              territoryNames.get(t), priorities.get(t), rules, exclude, List.of(), Pos.NONE));
    }
    List<RuleSet.Override> overrides = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      overrides.add(
          new RuleSet.Override(
              accountIds.get(r.nextInt(accountIds.size())).substring(0, 15),
              territoryNames.get(r.nextInt(territoryNames.size())),
              Pos.NONE));
    }
    // an account may not be both pinned to and excluded from one territory
    List<RuleSet.TerritoryRules> cleaned = new ArrayList<>();
    for (RuleSet.TerritoryRules tr : out) {
      List<String> ex = new ArrayList<>(tr.exclude());
      ex.removeIf(
          id ->
              overrides.stream()
                  .anyMatch(
                      o ->
                          o.territory().equals(tr.developerName())
                              && SalesforceId.to18(o.accountId()).equals(id)));
      cleaned.add(
          new RuleSet.TerritoryRules(
              tr.developerName(), tr.priority(), tr.rules(), ex, tr.users(), tr.pos()));
    }
    return new RuleSet("random", "M", mode, per, cleaned, overrides, Pos.NONE);
  }

  private RuleSet.Rule rule(int k) {
    int n = 1 + r.nextInt(4);
    List<RuleSet.Criterion> cs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      cs.add(criterion());
    }
    String filter = n == 1 || r.nextInt(3) == 0 ? null : filter(n);
    return new RuleSet.Rule("r" + k, filter, cs, r.nextInt(3) == 0, Pos.NONE, Pos.NONE);
  }

  /**
   * A random filter that uses every criterion 1..n once: chains of one operator are written without
   * parentheses ({@code 1 AND 2 AND 3}), a chain inside the other operator is parenthesised, as
   * Salesforce requires; NOT applies to a criterion or a group.
   */
  private String filter(int n) {
    List<String[]> parts = new ArrayList<>(); // {text, top-level operator or ""}
    for (int i = 1; i <= n; i++) {
      parts.add(new String[] {(r.nextInt(6) == 0 ? "NOT " : "") + i, ""});
    }
    Collections.shuffle(parts, new java.util.Random(r.nextLong()));
    while (parts.size() > 1) {
      int i = r.nextInt(parts.size() - 1);
      String op = r.nextBoolean() ? "AND" : "OR";
      String joined = operand(parts.get(i), op) + " " + op + " " + operand(parts.get(i + 1), op);
      String[] part = new String[] {joined, op};
      if (r.nextInt(8) == 0) {
        part = new String[] {"NOT (" + joined + ")", ""};
      } else if (r.nextInt(8) == 0) {
        part = new String[] {"(" + joined + ")", ""};
      }
      parts.remove(i + 1);
      parts.set(i, part);
    }
    return parts.get(0)[0];
  }

  private static String operand(String[] part, String op) {
    return part[1].isEmpty() || part[1].equals(op) ? part[0] : "(" + part[0] + ")";
  }

  private RuleSet.Criterion c(String field, Operation op, String... values) {
    return new RuleSet.Criterion(
        field, op, List.of(values), r.nextInt(10) == 0, Pos.NONE, Pos.NONE, Pos.NONE);
  }

  RuleSet.Criterion criterion() {
    switch (r.nextInt(14)) {
      case 0:
        return c(
            "BillingCountry",
            pick(
                new Operation[] {
                  Operation.EQUALS, Operation.IN, Operation.NOT_EQUAL, Operation.NOT_IN
                }),
            pick(COUNTRIES),
            pick(COUNTRIES).toUpperCase(Locale.ROOT));
      case 1:
        return c(
            "BillingState",
            pick(
                new Operation[] {
                  Operation.EQUALS, Operation.STARTS_WITH, Operation.CONTAINS, Operation.NOT_CONTAIN
                }),
            pick(STATES),
            pick(STATES).substring(0, 1));
      case 2:
        {
          int a = r.nextInt(100);
          int b = a + r.nextInt(100 - a);
          return c(
              "BillingPostalCode", Operation.POSTAL_RANGE, String.format("%02d000-%02d999", a, b));
        }
      case 3:
        return c(
            "BillingPostalCode",
            pick(
                new Operation[] {
                  Operation.POSTAL_PREFIX,
                  Operation.STARTS_WITH,
                  Operation.GREATER_THAN,
                  Operation.LESS_OR_EQUAL
                }),
            Integer.toString(r.nextInt(10)));
      case 4:
        return c(
            "Industry",
            pick(
                new Operation[] {
                  Operation.EQUALS, Operation.NOT_EQUAL, Operation.IS_BLANK, Operation.IS_NOT_BLANK
                }),
            pick(INDUSTRIES),
            pick(INDUSTRIES));
      case 5:
        return c(
            "AnnualRevenue",
            pick(
                new Operation[] {
                  Operation.GREATER_THAN,
                  Operation.GREATER_OR_EQUAL,
                  Operation.LESS_THAN,
                  Operation.LESS_OR_EQUAL
                }),
            Integer.toString(r.nextInt(10) * 1_000_000));
      case 6:
        {
          int a = r.nextInt(10) * 500;
          return c(
              "NumberOfEmployees",
              pick(new Operation[] {Operation.BETWEEN, Operation.BETWEEN, Operation.EQUALS}),
              Integer.toString(a),
              Integer.toString(a + r.nextInt(10) * 500));
        }
      case 7:
        return c(
            "Name",
            Operation.MATCHES,
            pick(
                new String[] {
                  "acme.*",
                  "(?:blue|north) .*",
                  ".*\\d+",
                  "[a-z]+ co",
                  "acme|zen.*",
                  "^Zen.*",
                  "delt?a.*",
                  "prime .+",
                  "North\\b.*"
                }));
      case 8:
        return c(
            "Segment__c",
            pick(new Operation[] {Operation.EQUALS, Operation.IN, Operation.NOT_IN}),
            pick(SEGMENTS),
            pick(SEGMENTS));
      case 9:
        return c(
            "Tags__c",
            pick(new Operation[] {Operation.INCLUDES, Operation.EXCLUDES}),
            pick(TAGS),
            pick(TAGS) + ";" + pick(TAGS));
      case 10:
        return new RuleSet.Criterion(
            null,
            Operation.WITHIN_RADIUS,
            List.of(
                Double.toString(40 + r.nextInt(20)),
                Double.toString(-10 + r.nextInt(20)),
                Double.toString(100 + r.nextInt(900))),
            false,
            Pos.NONE,
            Pos.NONE,
            Pos.NONE);
      case 11:
        {
          double lat = 40 + r.nextInt(15);
          double lon = -10 + r.nextInt(15);
          return new RuleSet.Criterion(
              null,
              Operation.WITHIN_POLYGON,
              List.of(
                  lat + "," + lon,
                  (lat + 8) + "," + lon,
                  (lat + 8) + "," + (lon + 9),
                  lat + "," + (lon + 6)),
              false,
              Pos.NONE,
              Pos.NONE,
              Pos.NONE);
        }
      case 12:
        return c(
            "Founded__c",
            pick(new Operation[] {Operation.LESS_THAN, Operation.GREATER_OR_EQUAL}),
            LocalDate.of(1990 + r.nextInt(30), 1 + r.nextInt(12), 1).toString());
      default:
        return c(
            "IsExcludedFromRealign",
            pick(new Operation[] {Operation.EQUALS, Operation.NOT_EQUAL}),
            r.nextBoolean() ? "true" : "false");
    }
  }

  Map<String, Object> account(int i) {
    Map<String, Object> a = new HashMap<>();
    a.put("Id", accountIds.get(i));
    a.put(
        "BillingCountry",
        r.nextInt(10) == 0
            ? null
            : r.nextInt(5) == 0
                ? " " + pick(COUNTRIES).toLowerCase(Locale.ROOT) + " "
                : pick(COUNTRIES));
    a.put("BillingState", r.nextInt(8) == 0 ? null : pick(STATES));
    // postal codes on range boundaries (xx000, xx999) as often as inside them
    String postal =
        String.format(
            "%02d%s", r.nextInt(100), pick(new String[] {"000", "999", "500", "001", "998"}));
    a.put(
        "BillingPostalCode",
        r.nextInt(8) == 0
            ? null
            : r.nextInt(4) == 0 ? postal + "-" + String.format("%04d", r.nextInt(10000)) : postal);
    a.put("Industry", r.nextInt(6) == 0 ? null : pick(INDUSTRIES));
    a.put("AnnualRevenue", r.nextInt(6) == 0 ? null : (double) (r.nextInt(100) * 100_000));
    a.put("NumberOfEmployees", r.nextInt(6) == 0 ? null : (double) (r.nextInt(20) * 500));
    a.put("Name", pick(WORDS) + " " + (r.nextBoolean() ? "co" : Integer.toString(r.nextInt(100))));
    a.put("Segment__c", r.nextInt(5) == 0 ? null : pick(SEGMENTS));
    a.put("Tags__c", r.nextInt(4) == 0 ? null : pick(TAGS) + ";" + pick(TAGS));
    a.put("BillingLatitude", r.nextInt(8) == 0 ? null : 35 + r.nextDouble() * 30);
    a.put("BillingLongitude", r.nextInt(8) == 0 ? null : -15 + r.nextDouble() * 30);
    a.put(
        "Founded__c",
        r.nextInt(5) == 0
            ? null
            : LocalDate.of(1990 + r.nextInt(30), 1 + r.nextInt(12), 1 + r.nextInt(2)));
    a.put("IsExcludedFromRealign", r.nextInt(10) == 0);
    return a;
  }

  /** The engine's view of an account. */
  static AccountRecord record(Map<String, Object> a, FieldSlots slots) {
    Object[] values = new Object[slots.size()];
    for (int i = 0; i < values.length; i++) {
      Object v = a.get(slots.name(i));
      if (v instanceof LocalDate d) {
        v = d.toEpochDay();
      }
      values[i] = v;
    }
    return new AccountRecord(
        (String) a.get("Id"), values, Boolean.TRUE.equals(a.get("IsExcludedFromRealign")), slots);
  }
}
