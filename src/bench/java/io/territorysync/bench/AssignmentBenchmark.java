package io.territorysync.bench;

import static io.territorysync.bench.BenchProcesses.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.territorysync.emulator.EmulatorServer;
import io.territorysync.emulator.EmulatorSettings;
import io.territorysync.emulator.OrgEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Whole runs on a large org: the first assignment (sync, rules, plan, write-back of every
 * association and opportunity territory), then a run after 1% of the accounts moved, then one
 * with nothing changed (it reads back the run before's writes), and one more (the steady state:
 * the run before wrote nothing); then the same two with every run working on every account
 * ({@code territory.run.incremental=false}), the baseline ({@code -Dbench.baseline=false} in {@code
 * bench.jvm} leaves it out). The emulator runs in this process ({@code bench.jvm} is its heap:
 * {@code -Xms11g -Xmx11g -XX:+UseG1GC} for 5M accounts) with the given latency, on the org the
 * rules file is written from; the app runs {@code run --json} in its own process.
 *
 * <p>Arguments: {@code [accounts] [latency ms] [app heap]}, default {@code 1000000 0 1g}. {@code
 * -Dbench.churn=false} leaves out the 1% run and the run after it. With {@code -Dbench.keep=true}
 * (in {@code bench.jvm}) the app's data directory, its embedded
 * PostgreSQL included, is kept and printed, for {@code EXPLAIN ANALYZE} on the benchmark's database.
 * With {@code -Dbench.firstOnly=true} only the first assignment runs (a profile of it: see {@code
 * bench.appjvm} in {@link BenchProcesses}); the CPU time of this process (the emulator) during it is
 * printed, since the emulator shares the machine's cores with the app.
 */
public final class AssignmentBenchmark {

  public static void main(String[] args) throws Exception {
    int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    long latency = args.length > 1 ? Long.parseLong(args[1]) : 0;
    String heap = args.length > 2 ? args[2] : "1g";
    Path data = Files.createTempDirectory("assignment-bench");
    Path rules = data.resolve("rules.yaml");
    // The emulator runs in this process: the org it serves is the one the rules file is written
    // from, so the benchmark holds one copy of the org (a 5M-account org takes about 7.5 GB).
    OrgEmulator org = new OrgEmulator(EmulatorSettings.defaults(), Clock.systemUTC(), 42);
    org.faults().latencyMillis(latency);
    long t0 = System.nanoTime();
    DemoOrg.Result demo = DemoOrg.generate(DemoOrg.Spec.of(accounts, 42), org.org());
    long generated = (System.nanoTime() - t0) / 1_000_000;
    Files.writeString(rules, DemoRules.text(demo));
    System.gc();
    var heapNow = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    System.out.printf(
        "emulator (in this process): demo org generated in %.1f s, heap used %d MB of %d MB: %s%n",
        generated / 1000.0, heapNow.getUsed() >> 20, heapNow.getMax() >> 20, demo.counts());
    demo = null;
    EmulatorServer server = EmulatorServer.start(org, 0);
    int port = server.port();
    Map<String, String> env = Map.of("TERRITORY_RULES_FILE", rules.toString());
    try {
      System.out.printf("accounts=%d latency=%d ms app heap=%s%n", accounts, latency, heap);
      long emulatorCpu = cpuMs();
      report(data, "first assignment", BenchProcesses.run(port, data, heap, List.of(), env));
      System.out.printf(
          "emulator (this process) CPU during the first assignment: %.1f s%n", (cpuMs() - emulatorCpu) / 1000.0);
      if (Boolean.getBoolean("bench.firstOnly")) {
        return;
      }
      // the next sync re-reads what the first run wrote; settle before measuring churn
      report(data, "settle (re-reads the first run's writes)", BenchProcesses.run(port, data, heap, List.of(), env));
      int churn = Math.max(1, accounts / 100);
      if (Boolean.parseBoolean(System.getProperty("bench.churn", "true"))) {
        JsonNode moved = admin(port, "POST", "churn", "{\"object\":\"Account\",\"count\":" + churn + ",\"seed\":7}");
        System.out.println("moved accounts: " + moved.path("changed"));
        report(data, "1% of accounts moved", BenchProcesses.run(port, data, heap, List.of(), env));
        report(data, "nothing changed", BenchProcesses.run(port, data, heap, List.of(), env));
      }
      // the steady state: the run before wrote nothing, so there is nothing of its own to read back
      report(
          data,
          "nothing changed again (the run before wrote nothing)",
          BenchProcesses.run(port, data, heap, List.of(), env));
      if (!Boolean.parseBoolean(System.getProperty("bench.baseline", "true"))) {
        return;
      }
      // the baseline, same org and machine: every run works on every account
      Map<String, String> whole = new java.util.HashMap<>(env);
      whole.put("TERRITORY_RUN_INCREMENTAL", "false");
      JsonNode moved = admin(port, "POST", "churn", "{\"object\":\"Account\",\"count\":" + churn + ",\"seed\":8}");
      System.out.println("moved accounts: " + moved.path("changed"));
      report(data, "1% of accounts moved, every account (territory.run.incremental=false)", BenchProcesses.run(port, data, heap, List.of(), whole));
      report(data, "nothing changed, every account (territory.run.incremental=false)", BenchProcesses.run(port, data, heap, List.of(), whole));
    } finally {
      server.close();
      if (Boolean.getBoolean("bench.keep")) {
        System.out.println("kept the app's data directory: " + data);
      } else {
        BenchProcesses.deleteTree(data);
      }
    }
  }

  /** CPU time this process (the emulator) used so far, user and system, in ms; -1 when the OS does not say. */
  private static long cpuMs() {
    return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(-1L);
  }

  private static void report(Path data, String what, BenchProcesses.RunResult r) throws java.io.IOException {
    JsonNode s = r.summary();
    JsonNode st = s.path("stages");
    long waited = s.path("salesforceWaitMs").asLong();
    System.out.printf(
        "%s: %s, %s (%s), process wall %.1f s, run %.1f s of which waiting on Salesforce %.1f s, app's own %.1f s;"
            + " stages sync %.1f s/%d calls, rules %.1f s, plan %.1f s, write %.1f s/%d calls,"
            + " rollups %.1f s/%d calls; %d API calls; peak heap %d MB; assignments %s; opportunities %s; users %s; rollups %s%n",
        what, s.path("status").asText(), s.path("scope").path("mode").asText(), s.path("scope").path("reason").asText(),
        r.wallMs() / 1000.0, s.path("durationMs").asLong() / 1000.0, waited / 1000.0,
        (r.wallMs() - waited) / 1000.0,
        st.path("sync").path("durationMs").asLong() / 1000.0, st.path("sync").path("apiCalls").asInt(),
        st.path("rules").path("durationMs").asLong() / 1000.0,
        st.path("plan").path("durationMs").asLong() / 1000.0,
        st.path("write").path("durationMs").asLong() / 1000.0, st.path("write").path("apiCalls").asInt(),
        st.path("rollups").path("durationMs").asLong() / 1000.0, st.path("rollups").path("apiCalls").asInt(),
        s.path("apiCalls").asInt(), r.peakHeapMb(), s.path("assignments"), s.path("opportunities"), s.path("users"),
        s.path("rollups"));
    Runtime rt = Runtime.getRuntime();
    System.out.printf(
        "  app exit %d; data directory %d MB (database files %d MB, WAL %d MB); emulator heap in use %d MB%n",
        r.exitCode(), size(data) >> 20, size(data.resolve("postgres").resolve("base")) >> 20,
        size(data.resolve("postgres").resolve("pg_wal")) >> 20, (rt.totalMemory() - rt.freeMemory()) >> 20);
  }

  /** The bytes of the files under {@code dir} (0 if it is missing); files that vanish meanwhile are skipped. */
  private static long size(Path dir) throws java.io.IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    long[] bytes = {0};
    Files.walkFileTree(
        dir,
        new java.nio.file.SimpleFileVisitor<>() {
          @Override
          public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
            bytes[0] += attrs.size();
            return java.nio.file.FileVisitResult.CONTINUE;
          }

          @Override
          public java.nio.file.FileVisitResult visitFileFailed(Path file, java.io.IOException e) {
            return java.nio.file.FileVisitResult.CONTINUE;
          }
        });
    return bytes[0];
  }
}
