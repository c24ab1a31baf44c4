package io.territorysync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.territorysync.database.EmbeddedDatabase;
import io.territorysync.emulator.EmulatorSettings;
import io.territorysync.emulator.OrgEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.webhook.WebhookReceiver;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Webhook to association written: an assigned org loses the manual territory associations of
 * {@code rate × seconds} accounts; a signed JSON webhook per account is sent at a sustained
 * {@code rate} per second to the running service; each event's latency is its receipt to the end
 * of the mini-run that wrote its account (from {@code webhook_event}); finally every account's
 * associations in the org are compared with what they were, so a lost event shows.
 *
 * <p>Arguments: {@code [accounts] [rate per s] [seconds] [latency ms]}, default {@code 100000 50 60
 * 0}.
 */
public final class WebhookBenchmark {

  private static final String SECRET = "bench-secret";
  private static final String ADMIN = "bench-admin";
  private static final Map<String, Set<String>> WANTED = new HashMap<>();

  public static void main(String[] args) throws Exception {
    int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
    long latency = args.length > 3 ? Long.parseLong(args[3]) : 0;
    Path data = Files.createTempDirectory("webhook-bench");
    Path rules = data.resolve("rules.yaml");
    OrgEmulator same = new OrgEmulator(EmulatorSettings.defaults(), Clock.systemUTC(), 42);
    Files.writeString(
        rules, DemoRules.text(DemoOrg.generate(DemoOrg.Spec.of(accounts, 42), same.org())));
    same.shutdown();
    int sfPort = BenchProcesses.freePort();
    Process emulator = BenchProcesses.emulator(sfPort, accounts, 1000, latency, "6g");
    Process serve = null;
    try {
      Map<String, String> env = new HashMap<>();
      env.put("TERRITORY_RULES_FILE", rules.toString());
      BenchProcesses.RunResult first = BenchProcesses.run(sfPort, data, "1g", List.of(), env);
      System.out.printf(
          "accounts=%d rate=%d/s for %d s, emulator latency %d ms; first run %s in %.1f s%n",
          accounts, rate, seconds, latency, first.summary().path("status").asText(),
          first.wallMs() / 1000.0);

      int events = rate * seconds;
      Map<String, Set<String>> before = removeAssociations(sfPort, events);
      System.out.printf("removed the manual associations of %d accounts%n", before.size());

      int appPort = BenchProcesses.freePort();
      List<String> cmd = new java.util.ArrayList<>();
      cmd.add(BenchProcesses.appJava());
      cmd.add("-Xmx1g");
      cmd.add("-Xlog:gc*,safepoint:file=" + data.resolve("gc.log") + ":utctime,uptime,level,tags");
      cmd.addAll(BenchProcesses.appJvm(Integer.MAX_VALUE));
      cmd.addAll(List.of("-jar", BenchProcesses.JAR.toString(), "serve"));
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(data.resolve("serve.log").toFile());
      pb.environment().putAll(env);
      pb.environment().put("PORT", "" + appPort);
      pb.environment().put("TERRITORY_DATA_DIR", data.toString());
      pb.environment().put("TERRITORY_WEBHOOKS_SECRET", SECRET);
      // every webhook comes from this one sender: the per-sender limit (10/s by default) must
      // let the whole rate through, as for an org whose messages arrive from one address
      pb.environment().put("TERRITORY_WEBHOOKS_RATE_LIMIT_PER_MINUTE", "" + Math.max(600, rate * 120));
      pb.environment().put("TERRITORY_WEBHOOKS_RATE_LIMIT_BURST", "" + Math.max(120, rate * 10));
      pb.environment().put("TERRITORY_API_ADMIN_KEYS", ADMIN);
      // mini-run start and end in the log, for the timeline kept with -Dbench.keep=<dir>
      pb.environment().put("QUARKUS_LOG_CATEGORY__IO_TERRITORYSYNC_WEBHOOK__LEVEL", "DEBUG");
      pb.environment().put("QUARKUS_LOG_CATEGORY__IO_TERRITORYSYNC_RUN__LEVEL", "DEBUG");
      // when the map's start-up read (every account) ran, next to the first mini-runs
      pb.environment().put("QUARKUS_LOG_CATEGORY__IO_TERRITORYSYNC_CONSOLE__LEVEL", "DEBUG");
      pb.environment().put("TERRITORY_SCHEDULE_ENABLED", "false");
      pb.environment().put("CAMEL_COMPONENT_SALESFORCE_LOGIN_URL", "http://localhost:" + sfPort);
      pb.environment().put("CAMEL_COMPONENT_SALESFORCE_AUTHENTICATION_TYPE", "CLIENT_CREDENTIALS");
      pb.environment().put("CAMEL_COMPONENT_SALESFORCE_CLIENT_ID", "territory-sync-demo");
      pb.environment().put("CAMEL_COMPONENT_SALESFORCE_CLIENT_SECRET", "demo-secret");
      serve = pb.start();
      awaitReady(appPort);

      List<String> ids = new ArrayList<>(before.keySet());
      ConcurrentLinkedQueue<Long> ackMs = new ConcurrentLinkedQueue<>();
      AtomicInteger refused = new AtomicInteger();
      AtomicInteger next = new AtomicInteger();
      ScheduledExecutorService senders = Executors.newScheduledThreadPool(4);
      long periodMicros = 1_000_000L / rate;
      Instant started = Instant.now();
      senders.scheduleAtFixedRate(
          () -> {
            int i = next.getAndIncrement();
            if (i >= ids.size()) {
              return;
            }
            try {
              long t0 = System.nanoTime();
              int status = send(appPort, ids.get(i));
              ackMs.add((System.nanoTime() - t0) / 1_000_000);
              if (status != 202) {
                refused.incrementAndGet();
              }
            } catch (Exception e) {
              refused.incrementAndGet();
            }
          },
          0,
          periodMicros,
          TimeUnit.MICROSECONDS);
      while (next.get() < ids.size()) {
        Thread.sleep(100);
      }
      senders.shutdown();
      senders.awaitTermination(30, TimeUnit.SECONDS);
      double sendSeconds = Duration.between(started, Instant.now()).toMillis() / 1000.0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      JsonNode counts = counts(appPort);
      while (counts.path("done").asLong() + counts.path("dead").asLong() < events
          && System.nanoTime() < deadline) {
        Thread.sleep(200);
        counts = counts(appPort);
      }
      serve.destroy();
      serve.waitFor(60, TimeUnit.SECONDS);
      serve = null;

      Map<String, Object> db = eventLatencies(data);
      String keep = System.getProperty("bench.keep");
      if (keep != null) {
        keepTimeline(data, Path.of(keep));
      }
      Map<String, Set<String>> after = manualAssociations(sfPort, before.keySet());
      // every manual association of these accounts was deleted; the rules' ones must be back
      // (associations the rules do not want, which the first run left alone, stay deleted)
      int restored = 0;
      for (String account : before.keySet()) {
        if (WANTED.getOrDefault(account, Set.of()).equals(after.getOrDefault(account, Set.of()))) {
          restored++;
        }
      }
      List<Long> acks = new ArrayList<>(ackMs);
      acks.sort(null);
      System.out.printf(
          "sent %d webhooks in %.1f s (%d refused); ack p50 %d ms, p99 %d ms%n",
          acks.size(), sendSeconds, refused.get(), pct(acks, 0.50), pct(acks, 0.99));
      System.out.printf("events %s%n", db);
      System.out.printf(
          "accounts whose org associations are what the rules want: %d of %d (lost: %d)%n",
          restored, before.size(), before.size() - restored);
    } finally {
      if (serve != null) {
        serve.destroy();
        serve.waitFor();
      }
      emulator.destroy();
      emulator.waitFor();
      BenchProcesses.deleteTree(data);
    }
  }

  private static long pct(List<Long> sorted, double p) {
    return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, p * sorted.size()));
  }

  private static int send(int port, String account) throws Exception {
    byte[] body = ("{\"accountIds\": [\"" + account + "\"]}").getBytes(StandardCharsets.UTF_8);
    long ts = Instant.now().getEpochSecond();
    return BenchProcesses.HTTP
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/accounts"))
                .header("Content-Type", "application/json")
                .header("X-Territory-Timestamp", "" + ts)
                .header("X-Territory-Signature", WebhookReceiver.sign(SECRET, ts, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static JsonNode counts(int port) throws Exception {
    return BenchProcesses.JSON.readTree(
        BenchProcesses.HTTP
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/webhooks"))
                    .header("Authorization", "Bearer " + ADMIN)
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }

  private static void awaitReady(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      try {
        int s =
            BenchProcesses.HTTP
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode();
        if (s == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // not up yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the service did not become ready");
  }

  private static Map<String, Object> eventLatencies(Path data) throws Exception {
    EmbeddedDatabase db =
        EmbeddedDatabase.start(data.resolve("postgres"), 0, Duration.ofSeconds(60));
    Map<String, Object> m = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), null);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FILTER (WHERE status = 'done'),"
                    + " count(*) FILTER (WHERE status = 'dead'),"
                    + " count(*) FILTER (WHERE status = 'pending'),"
                    + " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM"
                    + " processed_at - received_at) * 1000),"
                    + " percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM"
                    + " processed_at - received_at) * 1000),"
                    + " max(extract(epoch FROM processed_at - received_at) * 1000),"
                    + " count(DISTINCT run_id) FROM webhook_event")) {
      rs.next();
      m.put("done", rs.getLong(1));
      m.put("dead", rs.getLong(2));
      m.put("pending", rs.getLong(3));
      m.put("p50Ms", Math.round(rs.getDouble(4)));
      m.put("p99Ms", Math.round(rs.getDouble(5)));
      m.put("maxMs", Math.round(rs.getDouble(6)));
      m.put("miniRuns", rs.getLong(7));
    }
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), null);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT coalesce(sum(api_calls), 0),"
                    + " round(avg((summary->'stages'->'sync'->>'durationMs')::numeric)),"
                    + " round(avg((summary->'stages'->'rules'->>'durationMs')::numeric)),"
                    + " round(avg((summary->'stages'->'plan'->>'durationMs')::numeric)),"
                    + " round(avg((summary->'stages'->'write'->>'durationMs')::numeric)),"
                    + " round(avg(extract(epoch FROM finished_at - started_at) * 1000))"
                    + " FROM run WHERE trigger = 'webhook'")) {
      rs.next();
      m.put("apiCalls", rs.getLong(1));
      m.put(
          "miniRunMs",
          "fetch " + rs.getLong(2) + ", rules " + rs.getLong(3) + ", plan " + rs.getLong(4)
              + ", write " + rs.getLong(5) + ", whole " + rs.getLong(6));
    }
    // what the rules want for the accounts the benchmark announced, to compare with the org
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), null);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT d.account_id, d.territory_id FROM desired_assignment d"
                    + " JOIN sf_account a ON a.id = d.account_id"
                    + " WHERE NOT coalesce(a.is_excluded_from_realign, false)")) {
      while (rs.next()) {
        WANTED.computeIfAbsent(rs.getString(1), k -> new TreeSet<>()).add(rs.getString(2));
      }
    }
    db.stop();
    return m;
  }

  /**
   * Keeps what explains the latencies in {@code dir}: each event (received, its mini-run's start,
   * processed), each mini-run's stages, the service's log and GC log.
   */
  private static void keepTimeline(Path data, Path dir) throws Exception {
    Files.createDirectories(dir);
    for (String f : List.of("serve.log", "gc.log")) {
      if (Files.exists(data.resolve(f))) {
        Files.copy(
            data.resolve(f), dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    EmbeddedDatabase db =
        EmbeddedDatabase.start(data.resolve("postgres"), 0, Duration.ofSeconds(60));
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), null);
        Statement s = c.createStatement()) {
      csv(
          s,
          dir.resolve("events.csv"),
          "SELECT e.id, e.account_id, e.received_at, r.started_at, e.processed_at, e.run_id,"
              + " e.attempts FROM webhook_event e LEFT JOIN run r ON r.id = e.run_id ORDER BY e.id");
      csv(
          s,
          dir.resolve("runs.csv"),
          "SELECT id, trigger, status, requested_at, started_at, finished_at,"
              + " jsonb_array_length(coalesce(summary->'accounts', '[]'::jsonb)) AS accounts,"
              + " summary->'stages'->'sync'->>'durationMs' AS sync_ms,"
              + " summary->'stages'->'rules'->>'durationMs' AS rules_ms,"
              + " summary->'stages'->'plan'->>'durationMs' AS plan_ms,"
              + " summary->'stages'->'write'->>'durationMs' AS write_ms,"
              + " summary->>'durationMs' AS duration_ms, api_calls FROM run ORDER BY id");
    }
    db.stop();
  }

  private static void csv(Statement s, Path file, String sql) throws Exception {
    List<String> lines = new ArrayList<>();
    try (ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      List<String> head = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        head.add(rs.getMetaData().getColumnLabel(i));
      }
      lines.add(String.join(",", head));
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          Object o = rs.getObject(i);
          row.add(o instanceof java.time.temporal.Temporal || o instanceof java.sql.Timestamp
              ? rs.getTimestamp(i).toInstant().toString()
              : String.valueOf(o));
        }
        lines.add(String.join(",", row));
      }
    }
    Files.write(file, lines);
  }

  /** Deletes the manual associations of {@code n} assigned accounts; returns what they were. */
  private static Map<String, Set<String>> removeAssociations(int port, int n) throws Exception {
    Map<String, Set<String>> byAccount = new LinkedHashMap<>();
    Map<String, List<String>> rows = new HashMap<>();
    for (JsonNode r :
        query(
            port,
            "SELECT Id, ObjectId, Territory2Id FROM ObjectTerritory2Association"
                + " WHERE AssociationCause = 'Territory2Manual'")) {
      String account = r.path("ObjectId").asText();
      if (!byAccount.containsKey(account) && byAccount.size() >= n) {
        continue;
      }
      byAccount.computeIfAbsent(account, k -> new TreeSet<>()).add(r.path("Territory2Id").asText());
      rows.computeIfAbsent(account, k -> new ArrayList<>()).add(r.path("Id").asText());
    }
    List<String> ids = rows.values().stream().flatMap(List::stream).toList();
    String token = token(port);
    for (int from = 0; from < ids.size(); from += 200) {
      String list = String.join(",", ids.subList(from, Math.min(ids.size(), from + 200)));
      BenchProcesses.HTTP.send(
          HttpRequest.newBuilder(
                  URI.create(
                      "http://localhost:"
                          + port
                          + "/services/data/v62.0/composite/sobjects?allOrNone=false&ids="
                          + list))
              .header("Authorization", "Bearer " + token)
              .DELETE()
              .build(),
          HttpResponse.BodyHandlers.discarding());
    }
    return byAccount;
  }

  private static Map<String, Set<String>> manualAssociations(int port, Set<String> accounts)
      throws Exception {
    Map<String, Set<String>> out = new HashMap<>();
    for (JsonNode r :
        query(
            port,
            "SELECT ObjectId, Territory2Id FROM ObjectTerritory2Association"
                + " WHERE AssociationCause = 'Territory2Manual'")) {
      if (accounts.contains(r.path("ObjectId").asText())) {
        out.computeIfAbsent(r.path("ObjectId").asText(), k -> new TreeSet<>())
            .add(r.path("Territory2Id").asText());
      }
    }
    return out;
  }

  private static String token(int port) throws Exception {
    return BenchProcesses.JSON
        .readTree(
            BenchProcesses.HTTP
                .send(
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

  private static List<JsonNode> query(int port, String soql) throws Exception {
    String token = token(port);
    List<JsonNode> out = new ArrayList<>();
    String next = "/services/data/v62.0/query?q=" + URLEncoder.encode(soql, StandardCharsets.UTF_8);
    while (next != null) {
      JsonNode page =
          BenchProcesses.JSON.readTree(
              BenchProcesses.HTTP
                  .send(
                      HttpRequest.newBuilder(URI.create("http://localhost:" + port + next))
                          .header("Authorization", "Bearer " + token)
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      page.path("records").forEach(out::add);
      next = page.path("done").asBoolean(true) ? null : page.path("nextRecordsUrl").asText();
    }
    return out;
  }
}
