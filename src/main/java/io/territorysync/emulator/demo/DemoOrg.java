package io.territorysync.emulator.demo;

import io.territorysync.emulator.Industries;
import io.territorysync.emulator.OrgData;
import io.territorysync.emulator.Stages;
import io.territorysync.emulator.demo.DemoTerritory.Criterion;
import io.territorysync.emulator.demo.Geography.Country;
import io.territorysync.emulator.demo.Geography.State;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Generates a realistic demo org, deterministically from a seed: sales users, accounts across 14
 * countries with real postal ranges and coordinates, opportunities over past and coming quarters,
 * an Active Territory2 model (global, regions, countries, areas, segment leaves, and postal
 * districts at larger sizes, plus overlay, field and named-account territories), some manual
 * associations (a few of them wrong), native assignment rules and user assignments.
 */
public final class DemoOrg {

  /** What to generate. */
  public record Spec(int accounts, long seed, int territories, double opportunitiesPerAccount) {
    public Spec {
      if (accounts < 0) {
        throw new IllegalArgumentException("accounts must be >= 0");
      }
    }

    /** {@code accounts} accounts with the default territory count and two opportunities each. */
    public static Spec of(int accounts, long seed) {
      return new Spec(accounts, seed, defaultTerritories(accounts), 2.0);
    }

    /** About one territory per thousand accounts, between 100 and 5,000. */
    public static int defaultTerritories(int accounts) {
      return Math.max(100, Math.min(5000, accounts / 1000));
    }
  }

  /** What was generated. */
  public record Result(
      Spec spec,
      String activeModelId,
      String activeModelName,
      List<DemoTerritory> territories,
      Map<String, Integer> counts,
      List<String> namedAccountIds) {}

  static final List<String> SEGMENTS = List.of("Enterprise", "Mid-Market", "SMB", "Public Sector");
  private static final Map<String, String> SEGMENT_CODES =
      Map.of("Enterprise", "ENT", "Mid-Market", "MM", "SMB", "SMB", "Public Sector", "PS");
  private static final String[] FIRST = {
    "Ava", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Isla", "Jonas", "Kira",
    "Liam", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tara", "Umar", "Vera", "Wei",
    "Ximena", "Yusuf", "Zoe"
  };
  private static final String[] LAST = {
    "Anders",
    "Brooks",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Murphy",
    "Nakamura",
    "Okafor",
    "Patel",
    "Quinlan",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
    "Wang",
    "Xu",
    "Young",
    "Zimmer"
  };
  private static final String[] ADJ = {
    "Blue",
    "Bright",
    "Cedar",
    "Crimson",
    "Delta",
    "Evergreen",
    "First",
    "Golden",
    "Granite",
    "Harbor",
    "Iron",
    "Lakeside",
    "Liberty",
    "Meridian",
    "Noble",
    "North",
    "Oak",
    "Pacific",
    "Pioneer",
    "Prime",
    "Quantum",
    "Redwood",
    "Silver",
    "Summit",
    "Sterling",
    "True",
    "Union",
    "Vertex",
    "Western",
    "Zenith"
  };
  private static final String[] NOUN = {
    "Analytics",
    "Bank",
    "Biotech",
    "Builders",
    "Capital",
    "Foods",
    "Freight",
    "Health",
    "Hotels",
    "Insurance",
    "Labs",
    "Logistics",
    "Machines",
    "Media",
    "Medical",
    "Metals",
    "Motors",
    "Networks",
    "Energy",
    "Pharma",
    "Power",
    "Retail",
    "Robotics",
    "Software",
    "Systems",
    "Telecom",
    "Textiles",
    "Transit",
    "Utilities",
    "Ventures"
  };
  private static final String[] SUFFIX = {
    "Inc.", "LLC", "Corp.", "Group", "Ltd.", "GmbH", "S.A.", "plc", "Co.", "Holdings"
  };
  private static final String[] STREET = {
    "Main", "Market", "Oak", "Pine", "Maple", "Cedar", "Elm", "Lake", "Hill", "Park", "River",
    "Church", "Mill", "Station", "King"
  };
  private static final String[] PRODUCTS = {
    "Platform",
    "Renewal",
    "Expansion",
    "Services",
    "Pilot",
    "Upgrade",
    "Analytics Add-on",
    "Support"
  };
  private static final Map<String, double[]> INDUSTRY_WEIGHT = industryWeights();
  private static final double SF_LAT = 37.7749;
  private static final double SF_LON = -122.4194;

  private final Spec spec;
  private final OrgData org;
  private final SplittableRandom root;
  private final Map<String, Integer> counts = new LinkedHashMap<>();
  private final List<DemoTerritory> territories = new ArrayList<>();
  private final Map<String, DemoTerritory> leafIndex = new HashMap<>();
  // the geography leaves in plan order by country and segment: an account's leaf is looked up
  // among a few dozen of them, not among every territory (5,000 at 5M accounts)
  private final Map<String, List<DemoTerritory>> leavesByCountryAndSegment = new HashMap<>();
  private final List<String> userIds = new ArrayList<>();
  private final List<String> usernames = new ArrayList<>();
  private final List<Integer> activeUsers = new ArrayList<>();
  private DemoTerritory healthcare;
  private DemoTerritory finance;
  private DemoTerritory bayArea;
  private DemoTerritory strategic;
  private LocalDate today;

  private DemoOrg(Spec spec, OrgData org) {
    this.spec = spec;
    this.org = org;
    this.root = new SplittableRandom(spec.seed());
  }

  /** Generates {@code spec} into {@code org}. */
  public static Result generate(Spec spec, OrgData org) {
    return new DemoOrg(spec, org).run();
  }

  private Result run() {
    today = LocalDate.ofInstant(org.now(), ZoneOffset.UTC);
    users();
    String modelId = model();
    types();
    plan();
    createTerritories(modelId);
    List<String> named = accountsAndOpportunities();
    nativeRules(modelId);
    userAssignments();
    return new Result(
        spec, modelId, "Global_Sales", List.copyOf(territories), Map.copyOf(counts), named);
  }

  // ---------------------------------------------------------------------------------- users

  private void users() {
    int n = Math.max(12, Math.min(5000, spec.accounts() / 200));
    SplittableRandom r = root.split();
    try (OrgData.Loader users = org.loader("User")) {
      int username = users.field("Username");
      int first = users.field("FirstName");
      int last = users.field("LastName");
      int email = users.field("Email");
      int alias = users.field("Alias");
      int title = users.field("Title");
      int dept = users.field("Department");
      int active = users.field("IsActive");
      for (int i = 0; i < n; i++) {
        String f = FIRST[r.nextInt(FIRST.length)];
        String l = LAST[r.nextInt(LAST.length)];
        String u =
            (f + "." + l + "." + (i + 1)).toLowerCase(Locale.ROOT) + "@demo.territorysync.example";
        Object[] row = users.row();
        row[username] = u;
        row[first] = f;
        row[last] = l;
        row[email] = u;
        row[alias] =
            (f.charAt(0) + l).substring(0, Math.min(8, l.length() + 1)).toLowerCase(Locale.ROOT);
        row[title] = i % 10 == 0 ? "Regional Sales Manager" : "Account Executive";
        row[dept] = "Sales";
        row[active] = r.nextInt(50) != 0;
        if ((Boolean) row[active]) {
          activeUsers.add(i);
        }
        userIds.add(users.add(row));
        usernames.add(u);
      }
    }
    counts.put("User", userIds.size() + 1);
  }

  // ------------------------------------------------------------------------ territory model

  private String model() {
    String planning =
        org.insertSystem(
            "Territory2Model",
            Map.of(
                "DeveloperName",
                "Next_Year_Planning",
                "Name",
                "Next Year (planning)",
                "State",
                "Planning"));
    String active =
        org.insertSystem(
            "Territory2Model",
            Map.of(
                "DeveloperName",
                "Global_Sales",
                "Name",
                "Global Sales",
                "State",
                "Active",
                "ActivatedDate",
                org.now()));
    counts.put("Territory2Model", planning != null && active != null ? 2 : 0);
    return active;
  }

  private final Map<String, String> typeIds = new HashMap<>();

  private void types() {
    Object[][] types = {
      {"Global", "Global", 10},
      {"Region", "Region", 20},
      {"Country", "Country", 30},
      {"Area", "Sales Area", 40},
      {"Segment", "Segment", 50},
      {"District", "Postal District", 60},
      {"Overlay", "Industry Overlay", 5},
      {"Field", "Field Team", 8},
      {"Named_Account", "Named Accounts", 100},
    };
    for (Object[] t : types) {
      typeIds.put(
          (String) t[0],
          org.insertSystem(
              "Territory2Type",
              Map.of("DeveloperName", t[0], "MasterLabel", t[1], "Priority", t[2])));
    }
    counts.put("Territory2Type", types.length);
  }

  private DemoTerritory territory(String dev, String name, String type, DemoTerritory parent) {
    DemoTerritory t = new DemoTerritory(dev, name, type, parent);
    territories.add(t);
    return t;
  }

  /**
   * Lays out the hierarchy, then splits the heaviest leaves into postal districts up to the target
   * count.
   */
  private void plan() {
    DemoTerritory global = territory("Global", "Global", "Global", null);
    int totalWeight = Geography.COUNTRIES.stream().mapToInt(Country::weight).sum();
    for (String region : Geography.REGIONS) {
      DemoTerritory r = territory(region, region, "Region", global);
      for (Country c : Geography.COUNTRIES) {
        if (!c.region().equals(region)) {
          continue;
        }
        DemoTerritory ct = territory(region + "_" + c.code(), c.canonicalName(), "Country", r);
        double countryWeight = (double) c.weight() / totalWeight;
        if (c.code().equals("US")) {
          for (List<String> area : Geography.US_AREAS) {
            DemoTerritory a = territory("NA_US_" + area.get(0), "US " + area.get(0), "Area", ct);
            List<String> states = area.subList(1, area.size());
            for (String seg : SEGMENTS) {
              DemoTerritory leaf =
                  territory(
                      a.developerName + "_" + SEGMENT_CODES.get(seg),
                      "US " + area.get(0) + " " + seg,
                      "Segment",
                      a);
              leaf.country = c;
              leaf.segment = seg;
              leaf.states = states;
              leaf.postalFrom = 0;
              leaf.postalTo = 99999;
              leaf.weight = countryWeight * segmentShare(seg) * states.size() / 50.0;
            }
          }
        } else {
          for (String seg : SEGMENTS) {
            DemoTerritory leaf =
                territory(
                    ct.developerName + "_" + SEGMENT_CODES.get(seg),
                    c.canonicalName() + " " + seg,
                    "Segment",
                    ct);
            leaf.country = c;
            leaf.segment = seg;
            leaf.states = List.of();
            int max = (int) Math.pow(10, c.postal().digits) - 1;
            leaf.postalFrom = 0;
            leaf.postalTo = c.postal().digits == 0 ? 0 : max;
            leaf.weight = countryWeight * segmentShare(seg);
          }
        }
      }
    }
    healthcare = territory("Healthcare_Overlay", "Healthcare Overlay", "Overlay", global);
    healthcare.criteria.add(
        new Criterion("Industry", "equals", List.of("Healthcare", "Biotechnology")));
    finance =
        territory("Financial_Services_Overlay", "Financial Services Overlay", "Overlay", global);
    finance.criteria.add(
        new Criterion("Industry", "equals", List.of("Banking", "Finance", "Insurance")));
    finance.criteria.add(new Criterion("AnnualRevenue", "greaterOrEqual", List.of("50000000")));
    bayArea = territory("Bay_Area_Field", "Bay Area Field Team", "Field", global);
    bayArea.criteria.add(
        new Criterion(
            "Billing",
            "withinKm",
            List.of(Double.toString(SF_LAT), Double.toString(SF_LON), "80")));
    strategic = territory("Strategic_Accounts", "Strategic Accounts", "Named_Account", global);
    splitDistricts();
    for (DemoTerritory t : territories) {
      if (t.isLeaf() && t.country != null) {
        leafCriteria(t);
      }
    }
  }

  private static double segmentShare(String segment) {
    return switch (segment) {
      case "Enterprise" -> 0.05;
      case "Mid-Market" -> 0.25;
      case "SMB" -> 0.62;
      default -> 0.08;
    };
  }

  private void splitDistricts() {
    int target = Math.max(territories.size(), spec.territories());
    while (territories.size() < target) {
      int remaining = target - territories.size();
      if (remaining == 1) {
        // A split adds at least two; the last one is a partner overlay instead.
        DemoTerritory partners =
            territory("Partner_Overlay", "Partner Overlay", "Overlay", territories.get(0));
        partners.criteria.add(new Criterion("Type", "equals", List.of("Technology Partner")));
        break;
      }
      DemoTerritory heaviest =
          territories.stream()
              .filter(t -> t.isLeaf() && t.country != null && splittable(t))
              .max(
                  Comparator.comparingDouble((DemoTerritory t) -> t.weight)
                      .thenComparing(t -> t.developerName))
              .orElse(null);
      if (heaviest == null) {
        break;
      }
      split(heaviest, Math.min(3, remaining));
    }
  }

  private static boolean splittable(DemoTerritory t) {
    if (t.states.size() > 1) {
      return true;
    }
    return t.country.postal().digits > 0 && t.postalTo - t.postalFrom >= 9;
  }

  private void split(DemoTerritory leaf, int wanted) {
    // a state list splits into at most one district per state, never an empty one
    int parts = leaf.states.size() > 1 ? Math.min(wanted, leaf.states.size()) : wanted;
    for (int i = 0; i < parts; i++) {
      DemoTerritory child =
          territory(
              leaf.developerName + "_" + (i + 1), leaf.name + " " + (i + 1), "District", leaf);
      child.country = leaf.country;
      child.segment = leaf.segment;
      if (leaf.states.size() > 1) {
        int from = leaf.states.size() * i / parts;
        int to = leaf.states.size() * (i + 1) / parts;
        child.states = leaf.states.subList(from, to);
        child.postalFrom = leaf.postalFrom;
        child.postalTo = leaf.postalTo;
        child.weight = leaf.weight * (to - from) / leaf.states.size();
      } else {
        child.states = leaf.states;
        long span = (long) leaf.postalTo - leaf.postalFrom + 1;
        child.postalFrom = (int) (leaf.postalFrom + span * i / parts);
        child.postalTo = (int) (leaf.postalFrom + span * (i + 1) / parts - 1);
        child.weight = leaf.weight / parts;
      }
    }
    leaf.states = List.of();
  }

  private void leafCriteria(DemoTerritory t) {
    t.criteria.add(new Criterion("BillingCountry", "equals", t.country.names()));
    if (!t.states.isEmpty()) {
      t.criteria.add(new Criterion("BillingState", "equals", t.states));
    }
    int max =
        t.country.postal().digits == 0 ? 0 : (int) Math.pow(10, t.country.postal().digits) - 1;
    if (t.country.postal().digits > 0 && (t.postalFrom > 0 || t.postalTo < max)) {
      t.criteria.add(
          new Criterion(
              "BillingPostalCode",
              "postalRange",
              List.of(
                  pad(t.postalFrom, t.country.postal().digits),
                  pad(t.postalTo, t.country.postal().digits))));
    }
    t.criteria.add(new Criterion("Segment__c", "equals", List.of(t.segment)));
    leafIndex.put(leafKey(t), t);
  }

  private static String leafKey(DemoTerritory t) {
    return t.country.code()
        + "|"
        + t.segment
        + "|"
        + String.join(",", t.states)
        + "|"
        + t.postalFrom;
  }

  private void createTerritories(String modelId) {
    for (DemoTerritory t : territories) {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("DeveloperName", t.developerName);
      fields.put("Name", t.name);
      fields.put("Territory2ModelId", modelId);
      fields.put("Territory2TypeId", typeIds.get(t.type));
      fields.put("AccountAccessLevel", "Edit");
      fields.put("OpportunityAccessLevel", "Edit");
      fields.put("CaseAccessLevel", "Read");
      if (t.parent != null) {
        fields.put("ParentTerritory2Id", t.parent.id);
      }
      t.id = org.insertSystem("Territory2", fields);
    }
    counts.put("Territory2", territories.size());
  }

  // -------------------------------------------------------------------- accounts and opps

  private record AccountFacts(
      Country country,
      State state,
      String postal,
      String segment,
      String industry,
      double revenue,
      double lat,
      double lon) {}

  private List<String> accountsAndOpportunities() {
    int n = spec.accounts();
    AccountFacts[] facts = new AccountFacts[n];
    Object[][] rows = new Object[n][];
    List<String> named = new ArrayList<>();
    Instant now = org.now();
    try (OrgData.Loader accounts = org.loader("Account")) {
      int[] idx = {
        accounts.field("Name"),
        accounts.field("Type"),
        accounts.field("BillingStreet"),
        accounts.field("BillingCity"),
        accounts.field("BillingState"),
        accounts.field("BillingPostalCode"),
        accounts.field("BillingCountry"),
        accounts.field("BillingLatitude"),
        accounts.field("BillingLongitude"),
        accounts.field("Industry"),
        accounts.field("AnnualRevenue"),
        accounts.field("NumberOfEmployees"),
        accounts.field("Phone"),
        accounts.field("Website"),
        accounts.field("OwnerId"),
        accounts.field("IsExcludedFromRealign"),
        accounts.field("Segment__c"),
        accounts.field("Customer_Tier__c"),
        accounts.field("ParentId"),
        accounts.field("AccountNumber"),
        accounts.field("CreatedDate")
      };
      long seed = root.split().nextLong();
      IntStream.range(0, n)
          .parallel()
          .forEach(
              i -> {
                rows[i] = accounts.row();
                facts[i] =
                    account(
                        i,
                        new SplittableRandom(seed ^ (i * 0x9E3779B97F4A7C15L)),
                        rows[i],
                        idx,
                        now);
              });
      String[] ids = new String[n];
      for (int i = 0; i < n; i++) {
        if (rows[i][idx[18]] != null) {
          rows[i][idx[18]] = ids[(Integer) rows[i][idx[18]]];
        }
        ids[i] = accounts.add(rows[i]);
        rows[i] = null;
      }
      counts.put("Account", n);
      int strategicCount = Math.max(1, n / 1000);
      Integer[] byRevenue =
          IntStream.range(0, n)
              .boxed()
              .sorted(
                  Comparator.comparingDouble((Integer i) -> -facts[i].revenue())
                      .thenComparing(i -> i))
              .limit(strategicCount)
              .toArray(Integer[]::new);
      for (Integer i : byRevenue) {
        named.add(ids[i]);
      }
      strategic.criteria.add(new Criterion("Id", "named", named));
      String[] territoryOf = associations(ids, facts);
      opportunities(ids, facts, territoryOf);
    }
    return named;
  }

  private AccountFacts account(int i, SplittableRandom r, Object[] row, int[] idx, Instant now) {
    Country c = pickCountry(r);
    State s = c.states().get(r.nextInt(c.states().size()));
    String industry = pickIndustry(r);
    double employees = Math.min(400_000, Math.exp(r.nextDouble() * r.nextDouble() * 12.5 + 1.2));
    int emp = (int) Math.max(1, Math.round(employees));
    double perEmployee = INDUSTRY_WEIGHT.get(industry)[1] * (0.6 + r.nextDouble() * 0.8);
    double revenue = Math.round(emp * perEmployee / 1000.0) * 1000.0;
    String segment =
        industry.equals("Government")
                || industry.equals("Education")
                || industry.equals("Not For Profit")
            ? "Public Sector"
            : emp >= 5000 || revenue >= 1e9
                ? "Enterprise"
                : emp >= 500 || revenue >= 1e8 ? "Mid-Market" : "SMB";
    String postal = postal(c, s, r);
    double lat = s.lat() + (r.nextDouble() - 0.5) * 0.6;
    double lon = s.lon() + (r.nextDouble() - 0.5) * 0.6;
    String countryName =
        c.names().size() > 1 && r.nextInt(10) == 0
            ? c.names().get(1 + r.nextInt(c.names().size() - 1))
            : c.canonicalName();
    String name =
        ADJ[r.nextInt(ADJ.length)]
            + " "
            + NOUN[r.nextInt(NOUN.length)]
            + " "
            + SUFFIX[r.nextInt(SUFFIX.length)];
    row[idx[0]] = name;
    int type = r.nextInt(100);
    row[idx[1]] =
        type < 60
            ? "Customer - Direct"
            : type < 70 ? "Customer - Channel" : type < 95 ? "Prospect" : "Technology Partner";
    row[idx[2]] =
        (1 + r.nextInt(9999))
            + " "
            + STREET[r.nextInt(STREET.length)]
            + (r.nextBoolean() ? " St" : " Ave");
    row[idx[3]] = s.city();
    row[idx[4]] = s.code();
    row[idx[5]] = postal;
    row[idx[6]] = countryName;
    row[idx[7]] = Math.round(lat * 1e6) / 1e6;
    row[idx[8]] = Math.round(lon * 1e6) / 1e6;
    row[idx[9]] = industry;
    row[idx[10]] = revenue;
    row[idx[11]] = emp;
    row[idx[12]] = "+1 555 " + String.format(Locale.ROOT, "%07d", r.nextInt(10_000_000));
    row[idx[13]] =
        "https://www." + name.toLowerCase(Locale.ROOT).replaceAll("[^a-z]+", "") + ".example";
    row[idx[14]] = userIds.get(r.nextInt(userIds.size()));
    row[idx[15]] = r.nextInt(200) == 0;
    row[idx[16]] = segment;
    row[idx[17]] = revenue >= 5e8 ? "Tier 1" : revenue >= 5e7 ? "Tier 2" : "Tier 3";
    if (i > 10 && r.nextInt(20) == 0) {
      row[idx[18]] = r.nextInt(i);
    }
    row[idx[19]] = "A-" + (100000 + i);
    row[idx[20]] = now.minus(30 + r.nextInt(2000), ChronoUnit.DAYS);
    return new AccountFacts(c, s, postal, segment, industry, revenue, lat, lon);
  }

  private Country pickCountry(SplittableRandom r) {
    int total = Geography.COUNTRIES.stream().mapToInt(Country::weight).sum();
    int x = r.nextInt(total);
    for (Country c : Geography.COUNTRIES) {
      x -= c.weight();
      if (x < 0) {
        return c;
      }
    }
    return Geography.COUNTRIES.get(0);
  }

  private static String pickIndustry(SplittableRandom r) {
    double total = INDUSTRY_WEIGHT.values().stream().mapToDouble(w -> w[0]).sum();
    double x = r.nextDouble() * total;
    for (Map.Entry<String, double[]> e : INDUSTRY_WEIGHT.entrySet()) {
      x -= e.getValue()[0];
      if (x < 0) {
        return e.getKey();
      }
    }
    return "Other";
  }

  private static Map<String, double[]> industryWeights() {
    Map<String, double[]> m = new LinkedHashMap<>();
    for (String industry : Industries.ALL) {
      m.put(industry, new double[] {1.0, 200_000});
    }
    m.put("Technology", new double[] {4.0, 350_000});
    m.put("Manufacturing", new double[] {3.5, 250_000});
    m.put("Healthcare", new double[] {3.0, 180_000});
    m.put("Retail", new double[] {3.0, 150_000});
    m.put("Banking", new double[] {1.5, 400_000});
    m.put("Finance", new double[] {2.0, 450_000});
    m.put("Insurance", new double[] {1.5, 380_000});
    m.put("Government", new double[] {1.5, 120_000});
    m.put("Education", new double[] {1.5, 90_000});
    m.put("Consulting", new double[] {2.0, 220_000});
    m.put("Biotechnology", new double[] {1.0, 300_000});
    return m;
  }

  private static String postal(Country c, State s, SplittableRandom r) {
    Geography.PostalFormat f = c.postal();
    switch (f) {
      case CA:
        {
          String first =
              switch (s.code()) {
                case "ON" -> "MKLNP";
                case "QC" -> "HGJ";
                case "BC" -> "V";
                default -> "T";
              };
          String letters = "ABCEGHJKLMNPRSTVWXYZ";
          return ""
              + first.charAt(r.nextInt(first.length()))
              + r.nextInt(10)
              + letters.charAt(r.nextInt(letters.length()))
              + " "
              + r.nextInt(10)
              + letters.charAt(r.nextInt(letters.length()))
              + r.nextInt(10);
        }
      case GB:
        {
          String[] outward =
              switch (s.city()) {
                case "London" -> new String[] {"SW1A", "EC1A", "W1D", "E14", "N1", "SE1"};
                case "Manchester" -> new String[] {"M1", "M2", "M3", "M4"};
                default -> new String[] {"EH1", "EH2", "EH3"};
              };
          String letters = "ABDEFGHJLNPQRSTUWXYZ";
          return outward[r.nextInt(outward.length)]
              + " "
              + r.nextInt(10)
              + letters.charAt(r.nextInt(letters.length()))
              + letters.charAt(r.nextInt(letters.length()));
        }
      case NL:
        {
          int prefix = s.postalFrom() + r.nextInt(s.postalTo() - s.postalFrom() + 1);
          String letters = "ABCDEFGHJKLMNPRSTVWXZ";
          return String.format(
              Locale.ROOT,
              "%02d%02d %c%c",
              prefix,
              r.nextInt(100),
              letters.charAt(r.nextInt(letters.length())),
              letters.charAt(r.nextInt(letters.length())));
        }
      default:
        {
          int restDigits = f.digits - f.prefixDigits;
          int prefix = s.postalFrom() + r.nextInt(Math.max(1, s.postalTo() - s.postalFrom() + 1));
          long rest = (long) (r.nextDouble() * Math.pow(10, restDigits));
          String digits =
              pad(prefix, f.prefixDigits)
                  + (restDigits > 0
                      ? String.format(Locale.ROOT, "%0" + restDigits + "d", rest)
                      : "");
          return switch (f) {
            case JP -> digits.substring(0, 3) + "-" + digits.substring(3);
            case BR -> digits.substring(0, 5) + "-" + digits.substring(5);
            default -> digits;
          };
        }
    }
  }

  private static String pad(int n, int digits) {
    return String.format(Locale.ROOT, "%0" + digits + "d", n);
  }

  /** The leaf territory an account belongs to by geography and segment, as the demo rules say. */
  private DemoTerritory leafFor(AccountFacts a) {
    if (leavesByCountryAndSegment.isEmpty()) {
      for (DemoTerritory t : territories) {
        if (t.isLeaf() && t.country != null) {
          leavesByCountryAndSegment
              .computeIfAbsent(t.country.code() + "|" + t.segment, k -> new ArrayList<>())
              .add(t);
        }
      }
    }
    String digitsOnly = a.postal().replaceAll("[^0-9]", "");
    int postal =
        digitsOnly.isEmpty()
            ? 0
            : Integer.parseInt(digitsOnly.substring(0, Math.min(9, digitsOnly.length())));
    DemoTerritory best = null;
    for (DemoTerritory t :
        leavesByCountryAndSegment.getOrDefault(a.country().code() + "|" + a.segment(), List.of())) {
      if (!t.states.isEmpty() && !t.states.contains(a.state().code())) {
        continue;
      }
      if (t.country.postal().digits > 0 && (postal < t.postalFrom || postal > t.postalTo)) {
        continue;
      }
      best = t;
      break;
    }
    return best;
  }

  /**
   * Creates manual associations for a third of the accounts; returns each account's territory id
   * (or null).
   */
  private String[] associations(String[] ids, AccountFacts[] facts) {
    SplittableRandom r = root.split();
    String[] territoryOf = new String[ids.length];
    Map<String, DemoTerritory> leafCache = new HashMap<>();
    int added = 0;
    try (OrgData.Loader ot2a = org.loader("ObjectTerritory2Association")) {
      int object = ot2a.field("ObjectId");
      int territory = ot2a.field("Territory2Id");
      int cause = ot2a.field("AssociationCause");
      int created = ot2a.field("CreatedDate");
      Instant now = org.now();
      for (int i = 0; i < ids.length; i++) {
        int roll = r.nextInt(100);
        if (roll >= 33) {
          continue;
        }
        AccountFacts a = facts[i];
        String key =
            a.country().code() + "|" + a.segment() + "|" + a.state().code() + "|" + a.postal();
        DemoTerritory leaf = leafCache.computeIfAbsent(key, k -> leafFor(a));
        if (leaf == null) {
          continue;
        }
        DemoTerritory target = leaf;
        if (roll < 3 && leaf.parent != null && leaf.parent.children.size() > 1) {
          List<DemoTerritory> siblings = leaf.parent.children;
          target = siblings.get((siblings.indexOf(leaf) + 1) % siblings.size());
        }
        Object[] row = ot2a.row();
        row[object] = ids[i];
        row[territory] = target.id;
        row[cause] = roll == 32 ? "Territory2AssignmentRule" : "Territory2Manual";
        row[created] = now.minus(1 + r.nextInt(300), ChronoUnit.DAYS);
        ot2a.add(row);
        territoryOf[i] = target.id;
        added++;
      }
    }
    counts.put("ObjectTerritory2Association", added);
    return territoryOf;
  }

  private void opportunities(String[] accountIds, AccountFacts[] facts, String[] territoryOf) {
    SplittableRandom r = root.split();
    int created = 0;
    LocalDate quarterStart =
        today.withDayOfMonth(1).withMonth(((today.getMonthValue() - 1) / 3) * 3 + 1);
    try (OrgData.Loader opps = org.loader("Opportunity")) {
      int name = opps.field("Name");
      int account = opps.field("AccountId");
      int owner = opps.field("OwnerId");
      int amount = opps.field("Amount");
      int stage = opps.field("StageName");
      int close = opps.field("CloseDate");
      int type = opps.field("Type");
      int lead = opps.field("LeadSource");
      int excluded = opps.field("IsExcludedFromTerritory2Filter");
      int created0 = opps.field("CreatedDate");
      int territory = opps.field("Territory2Id");
      Instant now = org.now();
      for (int i = 0; i < accountIds.length; i++) {
        double mean = spec.opportunitiesPerAccount();
        int k = (int) Math.min(12, Math.floor(-Math.log(1 - r.nextDouble()) * mean * 1.01 + 0.5));
        for (int j = 0; j < k; j++) {
          Object[] row = opps.row();
          row[name] =
              "Opportunity " + (i + 1) + "-" + (j + 1) + " " + PRODUCTS[r.nextInt(PRODUCTS.length)];
          row[account] = accountIds[i];
          row[owner] = userIds.get(r.nextInt(userIds.size()));
          double scale =
              switch (facts[i].segment()) {
                case "Enterprise" -> 250_000;
                case "Mid-Market" -> 60_000;
                case "Public Sector" -> 80_000;
                default -> 12_000;
              };
          row[amount] = Math.round(scale * Math.exp(r.nextGaussian() * 0.6) / 100.0) * 100.0;
          int roll = r.nextInt(100);
          Stages.Stage s;
          LocalDate closeDate;
          if (roll < 25) {
            s = Stages.of("Closed Won");
            closeDate = quarterStart.minusDays(1 + r.nextInt(365)).plusDays(r.nextInt(60));
          } else if (roll < 40) {
            s = Stages.of("Closed Lost");
            closeDate = quarterStart.minusDays(1 + r.nextInt(365)).plusDays(r.nextInt(60));
          } else {
            s = Stages.ALL.get(r.nextInt(8));
            closeDate = today.plusDays(r.nextInt(365) - 20);
          }
          if (closeDate.isAfter(today) && s.closed()) {
            closeDate = today.minusDays(r.nextInt(30));
          }
          row[stage] = s.name();
          row[close] = closeDate;
          row[type] = r.nextInt(3) == 0 ? "Existing Business" : "New Business";
          row[lead] = r.nextBoolean() ? "Web" : "Partner Referral";
          row[excluded] = r.nextInt(100) == 0;
          row[created0] = now.minus(1 + r.nextInt(700), ChronoUnit.DAYS);
          if (territoryOf[i] != null && r.nextInt(10) < 7) {
            row[territory] = territoryOf[i];
          }
          opps.add(row);
          created++;
        }
      }
    }
    counts.put("Opportunity", created);
  }

  // ------------------------------------------------------------------ rules and user links

  private void nativeRules(String modelId) {
    int rules = 0;
    for (String region : List.of("EMEA", "APAC", "LATAM")) {
      DemoTerritory t =
          territories.stream()
              .filter(x -> x.developerName.equals(region))
              .findFirst()
              .orElseThrow();
      List<String> countries =
          Geography.COUNTRIES.stream()
              .filter(c -> c.region().equals(region))
              .flatMap(c -> c.names().stream())
              .toList();
      String rule =
          org.insertSystem(
              "ObjectTerritory2AssignmentRule",
              Map.of(
                  "DeveloperName",
                  region + "_Countries",
                  "MasterLabel",
                  region + " countries",
                  "IsActive",
                  true,
                  "ObjectType",
                  "Account",
                  "Territory2ModelId",
                  modelId,
                  "BooleanFilter",
                  "1"));
      org.insertSystem(
          "ObjectTerritory2AssignmentRuleItem",
          Map.of(
              "RuleId",
              rule,
              "SortOrder",
              1,
              "Field",
              "Account.BillingCountry",
              "Operation",
              "equals",
              "Value",
              String.join(",", countries)));
      org.insertSystem(
          "RuleTerritory2Association",
          Map.of("RuleId", rule, "Territory2Id", t.id, "IsInherited", false));
      rules++;
    }
    String rule =
        org.insertSystem(
            "ObjectTerritory2AssignmentRule",
            Map.of(
                "DeveloperName",
                "Healthcare_Industry",
                "MasterLabel",
                "Healthcare industry",
                "IsActive",
                true,
                "ObjectType",
                "Account",
                "Territory2ModelId",
                modelId,
                "BooleanFilter",
                "1 OR 2"));
    org.insertSystem(
        "ObjectTerritory2AssignmentRuleItem",
        Map.of(
            "RuleId",
            rule,
            "SortOrder",
            1,
            "Field",
            "Account.Industry",
            "Operation",
            "equals",
            "Value",
            "Healthcare"));
    org.insertSystem(
        "ObjectTerritory2AssignmentRuleItem",
        Map.of(
            "RuleId",
            rule,
            "SortOrder",
            2,
            "Field",
            "Account.Industry",
            "Operation",
            "equals",
            "Value",
            "Biotechnology"));
    org.insertSystem(
        "RuleTerritory2Association",
        Map.of("RuleId", rule, "Territory2Id", healthcare.id, "IsInherited", false));
    counts.put("ObjectTerritory2AssignmentRule", rules + 1);
  }

  private void userAssignments() {
    SplittableRandom r = root.split();
    int added = 0;
    String[] roles = {"Sales Rep", "Sales Rep", "Sales Engineer"};
    for (DemoTerritory t : territories) {
      List<Integer> picks = new ArrayList<>();
      int members = t.isLeaf() ? 1 + r.nextInt(3) : 1;
      while (picks.size() < Math.min(members, activeUsers.size())) {
        int u = activeUsers.get(r.nextInt(activeUsers.size()));
        if (!picks.contains(u)) {
          picks.add(u);
        }
      }
      for (int k = 0; k < picks.size(); k++) {
        String role =
            k == 0 ? (t.isLeaf() ? "Owner" : "Sales Manager") : roles[r.nextInt(roles.length)];
        t.members.add(new DemoTerritory.Member(usernames.get(picks.get(k)), role));
        if (r.nextInt(4) != 0) {
          org.insertSystem(
              "UserTerritory2Association",
              Map.of(
                  "UserId",
                  userIds.get(picks.get(k)),
                  "Territory2Id",
                  t.id,
                  "RoleInTerritory2",
                  role,
                  "IsActive",
                  true));
          added++;
        }
      }
    }
    counts.put("UserTerritory2Association", added);
  }
}
