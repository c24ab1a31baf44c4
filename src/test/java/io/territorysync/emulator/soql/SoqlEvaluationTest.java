package io.territorysync.emulator.soql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.territorysync.emulator.ApiException;
import io.territorysync.emulator.ObjectDef;
import io.territorysync.emulator.OrgData;
import io.territorysync.emulator.OrgSchema;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SOQL semantics on a small hand-built org. */
class SoqlEvaluationTest {

  private static final Instant NOW = Instant.parse("2026-05-15T12:00:00Z");
  private OrgData org;

  @BeforeEach
  void org() {
    org = new OrgData(OrgSchema.standard(), Clock.fixed(NOW, ZoneOffset.UTC), "4S");
    org.defaultUserId(
        org.insertSystem(
            "User", Map.of("Username", "u@x.example", "LastName", "U", "Email", "u@x.example")));
    account("Alpha", "Germany", "10115", "Technology", 5_000_000.0);
    account("beta", "France", "75001", null, 250_000.0);
    account("Gamma", "United States", "94105", "Retail", null);
    account("Delta", "Germany", "80331", "Retail", 10_000.0);
    String acme = account("Acme", "United States", "10001", "Banking", 1e9);
    org.insertSystem(
        "Opportunity",
        Map.of(
            "Name",
            "Won",
            "AccountId",
            acme,
            "StageName",
            "Closed Won",
            "CloseDate",
            LocalDate.parse("2026-05-10"),
            "Amount",
            100.0));
    org.insertSystem(
        "Opportunity",
        Map.of(
            "Name",
            "Open",
            "AccountId",
            acme,
            "StageName",
            "Prospecting",
            "CloseDate",
            LocalDate.parse("2026-08-01")));
  }

  private String account(
      String name, String country, String postal, String industry, Double revenue) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("Name", name);
    f.put("BillingCountry", country);
    f.put("BillingPostalCode", postal);
    if (industry != null) {
      f.put("Industry", industry);
    }
    if (revenue != null) {
      f.put("AnnualRevenue", revenue);
    }
    return org.insertSystem("Account", f);
  }

  private List<String> names(String soql) {
    CompiledQuery q =
        CompiledQuery.compile(
            org, SoqlParser.parse(soql, LocalDate.ofInstant(NOW, ZoneOffset.UTC)));
    ObjectDef def = q.object();
    int name = def.indexOf("Name");
    return org.read(() -> q.execute(false)).stream().map(r -> (String) r[name]).toList();
  }

  @Test
  void comparisonsOnStringsAreCaseInsensitive() {
    assertEquals(List.of("beta"), names("SELECT Name FROM Account WHERE Name = 'BETA'"));
    assertEquals(
        List.of("Alpha", "Delta"),
        names("SELECT Name FROM Account WHERE BillingCountry IN ('germany') ORDER BY Name"));
    assertEquals(
        List.of("Alpha", "Acme"),
        names("SELECT Name FROM Account WHERE Name LIKE 'a%' ORDER BY Name DESC"));
    assertEquals(
        List.of("Acme", "Gamma"),
        names(
            "SELECT Name FROM Account WHERE Name LIKE '_a%' OR BillingCountry = 'united states' ORDER BY Name"));
  }

  @Test
  void notEqualAndNotInIncludeNulls() {
    assertEquals(
        List.of("Acme", "Alpha", "beta"),
        names("SELECT Name FROM Account WHERE Industry != 'Retail' ORDER BY Name"));
    assertEquals(
        List.of("Acme", "Alpha", "beta"),
        names("SELECT Name FROM Account WHERE Industry NOT IN ('Retail') ORDER BY Name"));
    assertEquals(List.of("beta"), names("SELECT Name FROM Account WHERE Industry = null"));
  }

  @Test
  void numbersCompareNumericallyAndNullsSortFirstAscending() {
    assertEquals(
        List.of("Acme", "Alpha"),
        names(
            "SELECT Name FROM Account WHERE AnnualRevenue >= 5000000 ORDER BY AnnualRevenue DESC"));
    assertEquals(
        List.of("Gamma", "Delta", "beta", "Alpha", "Acme"),
        names("SELECT Name FROM Account ORDER BY AnnualRevenue"));
    assertEquals(
        List.of("Acme", "Alpha", "beta", "Delta", "Gamma"),
        names("SELECT Name FROM Account ORDER BY AnnualRevenue DESC"));
    assertEquals(
        List.of("Acme", "Alpha", "beta", "Delta", "Gamma"),
        names("SELECT Name FROM Account ORDER BY AnnualRevenue DESC NULLS LAST"));
  }

  @Test
  void postalCodesCompareAsTextLikeSalesforce() {
    assertEquals(
        List.of("Delta", "Gamma"),
        names("SELECT Name FROM Account WHERE BillingPostalCode > '8' ORDER BY Name"),
        "'94105' > '8' textually");
  }

  @Test
  void notAndParenthesesCombine() {
    assertEquals(
        List.of("Gamma"),
        names(
            "SELECT Name FROM Account WHERE NOT (BillingCountry = 'Germany' OR Industry = null OR Industry = 'Banking')"));
    assertEquals(
        List.of("Delta"),
        names(
            "SELECT Name FROM Account WHERE (BillingCountry = 'Germany' AND Industry = 'Retail') OR (Name = 'nobody')"));
  }

  @Test
  void relativeDateLiteralsAndParentFilters() {
    assertEquals(
        List.of("Won"), names("SELECT Name FROM Opportunity WHERE CloseDate = THIS_MONTH"));
    assertEquals(
        List.of("Won"), names("SELECT Name FROM Opportunity WHERE CloseDate = LAST_N_DAYS:7"));
    assertEquals(
        List.of("Open"), names("SELECT Name FROM Opportunity WHERE CloseDate > THIS_QUARTER"));
    assertEquals(
        List.of("Open", "Won"),
        names("SELECT Name FROM Opportunity WHERE Account.Industry = 'Banking' ORDER BY Name"));
    assertEquals(
        List.of("Won"),
        names("SELECT Name FROM Opportunity WHERE IsWon = true AND CloseDate <= 2026-05-10"));
  }

  @Test
  void limitAndOffsetSliceTheOrderedRows() {
    assertEquals(
        List.of("Alpha", "beta"), names("SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 1"));
  }

  @Test
  void typeMismatchesAreInvalidFieldErrors() {
    ApiException e =
        assertThrows(
            ApiException.class, () -> names("SELECT Name FROM Account WHERE AnnualRevenue = '5'"));
    assertEquals("INVALID_FIELD", e.errorCode());
    e = assertThrows(ApiException.class, () -> names("SELECT Name FROM Account WHERE Name = 5"));
    assertEquals("INVALID_FIELD", e.errorCode());
    e =
        assertThrows(
            ApiException.class, () -> names("SELECT Name FROM Account WHERE Owner.Nope = 'x'"));
    assertEquals("INVALID_FIELD", e.errorCode());
  }
}
