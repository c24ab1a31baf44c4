package io.territorysync;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;

/**
 * Starts the packaged app ({@code target/quarkus-app/quarkus-run.jar}) as a user would, for the
 * ITs.
 */
final class PackagedApp {

  static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
  static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private PackagedApp() {}

  /** Starts the jar with {@code args} and extra environment, output to {@code log}. */
  static Process start(Map<String, String> env, List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(javaBin(), "-jar", JAR.toString()));
    command.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return pb.start();
  }

  /**
   * An emulator process seeded with {@code accounts} accounts; returns its port once it is ready.
   */
  static Process emulator(int port, int accounts, long latencyMs, Path log) throws IOException {
    Process p =
        start(
            Map.of(),
            List.of(
                "emulator",
                "--port",
                "" + port,
                "--accounts",
                "" + accounts,
                "--latency-ms",
                "" + latencyMs),
            log);
    await()
        .atMost(Duration.ofSeconds(120))
        .until(() -> Files.readString(log).contains("login URL") || !p.isAlive());
    if (!p.isAlive()) {
      throw new IllegalStateException("emulator exited: " + Files.readString(log));
    }
    return p;
  }

  /** An emulator process of the tests, stopped on close. */
  record Emulator(int port, Process process) implements AutoCloseable {

    /** An emulator on a free port seeded with {@code accounts} accounts, once it is ready. */
    static Emulator start(int accounts, long latencyMs, Path log) throws IOException {
      int port = freePort();
      return new Emulator(port, emulator(port, accounts, latencyMs, log));
    }

    @Override
    public void close() throws InterruptedException {
      stop(process);
    }
  }

  /**
   * The demo org's rules (of {@code accounts} accounts, seed 42) written into {@code dir}, and an
   * app that writes in many small calls (no Bulk API); {@code data} is the data directory.
   */
  static Map<String, String> smallCallsEnv(int port, Path dir, Path data, int accounts)
      throws Exception {
    Map<String, String> env = new HashMap<>(salesforce(port));
    env.put("TERRITORY_DATA_DIR", data.toString());
    env.put("TERRITORY_RULES_FILE", demoRules(dir, accounts, 42).toString());
    env.put("TERRITORY_ASSIGNMENT_WRITE_BULK_THRESHOLD", "100000000");
    return env;
  }

  /** Runs the jar with {@code args} to its end (at most {@code timeout}); answers the exit code. */
  static int runToEnd(Map<String, String> env, List<String> args, Path log, Duration timeout)
      throws Exception {
    Process p = start(env, args, log);
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(args + " did not end within " + timeout + ": " + tail(log));
    }
    return p.exitValue();
  }

  /**
   * Runs {@code run --full} to its end and answers what it wrote to the org (its write log), less
   * the rollup records, which a full run rewrites by design.
   */
  static List<String> writesOfAFullRun(Map<String, String> env, int port, Path out)
      throws Exception {
    long mark = writeMark(port);
    int exit = runToEnd(env, List.of("run", "--full", "--json"), out, Duration.ofMinutes(4));
    Assertions.assertEquals(0, exit, tail(out));
    List<String> written = new ArrayList<>();
    for (JsonNode w : writesAfter(port, mark)) {
      if (!w.path("type").asText().equals("Territory_Performance__c")) {
        written.add(w.path("operation").asText() + " " + w.path("type").asText());
      }
    }
    return written;
  }

  /** Sends {@code json} to the signed JSON webhook of the app on {@code port}. */
  static HttpResponse<String> signedWebhook(int port, String secret, String json) throws Exception {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    long ts = java.time.Instant.now().getEpochSecond();
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/accounts"))
            .header("Content-Type", "application/json")
            .header("X-Territory-Timestamp", "" + ts)
            .header(
                "X-Territory-Signature",
                io.territorysync.webhook.WebhookReceiver.sign(secret, ts, body))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The last 60 lines of {@code log}. */
  static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  /** The last JSON line of a command's output ({@code run --json}'s summary). */
  static JsonNode lastJsonLine(Path out) throws Exception {
    String output = Files.readString(out);
    String json =
        output
            .lines()
            .filter(l -> l.startsWith("{"))
            .reduce((a, b) -> b)
            .orElseThrow(() -> new AssertionError(output));
    return JSON.readTree(json);
  }

  /** Every account association of the emulated org as "account|territory", by REST paging. */
  static List<String> orgAssociations(int port) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode r :
        orgQuery(port, "SELECT ObjectId, Territory2Id FROM ObjectTerritory2Association")) {
      out.add(r.path("ObjectId").asText() + "|" + r.path("Territory2Id").asText());
    }
    return out;
  }

  /**
   * Asserts that the org holds each account association the rules want once, and, of those the runs
   * created since the write log's {@code mark}, none that they no longer want; and that every
   * association the mirror {@code c} says Territory Sync owns is in the org and wanted. Answers how
   * many associations the rules want.
   */
  static int assertOrgAsTheRulesWant(int port, java.sql.Connection c, long mark) throws Exception {
    List<String> org = orgAssociations(port);
    java.util.Map<String, Long> twice = new java.util.TreeMap<>();
    org.forEach(pair -> twice.merge(pair, 1L, Long::sum));
    twice.values().removeIf(n -> n == 1);
    Assertions.assertEquals(java.util.Map.of(), twice, "associations the org holds more than once");
    java.util.Set<String> inOrg = new java.util.HashSet<>(org);
    java.util.Set<String> desired = new java.util.HashSet<>();
    try (java.sql.Statement s = c.createStatement()) {
      try (java.sql.ResultSet rs =
          s.executeQuery(
              "SELECT d.account_id || '|' || d.territory_id FROM desired_assignment d"
                  + " JOIN sf_account a ON a.id = d.account_id"
                  + " WHERE NOT coalesce(a.is_excluded_from_realign, false)")) {
        while (rs.next()) {
          desired.add(rs.getString(1));
        }
      }
      java.util.Set<String> leftOver = new java.util.TreeSet<>();
      for (JsonNode w : writesAfter(port, mark)) {
        if (w.path("operation").asText().equals("create")
            && w.path("type").asText().equals("ObjectTerritory2Association")) {
          String pair =
              w.path("fields").path("ObjectId").asText()
                  + "|"
                  + w.path("fields").path("Territory2Id").asText();
          if (inOrg.contains(pair) && !desired.contains(pair)) {
            leftOver.add(pair);
          }
        }
      }
      Assertions.assertEquals(
          java.util.Set.of(), leftOver, "created by a run, no longer wanted, still there");
      java.util.Set<String> missing = new java.util.TreeSet<>(desired);
      missing.removeAll(inOrg);
      Assertions.assertEquals(java.util.Set.of(), missing, "wanted and missing in the org");
      try (java.sql.ResultSet rs =
          s.executeQuery(
              "SELECT object_id || '|' || territory_id FROM managed_association"
                  + " WHERE kind = 'account'")) {
        while (rs.next()) {
          String pair = rs.getString(1);
          Assertions.assertTrue(inOrg.contains(pair), "owned and missing in the org: " + pair);
          Assertions.assertTrue(desired.contains(pair), "owned and no longer wanted: " + pair);
        }
      }
      try (java.sql.ResultSet rs =
          s.executeQuery("SELECT count(*) FROM plan_change WHERE status = 'pending'")) {
        rs.next();
        Assertions.assertEquals(0, rs.getLong(1), "nothing is left pending");
      }
    }
    return desired.size();
  }

  /** Environment that points the app at an emulator on {@code port} with client credentials. */
  static Map<String, String> salesforce(int port) {
    Map<String, String> env = new HashMap<>();
    env.put("CAMEL_COMPONENT_SALESFORCE_LOGIN_URL", "http://localhost:" + port);
    env.put("CAMEL_COMPONENT_SALESFORCE_AUTHENTICATION_TYPE", "CLIENT_CREDENTIALS");
    env.put("CAMEL_COMPONENT_SALESFORCE_CLIENT_ID", "territory-sync-demo");
    env.put("CAMEL_COMPONENT_SALESFORCE_CLIENT_SECRET", "demo-secret");
    return env;
  }

  static void awaitReady(int port, Process process) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new AssertionError("app exited with " + process.exitValue());
              }
              try {
                HttpResponse<String> r =
                    HTTP.send(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200;
              } catch (IOException e) {
                return false;
              }
            });
  }

  /** SIGTERM, and waits for a clean exit. */
  static void stop(Process process) throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("process did not stop on SIGTERM");
    }
  }

  /** An access token of the emulator on {@code port} (client credentials). */
  static String orgToken(int port) throws Exception {
    return JSON.readTree(
            HTTP.send(
                    HttpRequest.newBuilder(
                            URI.create("http://localhost:" + port + "/services/oauth2/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(
                            HttpRequest.BodyPublishers.ofString(
                                "grant_type=client_credentials&client_id=territory-sync-demo"
                                    + "&client_secret=demo-secret"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body())
        .path("access_token")
        .asText();
  }

  /** Every record {@code soql} finds in the emulator on {@code port}, page after page. */
  static List<JsonNode> orgQuery(int port, String soql) throws Exception {
    String base = "http://localhost:" + port;
    String token = orgToken(port);
    List<JsonNode> out = new ArrayList<>();
    String next = "/services/data/v62.0/query?q=" + URLEncoder.encode(soql, StandardCharsets.UTF_8);
    while (next != null) {
      JsonNode page =
          JSON.readTree(
              HTTP.send(
                      HttpRequest.newBuilder(URI.create(base + next))
                          .header("Authorization", "Bearer " + token)
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      page.path("records").forEach(out::add);
      next = page.path("done").asBoolean(true) ? null : page.path("nextRecordsUrl").asText();
    }
    return out;
  }

  /** Deletes records of the emulator on {@code port} by sObject Collections, 200 at a time. */
  static void orgDelete(int port, List<String> ids) throws Exception {
    String token = orgToken(port);
    for (int i = 0; i < ids.size(); i += 200) {
      List<String> chunk = ids.subList(i, Math.min(ids.size(), i + 200));
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://localhost:"
                              + port
                              + "/services/data/v62.0/composite/sobjects?allOrNone=true&ids="
                              + String.join(",", chunk)))
                  .header("Authorization", "Bearer " + token)
                  .DELETE()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200 || r.body().contains("\"success\":false")) {
        throw new AssertionError("delete: " + r.statusCode() + " " + r.body());
      }
    }
  }

  /** Sends {@code json} to the emulator's admin API at {@code path} and answers the reply. */
  static JsonNode emulatorAdmin(int port, String method, String path, String json)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/emulator/admin/" + path));
    b =
        json == null
            ? b.GET()
            : b.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new AssertionError(path + ": " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** The emulator's write log position now. */
  static long writeMark(int port) throws Exception {
    return emulatorAdmin(port, "GET", "writes?limit=0", null).path("mark").asLong();
  }

  /** Every record write the emulator received after {@code mark} (its own log, complete). */
  static List<JsonNode> writesAfter(int port, long mark) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    long after = mark;
    while (true) {
      JsonNode page = emulatorAdmin(port, "GET", "writes?after=" + after + "&limit=10000", null);
      if (!page.path("complete").asBoolean()) {
        throw new AssertionError("the emulator's write log dropped entries after " + after);
      }
      if (page.path("writes").isEmpty()) {
        return out;
      }
      page.path("writes").forEach(out::add);
      after = out.get(out.size() - 1).path("seq").asLong();
    }
  }

  /**
   * Writes the rules file that fits the emulator command's demo org of {@code accounts} and {@code
   * seed} into {@code dir}.
   */
  static Path demoRules(Path dir, int accounts, long seed) throws Exception {
    io.territorysync.emulator.OrgEmulator same =
        new io.territorysync.emulator.OrgEmulator(
            io.territorysync.emulator.EmulatorSettings.defaults(),
            java.time.Clock.systemUTC(),
            seed);
    String text =
        io.territorysync.emulator.demo.DemoRules.text(
            io.territorysync.emulator.demo.DemoOrg.generate(
                io.territorysync.emulator.demo.DemoOrg.Spec.of(accounts, seed), same.org()));
    same.shutdown();
    Path file = dir.resolve("rules.yaml");
    Files.writeString(file, text);
    return file;
  }

  /**
   * Stops every embedded PostgreSQL still running from a data directory under {@code root}: the
   * server of an app killed with SIGKILL outlives it (the next app joins it, and does not stop what
   * it did not start), and a server writing while JUnit deletes its temporary directory makes the
   * deletion fail. Called after the tests that kill the app.
   */
  static void stopLeftoverDatabases(Path root) throws Exception {
    if (!Files.isDirectory(root)) {
      return;
    }
    List<Path> pidFiles;
    try (var files = Files.walk(root, 4)) {
      pidFiles = files.filter(f -> f.getFileName().toString().equals("postmaster.pid")).toList();
    }
    for (Path pidFile : pidFiles) {
      List<String> lines = Files.readAllLines(pidFile);
      if (lines.isEmpty()) {
        continue;
      }
      java.util.Optional<ProcessHandle> server =
          ProcessHandle.of(Long.parseLong(lines.get(0).trim()));
      if (server.isPresent()
          && server.get().info().command().map(c -> c.endsWith("postgres")).orElse(false)) {
        server.get().destroy(); // SIGTERM: PostgreSQL's smart shutdown
        server.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
  }

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
