package io.territorysync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.territorysync.emulator.EmulatorSettings;
import io.territorysync.emulator.OrgEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The realignment planner on a large org: the emulator with the demo org (its own process), one
 * whole run of the app with the demo rules so the mirror holds the org as the rules left it, then
 * {@code realign plan --json} as a user runs it, for one parent's children and for the whole model.
 * Each plan's report carries the greedy baseline on the same input.
 *
 * <p>Arguments: {@code [accounts] [scope] [plan heap]}, default {@code 1000000
 * NA_US_South_SMB_3_2 2g}.
 */
public final class RealignBenchmark {

  public static void main(String[] args) throws Exception {
    int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    String scope = args.length > 1 ? args[1] : "NA_US_South_SMB_3_2";
    String heap = args.length > 2 ? args[2] : "2g";
    Path data = Files.createTempDirectory("realign-bench");
    Path rules = data.resolve("rules.yaml");
    OrgEmulator same = new OrgEmulator(EmulatorSettings.defaults(), Clock.systemUTC(), 42);
    Files.writeString(rules, DemoRules.text(DemoOrg.generate(DemoOrg.Spec.of(accounts, 42), same.org())));
    same.shutdown();
    same = null;
    System.gc();
    int port = BenchProcesses.freePort();
    Process emulator = BenchProcesses.emulator(port, accounts, 1000, 0, "10g");
    Map<String, String> env = Map.of("TERRITORY_RULES_FILE", rules.toString());
    try {
      System.out.printf("accounts=%d scope=%s plan heap=%s%n", accounts, scope, heap);
      BenchProcesses.RunResult first = BenchProcesses.run(port, data, "1g", List.of(), env);
      System.out.printf("assignment run: %s in %.1f s%n", first.summary().path("status").asText(), first.wallMs() / 1000.0);
      plan("one parent's children (" + scope + ")", port, data, heap, env, List.of("--scope", scope));
      plan("whole model", port, data, heap, env, List.of());
      plan("whole model, pipeline, ±15%", port, data, heap, env, List.of("--measure", "pipeline", "--tolerance", "0.15"));
    } finally {
      emulator.destroy();
      emulator.waitFor();
      BenchProcesses.deleteTree(data);
    }
  }

  private static void plan(String what, int port, Path data, String heap, Map<String, String> env, List<String> extra)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of("realign", "plan", "--json", "--max-moved", "0.05",
        "--out", data.resolve("proposal.yaml").toString()));
    cmd.addAll(extra);
    BenchProcesses.Command r = BenchProcesses.command(port, data, heap, cmd, env, "{\"scope\"");
    JsonNode s = r.json();
    JsonNode w = s.path("withinTolerance");
    JsonNode d = s.path("disruption");
    JsonNode g = s.path("greedyBaseline");
    JsonNode t = s.path("timing");
    System.out.printf(
        "%s: exit %d, process wall %.1f s (load %.1f s reading %d accounts, greedy %.1f s, solver %.1f s); %d accounts in scope, %d units;"
            + " within tolerance %d -> %d of %d (%.1f%% -> %.1f%%), greedy %d (%.1f%%);"
            + " moved %d accounts (%.2f%%), pipeline %.0f, %d owners; greedy moved %d accounts, pipeline %.0f;"
            + " blocked by %s%n",
        what, r.exitCode(), r.wallMs() / 1000.0,
        t.path("loadMs").asLong() / 1000.0, t.path("accountsRead").asLong(), t.path("greedyMs").asLong() / 1000.0, t.path("solveMs").asLong() / 1000.0,
        s.path("accountsInScope").asLong(), s.path("units").asLong(),
        w.path("before").asLong(), w.path("after").asLong(), w.path("territories").asLong(),
        100 * w.path("beforeShare").asDouble(), 100 * w.path("afterShare").asDouble(),
        g.path("withinAfter").asLong(), 100 * g.path("withinAfterShare").asDouble(),
        d.path("accountsMoved").asLong(), 100 * d.path("accountsMovedShare").asDouble(),
        d.path("pipelineMoved").asDouble(), d.path("ownersAffected").asLong(),
        g.path("accountsMoved").asLong(), g.path("pipelineMoved").asDouble(),
        s.path("diagnosis").path("blockedBy").size() > 3
            ? s.path("diagnosis").path("blockedBy").size() + " reasons, first: " + s.path("diagnosis").path("blockedBy").get(0)
            : s.path("diagnosis").path("blockedBy").toString());
  }
}
