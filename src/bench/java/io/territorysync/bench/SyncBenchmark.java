package io.territorysync.bench;

import static io.territorysync.bench.BenchProcesses.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The sync stage on a large org: a full sync, then an incremental one after 1% of the accounts
 * and opportunities changed. The emulator runs in its own process with the given latency; the
 * app runs {@code run --json --sync-only} in a third process with a 1 GB heap.
 *
 * <p>Arguments: {@code [accounts] [latency ms] [app heap]}, default {@code 1000000 0 1g}.
 */
public final class SyncBenchmark {

  public static void main(String[] args) throws Exception {
    int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    long latency = args.length > 1 ? Long.parseLong(args[1]) : 0;
    String heap = args.length > 2 ? args[2] : "1g";
    int port = BenchProcesses.freePort();
    Process emulator = BenchProcesses.emulator(port, accounts, 1000, latency, "6g");
    Path data = Files.createTempDirectory("sync-bench");
    try {
      System.out.printf("accounts=%d latency=%d ms app heap=%s%n", accounts, latency, heap);
      report("full sync", BenchProcesses.run(port, data, heap, List.of("--sync-only"), Map.of()));
      int churn = Math.max(1, accounts / 100);
      admin(port, "POST", "churn", "{\"object\":\"Account\",\"count\":" + churn + ",\"seed\":7}");
      JsonNode opps = admin(port, "GET", "summary", null).path("records").path("Opportunity");
      admin(port, "POST", "churn", "{\"object\":\"Opportunity\",\"count\":" + (opps.asInt() / 100) + ",\"seed\":8}");
      report("incremental sync, 1% of accounts and opportunities changed", BenchProcesses.run(port, data, heap, List.of("--sync-only"), Map.of()));
      report("incremental sync, nothing changed", BenchProcesses.run(port, data, heap, List.of("--sync-only"), Map.of()));
    } finally {
      emulator.destroy();
      emulator.waitFor();
      BenchProcesses.deleteTree(data);
    }
  }

  private static void report(String what, BenchProcesses.RunResult r) {
    JsonNode s = r.summary();
    System.out.printf("%s: %s, process wall %.1f s, sync stage %.1f s, %d API calls, peak heap %d MB, synced %s%n",
        what, s.path("status").asText(), r.wallMs() / 1000.0, s.path("stages").path("sync").path("durationMs").asLong() / 1000.0,
        s.path("apiCalls").asInt(), r.peakHeapMb(), s.path("synced"));
  }
}
