package io.territorysync;

import static io.territorysync.PackagedApp.runToEnd;
import static io.territorysync.PackagedApp.start;
import static io.territorysync.PackagedApp.tail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's fault suite against the packaged jar, on a PostgreSQL server of the test's own (so it
 * can be restarted and its sessions ended): kill -9 at seeded random points of {@code run} and of
 * {@code serve} processing webhooks, PostgreSQL restarted mid-run, the run lock's session ended
 * mid-write while a second run starts. After each, the org holds what the rules want, once.
 *
 * <p>The seed is printed; {@code -Dfaults.seed=N} replays it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteIT {

  private static final long SEED = Long.getLong("faults.seed", System.nanoTime());
  private static final int ACCOUNTS = 2_000;
  private static final List<String> STAGES = List.of("sync", "rules", "plan", "write", "rollups");
  private static final String SECRET = "fault-suite-secret";
  private static final String ADMIN = "fault-suite-admin";

  /** The emulator's latency while a run whose lock is lost writes: each write call takes 3 s. */
  private static final int SLOW = 3000;

  private static final long IN_FLIGHT = TimeUnit.MILLISECONDS.toNanos(SLOW + 500);

  @TempDir static Path shared;
  @TempDir Path tmp;

  private static Postgres postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    System.out.println("FaultSuiteIT seed: " + SEED + " (replay with -Dfaults.seed=" + SEED + ")");
    postgres = new Postgres(shared.resolve("pg"), PackagedApp.freePort());
    postgres.start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    if (postgres != null) {
      postgres.stop();
    }
  }

  /** A PostgreSQL server on a fixed port and data directory, stopped and started by the test. */
  static final class Postgres {
    final Path dir;
    final int port;
    private EmbeddedPostgres server;

    Postgres(Path dir, int port) {
      this.dir = dir;
      this.port = port;
    }

    void start() throws IOException {
      server =
          EmbeddedPostgres.builder()
              .setDataDirectory(dir)
              .setCleanDataDirectory(false)
              .setPort(port)
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setServerConfig("max_connections", "200")
              .setPGStartupWait(Duration.ofSeconds(60))
              .start();
    }

    void stop() throws IOException {
      if (server != null) {
        server.close();
        server = null;
      }
    }

    String url(String database) {
      return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    Connection connect(String database) throws Exception {
      return DriverManager.getConnection(url(database), "postgres", null);
    }

    /** A new database {@code name}, as the app's datasource settings. */
    Map<String, String> database(String name) throws Exception {
      try (Connection c = connect("postgres");
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + name);
      }
      return Map.of(
          "QUARKUS_DATASOURCE_JDBC_URL", url(name), "QUARKUS_DATASOURCE_USERNAME", "postgres");
    }
  }

  /** The app's environment for the emulator on {@code port} and a new database {@code name}. */
  private Map<String, String> env(int port, String name) throws Exception {
    Map<String, String> env =
        new HashMap<>(PackagedApp.smallCallsEnv(port, tmp, tmp.resolve("data"), ACCOUNTS));
    env.putAll(postgres.database(name));
    env.put("TERRITORY_SCHEDULE_ENABLED", "false");
    // the churn between kills moves many accounts: the safety guard would hold the plan
    env.put("TERRITORY_ASSIGNMENT_GUARD_MAX_REMOVE_SHARE", "1");
    env.put("TERRITORY_WEBHOOKS_SECRET", SECRET);
    env.put("TERRITORY_API_ADMIN_KEYS", ADMIN);
    env.put("TERRITORY_WEBHOOKS_PROCESSING_POLL_INTERVAL", "200ms");
    env.put("TERRITORY_WEBHOOKS_PROCESSING_BATCH_SIZE", "2");
    env.put("TERRITORY_WEBHOOKS_RATE_LIMIT_BURST", "100000");
    env.put("TERRITORY_WEBHOOKS_RATE_LIMIT_PER_MINUTE", "100000");
    return env;
  }

  /** The run of process {@code pid}: its id, status and stage, or null before it has one. */
  private static String[] runOf(Connection c, long pid, boolean running) throws Exception {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT id, status, stage FROM run WHERE owner LIKE '%/"
                    + pid
                    + "'"
                    + (running ? " AND status = 'running'" : "")
                    + " ORDER BY id DESC LIMIT 1")) {
      return rs.next() ? new String[] {rs.getString(1), rs.getString(2), rs.getString(3)} : null;
    } catch (java.sql.SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        return null; // the app has not created its tables yet
      }
      throw e;
    }
  }

  /** Waits until the run of {@code process} is in {@code stage}, or the process has ended. */
  private static void awaitStage(Connection c, Process process, String stage) {
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> {
              String[] r = runOf(c, process.pid(), true);
              return !process.isAlive() || (r != null && stage.equals(r[2]));
            });
  }

  /**
   * Waits until a run of {@code process} is in {@code target} or a later stage, then a random
   * delay, then kills it (kill -9). Answers the stage the kill hit (read from the run's record,
   * which the dead process cannot change any more), or null when the process had no run in progress
   * then (it finished first, or had not begun one).
   */
  private static String killAt(
      Process process, Connection c, String target, Random random, Duration within, int scale)
      throws Exception {
    int wanted = STAGES.indexOf(target);
    long deadline = System.nanoTime() + within.toNanos();
    while (process.isAlive() && System.nanoTime() < deadline) {
      String[] run = runOf(c, process.pid(), true);
      if (run != null && run[2] != null && STAGES.indexOf(run[2]) >= wanted) {
        break;
      }
      Thread.sleep(5);
    }
    // long stages get a longer random delay, short ones a short one: the kill lands in the stage
    int cap =
        switch (target) {
          case "sync" -> 1500;
          case "write" -> 600;
          default -> 60;
        };
    Thread.sleep(random.nextInt(cap / scale));
    if (!process.isAlive()) {
      return null;
    }
    process.destroyForcibly();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    String[] run = runOf(c, process.pid(), true);
    return run == null ? null : run[2];
  }

  private static void churn(int port, int accounts, long seed) throws Exception {
    PackagedApp.emulatorAdmin(
        port,
        "POST",
        "churn",
        "{\"object\": \"Account\", \"count\": " + accounts + ", \"seed\": " + seed + "}");
  }

  @Test
  @Order(1)
  void twentyKillsAtRandomPointsOfRunAndOfWebhookProcessingLoseAndDoubleNothing() throws Exception {
    Random random = new Random(SEED);
    try (PackagedApp.Emulator emulator =
        PackagedApp.Emulator.start(ACCOUNTS, 40, tmp.resolve("emulator.log"))) {
      int port = emulator.port();
      // an org that accepts the same association twice: a re-sent insert shows as a second row
      PackagedApp.emulatorAdmin(port, "PUT", "quirks", "{\"duplicateAssociations\":\"insert\"}");
      Map<String, String> env = env(port, "kills");
      long start = PackagedApp.writeMark(port);
      List<String> hits = new ArrayList<>();
      try (Connection c = postgres.connect("kills")) {
        // 1. twelve kills of `run`, every stage aimed at twice; the org changes before each
        List<String> targets = new ArrayList<>(STAGES);
        targets.addAll(STAGES);
        targets.add(STAGES.get(random.nextInt(STAGES.size())));
        targets.add(STAGES.get(random.nextInt(STAGES.size())));
        Collections.shuffle(targets, random);
        for (int attempt = 0; hits.size() < targets.size(); attempt++) {
          assertTrue(attempt < 30, "too many runs ended before their kill: " + hits);
          churn(port, 120, random.nextLong());
          String target = targets.get(hits.size());
          Path out = tmp.resolve("run-" + attempt + ".out");
          String hit =
              killAt(
                  start(env, List.of("run"), out), c, target, random, Duration.ofSeconds(120), 1);
          System.out.println("run kill aimed at " + target + ": " + hit);
          if (hit != null) {
            hits.add("run " + hit);
          }
        }

        // 2. the service processing webhooks: accounts lose associations, webhooks announce them,
        // the service is killed at a random point of their processing, and started again
        assertEquals(0, runToEnd(env, List.of("run"), tmp.resolve("between.out"), minutes(3)));
        int serveKills = 0;
        for (int attempt = 0; serveKills < 8; attempt++) {
          assertTrue(attempt < 20, "too many webhook batches ended before their kill: " + hits);
          Map<String, String> serveEnv = new HashMap<>(env);
          int appPort = PackagedApp.freePort();
          serveEnv.put("PORT", "" + appPort);
          Process serve =
              start(serveEnv, List.of("serve"), tmp.resolve("serve-" + attempt + ".out"));
          PackagedApp.awaitReady(appPort, serve);
          churn(port, 60, random.nextLong());
          List<String> lost = loseAssociations(port, random, 40);
          for (int i = 0; i < lost.size(); i += 4) {
            HttpResponse<String> ack =
                PackagedApp.signedWebhook(
                    appPort,
                    SECRET,
                    "{\"accountIds\": [\""
                        + String.join("\", \"", lost.subList(i, i + 4))
                        + "\"]}");
            assertEquals(202, ack.statusCode(), ack.body());
          }
          String target = STAGES.get(random.nextInt(STAGES.size()));
          String hit = killAt(serve, c, target, random, Duration.ofSeconds(20), 4);
          if (serve.isAlive()) {
            serve.destroyForcibly();
            serve.waitFor(30, TimeUnit.SECONDS);
          }
          System.out.println("serve kill aimed at " + target + ": " + hit);
          if (hit != null) {
            hits.add("serve " + hit);
            serveKills++;
          }
        }
        System.out.println("kills: " + hits);
        Map<String, Long> byStage =
            hits.stream()
                .map(h -> h.substring(h.indexOf(' ') + 1))
                .collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()));
        for (String stage : List.of("sync", "write", "rollups")) {
          assertTrue(byStage.containsKey(stage), "no kill hit " + stage + ": " + hits);
        }
        assertTrue(
            byStage.containsKey("rules") || byStage.containsKey("plan"),
            "no kill hit rules or plan: " + hits);
        assertTrue(
            hits.stream().filter(h -> h.startsWith("serve ")).count() == 8,
            "eight kills of the service mid-run: " + hits);

        // 3. the service started once more processes every webhook acknowledged before a kill
        Map<String, String> serveEnv = new HashMap<>(env);
        int appPort = PackagedApp.freePort();
        serveEnv.put("PORT", "" + appPort);
        Path last = tmp.resolve("serve-last.out");
        Process serve = start(serveEnv, List.of("serve"), last);
        try {
          PackagedApp.awaitReady(appPort, serve);
          await()
              .atMost(Duration.ofSeconds(120))
              .pollInterval(Duration.ofMillis(300))
              .until(() -> webhooks(appPort).path("pending").asInt() == 0);
          assertEquals(0, webhooks(appPort).path("dead").asInt(), webhooks(appPort).toString());
        } finally {
          PackagedApp.stop(serve);
        }

        // 4. one more run: the org is as the rules want, each association once
        Path finish = tmp.resolve("finish.out");
        assertEquals(0, runToEnd(env, List.of("run", "--json"), finish, minutes(3)), tail(finish));
        assertEquals("succeeded", PackagedApp.lastJsonLine(finish).path("status").asText());
        int wanted = PackagedApp.assertOrgAsTheRulesWant(port, c, start);
        assertTrue(wanted > 1000, "wanted " + wanted);
        assertNoUserAssociationTwice(port);

        // 5. a full re-read of the org finds nothing to write (a full run rewrites every rollup
        // record by design, so those are not counted)
        assertEquals(
            List.of(),
            PackagedApp.writesOfAFullRun(env, port, tmp.resolve("full.out")),
            "what a full run after the kills writes");
        System.out.println(
            "FaultSuiteIT kills: "
                + hits.size()
                + " "
                + byStage
                + "; associations wanted "
                + wanted
                + ", lost 0, doubled 0");
      }
    }
  }

  /** Deletes the associations of {@code count} random accounts; answers those accounts. */
  private static List<String> loseAssociations(int port, Random random, int count)
      throws Exception {
    Map<String, List<String>> byAccount = new LinkedHashMap<>();
    for (JsonNode r :
        PackagedApp.orgQuery(
            port,
            "SELECT Id, ObjectId FROM ObjectTerritory2Association"
                + " WHERE AssociationCause = 'Territory2Manual' ORDER BY Id")) {
      byAccount
          .computeIfAbsent(r.path("ObjectId").asText(), k -> new ArrayList<>())
          .add(r.path("Id").asText());
    }
    List<String> accounts = new ArrayList<>(byAccount.keySet());
    Collections.shuffle(accounts, random);
    accounts = new ArrayList<>(accounts.subList(0, count));
    List<String> ids = new ArrayList<>();
    accounts.forEach(a -> ids.addAll(byAccount.get(a)));
    PackagedApp.orgDelete(port, ids);
    return accounts;
  }

  private static void assertNoUserAssociationTwice(int port) throws Exception {
    Map<String, Long> twice = new TreeMap<>();
    for (JsonNode r :
        PackagedApp.orgQuery(port, "SELECT UserId, Territory2Id FROM UserTerritory2Association")) {
      twice.merge(r.path("UserId").asText() + "|" + r.path("Territory2Id").asText(), 1L, Long::sum);
    }
    twice.values().removeIf(n -> n == 1);
    assertEquals(Map.of(), twice, "user associations the org holds more than once");
  }

  @Test
  @Order(2)
  void aPostgresRestartMidRunFailsTheRunCleanlyAndTheNextRunConverges() throws Exception {
    Random random = new Random(SEED + 1);
    try (PackagedApp.Emulator emulator =
        PackagedApp.Emulator.start(ACCOUNTS, 100, tmp.resolve("emulator.log"))) {
      int port = emulator.port();
      PackagedApp.emulatorAdmin(port, "PUT", "quirks", "{\"duplicateAssociations\":\"insert\"}");
      Map<String, String> env = env(port, "restart");
      long start = PackagedApp.writeMark(port);
      Path out = tmp.resolve("restarted.out");
      Process run = start(env, List.of("run"), out);
      String stage = STAGES.get(random.nextBoolean() ? 0 : 3);
      try (Connection c = postgres.connect("restart")) {
        awaitStage(c, run, stage);
      }
      assertTrue(run.isAlive(), "the run ended before its stage " + stage + ": " + tail(out));
      long stopped = System.nanoTime();
      postgres.stop();
      Thread.sleep(2000 + random.nextInt(3000));
      postgres.start();
      System.out.println("PostgreSQL restarted during the " + stage + " stage");
      assertTrue(
          run.waitFor(120, TimeUnit.SECONDS),
          "the run ends within 2 minutes of the restart: " + tail(out));
      long seconds = (System.nanoTime() - stopped) / 1_000_000_000L;
      String output = Files.readString(out);
      assertNotEquals(0, run.exitValue(), output);
      assertEquals(1, run.exitValue(), output);
      String why = failure(output);
      assertTrue(
          why.startsWith("ERROR the run lock was lost")
              || why.startsWith("ERROR the run failed: the database could not be reached"),
          "the run says why it failed, in one line: " + tail(out));
      assertTrue(!output.contains("Failed to start application"), tail(out));
      System.out.println(
          "the run failed " + seconds + " s after PostgreSQL stopped: " + failure(output));

      Path next = tmp.resolve("next.out");
      assertEquals(0, runToEnd(env, List.of("run"), next, minutes(3)), tail(next));
      try (Connection c = postgres.connect("restart")) {
        PackagedApp.assertOrgAsTheRulesWant(port, c, start);
      }
    }
  }

  @Test
  @Order(3)
  void aRunWhoseLockSessionIsEndedStopsWritingBeforeASecondRunTakesOver() throws Exception {
    try (PackagedApp.Emulator emulator =
        PackagedApp.Emulator.start(ACCOUNTS, 40, tmp.resolve("emulator.log"))) {
      int port = emulator.port();
      PackagedApp.emulatorAdmin(port, "PUT", "quirks", "{\"duplicateAssociations\":\"insert\"}");
      Map<String, String> env = env(port, "lost_lock");
      long start = PackagedApp.writeMark(port);
      Path firstOut = tmp.resolve("first.out");
      Process first = start(env, List.of("run"), firstOut);
      try (Connection c = postgres.connect("lost_lock")) {
        // the first run is writing, slowly: each write call takes seconds
        awaitStage(c, first, "write");
        PackagedApp.emulatorAdmin(port, "PUT", "faults", "{\"latencyMillis\": " + SLOW + "}");
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> !first.isAlive() || !PackagedApp.writesAfter(port, start).isEmpty());
        assertTrue(first.isAlive(), "the first run ended before the test: " + tail(firstOut));

        // its lock's session is ended, as a proxy or an administrator would
        long holder;
        try (Statement s = c.createStatement();
            ResultSet rs =
                s.executeQuery(
                    "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
                        + " WHERE l.locktype = 'advisory' AND l.granted"
                        + " AND d.datname = 'lost_lock'")) {
          assertTrue(rs.next(), "the run holds an advisory lock");
          holder = rs.getLong(1);
          assertTrue(!rs.next(), "one lock");
        }
        try (Statement s = c.createStatement()) {
          s.execute("SELECT pg_terminate_backend(" + holder + ")");
        }
        long ended = System.nanoTime();

        // a second run starts at once, while the first is still going
        Path secondOut = tmp.resolve("second.out");
        Process second = start(env, List.of("run"), secondOut);
        long[] began = {-1};
        long[] writing = {-1};
        boolean[] fast = {false};
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(10))
            .until(
                () -> {
                  String[] r = runOf(c, second.pid(), false);
                  if (r != null && !fast[0]) {
                    PackagedApp.emulatorAdmin(port, "PUT", "faults", "{\"latencyMillis\": 40}");
                    fast[0] = true;
                  }
                  // a write call the first run sent before its session ended may still land
                  if (fast[0] && began[0] < 0 && System.nanoTime() - ended > IN_FLIGHT) {
                    began[0] = PackagedApp.writeMark(port);
                  }
                  if (began[0] >= 0
                      && r != null
                      && ("write".equals(r[2]) || !"running".equals(r[1]))) {
                    writing[0] = PackagedApp.writeMark(port);
                    return true;
                  }
                  return !second.isAlive();
                });
        assertTrue(began[0] >= 0, "the second run began: " + tail(secondOut));
        assertTrue(second.waitFor(180, TimeUnit.SECONDS), tail(secondOut));
        assertTrue(first.waitFor(60, TimeUnit.SECONDS), tail(firstOut));
        // between the second run taking the lock and its own write stage, only the first could
        // write: nothing may reach the org then
        List<String> overlap = new ArrayList<>();
        for (JsonNode w : PackagedApp.writesAfter(port, began[0])) {
          if (w.path("seq").asLong() <= writing[0]) {
            overlap.add(w.path("operation").asText() + " " + w.path("type").asText());
          }
        }
        assertEquals(
            0,
            overlap.size(),
            "writes of the first run after the second began: "
                + overlap.subList(0, Math.min(5, overlap.size())));
        String firstLog = Files.readString(firstOut);
        assertEquals(1, first.exitValue(), firstLog);
        assertTrue(firstLog.contains("the run lock was lost"), tail(firstOut));
        System.out.println("the first run, its lock's session ended: " + failure(firstLog));
        assertEquals(0, second.exitValue(), tail(secondOut));
        PackagedApp.assertOrgAsTheRulesWant(port, c, start);
        assertNoUserAssociationTwice(port);
      }
    }
  }

  /** The line of a run command's output that says why it failed (its last "ERROR " line). */
  private static String failure(String output) {
    return output.lines().filter(l -> l.startsWith("ERROR ")).reduce((a, b) -> b).orElse("");
  }

  private static Duration minutes(int n) {
    return Duration.ofMinutes(n);
  }

  private static JsonNode webhooks(int appPort) throws Exception {
    HttpResponse<String> r =
        PackagedApp.HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + appPort + "/api/webhooks"))
                .header("Authorization", "Bearer " + ADMIN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
  }
}
