package io.territorysync.bench;

import static io.territorysync.bench.BenchProcesses.admin;

import com.fasterxml.jackson.databind.JsonNode;
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
 * bench.jvm} leaves it out). The emulator runs in its own process with the given latency; the app runs
 * {@code run --json} in a third process.
 *
 * <p>Arguments: {@code [accounts] [latency ms] [app heap]}, default {@code 1000000 0 1g}. With
 * {@code -Dbench.keep=true} (in {@code bench.jvm}) the app's data directory, its embedded
 * PostgreSQL included, is kept and printed, for {@code EXPLAIN ANALYZE} on the benchmark's database.
 * With {@code -Dbench.firstOnly=true} only the first assignment runs (a profile of it: see {@code
 * bench.appjvm} in {@link BenchProcesses}); the emulator's CPU time during it is printed, since the
 * emulator shares the machine's cores with the app.
 */
public final class AssignmentBenchmark {

  public static void main(String[] args) throws Exception {
    int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    long latency = args.length > 1 ? Long.parseLong(args[1]) : 0;
    String heap = args.length > 2 ? args[2] : "1g";
    Path data = Files.createTempDirectory("assignment-bench");
    Path rules = data.resolve("rules.yaml");
    OrgEmulator same = new OrgEmulator(EmulatorSettings.defaults(), Clock.systemUTC(), 42);
    Files.writeString(rules, DemoRules.text(DemoOrg.generate(DemoOrg.Spec.of(accounts, 42), same.org())));
    same.shutdown();
    same = null;
    System.gc();
    int port = BenchProcesses.freePort();
    Process emulator = BenchProcesses.emulator(port, accounts, 1000, latency, "10g");
    Map<String, String> env = Map.of("TERRITORY_RULES_FILE", rules.toString());
    try {
      System.out.printf("accounts=%d latency=%d ms app heap=%s%n", accounts, latency, heap);
      long emulatorCpu = cpuMs(emulator);
      report("first assignment", BenchProcesses.run(port, data, heap, List.of(), env));
      System.out.printf("emulator CPU during the first assignment: %.1f s%n", (cpuMs(emulator) - emulatorCpu) / 1000.0);
      if (Boolean.getBoolean("bench.firstOnly")) {
        return;
      }
      // the next sync re-reads what the first run wrote; settle before measuring churn
      report("settle (re-reads the first run's writes)", BenchProcesses.run(port, data, heap, List.of(), env));
      int churn = Math.max(1, accounts / 100);
      JsonNode moved = admin(port, "POST", "churn", "{\"object\":\"Account\",\"count\":" + churn + ",\"seed\":7}");
      System.out.println("moved accounts: " + moved.path("changed"));
      report("1% of accounts moved", BenchProcesses.run(port, data, heap, List.of(), env));
      report("nothing changed", BenchProcesses.run(port, data, heap, List.of(), env));
      // the steady state: the run before wrote nothing, so there is nothing of its own to read back
      report(
          "nothing changed again (the run before wrote nothing)",
          BenchProcesses.run(port, data, heap, List.of(), env));
      if (!Boolean.parseBoolean(System.getProperty("bench.baseline", "true"))) {
        return;
      }
      // the baseline, same org and machine: every run works on every account
      Map<String, String> whole = new java.util.HashMap<>(env);
      whole.put("TERRITORY_RUN_INCREMENTAL", "false");
      moved = admin(port, "POST", "churn", "{\"object\":\"Account\",\"count\":" + churn + ",\"seed\":8}");
      System.out.println("moved accounts: " + moved.path("changed"));
      report("1% of accounts moved, every account (territory.run.incremental=false)", BenchProcesses.run(port, data, heap, List.of(), whole));
      report("nothing changed, every account (territory.run.incremental=false)", BenchProcesses.run(port, data, heap, List.of(), whole));
    } finally {
      emulator.destroy();
      emulator.waitFor();
      if (Boolean.getBoolean("bench.keep")) {
        System.out.println("kept the app's data directory: " + data);
      } else {
        BenchProcesses.deleteTree(data);
      }
    }
  }

  /** CPU time the process used so far (user and system), in ms; -1 when the OS does not say. */
  private static long cpuMs(Process p) {
    return p.info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(-1L);
  }

  private static void report(String what, BenchProcesses.RunResult r) {
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
  }
}
