package io.territorysync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.territorysync.realign.Realignment;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code realign plan}: plans from the mirror and writes the proposal and its report. */
@ApplicationScoped
public class RealignCommand {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject Realignment realignment;

  /** Runs {@code realign plan}; the result is the exit code (0 planned, 1 failed, 2 bad input). */
  public int plan(CommandLine line) {
    Realignment.Request request;
    try {
      request =
          realignment.request(
              line.option("--scope").orElse(null),
              line.option("--measure").orElse(null),
              line.doubleOption("--tolerance"),
              line.doubleOption("--max-moved"),
              line.flag("--contiguity") ? Boolean.TRUE : null);
    } catch (IllegalArgumentException | CommandLine.UsageException e) {
      System.err.println("ERROR " + e.getMessage());
      return 2;
    }
    Path out = Path.of(line.option("--out").orElse("realignment-proposal.yaml"));
    String name = out.getFileName().toString();
    Path reportFile =
        out.resolveSibling(
            (name.endsWith(".yaml") || name.endsWith(".yml")
                    ? name.substring(0, name.lastIndexOf('.'))
                    : name)
                + ".report.json");
    Realignment.Proposal proposal;
    try {
      proposal =
          realignment.plan(
              request,
              (phase, done, best) -> {
                if (!line.flag("--json") && phase.equals("loading") && done == 0) {
                  System.err.println("Reading the mirror…");
                }
              });
    } catch (IllegalArgumentException e) {
      System.err.println("ERROR " + e.getMessage());
      return 2;
    } catch (SQLException | IllegalStateException e) {
      System.err.println("ERROR " + e.getMessage());
      return 1;
    }
    try {
      Files.writeString(out, proposal.rules());
      Files.writeString(
          reportFile,
          JSON.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(proposal.report()));
    } catch (IOException e) {
      System.err.println("ERROR cannot write the proposal: " + e.getMessage());
      return 1;
    }
    Map<String, Object> r = proposal.report();
    if (line.flag("--json")) {
      Map<String, Object> summary = new LinkedHashMap<>();
      for (String k :
          List.of(
              "scope",
              "measure",
              "tolerance",
              "maxMoved",
              "contiguity",
              "accountsInScope",
              "units",
              "withinTolerance",
              "disruption",
              "greedyBaseline",
              "diagnosis",
              "valid",
              "timing",
              "warning")) {
        if (r.containsKey(k)) {
          summary.put(k, r.get(k));
        }
      }
      summary.put("rulesFile", out.toString());
      summary.put("reportFile", reportFile.toString());
      try {
        System.out.println(new ObjectMapper().writeValueAsString(summary));
      } catch (IOException e) {
        System.err.println("ERROR " + e.getMessage());
        return 1;
      }
    } else {
      System.out.println(describe(r, out, reportFile));
    }
    if (!proposal.valid()) {
      System.err.println("ERROR the proposed rules do not validate: " + r.get("problems"));
      return 1;
    }
    return 0;
  }

  @SuppressWarnings("unchecked")
  private static String describe(Map<String, Object> r, Path out, Path report) {
    Map<String, Object> w = (Map<String, Object>) r.get("withinTolerance");
    Map<String, Object> d = (Map<String, Object>) r.get("disruption");
    Map<String, Object> g = (Map<String, Object>) r.get("greedyBaseline");
    Map<String, Object> diag = (Map<String, Object>) r.get("diagnosis");
    StringBuilder sb = new StringBuilder();
    sb.append("Realignment of ")
        .append(r.get("scope"))
        .append(" by ")
        .append(r.get("measure"))
        .append(", tolerance ±")
        .append(Math.round(100 * (Double) r.get("tolerance")))
        .append("%\n");
    sb.append("  within tolerance: ")
        .append(w.get("before"))
        .append(" → ")
        .append(w.get("after"))
        .append(" of ")
        .append(w.get("territories"))
        .append(" territories (greedy baseline: ")
        .append(g.get("withinAfter"))
        .append(")\n");
    sb.append("  moves: ")
        .append(d.get("unitsMoved"))
        .append(" unit(s), ")
        .append(d.get("accountsMoved"))
        .append(" account(s) (")
        .append(Math.round(10_000 * (Double) d.get("accountsMovedShare")) / 100.0)
        .append("%), pipeline ")
        .append(d.get("pipelineMoved"))
        .append(", ")
        .append(d.get("ownersAffected"))
        .append(" owner(s) affected\n");
    for (Object reason : (List<Object>) diag.get("blockedBy")) {
      sb.append("  blocked: ").append(reason).append('\n');
    }
    if (r.get("warning") != null) {
      sb.append("  warning: ").append(r.get("warning")).append('\n');
    }
    sb.append("  proposal: ").append(out).append(" (report: ").append(report).append(')');
    return sb.toString();
  }
}
