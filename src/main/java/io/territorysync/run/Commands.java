package io.territorysync.run;

import io.quarkus.runtime.Quarkus;
import io.territorysync.database.SchemaMigration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/** Runs the commands of the packaged app once Quarkus has started. */
@ApplicationScoped
public class Commands {

  /** System property holding the command's name, for beans that behave differently per command. */
  public static final String COMMAND_PROPERTY = "territory.command";

  @Inject SchemaMigration migration;

  /**
   * Sets what must be known before Quarkus starts: one-shot commands open no HTTP port (so they can
   * run beside the service) and keep stdout for their own output.
   */
  public static void prepare(CommandLine line) {
    System.setProperty(COMMAND_PROPERTY, line.command());
    if (!line.command().equals("serve")) {
      System.setProperty("quarkus.http.host-enabled", "false");
      System.setProperty("quarkus.log.console.stderr", "true");
    }
  }

  /** The command this process was started with ({@code serve} in dev mode and tests). */
  public static String current() {
    return System.getProperty(COMMAND_PROPERTY, "serve");
  }

  /** Runs {@code line}; the result is the process exit code. */
  public int execute(CommandLine line) {
    Optional<String> problem = migration.failure();
    if (problem.isPresent()) {
      System.err.println("ERROR " + problem.get());
      return 1;
    }
    return switch (line.command()) {
      case "serve" -> {
        Quarkus.waitForExit();
        yield 0;
      }
      default -> notAvailable(line.command());
    };
  }

  private static int notAvailable(String command) {
    System.err.println("The '" + command + "' command is not available yet.");
    return 3;
  }
}
