package io.territorysync;

import static io.territorysync.PackagedApp.salesforce;
import static io.territorysync.PackagedApp.start;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.territorysync.database.EmbeddedDatabase;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code run} command of the packaged app against the emulator in its own process. */
class RunCommandIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @AfterEach
  void stopTheDatabaseOfAKilledApp() throws Exception {
    PackagedApp.stopLeftoverDatabases(tmp);
  }

  private static JsonNode summary(int emulatorPort) throws Exception {
    return JSON.readTree(
            PackagedApp.HTTP
                .send(
                    HttpRequest.newBuilder(
                            URI.create(
                                "http://localhost:" + emulatorPort + "/emulator/admin/summary"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body())
        .path("records");
  }

  /**
   * The rules file that fits the emulator command's demo org of {@code accounts} and {@code seed}.
   */
  private Path demoRules(int accounts, long seed) throws Exception {
    return PackagedApp.demoRules(tmp, accounts, seed);
  }

  @Test
  void runJsonReportsPerObjectCountsEqualToTheOrgs() throws Exception {
    try (PackagedApp.Emulator emulator =
        PackagedApp.Emulator.start(2500, 0, tmp.resolve("emulator.log"))) {
      int port = emulator.port();
      Map<String, String> env = new HashMap<>(salesforce(port));
      env.put("TERRITORY_DATA_DIR", tmp.resolve("data").toString());
      env.put("TERRITORY_RULES_FILE", demoRules(2500, 42).toString());
      JsonNode org = summary(port);
      Path out = tmp.resolve("run.out");
      Process run = start(env, List.of("run", "--json"), out);
      assertTrue(run.waitFor(120, TimeUnit.SECONDS));
      String output = Files.readString(out);
      assertEquals(0, run.exitValue(), output);
      JsonNode result = PackagedApp.lastJsonLine(out);
      JsonNode after = summary(port);
      long added = result.path("assignments").path("added").asLong();
      assertTrue(added > 0, result.toString());
      assertEquals(
          org.path("ObjectTerritory2Association").asLong()
              + added
              - result.path("assignments").path("removed").asLong(),
          after.path("ObjectTerritory2Association").asLong(),
          "the counts match the org afterwards");
      assertEquals(
          org.path("UserTerritory2Association").asLong()
              + result.path("users").path("added").asLong()
              - result.path("users").path("removed").asLong(),
          after.path("UserTerritory2Association").asLong());
      assertEquals("succeeded", result.path("status").asText());
      org.fieldNames()
          .forEachRemaining(
              object -> {
                if (result.path("synced").has(object)) {
                  assertEquals(
                      org.path(object).asLong(),
                      result.path("synced").path(object).asLong(),
                      object);
                }
              });
      assertEquals(12, result.path("synced").size(), "one entry per mirrored object");
      int syncCalls = result.path("stages").path("sync").path("apiCalls").asInt();
      assertTrue(syncCalls > 0 && syncCalls < 20, result.toString());
      int stageCalls = 0;
      for (JsonNode stage : result.path("stages")) {
        stageCalls += stage.path("apiCalls").asInt();
      }
      assertEquals(result.path("apiCalls").asInt(), stageCalls, "every call belongs to a stage");
      for (String key :
          List.of(
              "runId",
              "status",
              "dryRun",
              "synced",
              "assignments",
              "opportunities",
              "users",
              "rollups",
              "apiCalls",
              "durationMs")) {
        assertTrue(result.has(key), key + " in " + result.toString());
      }

      // The rules commands read the mirror the run filled.
      Path bad = tmp.resolve("bad.yaml");
      Files.writeString(
          bad,
          "model: Global_Sales\nterritories:\n  No_Such_Territory:\n    rules:\n"
              + "      - criteria: [{field: No_Such_Field__c, operation: equals, value: x}]\n");
      Path validateOut = tmp.resolve("validate.out");
      Process validate = start(env, List.of("rules", "validate", bad.toString()), validateOut);
      assertTrue(validate.waitFor(60, TimeUnit.SECONDS));
      String validation = Files.readString(validateOut);
      assertEquals(1, validate.exitValue(), validation);
      assertTrue(validation.contains(bad + ":3:3: error: "), validation);
      assertTrue(validation.contains(bad + ":5:"), validation);
      assertTrue(validation.contains("No_Such_Field__c"), validation);
      assertTrue(validation.contains("2 error(s)"), validation);

      Path exported = tmp.resolve("org-rules.yaml");
      Process export =
          start(env, List.of("rules", "export", exported.toString()), tmp.resolve("export.out"));
      assertTrue(export.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, export.exitValue(), Files.readString(tmp.resolve("export.out")));
      assertTrue(Files.readString(exported).contains("mode: multi"), Files.readString(exported));
      Process revalidate =
          start(
              env,
              List.of("rules", "validate", exported.toString()),
              tmp.resolve("revalidate.out"));
      assertTrue(revalidate.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, revalidate.exitValue(), Files.readString(tmp.resolve("revalidate.out")));
    }
  }

  @Test
  void aRunKilledMidSyncIsResumedByTheNextWithNothingLostOrDoubled() throws Exception {
    Path data = tmp.resolve("data");
    try (PackagedApp.Emulator emulator =
        PackagedApp.Emulator.start(20_000, 30, tmp.resolve("emulator.log"))) {
      int port = emulator.port();
      Map<String, String> env = new HashMap<>(salesforce(port));
      env.put("TERRITORY_DATA_DIR", data.toString());
      env.put("TERRITORY_SYNC_BULK_THRESHOLD", "100000000");
      Path first = tmp.resolve("first.out");
      Process run = start(env, List.of("run", "--sync-only"), first);
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> Files.readString(first).contains("sync-account: ") || !run.isAlive());
      run.destroyForcibly();
      run.waitFor(30, TimeUnit.SECONDS);
      assertTrue(Files.readString(first).contains("sync-account: "), Files.readString(first));

      Path second = tmp.resolve("second.out");
      Process again = start(env, List.of("run", "--json", "--sync-only"), second);
      assertTrue(again.waitFor(180, TimeUnit.SECONDS));
      assertEquals(0, again.exitValue(), Files.readString(second));
      JsonNode resumed = PackagedApp.lastJsonLine(second);
      assertTrue(resumed.path("stages").has("sync"), resumed.toString());
      assertFalse(resumed.path("stages").has("rules"), "--sync-only stops after the sync stage");

      JsonNode org = summary(port);
      EmbeddedDatabase db =
          EmbeddedDatabase.start(data.resolve("postgres"), 0, Duration.ofSeconds(60));
      try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), null);
          Statement s = c.createStatement()) {
        for (String object : List.of("Account", "Opportunity", "ObjectTerritory2Association")) {
          io.territorysync.mirror.MirrorObject o =
              io.territorysync.mirror.MirrorObject.byName(object).orElseThrow();
          Map<String, List<String>> inOrg =
              MirrorValues.org(PackagedApp.orgQuery(port, MirrorValues.soql(o)), o);
          assertEquals(org.path(object).asLong(), inOrg.size(), object + " read in full");
          MirrorValues.assertSame(o, inOrg, MirrorValues.mirror(c, o));
        }
        try (ResultSet rs = s.executeQuery("SELECT status FROM run ORDER BY id")) {
          rs.next();
          String killed = rs.getString(1);
          rs.next();
          assertEquals("succeeded", rs.getString(1));
          assertEquals("failed", killed, "the next run marks the killed one failed");
        }
      } finally {
        db.stop();
      }
    }
  }

  @Test
  void aRunKilledMidWriteIsFinishedByTheNextWithNothingLostOrDoubled() throws Exception {
    Path data = tmp.resolve("data");
    try (PackagedApp.Emulator emulator =
        PackagedApp.Emulator.start(20_000, 100, tmp.resolve("emulator.log"))) {
      int port = emulator.port();
      Map<String, String> env = PackagedApp.smallCallsEnv(port, tmp, data, 20_000);
      // an org that accepts the same association twice: only the product can keep it single
      PackagedApp.emulatorAdmin(port, "PUT", "quirks", "{\"duplicateAssociations\":\"insert\"}");
      int before = PackagedApp.orgAssociations(port).size();
      Path first = tmp.resolve("first.out");
      Process run = start(env, List.of("run"), first);
      await()
          .atMost(Duration.ofSeconds(180))
          .until(
              () ->
                  Files.readString(first).contains("account association(s) to add sent (")
                      || !run.isAlive());
      run.destroyForcibly();
      run.waitFor(30, TimeUnit.SECONDS);
      String killed = Files.readString(first);
      assertTrue(killed.contains("account association(s) to add sent ("), killed);
      assertFalse(killed.contains("succeeded in"), "killed before it finished: " + killed);

      java.util.Set<String> orgBeforeSecond =
          new java.util.HashSet<>(PackagedApp.orgAssociations(port));
      long mark = PackagedApp.writeMark(port);
      Path second = tmp.resolve("second.out");
      Process again = start(env, List.of("run", "--json"), second);
      assertTrue(again.waitFor(240, TimeUnit.SECONDS));
      assertEquals(0, again.exitValue(), Files.readString(second));
      JsonNode summary = PackagedApp.lastJsonLine(second);
      // what the org itself logged of the second run's writes
      List<String> resent = new java.util.ArrayList<>();
      long created = 0;
      for (JsonNode w : PackagedApp.writesAfter(port, mark)) {
        if (w.path("operation").asText().equals("create")
            && w.path("type").asText().equals("ObjectTerritory2Association")) {
          created++;
          String pair =
              w.path("fields").path("ObjectId").asText()
                  + "|"
                  + w.path("fields").path("Territory2Id").asText();
          if (orgBeforeSecond.contains(pair)) {
            resent.add(pair);
          }
        }
      }
      assertEquals(List.of(), resent, "what the killed run wrote is found, not re-sent");
      assertEquals(0, summary.path("assignments").path("alreadyDone").asLong(), summary.toString());
      assertEquals(
          summary.path("assignments").path("added").asLong(),
          created,
          "the org received exactly the inserts the run reports");
      assertEquals(
          1, summary.path("rules").path("version").asInt(), "same file, same version: " + summary);

      List<String> org = PackagedApp.orgAssociations(port);
      assertEquals(org.size(), new java.util.HashSet<>(org).size(), "no association twice");
      EmbeddedDatabase db =
          EmbeddedDatabase.start(data.resolve("postgres"), 0, Duration.ofSeconds(60));
      try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), null);
          Statement s = c.createStatement()) {
        java.util.Set<String> inOrg = new java.util.HashSet<>(org);
        long wanted = 0;
        try (ResultSet rs =
            s.executeQuery(
                "SELECT d.account_id || '|' || d.territory_id FROM desired_assignment d"
                    + " JOIN sf_account a ON a.id = d.account_id"
                    + " WHERE NOT coalesce(a.is_excluded_from_realign, false)")) {
          while (rs.next()) {
            wanted++;
            assertTrue(inOrg.contains(rs.getString(1)), "wanted and missing: " + rs.getString(1));
          }
        }
        assertTrue(wanted > 10_000, "wanted " + wanted);
        try (ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FILTER (WHERE status = 'done'),"
                    + " count(*) FILTER (WHERE status = 'abandoned'),"
                    + " count(*) FILTER (WHERE status = 'pending')"
                    + " FROM plan_change WHERE run_id = 1 AND phase = 1")) {
          rs.next();
          long doneByKilled = rs.getLong(1);
          assertTrue(doneByKilled > 0 && rs.getLong(2) > 0, "the killed run wrote part of it");
          assertEquals(0, rs.getLong(3), "nothing of the killed run is left pending");
          long added = summary.path("assignments").path("added").asLong();
          long inFlight = org.size() - before - doneByKilled - added;
          assertTrue(
              inFlight >= 0 && inFlight <= 1000,
              "what the killed run sent in its last call is found, not re-sent: " + inFlight);
        }
        try (ResultSet rs =
            s.executeQuery("SELECT object_id || '|' || territory_id FROM managed_association")) {
          while (rs.next()) {
            String pair = rs.getString(1);
            if (pair.startsWith("001")) {
              assertTrue(inOrg.contains(pair), "owned and missing: " + pair);
            }
          }
        }
        try (ResultSet rs = s.executeQuery("SELECT status FROM run ORDER BY id")) {
          rs.next();
          assertEquals("failed", rs.getString(1));
          rs.next();
          assertEquals("succeeded", rs.getString(1));
        }
      } finally {
        db.stop();
      }
    }
  }

  @Test
  void aRunStoppedWithSigtermEndsAtASafePointSaysWhatItWroteAndTheNextRunFinishesIt()
      throws Exception {
    Path data = tmp.resolve("data");
    try (PackagedApp.Emulator emulator =
        PackagedApp.Emulator.start(20_000, 100, tmp.resolve("emulator.log"))) {
      int port = emulator.port();
      Map<String, String> env = PackagedApp.smallCallsEnv(port, tmp, data, 20_000);
      Path first = tmp.resolve("first.out");
      Process run = start(env, List.of("run"), first);
      await()
          .atMost(Duration.ofSeconds(180))
          .until(
              () ->
                  Files.readString(first).contains("account association(s) to add sent (")
                      || !run.isAlive());
      run.destroy(); // SIGTERM, as Kubernetes stops a pod
      assertTrue(run.waitFor(90, TimeUnit.SECONDS), "exits within the grace period");
      String stopped = Files.readString(first);
      assertEquals(143, run.exitValue(), stopped);
      assertTrue(
          stopped.contains("stopped at a safe point: the service is shutting down"), stopped);
      java.util.regex.Matcher added =
          java.util.regex.Pattern.compile("assignments: \\{added=(\\d+)").matcher(stopped);
      assertTrue(added.find(), stopped);
      long addedByStopped = Long.parseLong(added.group(1));
      assertTrue(addedByStopped > 0, "the stopped run reports what it wrote: " + stopped);

      Path second = tmp.resolve("second.out");
      Process again = start(env, List.of("run", "--json"), second);
      assertTrue(again.waitFor(240, TimeUnit.SECONDS));
      assertEquals(0, again.exitValue(), Files.readString(second));
      JsonNode summary = PackagedApp.lastJsonLine(second);
      assertEquals(0, summary.path("assignments").path("alreadyDone").asLong(), summary.toString());

      List<String> org = PackagedApp.orgAssociations(port);
      assertEquals(org.size(), new java.util.HashSet<>(org).size(), "no association twice");
      EmbeddedDatabase db =
          EmbeddedDatabase.start(data.resolve("postgres"), 0, Duration.ofSeconds(60));
      try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), null);
          Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("SELECT id, status, error FROM run ORDER BY id")) {
          rs.next();
          assertEquals("stopped", rs.getString(2), "recorded as stopped, not abandoned");
        }
        try (ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FILTER (WHERE status = 'done'),"
                    + " count(*) FILTER (WHERE status = 'pending')"
                    + " FROM plan_change WHERE run_id = 1 AND phase = 1")) {
          rs.next();
          assertEquals(addedByStopped, rs.getLong(1), "what it reported is what it recorded");
          assertEquals(0, rs.getLong(2), "nothing of the stopped run is left pending");
        }
        java.util.Set<String> inOrg = new java.util.HashSet<>(org);
        try (ResultSet rs =
            s.executeQuery(
                "SELECT d.account_id || '|' || d.territory_id FROM desired_assignment d"
                    + " JOIN sf_account a ON a.id = d.account_id"
                    + " WHERE NOT coalesce(a.is_excluded_from_realign, false)")) {
          while (rs.next()) {
            assertTrue(inOrg.contains(rs.getString(1)), "wanted and missing: " + rs.getString(1));
          }
        }
      } finally {
        db.stop();
      }
    }
  }

  /**
   * Starts {@code run} and kills it (kill -9) once the org's own write log shows at least {@code
   * atLeast} writes that {@code matches} accepts since the start; fails if the run ends first.
   */
  private void killWhenTheOrgHasReceived(
      Map<String, String> env,
      int port,
      String name,
      java.util.function.Predicate<JsonNode> matches,
      int atLeast)
      throws Exception {
    long[] after = {PackagedApp.writeMark(port)};
    long[] seen = {0};
    Path out = tmp.resolve(name + ".out");
    Process run = start(env, List.of("run"), out);
    await()
        .atMost(Duration.ofSeconds(240))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              JsonNode page =
                  PackagedApp.emulatorAdmin(
                      port, "GET", "writes?after=" + after[0] + "&limit=10000", null);
              for (JsonNode w : page.path("writes")) {
                after[0] = w.path("seq").asLong();
                if (w.path("error").isNull() && matches.test(w)) {
                  seen[0]++;
                }
              }
              return seen[0] >= atLeast || !run.isAlive();
            });
    run.destroyForcibly();
    assertTrue(run.waitFor(30, TimeUnit.SECONDS));
    String output = Files.readString(out);
    assertTrue(seen[0] >= atLeast, name + ": the run ended before it got there: " + output);
    assertFalse(output.contains("succeeded in"), name + ": killed before it finished: " + output);
  }

  private static java.util.function.Predicate<JsonNode> write(String operation, String type) {
    return w ->
        w.path("operation").asText().equals(operation) && w.path("type").asText().equals(type);
  }

  @Test
  void runsKilledDuringABulkIngestOpportunityUpdatesAndDeletesEndWithTheOrgAsTheRulesWant()
      throws Exception {
    Path data = tmp.resolve("data");
    try (PackagedApp.Emulator emulator =
        PackagedApp.Emulator.start(20_000, 30, tmp.resolve("emulator.log"))) {
      int port = emulator.port();
      Map<String, String> env = PackagedApp.smallCallsEnv(port, tmp, data, 20_000);
      // an org that accepts the same association twice: a re-sent insert shows as a second row
      PackagedApp.emulatorAdmin(port, "PUT", "quirks", "{\"duplicateAssociations\":\"insert\"}");

      long start = PackagedApp.writeMark(port);

      // 1. killed after the org applied a Bulk API 2.0 ingest job, before the run read its results
      Map<String, String> bulk = new HashMap<>(env);
      bulk.put("TERRITORY_ASSIGNMENT_WRITE_BULK_THRESHOLD", "100");
      bulk.put("TERRITORY_ASSIGNMENT_WRITE_BULK_JOB_SIZE", "4000");
      killWhenTheOrgHasReceived(
          bulk, port, "bulk", write("create", "ObjectTerritory2Association"), 1);
      // 2. killed during the opportunity updates (sObject Collections)
      killWhenTheOrgHasReceived(env, port, "opportunities", write("update", "Opportunity"), 600);
      // 3. accounts move, and the run is killed during the deletes
      PackagedApp.emulatorAdmin(
          port, "POST", "churn", "{\"object\": \"Account\", \"count\": 3000, \"seed\": 7}");
      killWhenTheOrgHasReceived(
          env, port, "deletes", write("delete", "ObjectTerritory2Association"), 600);

      // 4. one more run finishes
      Path finish = tmp.resolve("finish.out");
      Process last = start(env, List.of("run", "--json"), finish);
      assertTrue(last.waitFor(240, TimeUnit.SECONDS));
      assertEquals(0, last.exitValue(), Files.readString(finish));
      assertEquals("succeeded", PackagedApp.lastJsonLine(finish).path("status").asText());

      // 5. a full re-read of the org finds no assignment left to write: the org is as the rules
      // want
      assertEquals(
          List.of(),
          PackagedApp.writesOfAFullRun(env, port, tmp.resolve("full.out")),
          "what a full run of the recovered service writes");

      // rows counted in the org: no association twice, none missing, none left over
      EmbeddedDatabase db =
          EmbeddedDatabase.start(data.resolve("postgres"), 0, Duration.ofSeconds(60));
      try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), null);
          Statement s = c.createStatement()) {
        int wanted = PackagedApp.assertOrgAsTheRulesWant(port, c, start);
        assertTrue(wanted > 10_000, "wanted " + wanted);
        List<String> statuses = new java.util.ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT status FROM run ORDER BY id")) {
          while (rs.next()) {
            statuses.add(rs.getString(1));
          }
        }
        assertEquals(
            List.of("failed", "failed", "failed", "succeeded", "succeeded"),
            statuses,
            "three killed runs, the one that finished, the check");
      } finally {
        db.stop();
      }
    }
  }
}
