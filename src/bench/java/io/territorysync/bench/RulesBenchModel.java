package io.territorysync.bench;

import io.territorysync.rules.FieldKind;
import io.territorysync.rules.Operation;
import io.territorysync.rules.Pos;
import io.territorysync.rules.RuleSet;
import io.territorysync.rules.RulesContext;
import io.territorysync.rules.engine.AccountRecord;
import io.territorysync.rules.engine.CompiledRules;
import io.territorysync.rules.engine.FieldSlots;
import io.territorysync.rules.engine.RuleCompiler;
import io.territorysync.salesforce.SalesforceId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The rules benchmark's model: {@code territories} territories whose rules have the mix of a real
 * model (US state and industry lists, postal ranges with revenue floors, industry and revenue
 * bands, boolean filters, a few regular expressions and radius rules), about three criteria each,
 * and {@code accounts} accounts drawn so that most match one to three territories. The same rules
 * are written as DRL for the Drools baseline.
 */
final class RulesBenchModel {

  static final String[] COUNTRIES = {
    "United States", "USA", "Germany", "United Kingdom", "France", "Japan", "Canada", "Australia",
    "Brazil", "India", "Spain", "Italy", "Netherlands", "Sweden", "Mexico", "Singapore"
  };
  static final double[] COUNTRY_WEIGHT = {
    30, 10, 14, 9, 7, 6, 5, 3, 3, 3, 2, 2, 2, 1, 2, 1
  };
  static final String[] STATES = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY"
  };
  static final String[] INDUSTRIES = {
    "Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications",
    "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering",
    "Entertainment", "Finance", "Healthcare", "Hospitality", "Insurance", "Machinery", "Media",
    "Retail", "Technology", "Transportation", "Utilities", "Other"
  };
  static final String[] NAME_FIRST = {
    "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Hooli", "Vandelay",
    "Soylent", "Tyrell", "Cyberdyne", "Aperture", "Gringotts", "Oscorp", "Pied Piper", "Blue Sun",
    "Massive Dynamic", "Nakatomi", "Monarch"
  };
  static final String[] NAME_LAST = {"Inc", "Corp", "GmbH", "Ltd", "SA", "KK", "LLC", "Group"};
  static final double[][] CITIES = {
    {40.71, -74.01}, {34.05, -118.24}, {41.88, -87.63}, {52.52, 13.40}, {48.14, 11.58},
    {51.51, -0.13}, {48.86, 2.35}, {35.68, 139.69}, {43.65, -79.38}, {-33.87, 151.21}
  };
  static final String[] POSTAL_COUNTRIES = {"United States", "Germany", "France"};

  final List<String> accountFields =
      List.of(
          "Name",
          "BillingCountry",
          "BillingState",
          "BillingPostalCode",
          "BillingLatitude",
          "BillingLongitude",
          "Industry",
          "AnnualRevenue",
          "NumberOfEmployees");

  final RulesContext context;
  final RuleSet rules;
  final CompiledRules compiled;
  final int criteria;
  final String drl;
  final List<Map<String, Object>> accounts;

  RulesBenchModel(int territories, int accountCount, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    String modelId = SalesforceId.of("0MA", "BM", 1);
    String typeId = SalesforceId.of("0M5", "BM", 1);
    Map<String, RulesContext.Territory> ts = new LinkedHashMap<>();
    List<RuleSet.TerritoryRules> territoryRules = new ArrayList<>();
    StringBuilder drlText =
        new StringBuilder("package io.territorysync.bench;\n\nimport ")
            .append(DroolsAccount.class.getName())
            .append(";\n\n");
    int criteriaCount = 0;
    for (int i = 0; i < territories; i++) {
      String name = "T" + i;
      ts.put(
          name.toLowerCase(Locale.ROOT),
          new RulesContext.Territory(SalesforceId.of("0MI", "BM", i + 1), name, name, typeId, null));
      Rule rule = rule(i % 100, r);
      criteriaCount += rule.criteria.size();
      territoryRules.add(
          new RuleSet.TerritoryRules(
              name,
              0,
              List.of(
                  new RuleSet.Rule(
                      name + "_rule", rule.filter, rule.criteria, false, Pos.NONE, Pos.NONE)),
              List.of(),
              List.of(),
              Pos.NONE));
      drlText
          .append("rule \"")
          .append(name)
          .append("\"\nwhen\n  $a : DroolsAccount( ")
          .append(rule.drl)
          .append(" )\nthen\n  $a.matched(")
          .append(i)
          .append(");\nend\n\n");
    }
    Map<String, RulesContext.Field> fields = new LinkedHashMap<>();
    for (RulesContext.Field f : RulesContext.STANDARD_ACCOUNT_FIELDS) {
      fields.put(f.name().toLowerCase(Locale.ROOT), f);
    }
    context =
        new RulesContext(
            Map.of("bench", new RulesContext.Model(modelId, "Bench", "Active")),
            Map.of(modelId, ts),
            Map.of(typeId, new RulesContext.Type(typeId, "Sales", 10)),
            Map.of(),
            fields);
    rules =
        new RuleSet(
            "bench",
            "Bench",
            RuleSet.Mode.MULTI,
            RuleSet.ExclusivePer.TYPE,
            territoryRules,
            List.of(),
            Pos.NONE);
    RuleCompiler.Compilation c = RuleCompiler.compile(rules, context);
    if (!c.ok()) {
      throw new IllegalStateException("benchmark rules do not compile: " + c.problems());
    }
    compiled = c.rules();
    criteria = criteriaCount;
    drl = drlText.toString();
    accounts = new ArrayList<>(accountCount);
    for (int i = 0; i < accountCount; i++) {
      accounts.add(account(i, r));
    }
  }

  private record Rule(List<RuleSet.Criterion> criteria, String filter, String drl) {}

  private static RuleSet.Criterion criterion(String field, Operation op, List<String> values) {
    return new RuleSet.Criterion(field, op, values, false, Pos.NONE, Pos.NONE, Pos.NONE);
  }

  private static <T> List<T> some(T[] from, int n, SplittableRandom r) {
    List<T> out = new ArrayList<>();
    while (out.size() < n) {
      T t = from[r.nextInt(from.length)];
      if (!out.contains(t)) {
        out.add(t);
      }
    }
    return out;
  }

  private static String drlList(List<String> values) {
    StringBuilder sb = new StringBuilder("(");
    for (String v : values) {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      sb.append('"').append(v.toLowerCase(Locale.ROOT)).append('"');
    }
    return sb.append(')').toString();
  }

  /** One territory's rule; {@code kind} (0..99) picks the shape, in real-model proportions. */
  private static Rule rule(int kind, SplittableRandom r) {
    if (kind < 40) { // US sales territory: states and industries
      List<String> states = some(STATES, 1 + r.nextInt(2), r);
      List<String> industries = some(INDUSTRIES, 3 + r.nextInt(3), r);
      return new Rule(
          List.of(
              criterion("BillingCountry", Operation.EQUALS, List.of("United States", "USA")),
              criterion("BillingState", Operation.EQUALS, states),
              criterion("Industry", Operation.EQUALS, industries)),
          null,
          "country in (\"united states\", \"usa\"), state in "
              + drlList(states)
              + ", industry in "
              + drlList(industries));
    }
    if (kind < 65) { // postal range with a revenue floor
      String country = POSTAL_COUNTRIES[r.nextInt(POSTAL_COUNTRIES.length)];
      int from = r.nextInt(95) * 1000;
      int to = from + 999 + r.nextInt(2) * 1000;
      double floor = new double[] {0, 1e6, 1e7, 5e7}[r.nextInt(4)];
      return new Rule(
          List.of(
              criterion("BillingCountry", Operation.EQUALS, List.of(country)),
              criterion(
                  "BillingPostalCode",
                  Operation.POSTAL_RANGE,
                  List.of(String.format("%05d-%05d", from, to))),
              criterion(
                  "AnnualRevenue", Operation.GREATER_OR_EQUAL, List.of(Long.toString((long) floor)))),
          null,
          "country == \""
              + country.toLowerCase(Locale.ROOT)
              + "\", postal5 >= "
              + from
              + ", postal5 <= "
              + to
              + ", revenue >= "
              + floor);
    }
    if (kind < 85) { // industry vertical in a revenue band across a few countries
      List<String> industries = some(INDUSTRIES, 2, r);
      List<String> countries = some(COUNTRIES, 2 + r.nextInt(3), r);
      double lo = new double[] {0, 1e6, 1e7, 1e8}[r.nextInt(4)];
      double hi = lo * 10 + 1e6;
      return new Rule(
          List.of(
              criterion("Industry", Operation.EQUALS, industries),
              criterion(
                  "AnnualRevenue",
                  Operation.BETWEEN,
                  List.of(Long.toString((long) lo), Long.toString((long) hi))),
              criterion("BillingCountry", Operation.EQUALS, countries)),
          null,
          "industry in "
              + drlList(industries)
              + ", revenue >= "
              + lo
              + ", revenue <= "
              + hi
              + ", country in "
              + drlList(countries));
    }
    if (kind < 95) { // (1 AND 2) OR 3: a country's industry, or any very large company
      String country = COUNTRIES[r.nextInt(COUNTRIES.length)];
      List<String> industries = some(INDUSTRIES, 2, r);
      int employees = 50_000 + r.nextInt(50) * 1000;
      return new Rule(
          List.of(
              criterion("BillingCountry", Operation.EQUALS, List.of(country)),
              criterion("Industry", Operation.EQUALS, industries),
              criterion(
                  "NumberOfEmployees", Operation.GREATER_THAN, List.of(Integer.toString(employees)))),
          "(1 AND 2) OR 3",
          "(country == \""
              + country.toLowerCase(Locale.ROOT)
              + "\" && industry in "
              + drlList(industries)
              + ") || employees > "
              + employees);
    }
    if (kind < 98) { // name pattern in some countries
      String first = NAME_FIRST[r.nextInt(NAME_FIRST.length)];
      List<String> countries = some(COUNTRIES, 3, r);
      String regex = "(?i)" + first + " .*(Inc|Corp|LLC)";
      return new Rule(
          List.of(
              criterion("Name", Operation.MATCHES, List.of(first + " .*(Inc|Corp|LLC)")),
              criterion("BillingCountry", Operation.EQUALS, countries)),
          null,
          "name matches \"" + regex + "\", country in " + drlList(countries));
    }
    // radius around a city, for some industries
    double[] city = CITIES[r.nextInt(CITIES.length)];
    int km = 50 + r.nextInt(150);
    List<String> industries = some(INDUSTRIES, 4, r);
    return new Rule(
        List.of(
            criterion(
                null,
                Operation.WITHIN_RADIUS,
                List.of(Double.toString(city[0]), Double.toString(city[1]), Integer.toString(km))),
            criterion("Industry", Operation.EQUALS, industries)),
        null,
        "industry in "
            + drlList(industries)
            + ", within("
            + city[0]
            + ", "
            + city[1]
            + ", "
            + km
            + ".0)");
  }

  private static Map<String, Object> account(int i, SplittableRandom r) {
    Map<String, Object> a = new HashMap<>();
    a.put("Id", SalesforceId.of("001", "BM", i + 1));
    double pick = r.nextDouble() * 96;
    int country = 0;
    for (double acc = COUNTRY_WEIGHT[0]; acc < pick && country < COUNTRIES.length - 1; ) {
      country++;
      acc += COUNTRY_WEIGHT[country];
    }
    String c = COUNTRIES[country];
    a.put("BillingCountry", r.nextInt(20) == 0 ? c.toUpperCase(Locale.ROOT) : c);
    if (c.equals("United States") || c.equals("USA")) {
      a.put("BillingState", STATES[r.nextInt(STATES.length)]);
    }
    if (r.nextInt(30) != 0) {
      a.put("BillingPostalCode", String.format("%05d", r.nextInt(100_000)));
    }
    double[] city = CITIES[r.nextInt(CITIES.length)];
    a.put("BillingLatitude", city[0] + r.nextGaussian() * 1.5);
    a.put("BillingLongitude", city[1] + r.nextGaussian() * 1.5);
    a.put("Industry", INDUSTRIES[r.nextInt(INDUSTRIES.length)]);
    a.put("AnnualRevenue", Math.floor(Math.exp(12 + r.nextGaussian() * 3)));
    a.put("NumberOfEmployees", (double) (int) Math.exp(4 + r.nextGaussian() * 2.2));
    a.put(
        "Name",
        NAME_FIRST[r.nextInt(NAME_FIRST.length)]
            + " "
            + (1000 + r.nextInt(9000))
            + " "
            + NAME_LAST[r.nextInt(NAME_LAST.length)]);
    return a;
  }

  /** The account as the engine reads it. */
  AccountRecord record(Map<String, Object> a) {
    FieldSlots slots = compiled.slots();
    Object[] values = new Object[slots.size()];
    for (int i = 0; i < values.length; i++) {
      Object v = a.get(slots.name(i));
      if (v instanceof Number n && slots.kind(i) == FieldKind.NUMBER) {
        v = n.doubleValue();
      }
      values[i] = v;
    }
    return new AccountRecord((String) a.get("Id"), values, false, slots);
  }
}
