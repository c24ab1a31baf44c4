package io.territorysync.salesforce;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Salesforce gateway against recorded answers in Salesforce's documented formats, including the
 * ones the emulator never gives: proxy error pages, 502/504, error bodies with status 200,
 * truncated JSON, usage near the daily limit, a failed Bulk job, an expired refresh token and an
 * ambiguous external id. Each ends in a clear error or a counted retry.
 */
@QuarkusTest
@TestProfile(SalesforceContractTest.AgainstWireMock.class)
@Timeout(60)
class SalesforceContractTest {

  /** The org is WireMock; three attempts a call and short waits. */
  public static class AgainstWireMock implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(WireMockOrg.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "territory.salesforce.retry.max-attempts", "3",
          "territory.salesforce.retry.initial-backoff", "10ms",
          "territory.salesforce.retry.max-backoff", "40ms",
          "territory.salesforce.poll.initial-interval", "10ms",
          "territory.salesforce.poll.max-interval", "20ms",
          "territory.salesforce.poll.timeout", "5s",
          "camel.component.salesforce.http-request-timeout", "1000",
          "camel.component.salesforce.http-client-idle-timeout", "1000");
    }
  }

  static final String V = "/services/data/v62.0";
  static final String ORG = "00D000000000001AAA";
  static final String USER = "005000000000001AAA";
  static final ObjectMapper JSON = new ObjectMapper();

  @Inject SalesforceApi api;
  @Inject SObjectCollections collections;
  @Inject ApiUsage usage;

  @ConfigProperty(name = WireMockOrg.PORT)
  int port;

  WireMock org;
  ApiBudget budget;

  @BeforeEach
  void loggedIn() {
    org = new WireMock(port);
    org.resetMappings();
    org.register(post(urlEqualTo("/services/oauth2/token")).willReturn(okJson(token())));
    api.freshLogin();
    org.resetRequests();
    budget = new ApiBudget(100, 5000, usage);
  }

  @AfterEach
  void usageForgotten() {
    usage.observe("api-usage=0/100000");
  }

  private String token() {
    return "{\"access_token\":\"00Dxx!session\",\"instance_url\":\"http://localhost:"
        + port
        + "\",\"id\":\"https://login.salesforce.com/id/"
        + ORG
        + "/"
        + USER
        + "\",\"token_type\":\"Bearer\",\"issued_at\":\"1764662400000\","
        + "\"signature\":\"c2lnbmF0dXJl\"}";
  }

  private static final String PAGE =
      "{\"totalSize\":2,\"done\":true,\"records\":["
          + "{\"attributes\":{\"type\":\"Account\",\"url\":\""
          + V
          + "/sobjects/Account/001000000000001AAA\"},\"Id\":\"001000000000001AAA\"},"
          + "{\"attributes\":{\"type\":\"Account\",\"url\":\""
          + V
          + "/sobjects/Account/001000000000002AAA\"},\"Id\":\"001000000000002AAA\"}]}";

  private static final String PROXY_PAGE =
      "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
          + "<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response.</p>"
          + "</body></html>";

  private static MappingBuilder query() {
    return get(urlPathMatching(V + "/query/?"));
  }

  private static RequestPatternBuilder queried() {
    return getRequestedFor(urlPathMatching(V + "/query/?"));
  }

  private int seen(RequestPatternBuilder pattern) {
    return org.find(pattern).size();
  }

  // ------------------------------------------------------------------------------- REST

  @Test
  void aProxyErrorPageIsRetriedAndTheNextAnswerIsRead() {
    org.register(
        query()
            .inScenario("proxy")
            .whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("recovered")
            .willReturn(
                aResponse()
                    .withStatus(502)
                    .withHeader("Content-Type", "text/html")
                    .withBody(PROXY_PAGE)));
    org.register(
        query().inScenario("proxy").whenScenarioStateIs("recovered").willReturn(okJson(PAGE)));

    JsonNode page = api.query(budget, "SELECT Id FROM Account", false, 2000);

    assertEquals(2, page.path("records").size());
    assertEquals(2, seen(queried()));
    assertEquals(2, budget.used(), "each attempt is an API call of the budget");
  }

  @Test
  void aConnectionCutMidAnswerIsRetriedAndTheNextAnswerIsRead() {
    org.register(
        query()
            .inScenario("reset")
            .whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("back")
            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    org.register(query().inScenario("reset").whenScenarioStateIs("back").willReturn(okJson(PAGE)));

    JsonNode page = api.query(budget, "SELECT Id FROM Account", false, 2000);

    assertEquals(2, page.path("records").size());
    assertEquals(2, seen(queried()));
  }

  @Test
  void anAnswerThatNeverComesTimesOutAndEndsInAnErrorNotAHang() {
    org.register(query().willReturn(okJson(PAGE).withFixedDelay(5_000)));

    long start = System.nanoTime();
    SalesforceCallException e =
        assertThrows(
            SalesforceCallException.class,
            () -> api.query(budget, "SELECT Id FROM Account", false, 2000));

    assertTrue(e.isTransient(), e.getMessage());
    assertEquals(3, seen(queried()));
    assertTrue(
        System.nanoTime() - start < 12_000_000_000L,
        "three attempts of at most a second each, not three delayed answers");
  }

  @Test
  void gatewayTimeoutsEndInAClearErrorAfterTheConfiguredAttempts() {
    org.register(
        query()
            .willReturn(
                aResponse()
                    .withStatus(504)
                    .withHeader("Content-Type", "text/html")
                    .withBody("<html><body><h1>504 Gateway Time-out</h1></body></html>")));

    SalesforceCallException e =
        assertThrows(
            SalesforceCallException.class,
            () -> api.query(budget, "SELECT Id FROM Account", false, 2000));

    assertEquals(3, seen(queried()));
    assertEquals(504, e.status());
    assertTrue(e.getMessage().contains("gave up after 3 attempts"), e.getMessage());
    assertTrue(e.getMessage().contains("504 "), e.getMessage());
    assertTrue(e.getMessage().contains("an HTML page: 504 Gateway Time-out"), e.getMessage());
    assertFalse(e.getMessage().contains("<html"), "no HTML in errors and logs");
    assertTrue(e.isTransient(), "a later round may still get through");
  }

  @Test
  void anErrorBodyWithStatus200IsAnErrorNotAnEmptyPage() {
    org.register(
        query()
            .willReturn(
                okJson(
                    "[{\"message\":\"An unexpected error occurred. Please include this ErrorId"
                        + " if you contact support: 1234-5678 (-42)\","
                        + "\"errorCode\":\"UNKNOWN_EXCEPTION\"}]")));

    SalesforceCallException e =
        assertThrows(
            SalesforceCallException.class,
            () -> api.query(budget, "SELECT Id FROM Account", false, 2000));

    assertEquals("UNKNOWN_EXCEPTION", e.errorCode());
    assertTrue(e.getMessage().contains("1234-5678"), e.getMessage());
    assertEquals(1, seen(queried()));
  }

  @Test
  void aCountWithoutTotalSizeIsAnErrorNotZero() {
    org.register(query().willReturn(okJson("{\"done\":true,\"records\":[]}")));

    SalesforceCallException e =
        assertThrows(
            SalesforceCallException.class,
            () -> api.count(budget, "SELECT COUNT() FROM Account", false));

    assertEquals("BAD_RESPONSE", e.errorCode());
    assertEquals(1, seen(queried()));
  }

  @Test
  void truncatedJsonIsABadResponseNotAShortPage() {
    org.register(query().willReturn(okJson(PAGE.substring(0, PAGE.length() / 2))));

    SalesforceCallException e =
        assertThrows(
            SalesforceCallException.class,
            () -> api.query(budget, "SELECT Id FROM Account", false, 2000));

    assertEquals("BAD_RESPONSE", e.errorCode());
    assertFalse(e.isTransient());
    assertEquals(1, seen(queried()));
  }

  @Test
  void usageNearTheDailyLimitStopsTheRunBeforeTheNextCall() {
    org.register(
        query().willReturn(okJson(PAGE).withHeader("Sforce-Limit-Info", "api-usage=98500/100000")));

    api.query(budget, "SELECT Id FROM Account", false, 2000);
    ApiBudgetExhaustedException e =
        assertThrows(
            ApiBudgetExhaustedException.class,
            () -> api.query(budget, "SELECT Id FROM Account", false, 2000));

    assertEquals(1500, usage.remainingToday());
    assertTrue(e.getMessage().contains("1500 API calls left today"), e.getMessage());
    assertEquals(1, seen(queried()), "the refused call never reached Salesforce");
  }

  // ----------------------------------------------------------------------------- login

  /** The token endpoint's answer to a refresh token that expired or was revoked. */
  private void refreshTokenExpired() {
    org.register(
        post(urlEqualTo("/services/oauth2/token"))
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"error\":\"invalid_grant\","
                            + "\"error_description\":\"expired access/refresh token\"}")));
  }

  @Test
  void anExpiredRefreshTokenFailsTheLoginOnceAndClearly() {
    org.resetRequests();
    refreshTokenExpired();

    SalesforceCallException e = assertThrows(SalesforceCallException.class, api::freshLogin);

    assertTrue(e.getMessage().contains("expired access/refresh token"), e.getMessage());
    assertFalse(e.getMessage().contains(WireMockOrg.REFRESH_TOKEN), "no secret in the message");
    assertFalse(e.isTransient(), "a new login with the same token cannot succeed");
    assertEquals(1, seen(postRequestedFor(urlEqualTo("/services/oauth2/token"))));
  }

  @Test
  void anExpiredSessionWithAnExpiredRefreshTokenEndsInOneClearError() {
    org.register(
        query()
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "[{\"message\":\"Session expired or invalid\","
                            + "\"errorCode\":\"INVALID_SESSION_ID\"}]")));
    refreshTokenExpired();

    SalesforceCallException e =
        assertThrows(
            SalesforceCallException.class,
            () -> api.query(budget, "SELECT Id FROM Account", false, 2000));

    assertFalse(e.isTransient(), e.getMessage());
    assertFalse(e.getMessage().contains(WireMockOrg.REFRESH_TOKEN), "no secret in the message");
    assertEquals(1, seen(queried()), "the gateway does not retry a refused login");
    assertEquals(
        3,
        seen(postRequestedFor(urlEqualTo("/services/oauth2/token"))),
        "camel-salesforce's own re-login after a 401 tries three times, no more");
  }

  // ------------------------------------------------------------------------------ Bulk

  @Test
  void aBulkJobThatEndsFailedReportsSalesforcesMessageAndIsNotRetried() {
    String job = "7505e00000AbCdEAAV";
    org.register(post(urlEqualTo(V + "/jobs/ingest")).willReturn(okJson(job(job, "Open", null))));
    org.register(
        put(urlEqualTo(V + "/jobs/ingest/" + job + "/batches"))
            .willReturn(aResponse().withStatus(201)));
    org.register(
        patch(urlEqualTo(V + "/jobs/ingest/" + job))
            .willReturn(okJson(job(job, "UploadComplete", null))));
    org.register(
        get(urlEqualTo(V + "/jobs/ingest/" + job))
            .inScenario("job")
            .whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("failed")
            .willReturn(okJson(job(job, "InProgress", null))));
    String why = "InvalidBatch : Field name not found : Territory2Idx";
    org.register(
        get(urlEqualTo(V + "/jobs/ingest/" + job))
            .inScenario("job")
            .whenScenarioStateIs("failed")
            .willReturn(okJson(job(job, "Failed", why))));

    SalesforceCallException e =
        assertThrows(
            SalesforceCallException.class,
            () ->
                api.ingest(
                    budget,
                    "ObjectTerritory2Association",
                    BulkOperation.INSERT,
                    null,
                    "ObjectId,Territory2Id,AssociationCause\n".getBytes()));

    assertEquals("BULK_JOB_FAILED", e.errorCode());
    assertTrue(e.getMessage().contains(why), e.getMessage());
    assertFalse(e.isTransient(), "the same job would fail the same way");
    assertEquals(1, seen(postRequestedFor(urlEqualTo(V + "/jobs/ingest"))));
    assertEquals(1, seen(putRequestedFor(urlEqualTo(V + "/jobs/ingest/" + job + "/batches"))));
    assertEquals(1, seen(patchRequestedFor(urlEqualTo(V + "/jobs/ingest/" + job))));
    assertEquals(2, seen(getRequestedFor(urlEqualTo(V + "/jobs/ingest/" + job))));
  }

  private static String job(String id, String state, String error) {
    return "{\"id\":\""
        + id
        + "\",\"operation\":\"insert\",\"object\":\"ObjectTerritory2Association\","
        + "\"createdById\":\""
        + USER
        + "\",\"createdDate\":\"2026-12-02T07:00:00.000+0000\","
        + "\"systemModstamp\":\"2026-12-02T07:00:01.000+0000\",\"state\":\""
        + state
        + "\",\"concurrencyMode\":\"Parallel\",\"contentType\":\"CSV\",\"apiVersion\":62.0,"
        + "\"jobType\":\"V2Ingest\",\"lineEnding\":\"LF\",\"columnDelimiter\":\"COMMA\","
        + "\"numberRecordsProcessed\":0,\"numberRecordsFailed\":0,\"retries\":0,"
        + "\"totalProcessingTime\":0"
        + (error == null ? "" : ",\"errorMessage\":\"" + error + "\"")
        + "}";
  }

  // ------------------------------------------------------------------------- Composite

  private static List<ObjectNode> rollups(int n) {
    List<ObjectNode> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ObjectNode r = JSON.createObjectNode();
      r.putObject("attributes").put("type", "Territory_Performance__c");
      r.put("Key__c", "0MI00000000000" + i + "AAA-FY2026");
      records.add(r);
    }
    return records;
  }

  private static MappingBuilder composite() {
    return post(urlEqualTo(V + "/composite"));
  }

  @Test
  void anAmbiguousExternalIdRejectsItsRecordsWithTheMatchesAndIsNotRetried() throws Exception {
    org.register(
        composite()
            .willReturn(
                okJson(
                    "{\"compositeResponse\":[{\"body\":[\""
                        + V
                        + "/sobjects/Territory_Performance__c/a0B000000000001AAA\",\""
                        + V
                        + "/sobjects/Territory_Performance__c/a0B000000000002AAA\"],"
                        + "\"httpHeaders\":{},\"httpStatusCode\":300,\"referenceId\":\"c0\"}]}")));

    List<RecordResult> results =
        collections.write(
            budget, CollectionWrite.upsert("Territory_Performance__c", "Key__c", rollups(3)));

    assertEquals(3, results.size());
    for (RecordResult r : results) {
      assertEquals(RecordResult.Status.REJECTED, r.status());
      assertEquals("DUPLICATE_EXTERNAL_ID", r.errorCode());
      assertTrue(r.message().contains("a0B000000000002AAA"), r.message());
    }
    assertEquals(1, seen(postRequestedFor(urlEqualTo(V + "/composite"))));
    JsonNode sent =
        JSON.readTree(
            org.find(postRequestedFor(urlEqualTo(V + "/composite"))).get(0).getBodyAsString());
    assertEquals(
        V + "/composite/sobjects/Territory_Performance__c/Key__c",
        sent.path("compositeRequest").path(0).path("url").asText());
  }

  @Test
  void aStatus300ForASingleUpsertIsAClearErrorAfterOneRequest() {
    org.register(
        patch(urlPathMatching(V + "/sobjects/Account/External_Id__c/.*"))
            .willReturn(
                aResponse()
                    .withStatus(300)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "[\""
                            + V
                            + "/sobjects/Account/001000000000001AAA\",\""
                            + V
                            + "/sobjects/Account/001000000000002AAA\"]")));

    SalesforceCallException e =
        assertThrows(
            SalesforceCallException.class,
            () ->
                api.raw(
                    budget,
                    "PATCH",
                    V + "/sobjects/Account/External_Id__c/X-1",
                    "{\"Name\":\"Acme\"}"));

    assertEquals(300, e.status());
    assertFalse(e.isTransient());
    assertEquals(
        1, seen(patchRequestedFor(urlPathMatching(V + "/sobjects/Account/External_Id__c/.*"))));
  }

  @Test
  void aCollectionThatFailsWith503IsRetriedAloneAndLockedRowsToo() {
    String ok = "{\"id\":\"a0B000000000001AAA\",\"success\":true,\"errors\":[]}";
    String locked =
        "{\"success\":false,\"errors\":[{\"statusCode\":\"UNABLE_TO_LOCK_ROW\","
            + "\"message\":\"unable to obtain exclusive access to this record\",\"fields\":[]}]}";
    StringBuilder first = new StringBuilder("[");
    for (int i = 0; i < 200; i++) {
      first.append(i == 0 ? "" : ",").append(i == 7 ? locked : ok);
    }
    first.append(']');
    org.register(
        composite()
            .willReturn(
                okJson(
                    "{\"compositeResponse\":[{\"body\":"
                        + first
                        + ",\"httpHeaders\":{},\"httpStatusCode\":200,\"referenceId\":\"c0\"},"
                        + "{\"body\":[{\"errorCode\":\"SERVER_UNAVAILABLE\",\"message\":\"try"
                        + " later\"}],\"httpHeaders\":{},\"httpStatusCode\":503,"
                        + "\"referenceId\":\"c1\"}]}")));

    List<RecordResult> results =
        collections.write(
            budget, CollectionWrite.upsert("Territory_Performance__c", "Key__c", rollups(250)));

    assertEquals(250, results.size());
    assertEquals(199, results.stream().filter(r -> r.status() == RecordResult.Status.DONE).count());
    assertEquals(RecordResult.Status.RETRY, results.get(7).status());
    for (RecordResult r : results.subList(200, 250)) {
      assertEquals(RecordResult.Status.RETRY, r.status());
      assertEquals("SERVER_UNAVAILABLE", r.errorCode());
    }
    assertEquals(1, seen(postRequestedFor(urlEqualTo(V + "/composite"))));
  }

  @Test
  void aCompositeAnswerWithTooFewSubresponsesWritesNothingAsDone() {
    org.register(composite().willReturn(okJson("{\"compositeResponse\":[]}")));

    List<RecordResult> results =
        collections.write(
            budget, CollectionWrite.upsert("Territory_Performance__c", "Key__c", rollups(3)));

    assertEquals(3, results.size());
    assertTrue(results.stream().noneMatch(r -> r.status() == RecordResult.Status.DONE));
    assertTrue(
        results.get(0).message().contains("1 composite subrequests"), results.get(0).message());
    assertEquals(1, seen(postRequestedFor(urlEqualTo(V + "/composite"))));
  }
}
