package io.territorysync.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.territorysync.salesforce.SalesforceId;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.Limits;
import org.apache.camel.component.salesforce.api.dto.bulkv2.ContentTypeEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.Job;
import org.apache.camel.component.salesforce.api.dto.bulkv2.JobStateEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.LineEndingEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.OperationEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.QueryJob;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** camel-salesforce itself, against the emulator, for every operation Territory Sync uses. */
class CamelSalesforceAgainstEmulatorTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private EmulatorFixture fixture;

  @TempDir Path tmp;

  @AfterEach
  void close() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  private JsonNode json(Object body) throws Exception {
    if (body instanceof InputStream in) {
      return JSON.readTree(in);
    }
    return JSON.readTree(body.toString());
  }

  @Test
  void queryPagesWithBatchSizeAndQueryMoreFollowsNextRecordsUrl() throws Exception {
    fixture = new EmulatorFixture(450);
    ProducerTemplate t = fixture.camel();
    Map<String, Object> headers = Map.of("Sforce-Query-Options", "batchSize=200");
    JsonNode first =
        json(
            t.requestBodyAndHeaders(
                "salesforce:query?rawPayload=true&sObjectQuery=SELECT Id, Name FROM Account ORDER BY Id",
                null,
                headers));
    assertEquals(450, first.path("totalSize").asInt());
    assertFalse(first.path("done").asBoolean());
    assertEquals(200, first.path("records").size());
    int seen = first.path("records").size();
    String next = first.path("nextRecordsUrl").asText();
    while (!next.isEmpty()) {
      JsonNode page = json(t.requestBody("salesforce:queryMore?rawPayload=true", next));
      seen += page.path("records").size();
      next = page.path("done").asBoolean() ? "" : page.path("nextRecordsUrl").asText();
    }
    assertEquals(450, seen);
    assertEquals(
        3, fixture.emulator.usage().calls("query") + fixture.emulator.usage().calls("queryMore"));
  }

  @Test
  void queryAllReturnsDeletedRowsThatQueryHides() throws Exception {
    fixture = new EmulatorFixture(20);
    ProducerTemplate t = fixture.camel();
    String id =
        json(t.requestBody(
                "salesforce:query?rawPayload=true&sObjectQuery=SELECT Id FROM Account ORDER BY Id LIMIT 1",
                (Object) null))
            .path("records")
            .get(0)
            .path("Id")
            .asText();
    t.requestBodyAndHeaders(
        "salesforce:raw",
        null,
        Map.of("rawPath", "/services/data/v62.0/sobjects/Account/" + id, "rawMethod", "DELETE"));
    String soql = "SELECT Id, IsDeleted FROM Account WHERE Id = '" + id + "'";
    assertEquals(
        0,
        json(t.requestBody("salesforce:query?rawPayload=true&sObjectQuery=" + soql, (Object) null))
            .path("totalSize")
            .asInt());
    JsonNode all =
        json(
            t.requestBody(
                "salesforce:queryAll?rawPayload=true&sObjectQuery=" + soql, (Object) null));
    assertEquals(1, all.path("totalSize").asInt());
    assertTrue(all.path("records").get(0).path("IsDeleted").asBoolean());
  }

  @Test
  void limitsOperationReadsDailyApiRequests() throws Exception {
    fixture = new EmulatorFixture(0);
    ProducerTemplate t = fixture.camel();
    Limits limits = t.requestBody("salesforce:limits", null, Limits.class);
    assertEquals(100_000, limits.getDailyApiRequests().getMax());
    assertEquals(100_000 - 1, limits.getDailyApiRequests().getRemaining());
  }

  @Test
  void passwordAndRefreshTokenFlowsLogIn() throws Exception {
    fixture = new EmulatorFixture(3);
    ProducerTemplate password =
        fixture.camel(
            sf -> {
              sf.setAuthenticationType(AuthenticationType.USERNAME_PASSWORD);
              sf.setUserName(fixture.emulator.settings().username());
              sf.setPassword(fixture.emulator.settings().password());
            });
    assertEquals(
        3,
        json(password.requestBody(
                "salesforce:query?rawPayload=true&sObjectQuery=SELECT COUNT() FROM Account",
                (Object) null))
            .path("totalSize")
            .asInt());
    fixture.close();
    fixture = new EmulatorFixture(4);
    ProducerTemplate refresh =
        fixture.camel(
            sf -> {
              sf.setAuthenticationType(AuthenticationType.REFRESH_TOKEN);
              sf.setRefreshToken(fixture.emulator.settings().refreshToken());
            });
    assertEquals(
        4,
        json(refresh.requestBody(
                "salesforce:query?rawPayload=true&sObjectQuery=SELECT COUNT() FROM Account",
                (Object) null))
            .path("totalSize")
            .asInt());
  }

  @Test
  void jwtBearerFlowChecksTheSignatureAgainstTheConfiguredCertificate() throws Exception {
    Path keystore = tmp.resolve("jwt.p12");
    Path cert = tmp.resolve("jwt.pem");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(
        keytool,
        "-genkeypair",
        "-alias",
        "jwt",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=territory-sync",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        keystore.toString(),
        "-storepass",
        "changeit");
    run(
        keytool,
        "-exportcert",
        "-rfc",
        "-alias",
        "jwt",
        "-keystore",
        keystore.toString(),
        "-storepass",
        "changeit",
        "-file",
        cert.toString());
    fixture =
        new EmulatorFixture(
            EmulatorSettings.defaults().withJwtCertificate(Files.readString(cert)), 2);
    ProducerTemplate t =
        fixture.camel(
            sf -> {
              sf.setAuthenticationType(AuthenticationType.JWT);
              sf.setUserName(fixture.emulator.settings().username());
              KeyStoreParameters ks = new KeyStoreParameters();
              ks.setResource("file:" + keystore);
              ks.setPassword("changeit");
              ks.setType("PKCS12");
              sf.setKeystore(ks);
            });
    assertEquals(
        2,
        json(t.requestBody(
                "salesforce:query?rawPayload=true&sObjectQuery=SELECT COUNT() FROM Account",
                (Object) null))
            .path("totalSize")
            .asInt());
    assertEquals(1, fixture.emulator.logins());
  }

  @Test
  void expiredSessionIsRenewedByLoggingInAgain() throws Exception {
    fixture = new EmulatorFixture(5);
    fixture.emulator.faults().sessionExpiresAfterCalls(2);
    ProducerTemplate t = fixture.camel();
    for (int i = 0; i < 5; i++) {
      assertEquals(
          5,
          json(t.requestBody(
                  "salesforce:query?rawPayload=true&sObjectQuery=SELECT COUNT() FROM Account",
                  (Object) null))
              .path("totalSize")
              .asInt());
    }
    assertTrue(
        fixture.emulator.logins() >= 3,
        "logged in again after each expiry: " + fixture.emulator.logins());
  }

  @Test
  void requestLimitAndServerUnavailableArriveAsSalesforceExceptions() throws Exception {
    fixture = new EmulatorFixture(1);
    ProducerTemplate t = fixture.camel();
    fixture.emulator.faults().requestLimitAfterCalls(1);
    t.requestBody(
        "salesforce:query?rawPayload=true&sObjectQuery=SELECT COUNT() FROM Account", (Object) null);
    CamelExecutionException e =
        assertThrows(
            CamelExecutionException.class,
            () ->
                t.requestBody(
                    "salesforce:query?rawPayload=true&sObjectQuery=SELECT COUNT() FROM Account",
                    (Object) null));
    SalesforceException sf = assertInstanceOf(SalesforceException.class, e.getCause());
    assertEquals(403, sf.getStatusCode());
    assertEquals("REQUEST_LIMIT_EXCEEDED", sf.getErrors().get(0).getErrorCode());
    fixture.emulator.faults().requestLimitAfterCalls(0).serverUnavailableRate(1.0);
    e =
        assertThrows(
            CamelExecutionException.class,
            () ->
                t.requestBody(
                    "salesforce:query?rawPayload=true&sObjectQuery=SELECT COUNT() FROM Account",
                    (Object) null));
    sf = assertInstanceOf(SalesforceException.class, e.getCause());
    assertEquals(503, sf.getStatusCode());
  }

  @Test
  void rawCollectionsCreateAndDeleteReportPerRecordResultsInOrder() throws Exception {
    fixture = new EmulatorFixture(5);
    ProducerTemplate t = fixture.camel();
    String account =
        fixture.emulator.org().ids("Account").stream().sorted().findFirst().orElseThrow();
    String territory = fixture.demo.territories().get(10).id();
    String body =
        "{\"allOrNone\":false,\"records\":["
            + "{\"attributes\":{\"type\":\"ObjectTerritory2Association\"},\"ObjectId\":\""
            + account
            + "\",\"Territory2Id\":\""
            + territory
            + "\"},"
            + "{\"attributes\":{\"type\":\"ObjectTerritory2Association\"},\"ObjectId\":\""
            + account
            + "\",\"Territory2Id\":\""
            + territory
            + "\"},"
            + "{\"attributes\":{\"type\":\"ObjectTerritory2Association\"},\"ObjectId\":\""
            + account
            + "\",\"Territory2Id\":\""
            + SalesforceId.of("0MI", "4S", 99_999)
            + "\"}]}";
    Exchange ex =
        t.request(
            "salesforce:raw?rawPath=/services/data/v62.0/composite/sobjects&rawMethod=POST",
            e -> e.getIn().setBody(body));
    assertTrue(ex.getException() == null, () -> String.valueOf(ex.getException()));
    JsonNode results = json(ex.getMessage().getBody(String.class));
    assertTrue(results.get(0).path("success").asBoolean());
    assertEquals(
        "DUPLICATE_VALUE", results.get(1).path("errors").get(0).path("statusCode").asText());
    assertEquals(
        "INVALID_CROSS_REFERENCE_KEY",
        results.get(2).path("errors").get(0).path("statusCode").asText());
    assertNotNull(ex.getMessage().getHeader("Sforce-Limit-Info"));
    String id = results.get(0).path("id").asText();
    Exchange del =
        t.request(
            "salesforce:raw?rawPath=/services/data/v62.0/composite/sobjects&rawMethod=DELETE&rawQueryParameters=ids,allOrNone",
            e -> {
              e.getIn().setHeader("ids", id);
              e.getIn().setHeader("allOrNone", "false");
            });
    assertTrue(json(del.getMessage().getBody(String.class)).get(0).path("success").asBoolean());
    assertTrue(fixture.emulator.org().get(id).isEmpty());
  }

  @Test
  void bulk2IngestAndQueryJobsRunToCompletion() throws Exception {
    fixture = new EmulatorFixture(30);
    ProducerTemplate t = fixture.camel();
    Job job = new Job();
    job.setObject("Account");
    job.setOperation(OperationEnum.INSERT);
    job.setContentType(ContentTypeEnum.CSV);
    job.setLineEnding(LineEndingEnum.LF);
    job = t.requestBody("salesforce:bulk2CreateJob", job, Job.class);
    assertEquals(JobStateEnum.OPEN, job.getState());
    String csv =
        "Name,BillingCountry,Segment__c\nNew One,Germany,SMB\nNew Two,France,Enterprise\n,Spain,SMB\n";
    t.requestBodyAndHeader(
        "salesforce:bulk2CreateBatch", csv.getBytes(StandardCharsets.UTF_8), "jobId", job.getId());
    t.requestBodyAndHeader("salesforce:bulk2CloseJob", null, "jobId", job.getId());
    String jobId = job.getId();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                t.requestBodyAndHeader("salesforce:bulk2GetJob", null, "jobId", jobId, Job.class)
                        .getState()
                    == JobStateEnum.JOB_COMPLETE);
    Job done = t.requestBodyAndHeader("salesforce:bulk2GetJob", null, "jobId", jobId, Job.class);
    assertEquals(3, done.getNumberRecordsProcessed());
    assertEquals(1, done.getNumberRecordsFailed());
    String ok =
        t.requestBodyAndHeader(
            "salesforce:bulk2GetSuccessfulResults", null, "jobId", jobId, String.class);
    assertEquals(3, ok.strip().split("\n").length, ok);
    String failed =
        t.requestBodyAndHeader(
            "salesforce:bulk2GetFailedResults", null, "jobId", jobId, String.class);
    assertTrue(failed.contains("REQUIRED_FIELD_MISSING"), failed);

    QueryJob q = new QueryJob();
    q.setOperation(OperationEnum.QUERY);
    q.setQuery("SELECT Id, Name FROM Account");
    q = t.requestBody("salesforce:bulk2CreateQueryJob", q, QueryJob.class);
    String qid = q.getId();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                t.requestBodyAndHeader(
                            "salesforce:bulk2GetQueryJob", null, "jobId", qid, QueryJob.class)
                        .getState()
                    == JobStateEnum.JOB_COMPLETE);
    int rows = 0;
    String locator = null;
    do {
      Map<String, Object> h = new HashMap<>();
      h.put("jobId", qid);
      h.put("maxRecords", 10);
      if (locator != null) {
        h.put("locator", locator);
      }
      Exchange page = t.request("salesforce:bulk2GetQueryJobResults", e -> e.getIn().setHeaders(h));
      String body = page.getMessage().getBody(String.class);
      rows += body.strip().split("\n").length - 1;
      locator = page.getMessage().getHeader("Sforce-Locator", String.class);
    } while (locator != null && !locator.equals("null"));
    assertEquals(32, rows);
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + ": " + out);
    }
  }
}
