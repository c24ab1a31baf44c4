package io.territorysync.emulator.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.territorysync.emulator.OrgData;
import io.territorysync.emulator.OrgSchema;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DemoOrgTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-29T00:00:00Z"), ZoneOffset.UTC);

  private static OrgData org() {
    OrgData org = new OrgData(OrgSchema.standard(), CLOCK, "4S");
    org.defaultUserId(
        org.insertSystem(
            "User", Map.of("Username", "i@x.example", "LastName", "I", "Email", "i@x.example")));
    return org;
  }

  @Test
  void sameSeedGivesTheSameOrg() {
    OrgData a = org();
    OrgData b = org();
    DemoOrg.Result ra = DemoOrg.generate(DemoOrg.Spec.of(2000, 11), a);
    DemoOrg.generate(DemoOrg.Spec.of(2000, 11), b);
    assertEquals(ra.counts().get("Opportunity"), b.count("Opportunity"));
    String id = a.ids("Account").stream().sorted().skip(1234).findFirst().orElseThrow();
    assertEquals(a.get(id), b.get(id));
    OrgData c = org();
    DemoOrg.generate(DemoOrg.Spec.of(2000, 12), c);
    assertNotEquals(
        a.get(id).orElseThrow().get("Name") + "" + a.get(id).orElseThrow().get("BillingPostalCode"),
        c.get(id).orElseThrow().get("Name")
            + ""
            + c.get(id).orElseThrow().get("BillingPostalCode"));
  }

  @Test
  void buildsAnActiveThreeLevelModelWithTheRequestedTerritories() {
    OrgData org = org();
    DemoOrg.Result r = DemoOrg.generate(new DemoOrg.Spec(3000, 5, 250, 2.0), org);
    assertEquals(250, r.territories().size());
    assertEquals(250, org.count("Territory2"));
    assertEquals(r.activeModelId(), org.activeModelId().orElseThrow());
    DemoTerritory leaf =
        r.territories().stream()
            .filter(t -> t.isLeaf() && t.developerName().startsWith("NA_US_West"))
            .findFirst()
            .orElseThrow();
    int depth = 0;
    for (DemoTerritory t = leaf; t.parent() != null; t = t.parent()) {
      depth++;
    }
    assertTrue(depth >= 3, "global > region > country > … leaf");
    assertTrue(
        r.territories().stream().anyMatch(t -> t.type().equals("District")),
        "large plans split leaves into postal districts");
  }

  @Test
  void seedsManualAssociationsSomeWrongAndOpportunitiesAcrossQuarters() {
    OrgData org = org();
    DemoOrg.Result r = DemoOrg.generate(DemoOrg.Spec.of(5000, 3), org);
    int associations = r.counts().get("ObjectTerritory2Association");
    assertTrue(
        associations > 1200 && associations < 2000, "about a third of accounts: " + associations);
    double perAccount = r.counts().get("Opportunity") / 5000.0;
    assertTrue(perAccount > 1.8 && perAccount < 2.2, "about two per account: " + perAccount);
    Set<Object> stages = new java.util.HashSet<>();
    org.ids("Opportunity").stream()
        .limit(2000)
        .forEach(id -> stages.add(org.get(id).orElseThrow().get("StageName")));
    assertTrue(
        stages.contains("Closed Won") && stages.contains("Closed Lost") && stages.size() > 5,
        stages.toString());
    assertTrue(org.count("RuleTerritory2Association") >= 4);
    assertTrue(org.count("UserTerritory2Association") > 50);
  }

  @Test
  void everyDistrictOfALargeModelIsNarrowedByStateOrPostalRange() {
    DemoOrg.Result demo = DemoOrg.generate(new DemoOrg.Spec(20_000, 42, 1000, 0.0), org());
    long districts = 0;
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (DemoTerritory t : demo.territories()) {
      if (!t.type().equals("District") || !t.isLeaf()) {
        continue;
      }
      districts++;
      java.util.List<String> fields =
          t.criteria().stream().map(DemoTerritory.Criterion::field).toList();
      assertTrue(
          fields.contains("BillingState") || fields.contains("BillingPostalCode"),
          t.developerName() + " " + t.criteria());
      assertTrue(seen.add(t.criteria().toString()), "two districts alike: " + t.criteria());
    }
    assertTrue(districts > 500, districts + " districts");
  }

  @Test
  void aboutOneTerritoryPerThousandAccountsUpToFiveThousand() {
    assertEquals(100, DemoOrg.Spec.defaultTerritories(10_000));
    assertEquals(1000, DemoOrg.Spec.defaultTerritories(1_000_000));
    assertEquals(5000, DemoOrg.Spec.defaultTerritories(5_000_000));
    assertEquals(5000, DemoOrg.Spec.defaultTerritories(20_000_000));
    DemoOrg.Result demo = DemoOrg.generate(new DemoOrg.Spec(20_000, 42, 5000, 1.0), org());
    assertEquals(5000, demo.territories().size());
    java.util.List<String> districts =
        demo.territories().stream()
            .filter(t -> t.type().equals("District") && t.isLeaf())
            .map(t -> t.criteria().toString())
            .toList();
    assertTrue(districts.size() > 2500, districts.size() + " districts");
    assertEquals(
        districts.size(), new java.util.HashSet<>(districts).size(), "two districts alike");
    int associations = demo.counts().get("ObjectTerritory2Association");
    assertTrue(
        associations > 6000 && associations < 7300,
        "a third of the accounts keep a manual association at 5,000 territories: " + associations);
  }
}
