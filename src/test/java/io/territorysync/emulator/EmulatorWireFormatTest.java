package io.territorysync.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pins the emulator's wire format (status codes, JSON shapes, headers) to FACTS.md. */
class EmulatorWireFormatTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern ID18 = Pattern.compile("[a-zA-Z0-9]{18}");
  private static EmulatorFixture fixture;
  private static String token;
  private static final String V = "/services/data/v62.0";

  @BeforeAll
  static void start() throws Exception {
    fixture = new EmulatorFixture(120);
    token = fixture.token();
  }

  @AfterAll
  static void stop() throws Exception {
    fixture.close();
  }

  @BeforeEach
  void clearFaults() {
    fixture.emulator.faults().clear();
  }

  private HttpResponse<String> send(String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(fixture.url() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    b.header("Authorization", "Bearer " + token);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    if (body != null && headers.length == 0) {
      b.header("Content-Type", "application/json");
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> query(String soql) throws Exception {
    return send("GET", V + "/query?q=" + URLEncoder.encode(soql, StandardCharsets.UTF_8), null);
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  private static void assertError(HttpResponse<String> r, int status, String code)
      throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode body = json(r);
    assertTrue(body.isArray(), "errors come as a JSON array: " + r.body());
    assertEquals(code, body.get(0).path("errorCode").asText(), r.body());
    assertFalse(body.get(0).path("message").asText().isEmpty());
  }

  @Test
  void tokenResponseCarriesAnIdUrlWithTwo18CharacterIds() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(fixture.url() + "/services/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "grant_type=client_credentials&client_id=territory-sync-demo&client_secret=demo-secret"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode t = json(r);
    for (String field :
        List.of("access_token", "instance_url", "id", "token_type", "issued_at", "signature")) {
      assertTrue(t.hasNonNull(field), field + " missing: " + r.body());
    }
    String[] id = t.path("id").asText().split("/id/")[1].split("/");
    assertTrue(ID18.matcher(id[0]).matches() && id[0].startsWith("00D"), t.path("id").asText());
    assertTrue(ID18.matcher(id[1]).matches() && id[1].startsWith("005"), t.path("id").asText());
    assertEquals("Bearer", t.path("token_type").asText());
  }

  @Test
  void badCredentialsGetOAuthErrors() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(fixture.url() + "/services/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "grant_type=client_credentials&client_id=territory-sync-demo&client_secret=wrong"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(400, r.statusCode());
    assertEquals("invalid_client", json(r).path("error").asText());
    r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(fixture.url() + "/services/oauth2/token"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "grant_type=urn:ietf:params:oauth:grant-type:device_code"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals("unsupported_grant_type", json(r).path("error").asText());
    // the authorization code grant ("Sign in with Salesforce") wants the client too
    r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(fixture.url() + "/services/oauth2/token"))
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code=x"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals("invalid_client_id", json(r).path("error").asText());
  }

  @Test
  void invalidOrRevokedTokenGets401InvalidSessionId() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(fixture.url() + V + "/limits"))
                .header("Authorization", "Bearer nope")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertError(r, 401, "INVALID_SESSION_ID");
    String other = fixture.token();
    HTTP.send(
        HttpRequest.newBuilder(URI.create(fixture.url() + "/services/oauth2/revoke?token=" + other))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(fixture.url() + V + "/limits"))
                .header("Authorization", "Bearer " + other)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertError(r, 401, "INVALID_SESSION_ID");
  }

  @Test
  void everyApiResponseCarriesSforceLimitInfoAndCountsTheCall() throws Exception {
    long before = fixture.emulator.usage().calls();
    HttpResponse<String> r = send("GET", V + "/limits", null);
    assertEquals(200, r.statusCode());
    String info = r.headers().firstValue("Sforce-Limit-Info").orElseThrow();
    assertEquals("api-usage=" + (before + 1) + "/100000", info);
    JsonNode limits = json(r);
    assertEquals(100_000, limits.path("DailyApiRequests").path("Max").asLong());
    assertEquals(100_000 - before - 1, limits.path("DailyApiRequests").path("Remaining").asLong());
    assertTrue(
        query("SELECT Bogus FROM Account").headers().firstValue("Sforce-Limit-Info").isPresent(),
        "errors carry it too");
  }

  @Test
  void anyVersionFrom50IsAcceptedAndOlderIsNotFound() throws Exception {
    assertEquals(200, send("GET", "/services/data/v50.0/limits", null).statusCode());
    assertEquals(200, send("GET", "/services/data/v66.0/limits", null).statusCode());
    assertError(send("GET", "/services/data/v49.0/limits", null), 404, "NOT_FOUND");
    JsonNode versions =
        json(
            HTTP.send(
                HttpRequest.newBuilder(URI.create(fixture.url() + "/services/data")).build(),
                HttpResponse.BodyHandlers.ofString()));
    assertEquals("50.0", versions.get(0).path("version").asText());
  }

  @Test
  void queryRecordsCarryAttributesAndNestedParents() throws Exception {
    JsonNode page =
        json(
            query(
                "SELECT Id, Territory2.DeveloperName, Territory2.Territory2Type.Priority, Territory2Id FROM ObjectTerritory2Association LIMIT 1"));
    JsonNode rec = page.path("records").get(0);
    assertEquals("ObjectTerritory2Association", rec.path("attributes").path("type").asText());
    assertEquals(
        "/services/data/v62.0/sobjects/ObjectTerritory2Association/" + rec.path("Id").asText(),
        rec.path("attributes").path("url").asText());
    JsonNode territory = rec.path("Territory2");
    assertEquals("Territory2", territory.path("attributes").path("type").asText());
    assertTrue(territory.path("Territory2Type").path("Priority").isInt());
    assertEquals(List.of("attributes", "Id", "Territory2", "Territory2Id"), fieldNames(rec));
    JsonNode nullParent =
        json(query("SELECT Id, Parent.Name FROM Account WHERE ParentId = null LIMIT 1"))
            .path("records")
            .get(0);
    assertTrue(nullParent.path("Parent").isNull());
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void pagingHonoursBatchSizeAndLocatorsExpireAtTheEnd() throws Exception {
    HttpResponse<String> r =
        send(
            "GET",
            V
                + "/query?q="
                + URLEncoder.encode("SELECT Id FROM Opportunity", StandardCharsets.UTF_8),
            null,
            "Sforce-Query-Options",
            "batchSize=200");
    JsonNode first = json(r);
    int total = first.path("totalSize").asInt();
    assertTrue(total > 200);
    assertEquals(200, first.path("records").size());
    String next = first.path("nextRecordsUrl").asText();
    assertTrue(next.matches("/services/data/v62\\.0/query/01g[0-9A-Za-z]{15}-200"), next);
    int seen = 200;
    String last = null;
    while (!next.isEmpty()) {
      JsonNode p = json(send("GET", next, null));
      seen += p.path("records").size();
      last = next;
      next = p.path("done").asBoolean() ? "" : p.path("nextRecordsUrl").asText();
    }
    assertEquals(total, seen);
    assertError(send("GET", last, null), 400, "INVALID_QUERY_LOCATOR");
  }

  @Test
  void aGroupedCountAnswersOneAggregateResultPerValue() throws Exception {
    JsonNode r = json(query("SELECT Industry, COUNT(Id) n FROM Account GROUP BY Industry"));
    java.util.Map<String, Long> expected = new java.util.HashMap<>();
    for (JsonNode a : json(query("SELECT Id, Industry FROM Account")).path("records")) {
      expected.merge(a.path("Industry").asText(), 1L, Long::sum);
    }
    java.util.Map<String, Long> counted = new java.util.HashMap<>();
    for (JsonNode g : r.path("records")) {
      assertEquals("AggregateResult", g.path("attributes").path("type").asText());
      counted.put(g.path("Industry").asText(), g.path("n").asLong());
    }
    assertEquals(expected, counted);
    assertEquals(expected.size(), r.path("totalSize").asInt());
    assertTrue(r.path("done").asBoolean());
    // without an alias the count is expr0, as in Salesforce
    assertTrue(
        json(query("SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry"))
            .path("records")
            .get(0)
            .has("expr0"));
  }

  @Test
  void idListsAreAnsweredByLookupWithTheRowsAScanFinds() throws Exception {
    java.util.List<String[]> all = new java.util.ArrayList<>();
    for (JsonNode o : json(query("SELECT Id, AccountId FROM Opportunity")).path("records")) {
      all.add(new String[] {o.path("Id").asText(), o.path("AccountId").asText()});
    }
    java.util.Set<String> accounts = new java.util.TreeSet<>();
    for (int i = 0; i < all.size() && accounts.size() < 5; i += 7) {
      accounts.add(all.get(i)[1]);
    }
    java.util.Set<String> expected = new java.util.TreeSet<>();
    for (String[] o : all) {
      if (accounts.contains(o[1])) {
        expected.add(o[0]);
      }
    }
    String in = "('" + String.join("', '", accounts) + "')";
    java.util.Set<String> found = new java.util.TreeSet<>();
    for (JsonNode o :
        json(query("SELECT Id FROM Opportunity WHERE AccountId IN " + in + " AND Name != null"))
            .path("records")) {
      found.add(o.path("Id").asText());
    }
    assertFalse(expected.isEmpty());
    assertEquals(expected, found);
    java.util.Set<String> byId = new java.util.TreeSet<>();
    for (JsonNode o :
        json(query(
                "SELECT Id FROM Opportunity WHERE Id IN ('" + String.join("', '", expected) + "')"))
            .path("records")) {
      byId.add(o.path("Id").asText());
    }
    assertEquals(expected, byId);
  }

  @Test
  void unsupportedOrBadQueriesGetSalesforceErrorsNotWrongAnswers() throws Exception {
    assertError(
        query("SELECT Industry, SUM(AnnualRevenue) FROM Account GROUP BY Industry"),
        400,
        "MALFORMED_QUERY");
    assertError(
        query("SELECT Name, COUNT(Id) FROM Account GROUP BY Industry"), 400, "MALFORMED_QUERY");
    assertError(query("SELECT Id FROM Account WHERE"), 400, "MALFORMED_QUERY");
    assertError(
        query("SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'"),
        400,
        "MALFORMED_QUERY");
    assertError(
        query("SELECT Id, (SELECT Id FROM Opportunities) FROM Account"), 400, "MALFORMED_QUERY");
    assertError(query("SELECT Nope FROM Account"), 400, "INVALID_FIELD");
    assertError(
        query("SELECT Id FROM Account WHERE CreatedDate > 2024-01-01"), 400, "INVALID_FIELD");
    assertError(query("SELECT Id FROM Nothing__c"), 400, "INVALID_TYPE");
    assertError(query("SELECT Id FROM Account OFFSET 2001"), 400, "NUMBER_OUTSIDE_VALID_RANGE");
  }

  @Test
  void countAndFiltersAnswerCorrectly() throws Exception {
    int all = json(query("SELECT COUNT() FROM Account")).path("totalSize").asInt();
    int germany =
        json(query(
                "SELECT COUNT() FROM Account WHERE BillingCountry IN ('Germany', 'Deutschland')"))
            .path("totalSize")
            .asInt();
    int notGermany =
        json(query(
                "SELECT COUNT() FROM Account WHERE BillingCountry NOT IN ('Germany', 'Deutschland')"))
            .path("totalSize")
            .asInt();
    assertEquals(all, germany + notGermany);
    assertEquals(
        germany,
        json(query(
                "SELECT COUNT() FROM Account WHERE BillingCountry LIKE 'germ%' OR BillingCountry = 'DEUTSCHLAND'"))
            .path("totalSize")
            .asInt(),
        "LIKE and = are case-insensitive");
    assertEquals(fixture.emulator.org().count("Account"), all);
  }

  @Test
  void collectionsCapAt200AndRollBackWithAllOrNone() throws Exception {
    StringBuilder big = new StringBuilder("{\"records\":[");
    for (int i = 0; i < 201; i++) {
      big.append(i == 0 ? "" : ",")
          .append("{\"attributes\":{\"type\":\"Account\"},\"Name\":\"x\"}");
    }
    big.append("]}");
    assertError(send("POST", V + "/composite/sobjects", big.toString()), 400, "EXCEEDED_ID_LIMIT");
    int before = fixture.emulator.org().count("Account");
    String body =
        "{\"allOrNone\":true,\"records\":[{\"attributes\":{\"type\":\"Account\"},\"Name\":\"Rolled Back\"},{\"attributes\":{\"type\":\"Account\"},\"BillingCity\":\"No Name\"}]}";
    JsonNode results = json(send("POST", V + "/composite/sobjects", body));
    assertEquals(
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        results.get(0).path("errors").get(0).path("statusCode").asText());
    assertEquals(
        "REQUIRED_FIELD_MISSING", results.get(1).path("errors").get(0).path("statusCode").asText());
    assertEquals("Name", results.get(1).path("errors").get(0).path("fields").get(0).asText());
    assertEquals(before, fixture.emulator.org().count("Account"), "nothing written");
  }

  @Test
  void territoryObjectsFollowTheirRules() throws Exception {
    String account =
        fixture.emulator.org().ids("Account").stream().sorted().findFirst().orElseThrow();
    String territory = fixture.demo.territories().get(20).id();
    JsonNode created =
        json(
            send(
                "POST",
                V + "/sobjects/ObjectTerritory2Association",
                "{\"ObjectId\":\"" + account + "\",\"Territory2Id\":\"" + territory + "\"}"));
    String id = created.path("id").asText();
    assertTrue(created.path("success").asBoolean());
    assertEquals(
        "Territory2Manual", fixture.emulator.org().get(id).orElseThrow().get("AssociationCause"));
    assertError(
        send(
            "PATCH",
            V + "/sobjects/ObjectTerritory2Association/" + id,
            "{\"Territory2Id\":\"" + territory + "\"}"),
        400,
        "INVALID_TYPE_FOR_OPERATION");
    assertError(
        send(
            "POST",
            V + "/sobjects/ObjectTerritory2Association",
            "{\"ObjectId\":\"" + account + "\",\"Territory2Id\":\"" + territory + "\"}"),
        400,
        "DUPLICATE_VALUE");
    assertError(
        send(
            "POST",
            V + "/sobjects/ObjectTerritory2Association",
            "{\"ObjectId\":\""
                + account
                + "\",\"Territory2Id\":\""
                + territory
                + "\",\"AssociationCause\":\"Rules\"}"),
        400,
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
    assertError(
        send(
            "POST",
            V + "/sobjects/ObjectTerritory2Association",
            "{\"ObjectId\":\"" + territory + "\",\"Territory2Id\":\"" + territory + "\"}"),
        400,
        "FIELD_INTEGRITY_EXCEPTION");
    assertEquals(
        204, send("DELETE", V + "/sobjects/ObjectTerritory2Association/" + id, null).statusCode());
    assertError(
        send("DELETE", V + "/sobjects/ObjectTerritory2Association/" + id, null),
        404,
        "ENTITY_IS_DELETED");
    JsonNode deleted =
        json(
            send(
                "GET",
                V
                    + "/queryAll?q="
                    + URLEncoder.encode(
                        "SELECT Id FROM ObjectTerritory2Association WHERE IsDeleted = true AND Id = '"
                            + id
                            + "'",
                        StandardCharsets.UTF_8),
                null));
    assertEquals(1, deleted.path("totalSize").asInt(), "deleted associations stay queryable");

    String planningModel =
        json(query("SELECT Id FROM Territory2Model WHERE State = 'Planning'"))
            .path("records")
            .get(0)
            .path("Id")
            .asText();
    String type =
        json(query("SELECT Id FROM Territory2Type LIMIT 1"))
            .path("records")
            .get(0)
            .path("Id")
            .asText();
    String planningTerritory =
        json(send(
                "POST",
                V + "/sobjects/Territory2",
                "{\"DeveloperName\":\"Plan_Only\",\"Name\":\"Plan\",\"Territory2ModelId\":\""
                    + planningModel
                    + "\",\"Territory2TypeId\":\""
                    + type
                    + "\"}"))
            .path("id")
            .asText();
    String opp =
        json(query("SELECT Id FROM Opportunity LIMIT 1"))
            .path("records")
            .get(0)
            .path("Id")
            .asText();
    assertError(
        send(
            "PATCH",
            V + "/sobjects/Opportunity/" + opp,
            "{\"Territory2Id\":\"" + planningTerritory + "\"}"),
        400,
        "FIELD_INTEGRITY_EXCEPTION");
    assertEquals(
        204,
        send(
                "PATCH",
                V + "/sobjects/Opportunity/" + opp,
                "{\"Territory2Id\":\"" + territory + "\"}")
            .statusCode());
  }

  @Test
  void bulkQueryResultsAreFullyQuotedCsvPagedByLocator() throws Exception {
    JsonNode job =
        json(
            send(
                "POST",
                V + "/jobs/query",
                "{\"operation\":\"query\",\"query\":\"SELECT Id, Name, Owner.Name, AnnualRevenue FROM Account\"}"));
    String id = job.path("id").asText();
    assertEquals("UploadComplete", job.path("state").asText());
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                json(send("GET", V + "/jobs/query/" + id, null))
                    .path("state")
                    .asText()
                    .equals("JobComplete"));
    HttpResponse<String> page =
        send("GET", V + "/jobs/query/" + id + "/results?maxRecords=100", null);
    assertEquals("text/csv", page.headers().firstValue("Content-Type").orElseThrow());
    assertEquals("100", page.headers().firstValue("Sforce-NumberOfRecords").orElseThrow());
    String locator = page.headers().firstValue("Sforce-Locator").orElseThrow();
    assertTrue(
        page.body().startsWith("\"Id\",\"Name\",\"Owner.Name\",\"AnnualRevenue\"\n"),
        page.body().substring(0, 80));
    assertTrue(
        page.body().split("\n")[1].matches("\"001\\w{15}\",\".*\",\".*\",\"[0-9.]*\""),
        page.body().split("\n")[1]);
    HttpResponse<String> last =
        send("GET", V + "/jobs/query/" + id + "/results?maxRecords=100&locator=" + locator, null);
    assertEquals("null", last.headers().firstValue("Sforce-Locator").orElseThrow());
    assertEquals("20", last.headers().firstValue("Sforce-NumberOfRecords").orElseThrow());
  }

  @Test
  void bulkIngestReportsFailuresWithTheirErrors() throws Exception {
    JsonNode job =
        json(
            send(
                "POST",
                V + "/jobs/ingest",
                "{\"object\":\"Account\",\"operation\":\"update\",\"contentType\":\"CSV\",\"lineEnding\":\"LF\"}"));
    String id = job.path("id").asText();
    String account =
        fixture.emulator.org().ids("Account").stream().sorted().findFirst().orElseThrow();
    String csv = "Id,Industry\n" + account + ",Retail\n001000000000000AAA,Retail\n";
    assertEquals(
        201,
        send("PUT", V + "/jobs/ingest/" + id + "/batches", csv, "Content-Type", "text/csv")
            .statusCode());
    assertError(
        send("PUT", V + "/jobs/ingest/" + id + "/batches", csv, "Content-Type", "text/csv"),
        400,
        "INVALIDJOBSTATE");
    send("PATCH", V + "/jobs/ingest/" + id, "{\"state\":\"UploadComplete\"}");
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                json(send("GET", V + "/jobs/ingest/" + id, null))
                    .path("state")
                    .asText()
                    .equals("JobComplete"));
    JsonNode done = json(send("GET", V + "/jobs/ingest/" + id, null));
    assertEquals(2, done.path("numberRecordsProcessed").asInt());
    assertEquals(1, done.path("numberRecordsFailed").asInt());
    String failed = send("GET", V + "/jobs/ingest/" + id + "/failedResults", null).body();
    assertTrue(failed.startsWith("\"sf__Id\",\"sf__Error\",\"Id\",\"Industry\""), failed);
    assertTrue(
        failed.contains("MALFORMED_ID") || failed.contains("INVALID_CROSS_REFERENCE_KEY"), failed);
    assertEquals("Retail", fixture.emulator.org().get(account).orElseThrow().get("Industry"));
  }

  @Test
  void requestLimitRefusesWith403AndInjected503sAreCounted() throws Exception {
    long used = fixture.emulator.usage().calls();
    fixture.emulator.faults().requestLimitAfterCalls(used + 1);
    assertEquals(200, send("GET", V + "/limits", null).statusCode());
    assertError(send("GET", V + "/limits", null), 403, "REQUEST_LIMIT_EXCEEDED");
    fixture.emulator.faults().requestLimitAfterCalls(0).serverUnavailableRate(1);
    long callsBefore = fixture.emulator.usage().calls();
    long servedBefore = fixture.emulator.faults().serverUnavailableServed();
    HttpResponse<String> unavailable = send("GET", V + "/limits", null);
    assertError(unavailable, 503, "SERVER_UNAVAILABLE");
    assertEquals(1, fixture.emulator.faults().serverUnavailableServed() - servedBefore);
    assertEquals(1, fixture.emulator.usage().calls() - callsBefore, "the 503 counts as a call");
    assertEquals(
        "api-usage=" + fixture.emulator.usage().calls() + "/",
        unavailable.headers().firstValue("Sforce-Limit-Info").orElseThrow().replaceAll("/.*", "/"),
        "and the answer says so");
    fixture.emulator.faults().serverUnavailableRate(0);
    assertNotNull(json(send("GET", V + "/limits", null)).path("DailyApiRequests"));
  }
}
