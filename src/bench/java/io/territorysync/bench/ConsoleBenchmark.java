package io.territorysync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.territorysync.emulator.EmulatorSettings;
import io.territorysync.emulator.OrgEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Server time of the console's run, account, webhook and overview pages on a large mirror: an
 * emulated org of {@code accounts} is assigned once ({@code run --json}, which also leaves a run of
 * about 1.7 million changes at 1M accounts), then the service starts on that database and each
 * page is requested {@code rounds} times after a warm-up by a signed-in admin, one request at a
 * time; p50 and p95 of the time to the last byte are printed.
 *
 * <p>Arguments: {@code [accounts] [rounds] [data directory]}, default {@code 1000000 60}. With a
 * data directory, the database is kept there and a later invocation with the same directory skips
 * the assignment run (before/after comparisons on one mirror); without one, a temporary directory
 * is used and deleted.
 */
public final class ConsoleBenchmark {

  private static final String ADMIN = "bench-admin";
  private static final Pattern CSRF = Pattern.compile("name=\"csrf-token\" value=\"([^\"]+)\"");

  public static void main(String[] args) throws Exception {
    int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    boolean keep = args.length > 2;
    Path data =
        keep
            ? Files.createDirectories(Path.of(args[2]).toAbsolutePath())
            : Files.createTempDirectory("console-bench");
    Path rules = data.resolve("rules.yaml");
    Path assigned = data.resolve("assigned-run");
    if (!Files.exists(rules)) {
      OrgEmulator same = new OrgEmulator(EmulatorSettings.defaults(), Clock.systemUTC(), 42);
      Files.writeString(
          rules, DemoRules.text(DemoOrg.generate(DemoOrg.Spec.of(accounts, 42), same.org())));
      same.shutdown();
    }
    int sfPort = BenchProcesses.freePort();
    Process emulator = BenchProcesses.emulator(sfPort, accounts, 1000, 0, "6g");
    Process serve = null;
    try {
      Map<String, String> env = new HashMap<>();
      env.put("TERRITORY_RULES_FILE", rules.toString());
      long runId;
      if (Files.exists(assigned)) {
        runId = Long.parseLong(Files.readString(assigned).trim());
        System.out.printf("accounts=%d; run %d kept in %s%n", accounts, runId, data);
      } else {
        BenchProcesses.RunResult first = BenchProcesses.run(sfPort, data, "1g", List.of(), env);
        runId = first.summary().path("runId").asLong();
        System.out.printf(
            "accounts=%d; run %d %s in %.1f s%n",
            accounts, runId, first.summary().path("status").asText(), first.wallMs() / 1000.0);
        if (keep) {
          Files.writeString(assigned, runId + "\n");
        }
      }

      int port = BenchProcesses.freePort();
      ProcessBuilder pb =
          new ProcessBuilder(
                  BenchProcesses.appJava(), "-Xmx1g", "-jar", BenchProcesses.JAR.toString(), "serve")
              .redirectErrorStream(true)
              .redirectOutput(data.resolve("serve.log").toFile());
      pb.environment().putAll(env);
      pb.environment().put("PORT", "" + port);
      pb.environment().put("TERRITORY_DATA_DIR", data.toString());
      pb.environment().put("TERRITORY_API_ADMIN_KEYS", ADMIN);
      pb.environment().put("TERRITORY_SCHEDULE_ENABLED", "false");
      pb.environment().put("CAMEL_COMPONENT_SALESFORCE_LOGIN_URL", "http://localhost:" + sfPort);
      pb.environment().put("CAMEL_COMPONENT_SALESFORCE_AUTHENTICATION_TYPE", "CLIENT_CREDENTIALS");
      pb.environment().put("CAMEL_COMPONENT_SALESFORCE_CLIENT_ID", "territory-sync-demo");
      pb.environment().put("CAMEL_COMPONENT_SALESFORCE_CLIENT_SECRET", "demo-secret");
      serve = pb.start();
      awaitReady(port);
      String base = "http://127.0.0.1:" + port;
      String cookie = signIn(base);

      JsonNode someChanges = api(base, "/api/runs/" + runId + "/changes?kind=account&limit=1");
      JsonNode change = someChanges.path("changes").path(0);
      String account = change.path("accountId").asText();
      String territory = change.path("territory").asText();
      long total = 0;
      for (JsonNode n : someChanges.path("totals")) {
        total += n.asLong();
      }
      long deep =
          api(base, "/api/runs/" + runId + "/changes?limit=1&offset=" + Math.max(0, total - 100))
              .path("changes")
              .path(0)
              .path("id")
              .asLong();
      String name = api(base, "/api/accounts/" + account).path("summary").path("name").asText();
      String word = name.split(" ")[0];
      System.out.printf(
          "run %d has %,d changes; account %s '%s'; territory %s%n",
          runId, total, account, name, territory);

      Map<String, String> pages = new LinkedHashMap<>();
      pages.put("Overview", "/console/");
      pages.put("Runs: list", "/console/runs");
      pages.put("Run: page with its first 50 changes", "/console/runs/" + runId);
      pages.put("Run: live fragment (polled every second)", "/console/runs/" + runId + "/live");
      pages.put(
          "Run: changes of one territory",
          "/console/runs/" + runId + "/changes?territory=" + enc(territory));
      pages.put(
          "Run: failed changes (none)", "/console/runs/" + runId + "/changes?status=failed");
      pages.put(
          "Run: opportunity changes, last page",
          "/console/runs/" + runId + "/changes?kind=opportunity&after=" + deep);
      pages.put("Account: search by name (contains)", "/console/accounts?q=" + enc(word));
      pages.put(
          "Account: search by name prefix",
          "/console/accounts?q=" + enc(name.substring(0, Math.min(name.length(), 8))));
      pages.put(
          "Account: search by a word inside names (contains only)",
          "/console/accounts?q=" + enc(name.split(" ")[1]));
      pages.put("Account: page (territories, explain, history)", "/console/accounts/" + account);
      pages.put("Webhooks", "/console/webhooks");
      pages.put("Webhooks: dead", "/console/webhooks?status=dead");
      territoriesAndMap(base, pages);

      System.out.printf("%-48s %8s %8s %8s%n", "Page", "p50 ms", "p95 ms", "max ms");
      for (Map.Entry<String, String> page : pages.entrySet()) {
        for (int i = 0; i < 5; i++) {
          get(base, page.getValue(), cookie);
        }
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
          long t0 = System.nanoTime();
          get(base, page.getValue(), cookie);
          ms.add((System.nanoTime() - t0) / 1e6);
        }
        ms.sort(null);
        System.out.printf(
            "%-48s %8.1f %8.1f %8.1f%n",
            page.getKey(), pct(ms, 0.50), pct(ms, 0.95), ms.get(ms.size() - 1));
      }
      rulesPreview(base, Files.readString(rules));
    } finally {
      if (serve != null) {
        serve.destroy();
        serve.waitFor(60, TimeUnit.SECONDS);
      }
      emulator.destroy();
      emulator.waitFor();
      if (!keep) {
        BenchProcesses.deleteTree(data);
      }
    }
  }

  /**
   * The Territories and Map pages: the tree (first levels), a territory's detail and a branch's
   * children (htmx fragments); the map page, its hulls, and its data for the world (cells), the
   * US, a region filter, and a city-sized view (single accounts).
   */
  private static void territoriesAndMap(String base, Map<String, String> pages) throws Exception {
    JsonNode t = api(base, "/api/territories").path("territories");
    String parent = null;
    String leaf = null;
    java.util.Set<String> parents = new java.util.HashSet<>();
    for (JsonNode n : t) {
      parents.add(n.path("parentId").asText());
    }
    for (JsonNode n : t) {
      String id = n.path("territoryId").asText();
      if (parent == null && parents.contains(id) && !n.path("parentId").isNull()) {
        parent = id;
      }
      if (leaf == null && !parents.contains(id)) {
        leaf = id;
      }
    }
    pages.put("Territories: tree, first levels", "/console/territories");
    pages.put("Territories: detail of a leaf (fragment)", "/console/territories/" + leaf + "/detail");
    pages.put("Territories: children of a parent (fragment)", "/console/territories/" + parent + "/children");
    pages.put("Map: page", "/console/map");
    pages.put("Map: hulls of all territories", "/console/map/hulls");
    pages.put("Map: world, zoom 2 (cells)", "/console/map/data?west=-180&south=-60&east=180&north=75&zoom=2");
    pages.put("Map: US, zoom 4 (cells)", "/console/map/data?west=-125&south=24&east=-66&north=50&zoom=4");
    pages.put(
        "Map: one region's subtree, zoom 3",
        "/console/map/data?west=-180&south=-60&east=180&north=75&zoom=3&territory=" + parent);
    pages.put(
        "Map: city blocks, zoom 14 (accounts)",
        "/console/map/data?west=-122.44&south=37.76&east=-122.40&north=37.79&zoom=14");
  }

  /**
   * A changed rules file (the first state list loses a state, moving its accounts) previewed over
   * the whole mirror: {@code POST /api/rules/preview}, three times after one warm-up.
   */
  private static void rulesPreview(String base, String rules) throws Exception {
    String changed =
        rules.replaceFirst("(field: BillingState, operation: equals, value: \\[)[^,\\]]+, ", "$1");
    List<Double> ms = new ArrayList<>();
    String last = null;
    for (int i = 0; i < 4; i++) {
      long t0 = System.nanoTime();
      HttpResponse<String> r =
          BenchProcesses.HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/api/rules/preview"))
                  .header("Authorization", "Bearer " + ADMIN)
                  .header("Content-Type", "application/yaml")
                  .POST(HttpRequest.BodyPublishers.ofString(changed))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (i > 0) {
        ms.add((System.nanoTime() - t0) / 1e6);
      }
      last = r.statusCode() + " " + r.body().substring(0, Math.min(300, r.body().length()));
    }
    ms.sort(null);
    System.out.printf(
        "Rules preview of a changed file over the whole mirror: p50 %.0f ms, max %.0f ms (%s)%n",
        pct(ms, 0.5), ms.get(ms.size() - 1), last);
  }

  private static double pct(List<Double> sorted, double p) {
    return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static void get(String base, String path, String cookie) throws Exception {
    HttpResponse<String> r =
        BenchProcesses.HTTP.send(
            HttpRequest.newBuilder(URI.create(base + path))
                .header("Cookie", "territory_session=" + cookie)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
    }
  }

  private static JsonNode api(String base, String path) throws Exception {
    return BenchProcesses.JSON.readTree(
        BenchProcesses.HTTP
            .send(
                HttpRequest.newBuilder(URI.create(base + path))
                    .header("Authorization", "Bearer " + ADMIN)
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }

  private static String signIn(String base) throws Exception {
    HttpResponse<String> form =
        BenchProcesses.HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/console/sign-in")).build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher m = CSRF.matcher(form.body());
    m.find();
    String formCookie =
        form.headers().allValues("Set-Cookie").stream()
            .filter(c -> c.startsWith("territory_sign_in="))
            .findFirst()
            .orElseThrow()
            .split(";")[0];
    HttpResponse<String> r =
        BenchProcesses.HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/console/sign-in"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", formCookie)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "key=" + ADMIN + "&csrf-token=" + m.group(1) + "&next=%2Fconsole%2F"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return r.headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith("territory_session="))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("sign-in failed: " + r.statusCode()))
        .split(";")[0]
        .substring("territory_session=".length());
  }

  private static void awaitReady(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      try {
        int s =
            BenchProcesses.HTTP
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
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
}
