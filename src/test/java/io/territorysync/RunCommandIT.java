package io.territorysync;

import static io.territorysync.PackagedApp.freePort;
import static io.territorysync.PackagedApp.salesforce;
import static io.territorysync.PackagedApp.start;
import static io.territorysync.PackagedApp.stop;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code run} command of the packaged app against the emulator in its own process. */
class RunCommandIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

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
    Path file = tmp.resolve("rules.yaml");
    Files.writeString(file, text);
    return file;
  }

  private static JsonNode lastJsonLine(Path out) throws Exception {
    String output = Files.readString(out);
    String json =
        output
            .lines()
            .filter(l -> l.startsWith("{"))
            .reduce((a, b) -> b)
            .orElseThrow(() -> new AssertionError(output));
    return JSON.readTree(json);
  }

  @Test
  void runJsonReportsPerObjectCountsEqualToTheOrgs() throws Exception {
    int port = freePort();
    Process emulator = PackagedApp.emulator(port, 2500, 0, tmp.resolve("emulator.log"));
    try {
      Map<String, String> env = new HashMap<>(salesforce(port));
      env.put("TERRITORY_DATA_DIR", tmp.resolve("data").toString());
      env.put("TERRITORY_RULES_FILE", demoRules(2500, 42).toString());
      Path out = tmp.resolve("run.out");
      Process run = start(env, List.of("run", "--json"), out);
      assertTrue(run.waitFor(120, TimeUnit.SECONDS));
      String output = Files.readString(out);
      assertEquals(0, run.exitValue(), output);
      JsonNode result = lastJsonLine(out);
      JsonNode org = summary(port);
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
      assertTrue(
          result.path("apiCalls").asInt() > 0 && result.path("apiCalls").asInt() < 20,
          result.toString());
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
    } finally {
      stop(emulator);
    }
  }

  @Test
  void aRunKilledMidSyncIsResumedByTheNextWithNothingLostOrDoubled() throws Exception {
    int port = freePort();
    Process emulator = PackagedApp.emulator(port, 20_000, 30, tmp.resolve("emulator.log"));
    Path data = tmp.resolve("data");
    try {
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
      JsonNode resumed = lastJsonLine(second);
      assertTrue(resumed.path("stages").has("sync"), resumed.toString());
      assertFalse(resumed.path("stages").has("rules"), "--sync-only stops after the sync stage");

      JsonNode org = summary(port);
      EmbeddedDatabase db =
          EmbeddedDatabase.start(data.resolve("postgres"), 0, Duration.ofSeconds(60));
      try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), null);
          Statement s = c.createStatement()) {
        for (String[] t :
            List.of(
                new String[] {"Account", "sf_account"},
                new String[] {"Opportunity", "sf_opportunity"},
                new String[] {"ObjectTerritory2Association", "sf_object_territory2_association"})) {
          try (ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT id) FROM " + t[1])) {
            rs.next();
            assertEquals(org.path(t[0]).asLong(), rs.getLong(1), t[0] + " count");
            assertEquals(rs.getLong(1), rs.getLong(2), t[0] + " has no duplicates");
          }
        }
        try (ResultSet rs = s.executeQuery("SELECT status FROM run ORDER BY id")) {
          rs.next();
          String killed = rs.getString(1);
          rs.next();
          assertEquals("succeeded", rs.getString(1));
          assertTrue(killed.equals("failed") || killed.equals("running"), killed);
        }
      } finally {
        db.stop();
      }
    } finally {
      stop(emulator);
    }
  }
}
