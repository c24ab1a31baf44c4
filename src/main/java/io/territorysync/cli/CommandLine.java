package io.territorysync.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A parsed command line of the packaged app: the command, its flags and its operands. */
public record CommandLine(String command, Map<String, String> options, List<String> operands) {

  /** Text printed for {@code help} and after a usage error. */
  public static final String USAGE =
      String.join(
          "\n",
          "Usage: java -jar quarkus-run.jar [COMMAND]",
          "",
          "Commands:",
          "  serve                       the long-running service (default): schedule, webhooks, admin API",
          "  run [--full] [--dry-run] [--force] [--json] [--sync-only]",
          "                              one run against the configured org, then exit (0 = success)",
          "  emulator [--port P] [--host H] [--accounts N] [--seed S] [--client-id ID] [--client-secret S]",
          "                              a standalone Salesforce org emulator seeded with a demo org",
          "  doctor [--json]             check the org, the integration user and the settings (0 ok, 1 failing, 2 warnings)",
          "  rules validate FILE         check a rules file; print every error with line and column",
          "  rules export [FILE]         write the org's own assignment rules (from the mirror) as a rules file",
          "  realign plan [--scope TERRITORY|type:TYPE] [--measure accounts|potential|pipeline|workload]",
          "               [--tolerance 0.10] [--max-moved 0.05] [--contiguity] [--out FILE] [--json]",
          "                              propose balanced territories with the fewest moves, as a rules file",
          "                              and a report (FILE.report.json); writes nothing to the org",
          "  help                        this text");

  private static final Map<String, Set<String>> FLAGS =
      Map.of(
          "serve", Set.of(),
          "run", Set.of("--full", "--dry-run", "--force", "--json", "--sync-only"),
          "emulator", Set.of(),
          "rules", Set.of(),
          "realign", Set.of("--json", "--contiguity"),
          "doctor", Set.of("--json"),
          "help", Set.of());

  private static final Map<String, Set<String>> VALUED =
      Map.of(
          "serve", Set.of(),
          "run", Set.of(),
          "emulator",
              Set.of(
                  "--port",
                  "--host",
                  "--accounts",
                  "--seed",
                  "--client-id",
                  "--client-secret",
                  "--latency-ms",
                  "--username",
                  "--password"),
          "rules", Set.of(),
          "realign", Set.of("--scope", "--measure", "--tolerance", "--max-moved", "--out"),
          "doctor", Set.of(),
          "help", Set.of());

  /** Parses {@code args}; throws {@link UsageException} naming the offending argument. */
  public static CommandLine parse(String... args) {
    List<String> rest = new ArrayList<>(Arrays.asList(args == null ? new String[0] : args));
    // Quarkus dev mode passes an empty string when quarkus.args is unset.
    rest.removeIf(String::isBlank);
    String command = rest.isEmpty() ? "serve" : rest.remove(0);
    if (command.equals("--help") || command.equals("-h")) {
      command = "help";
    }
    if (!FLAGS.containsKey(command)) {
      throw new UsageException("Unknown command '" + command + "'");
    }
    Map<String, String> options = new LinkedHashMap<>();
    List<String> operands = new ArrayList<>();
    for (int i = 0; i < rest.size(); i++) {
      String arg = rest.get(i);
      if (arg.startsWith("--")) {
        String name = arg;
        String value = null;
        int eq = arg.indexOf('=');
        if (eq > 0) {
          name = arg.substring(0, eq);
          value = arg.substring(eq + 1);
        }
        if (FLAGS.get(command).contains(name) && value == null) {
          options.put(name, "true");
        } else if (VALUED.get(command).contains(name)) {
          if (value == null) {
            if (i + 1 >= rest.size()) {
              throw new UsageException("Option " + name + " of '" + command + "' needs a value");
            }
            value = rest.get(++i);
          }
          options.put(name, value);
        } else {
          throw new UsageException("Unknown option " + arg + " for '" + command + "'");
        }
      } else {
        operands.add(arg);
      }
    }
    CommandLine line = new CommandLine(command, Map.copyOf(options), List.copyOf(operands));
    line.checkOperands();
    return line;
  }

  private void checkOperands() {
    if (command.equals("rules")) {
      boolean validate = operands.size() == 2 && operands.get(0).equals("validate");
      boolean export =
          operands.size() <= 2 && !operands.isEmpty() && operands.get(0).equals("export");
      if (!validate && !export) {
        throw new UsageException("Usage: rules validate FILE, or rules export [FILE]");
      }
    } else if (command.equals("realign")) {
      if (operands.size() != 1 || !operands.get(0).equals("plan")) {
        throw new UsageException(
            "Usage: realign plan [--scope T] [--measure M] [--tolerance X] [--max-moved Y]"
                + " [--contiguity] [--out FILE] [--json]");
      }
    } else if (!operands.isEmpty()) {
      throw new UsageException(
          "Unexpected argument '" + operands.get(0) + "' for '" + command + "'");
    }
  }

  public boolean flag(String name) {
    return options.containsKey(name);
  }

  public Optional<String> option(String name) {
    return Optional.ofNullable(options.get(name));
  }

  /** An integer option, or {@code fallback}; a malformed value is a usage error. */
  public long longOption(String name, long fallback) {
    String value = options.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new UsageException("Option " + name + " needs a whole number, got '" + value + "'");
    }
  }

  /** A decimal option, or null when absent; a malformed value is a usage error. */
  public Double doubleOption(String name) {
    String value = options.get(name);
    if (value == null) {
      return null;
    }
    try {
      return Double.valueOf(value);
    } catch (NumberFormatException e) {
      throw new UsageException("Option " + name + " needs a number, got '" + value + "'");
    }
  }

  /** A bad command line; the message names the argument. */
  public static class UsageException extends RuntimeException {
    public UsageException(String message) {
      super(message);
    }
  }
}
