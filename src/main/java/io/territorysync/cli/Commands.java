package io.territorysync.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.Quarkus;
import io.territorysync.database.SchemaMigration;
import io.territorysync.rules.MirrorRules;
import io.territorysync.rules.RulesException;
import io.territorysync.rules.RulesService;
import io.territorysync.rules.RulesWriter;
import io.territorysync.rules.engine.CompiledRules;
import io.territorysync.run.Run;
import io.territorysync.run.RunInProgressException;
import io.territorysync.run.RunService;
import io.territorysync.salesforce.SalesforceSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

/** Runs the commands of the packaged app once Quarkus has started. */
@ApplicationScoped
public class Commands {

  /** System property holding the command's name, for beans that behave differently per command. */
  public static final String COMMAND_PROPERTY = "territory.command";

  @Inject SchemaMigration migration;
  @Inject SalesforceSettings salesforce;
  @Inject RunService runs;
  @Inject RulesService rules;
  @Inject MirrorRules mirrorRules;
  @Inject RealignCommand realignPlan;
  @Inject io.territorysync.preflight.PreflightService preflight;

  /**
   * Sets what must be known before Quarkus starts: one-shot commands open no HTTP port (so they can
   * run beside the service) and keep stdout for their own output.
   */
  public static void prepare(CommandLine line) {
    System.setProperty(COMMAND_PROPERTY, line.command());
    if (!line.command().equals("serve")) {
      System.setProperty("quarkus.http.host-enabled", "false");
      System.setProperty("quarkus.log.console.stderr", "true");
      // one-shot commands record change events; the service publishes them
      System.setProperty("territory.events.publish", "false");
    }
  }

  /** The command this process was started with ({@code serve} in dev mode and tests). */
  public static String current() {
    return System.getProperty(COMMAND_PROPERTY, "serve");
  }

  /** Runs {@code line}; the result is the process exit code. */
  public int execute(CommandLine line) {
    if (line.command().equals("doctor")) {
      return doctor(line.flag("--json"));
    }
    Optional<String> problem =
        line.command().equals("rules") || line.command().equals("realign")
            ? migration.failure()
            : migration.failure().or(salesforce::problem);
    if (problem.isPresent()) {
      System.err.println("ERROR " + problem.get());
      return 1;
    }
    return switch (line.command()) {
      case "serve" -> {
        Quarkus.waitForExit();
        yield 0;
      }
      case "run" -> runOnce(line);
      case "realign" -> realignPlan.plan(line);
      case "rules" ->
          line.operands().get(0).equals("validate")
              ? validateRules(line.operands().get(1))
              : exportRules(line.operands().size() > 1 ? line.operands().get(1) : null);
      default -> {
        System.err.println("Unknown command '" + line.command() + "'");
        yield 2;
      }
    };
  }

  private int runOnce(CommandLine line) {
    Run run;
    try {
      run =
          runs.execute(
              new RunService.RunRequest(
                  "cli",
                  line.flag("--full"),
                  line.flag("--dry-run"),
                  line.flag("--force"),
                  line.flag("--sync-only")));
    } catch (RunInProgressException e) {
      System.err.println("ERROR " + e.getMessage());
      return 4;
    } catch (RuntimeException e) {
      // the database went away and the run could not even record how it ended (a restart, a
      // failover): one line and exit code 1, not a start-up failure with a stack trace
      java.sql.SQLException database = sqlCause(e);
      if (database == null) {
        throw e;
      }
      System.err.println(
          "ERROR the run failed: the database could not be reached ("
              + database.getMessage()
              + "); the run is recorded as failed by the next one, which continues from what the"
              + " org holds");
      return 1;
    }
    if (line.flag("--json")) {
      try {
        System.out.println(new ObjectMapper().writeValueAsString(run.summary));
      } catch (Exception e) {
        System.err.println("ERROR cannot print the summary: " + e.getMessage());
        return 1;
      }
    } else {
      System.out.println(describe(run));
    }
    if (run.error != null) {
      System.err.println("ERROR " + run.error);
    }
    return switch (run.status) {
      case "succeeded" -> 0;
      case "partial" -> 3;
      case "stopped_by_guard" -> 5;
      default -> 1;
    };
  }

  private static java.sql.SQLException sqlCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.sql.SQLException sql) {
        return sql;
      }
    }
    return null;
  }

  /** Prints every preflight check; the exit code is 0 all ok, 1 something failing, 2 warnings. */
  private int doctor(boolean json) {
    io.territorysync.preflight.PreflightReport report = preflight.run();
    if (json) {
      try {
        System.out.println(
            new ObjectMapper()
                .findAndRegisterModules()
                .writeValueAsString(io.territorysync.preflight.PreflightView.of(report)));
      } catch (Exception e) {
        System.err.println("ERROR cannot print the checks: " + e.getMessage());
        return 1;
      }
    } else {
      System.out.print(io.territorysync.preflight.PreflightView.text(report));
    }
    return report.exitCode();
  }

  private int validateRules(String file) {
    String text;
    try {
      text = RulesService.read(file);
    } catch (IOException e) {
      System.err.println(file + ": cannot read: " + e.getMessage());
      return 1;
    }
    RulesService.LoadResult result;
    try {
      result = rules.validate(text, file);
    } catch (SQLException e) {
      System.err.println("ERROR cannot read the mirror: " + e.getMessage());
      return 1;
    }
    result.messages().forEach(System.out::println);
    if (!result.ok()) {
      long errors = result.problems().stream().filter(p -> !p.warning()).count();
      System.out.println(file + ": " + errors + " error(s)");
      return 1;
    }
    CompiledRules compiled = result.inForce().rules();
    long withRules =
        compiled.territories().stream()
            .filter(t -> compiled.effectiveRules(t.index()).length > 0)
            .count();
    System.out.println(
        file
            + ": valid, "
            + withRules
            + " territories with rules, "
            + compiled.slots().size()
            + " account fields read");
    return 0;
  }

  private int exportRules(String file) {
    try {
      String text =
          RulesWriter.write(
              mirrorRules.orgRules(null),
              java.util.List.of(
                  "The org's own assignment rules, exported by Territory Sync from the mirror.",
                  "Native semantics: an account joins every territory whose rules all match (mode multi)."));
      if (file == null) {
        System.out.print(text);
      } else {
        java.nio.file.Files.writeString(java.nio.file.Path.of(file), text);
        System.err.println("Wrote " + file);
      }
      return 0;
    } catch (SQLException | IOException | IllegalStateException | RulesException e) {
      System.err.println("ERROR " + e.getMessage());
      return 1;
    }
  }

  private static String describe(Run run) {
    Map<String, Object> s = run.summary;
    StringBuilder sb = new StringBuilder();
    sb.append("Run ")
        .append(run.id)
        .append(' ')
        .append(run.status)
        .append(" in ")
        .append(s.get("durationMs"))
        .append(" ms with ")
        .append(s.get("apiCalls"))
        .append(" API call(s)");
    sb.append(run.dryRun ? " (dry run)" : "").append('\n');
    sb.append("  synced:      ").append(s.get("synced")).append('\n');
    sb.append("  deleted:     ").append(s.get("deleted")).append('\n');
    sb.append("  assignments: ").append(s.get("assignments")).append('\n');
    sb.append("  opportunities: ").append(s.get("opportunities")).append('\n');
    sb.append("  users:       ").append(s.get("users")).append('\n');
    sb.append("  rollups:     ").append(s.get("rollups"));
    return sb.toString();
  }
}
