package io.territorysync.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Emulator figures: demo-org generation time and heap for N accounts, and query throughput
 * through REST paging and Bulk API 2.0 query. Starts the packaged app's {@code emulator} command
 * in its own process and measures from this one.
 *
 * <p>Arguments: {@code [accounts] [emulator heap]}, default {@code 1000000 4g}.
 */
public final class EmulatorBenchmark {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  public static void main(String[] args) throws Exception {
    int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    String heap = args.length > 1 ? args[1] : "4g";
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
    Process emulator = new ProcessBuilder(javaBin(), "-Xmx" + heap, "-XX:+UseParallelGC", "-jar", jar.toString(), "emulator", "--port", "" + port, "--accounts", "" + accounts)
        .redirectErrorStream(true)
        .start();
    try {
      String ready = awaitReady(emulator.getInputStream());
      System.out.println("accounts=" + accounts + " emulator heap limit=" + heap);
      System.out.println(ready);
      String base = "http://localhost:" + port;
      String token = token(base);
      String soql = "SELECT Id, Name, BillingCountry, BillingState, BillingPostalCode, Industry, AnnualRevenue, OwnerId, SystemModstamp FROM Account";
      for (int round = 1; round <= 2; round++) {
        long t0 = System.nanoTime();
        long rest = restPaging(base, token, soql);
        double restSeconds = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        long bulk = bulkQuery(base, token, soql);
        double bulkSeconds = (System.nanoTime() - t1) / 1e9;
        System.out.printf("round %d: REST paging %d records in %.2f s = %.0f records/s; Bulk 2.0 query %d records in %.2f s = %.0f records/s%n", round, rest, restSeconds, rest / restSeconds, bulk, bulkSeconds, bulk / bulkSeconds);
      }
      JsonNode usage = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/emulator/admin/usage")).build(), HttpResponse.BodyHandlers.ofString()).body());
      System.out.println("API calls used by both rounds: " + usage);
    } finally {
      emulator.destroy();
      emulator.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String awaitReady(InputStream out) throws Exception {
    BufferedReader r = new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8));
    String line;
    while ((line = r.readLine()) != null) {
      if (line.startsWith("Salesforce org emulator ready")) {
        Thread drain = new Thread(() -> {
          try {
            while (r.readLine() != null) {
              // keep the pipe empty
            }
          } catch (Exception ignored) {
            // process ended
          }
        });
        drain.setDaemon(true);
        drain.start();
        return line;
      }
    }
    throw new IllegalStateException("emulator exited before it was ready");
  }

  private static String token(String base) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/services/oauth2/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=territory-sync-demo&client_secret=demo-secret")).build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body()).path("access_token").asText();
  }

  /** Pages through {@code soql} 2,000 records at a time, parsing every record; returns the count. */
  private static long restPaging(String base, String token, String soql) throws Exception {
    String next = "/services/data/v62.0/query?q=" + URLEncoder.encode(soql, StandardCharsets.UTF_8);
    long records = 0;
    JsonFactory factory = JSON.getFactory();
    while (next != null) {
      HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + next)).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofInputStream());
      next = null;
      try (JsonParser p = factory.createParser(r.body())) {
        p.nextToken();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          p.nextToken();
          if (field.equals("nextRecordsUrl")) {
            next = p.getText();
          } else if (field.equals("records")) {
            while (p.nextToken() == JsonToken.START_OBJECT) {
              JSON.readTree(p);
              records++;
            }
          } else {
            p.skipChildren();
          }
        }
      }
    }
    return records;
  }

  /** Runs {@code soql} as a Bulk API 2.0 query job and reads every results page; returns the count. */
  private static long bulkQuery(String base, String token, String soql) throws Exception {
    String v = base + "/services/data/v62.0/jobs/query";
    String body = JSON.writeValueAsString(java.util.Map.of("operation", "query", "query", soql));
    String id = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(v)).header("Authorization", "Bearer " + token).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body()).path("id").asText();
    while (true) {
      String state = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(v + "/" + id)).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body()).path("state").asText();
      if (state.equals("JobComplete")) {
        break;
      }
      if (List.of("Failed", "Aborted").contains(state)) {
        throw new IllegalStateException("query job " + state);
      }
      Thread.sleep(50);
    }
    long records = 0;
    String locator = null;
    do {
      String url = v + "/" + id + "/results?maxRecords=100000" + (locator == null ? "" : "&locator=" + locator);
      HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofInputStream());
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        lines.readLine();
        while (lines.readLine() != null) {
          records++;
        }
      }
      locator = r.headers().firstValue("Sforce-Locator").orElse("null");
    } while (!locator.equals("null"));
    return records;
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
