package io.territorysync;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
