package io.territorysync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Starts the packaged app's emulator and run commands in their own processes for benchmarks. */
final class BenchProcesses {

  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  /** The packaged app; {@code -Dbench.jar=<path>} measures another build (e.g. main's, before a change). */
  static final Path JAR = Path.of(System.getProperty("bench.jar", "target/quarkus-app/quarkus-run.jar"));
  private static final java.util.concurrent.atomic.AtomicInteger RUNS = new java.util.concurrent.atomic.AtomicInteger();
  private static final Pattern GC_HEAP = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

  private BenchProcesses() {}

  /** An emulator process; returns it once it printed its ready line (echoed). */
  static Process emulator(int port, int accounts, int territories, long latencyMs, String heap) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx" + heap, "-XX:+UseParallelGC", "-jar", JAR.toString(), "emulator", "--port", "" + port, "--accounts", "" + accounts, "--latency-ms", "" + latencyMs));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = r.readLine()) != null) {
      if (line.startsWith("Salesforce org emulator ready")) {
        System.out.println(line);
        Thread drain = new Thread(() -> {
          try {
            while (r.readLine() != null) {
              // keep the pipe empty
            }
          } catch (IOException ignored) {
            // ended
          }
        });
        drain.setDaemon(true);
        drain.start();
        return p;
      }
    }
    throw new IllegalStateException("emulator exited before it was ready");
  }

  /** What one {@code run --json} printed, and the peak heap its GC log shows. */
  record RunResult(JsonNode summary, long wallMs, long peakHeapMb, int exitCode) {}

  /** Runs {@code run --json <extra>} with {@code heap} against the emulator on {@code port}, data in {@code data}. */
  static RunResult run(int port, Path data, String heap, List<String> extra, Map<String, String> env) throws Exception {
    Path gc = Files.createTempFile("gc", ".log");
    Path out = Files.createTempFile("run", ".out");
    List<String> cmd = new ArrayList<>(List.of(appJava(), "-Xmx" + heap, "-Xlog:gc:file=" + gc));
    cmd.addAll(appJvm(RUNS.incrementAndGet()));
    cmd.addAll(List.of("-jar", JAR.toString(), "run", "--json"));
    cmd.addAll(extra);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().put("CAMEL_COMPONENT_SALESFORCE_LOGIN_URL", "http://localhost:" + port);
    pb.environment().put("CAMEL_COMPONENT_SALESFORCE_AUTHENTICATION_TYPE", "CLIENT_CREDENTIALS");
    pb.environment().put("CAMEL_COMPONENT_SALESFORCE_CLIENT_ID", "territory-sync-demo");
    pb.environment().put("CAMEL_COMPONENT_SALESFORCE_CLIENT_SECRET", "demo-secret");
    pb.environment().put("TERRITORY_DATA_DIR", data.toString());
    pb.environment().putAll(env);
    long t0 = System.nanoTime();
    Process p = pb.start();
    int code = p.waitFor();
    long wall = (System.nanoTime() - t0) / 1_000_000;
    String output = Files.readString(out);
    String json = output.lines().filter(l -> l.startsWith("{\"runId\"")).reduce((a, b) -> b).orElse(null);
    if (json == null) {
      throw new IllegalStateException("run printed no summary (exit " + code + "):\n" + output);
    }
    long peak = 0;
    for (String line : Files.readAllLines(gc)) {
      Matcher m = GC_HEAP.matcher(line);
      if (m.find()) {
        peak = Math.max(peak, Long.parseLong(m.group(1)));
      }
    }
    return new RunResult(JSON.readTree(json), wall, peak, code);
  }

  /**
   * Extra JVM options of the app's {@code run} processes: {@code -Dbench.appjvm=...} (space
   * separated; {@code {n}} becomes the run's number, 1 for the first) for a profile, e.g. {@code
   * -XX:StartFlightRecording=filename=/tmp/run{n}.jfr}; {@code -Dbench.appjvm.runs=1} applies them
   * to the first run only.
   */
  static List<String> appJvm(int n) {
    String opts = System.getProperty("bench.appjvm", "").trim();
    int runs = Integer.getInteger("bench.appjvm.runs", Integer.MAX_VALUE);
    if (opts.isEmpty() || n > runs) {
      return List.of();
    }
    return List.of(opts.replace("{n}", Integer.toString(n)).split("\\s+"));
  }

  /** What a command printed as its JSON line, how long it took and its exit code. */
  record Command(JsonNode json, long wallMs, int exitCode) {}

  /** Runs the app's {@code args} against the emulator on {@code port}; the JSON line starts with {@code prefix}. */
  static Command command(int port, Path data, String heap, List<String> args, Map<String, String> env, String prefix)
      throws Exception {
    Path out = Files.createTempFile("cmd", ".out");
    List<String> cmd = new ArrayList<>(List.of(appJava(), "-Xmx" + heap));
    cmd.addAll(appJvm(Integer.MAX_VALUE));
    cmd.addAll(List.of("-jar", JAR.toString()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().put("CAMEL_COMPONENT_SALESFORCE_LOGIN_URL", "http://localhost:" + port);
    pb.environment().put("CAMEL_COMPONENT_SALESFORCE_AUTHENTICATION_TYPE", "CLIENT_CREDENTIALS");
    pb.environment().put("CAMEL_COMPONENT_SALESFORCE_CLIENT_ID", "territory-sync-demo");
    pb.environment().put("CAMEL_COMPONENT_SALESFORCE_CLIENT_SECRET", "demo-secret");
    pb.environment().put("TERRITORY_DATA_DIR", data.toString());
    pb.environment().putAll(env);
    long t0 = System.nanoTime();
    int code = pb.start().waitFor();
    long wall = (System.nanoTime() - t0) / 1_000_000;
    String output = Files.readString(out);
    String json = output.lines().filter(l -> l.startsWith(prefix)).reduce((a, b) -> b).orElse(null);
    if (json == null) {
      throw new IllegalStateException(String.join(" ", args) + " printed no JSON (exit " + code + "):\n" + output);
    }
    return new Command(JSON.readTree(json), wall, code);
  }

  static JsonNode admin(int port, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/emulator/admin/" + path));
    b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody()) : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    String r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
    return r.isEmpty() ? JSON.nullNode() : JSON.readTree(r);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * The JVM of the app's processes ({@code run}, {@code serve}, other commands; not the emulator):
   * {@code -Dbench.appjava=/path/to/bin/java} measures the app on another JDK, e.g. JDK 25 with
   * {@code -Dbench.appjvm=-XX:AOTCache=...} as the image runs it.
   */
  static String appJava() {
    return System.getProperty("bench.appjava", java());
  }

  static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
