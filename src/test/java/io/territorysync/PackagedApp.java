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

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
