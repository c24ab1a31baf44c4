package io.territorysync.webhook;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * More than a thousand generated hostile bodies for both webhook endpoints: each is answered 4xx,
 * or on the SOAP endpoint with a client SOAP fault, never with an unhandled error; nothing is
 * stored, and the service is healthy afterwards. Also: the per-sender rate limit.
 */
@QuarkusTest
class HostileWebhooksTest {

  static final String SECRET = "test-webhook-secret";

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;
  @Inject WebhookRateFilter rate;

  @Inject WebhookConfig config;

  @AfterEach
  void configuredLimits() {
    rate.limit(config.rateLimit().burst(), config.rateLimit().perMinute());
    rate.allow(config.allowedSources().orElse(List.of()));
  }

  private String connectedOrg() throws Exception {
    DemoOrg.Result demo = emulator.reset(new DemoOrg.Spec(100, 5, 20, 2.0));
    Files.writeString(Path.of("target/test-rules.yaml"), DemoRules.text(demo));
    TestSql.wipe(dataSource);
    Run first = runs.execute(new RunService.RunRequest("test", false, false, false));
    assertEquals("succeeded", first.status, first.error);
    return emulator.emulator().org().orgId();
  }

  /** A status and body, from RestAssured or from a raw socket. */
  record Answer(int status, String body) {}

  /**
   * Posts a body over the endpoint's limit on a raw socket: the server answers 413 and closes the
   * connection without reading the body, which an ordinary client reports as a broken pipe.
   */
  private static Answer rawPost(String path, Map<String, String> headers, byte[] body)
      throws java.io.IOException {
    try (java.net.Socket socket =
        new java.net.Socket("127.0.0.1", io.restassured.RestAssured.port)) {
      socket.setSoTimeout(30_000);
      StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: localhost\r\n");
      headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
      java.io.OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
      try {
        for (int at = 0; at < body.length; at += 65536) {
          out.write(body, at, Math.min(65536, body.length - at));
        }
        out.flush();
      } catch (java.io.IOException closed) {
        // the server refused the body before reading it
      }
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(answer.substring(9, 12));
      int split = answer.indexOf("\r\n\r\n");
      return new Answer(status, split < 0 ? "" : answer.substring(split + 4));
    }
  }

  private static Answer send(HostileWebhooks.Attack a, boolean soap) throws java.io.IOException {
    if (a.body().length > WebhookReceiver.MAX_BODY) {
      Map<String, String> headers = new java.util.LinkedHashMap<>();
      headers.put("Content-Type", soap ? "text/xml; charset=utf-8" : "application/json");
      if (a.timestamp() != null) {
        headers.put("X-Territory-Timestamp", a.timestamp());
      }
      if (a.signature() != null) {
        headers.put("X-Territory-Signature", a.signature());
      }
      return rawPost(
          soap
              ? "/webhooks/salesforce/outbound-message/" + WebhookTest.TOKEN
              : "/webhooks/accounts",
          headers,
          a.body());
    }
    Response r = soap ? outbound(a.body()) : signed(a);
    return new Answer(r.statusCode(), r.asString());
  }

  private static Response outbound(byte[] body) {
    return given()
        .contentType("text/xml; charset=utf-8")
        .header("SOAPAction", "\"\"")
        .body(body)
        .post("/webhooks/salesforce/outbound-message/" + WebhookTest.TOKEN);
  }

  private static Response signed(HostileWebhooks.Attack a) {
    RequestSpecification r = given().contentType("application/json").body(a.body());
    if (a.timestamp() != null) {
      r = r.header("X-Territory-Timestamp", a.timestamp());
    }
    if (a.signature() != null) {
      r = r.header("X-Territory-Signature", a.signature());
    }
    return r.post("/webhooks/accounts");
  }

  @Test
  void everyHostileBodyIsRefusedNothingIsStoredAndTheServiceStaysHealthy() throws Exception {
    String org = connectedOrg();
    long now = Instant.now().getEpochSecond();
    List<HostileWebhooks.Attack> soap = HostileWebhooks.outbound(org, 15);
    List<HostileWebhooks.Attack> json = HostileWebhooks.signed(SECRET, now, 15);
    assertTrue(soap.size() >= 500 && json.size() >= 500, soap.size() + " and " + json.size());
    Map<Integer, Integer> statuses = new TreeMap<>();
    List<String> wrong = new ArrayList<>();
    for (HostileWebhooks.Attack a : soap) {
      Answer r = send(a, true);
      String body = r.body();
      statuses.merge(r.status(), 1, Integer::sum);
      boolean fault =
          r.status() == 500
              && body.contains("<faultcode>soapenv:Client</faultcode>")
              && body.contains("<faultstring>");
      boolean tooLarge = r.status() == 413;
      if (!(fault || tooLarge) || unhandled(body)) {
        wrong.add("outbound " + a.kind() + ": " + r.status() + " " + head(body));
      }
    }
    for (HostileWebhooks.Attack a : json) {
      Answer r = send(a, false);
      String body = r.body();
      statuses.merge(r.status(), 1, Integer::sum);
      if (r.status() < 400 || r.status() >= 500 || unhandled(body)) {
        wrong.add("signed " + a.kind() + ": " + r.status() + " " + head(body));
      }
    }
    // without the endpoint's token, or with a wrong one, a valid message is refused
    byte[] genuine =
        WebhookTest.outboundMessage(org, "04l5g00000YyYyYAAA", HostileWebhooks.ACCOUNT)
            .getBytes(StandardCharsets.UTF_8);
    List<String> paths = new ArrayList<>(List.of("", "/", "/x", "/" + WebhookTest.TOKEN + "x"));
    paths.add("/" + WebhookTest.TOKEN.substring(1));
    paths.add("/" + WebhookTest.TOKEN.toUpperCase(java.util.Locale.ROOT));
    for (String p : paths) {
      Response r =
          given()
              .contentType("text/xml; charset=utf-8")
              .body(genuine)
              .post("/webhooks/salesforce/outbound-message" + p);
      statuses.merge(r.statusCode(), 1, Integer::sum);
      if (r.statusCode() != 500 || !r.asString().contains("outbound-message-token")) {
        wrong.add("token '" + p + "': " + r.statusCode() + " " + head(r.asString()));
      }
    }
    assertEquals(List.of(), wrong, "answers by status: " + statuses);
    assertEquals(0, TestSql.count(dataSource, "SELECT count(*) FROM webhook_event"));
    given().get("/q/health/live").then().statusCode(200);
    // and a genuine message is still taken and processed
    String account =
        TestSql.strings(dataSource, "SELECT account_id FROM desired_assignment LIMIT 1").get(0);
    String valid = WebhookTest.outboundMessage(org, "04l5g00000ZzZzZAAA", account);
    outbound(valid.getBytes(StandardCharsets.UTF_8))
        .then()
        .statusCode(200)
        .body(containsString("<Ack>true</Ack>"));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                TestSql.count(
                            dataSource, "SELECT count(*) FROM webhook_event WHERE status = 'done'")
                        == 1
                    && TestSql.count(
                            dataSource,
                            "SELECT count(*) FROM run WHERE status IN ('queued', 'running')")
                        == 0);
    System.out.printf(
        "Hostile webhooks: %d Outbound Messages and %d signed JSON requests refused %s%n",
        soap.size(), json.size(), statuses);
  }

  private static boolean unhandled(String body) {
    return body.contains("Exception") || body.contains("\tat ") || body.contains("Error:");
  }

  private static String head(String body) {
    return body.length() > 300 ? body.substring(0, 300) : body;
  }

  @Test
  void aSenderOverItsRateGets429WithRetryAfterOnBothEndpoints() {
    rate.limit(3, 1);
    byte[] junk = "junk".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 3; i++) {
      outbound(junk).then().statusCode(500);
    }
    outbound(junk)
        .then()
        .statusCode(429)
        .header("Retry-After", matchesPattern("[1-9][0-9]*"))
        .body(containsString("<faultcode>soapenv:Client</faultcode>"));
    given()
        .contentType("application/json")
        .body(junk)
        .post("/webhooks/accounts")
        .then()
        .statusCode(429)
        .header("Retry-After", matchesPattern("[1-9][0-9]*"))
        .body("error", containsString("too many requests"));
  }

  @Test
  void aSenderOutsideTheAllowedSourcesGets403BeforeItsBodyIsReadAndNothingIsStored()
      throws Exception {
    String xml =
        WebhookTest.outboundMessage(
            emulator.emulator().org().orgId(), "04l5g00000AlLoWAAV", "001000000000001");
    long stored = TestSql.count(dataSource, "SELECT count(*) FROM webhook_event");
    rate.allow(List.of("10.0.0.0/8", "2001:db8::/32"));
    outbound(xml.getBytes(StandardCharsets.UTF_8))
        .then()
        .statusCode(403)
        .body(containsString("<faultcode>soapenv:Client</faultcode>"))
        .body(containsString("not an allowed sender"));
    given()
        .contentType("application/json")
        .body("{}")
        .post("/webhooks/accounts")
        .then()
        .statusCode(403)
        .body("error", containsString("not an allowed sender"));
    assertEquals(stored, TestSql.count(dataSource, "SELECT count(*) FROM webhook_event"));

    // the same request from inside a range passes the allow-list (then fails on its own merits)
    rate.allow(List.of("10.0.0.0/8", "127.0.0.0/8", "::1/128"));
    given()
        .contentType("application/json")
        .body("{}")
        .post("/webhooks/accounts")
        .then()
        .statusCode(org.hamcrest.Matchers.not(403));
  }

  /**
   * Sends a chunked body (no Content-Length) of {@code sent} bytes on a raw socket and never ends
   * it: only a server that stops reading once the limit is passed can answer.
   */
  private static Answer chunkedAndNeverEnded(String path, String contentType, int sent)
      throws Exception {
    try (java.net.Socket socket =
        new java.net.Socket("127.0.0.1", io.restassured.RestAssured.port)) {
      socket.setSoTimeout(30_000);
      java.io.OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + path
                  + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                  + contentType
                  + "\r\nTransfer-Encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // written beside, so a server that stops reading cannot block the test on a full socket
      Thread writer =
          new Thread(
              () -> {
                byte[] chunk = new byte[32 * 1024];
                java.util.Arrays.fill(chunk, (byte) 'a');
                String size = Integer.toHexString(chunk.length) + "\r\n";
                try {
                  for (int at = 0; at < sent; at += chunk.length) {
                    out.write(size.getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                  }
                  out.flush(); // and no last chunk: the body never ends
                } catch (java.io.IOException closed) {
                  // the server answered and closed the connection
                }
              },
              "chunked-writer");
      writer.setDaemon(true);
      writer.start();
      java.io.InputStream in = socket.getInputStream();
      String answer;
      try {
        answer = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      } catch (java.net.SocketTimeoutException e) {
        answer = "";
      }
      if (answer.length() < 12) {
        return new Answer(0, "no answer: the server is still reading the body");
      }
      return new Answer(Integer.parseInt(answer.substring(9, 12)), answer);
    }
  }

  @Test
  void aChunkedBodyIsRefusedWith413AsSoonAsItPassesTheEndpointsLimitAndNothingIsStored()
      throws Exception {
    long stored = TestSql.count(dataSource, "SELECT count(*) FROM webhook_event");
    int sent = WebhookReceiver.MAX_BODY + 512 * 1024;
    Answer outbound =
        chunkedAndNeverEnded(
            "/webhooks/salesforce/outbound-message/" + WebhookTest.TOKEN,
            "text/xml; charset=utf-8",
            sent);
    assertEquals(413, outbound.status(), "Outbound Message: " + outbound.body());
    Answer json = chunkedAndNeverEnded("/webhooks/accounts", "application/json", sent);
    assertEquals(413, json.status(), "signed JSON: " + json.body());
    assertEquals(stored, TestSql.count(dataSource, "SELECT count(*) FROM webhook_event"));

    // a chunked body within the limit is read whole and judged on its content
    java.net.http.HttpResponse<String> small =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(
                            "http://127.0.0.1:"
                                + io.restassured.RestAssured.port
                                + "/webhooks/salesforce/outbound-message/"
                                + WebhookTest.TOKEN))
                    .header("Content-Type", "text/xml; charset=utf-8")
                    .POST(
                        java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                            () ->
                                new java.io.ByteArrayInputStream(
                                    "<not-soap/>".getBytes(StandardCharsets.UTF_8))))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(500, small.statusCode(), small.body());
    assertTrue(small.body().contains("<faultcode>soapenv:Client</faultcode>"), small.body());
    assertEquals(stored, TestSql.count(dataSource, "SELECT count(*) FROM webhook_event"));
  }

  private static double refusedBySource() {
    for (String line : given().get("/q/metrics").asString().split("\n")) {
      if (line.startsWith("territory_webhook_refused_total{reason=\"source\"}")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  @Test
  void aRefusedSenderIsLoggedOnceAMinuteAndEveryRefusalCounted() {
    List<java.util.logging.LogRecord> lines =
        java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.logging.Handler capture =
        new java.util.logging.Handler() {
          @Override
          public void publish(java.util.logging.LogRecord r) {
            if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
              lines.add(r);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    java.util.logging.Logger logger =
        java.util.logging.Logger.getLogger(WebhookRateFilter.class.getName());
    logger.addHandler(capture);
    try {
      double before = refusedBySource();
      rate.allow(List.of("10.0.0.0/8"));
      for (int i = 0; i < 50; i++) {
        if (i % 2 == 0) {
          outbound("junk".getBytes(StandardCharsets.UTF_8)).then().statusCode(403);
        } else {
          given()
              .contentType("application/json")
              .body("{}")
              .post("/webhooks/accounts")
              .then()
              .statusCode(403);
        }
      }
      List<String> refused =
          lines.stream()
              .map(java.util.logging.LogRecord::getMessage)
              .filter(m -> m.contains("Refused"))
              .toList();
      assertEquals(1, refused.size(), "one line for 50 refusals: " + refused);
      assertEquals(50.0, refusedBySource() - before, "refusals counted in /q/metrics");
    } finally {
      logger.removeHandler(capture);
    }
  }
}
