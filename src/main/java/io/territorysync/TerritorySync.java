package io.territorysync;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.territorysync.cli.CommandLine;
import io.territorysync.cli.Commands;
import io.territorysync.emulator.EmulatorServer;
import jakarta.inject.Inject;

/** Entry point of the packaged app: dispatches the command named on the command line. */
@QuarkusMain
public class TerritorySync implements QuarkusApplication {

  @Inject Commands commands;

  public static void main(String... args) {
    CommandLine line;
    try {
      line = CommandLine.parse(args);
    } catch (CommandLine.UsageException e) {
      System.err.println(e.getMessage());
      System.err.println();
      System.err.println(CommandLine.USAGE);
      System.exit(2);
      return;
    }
    if (line.command().equals("help")) {
      System.out.println(CommandLine.USAGE);
      return;
    }
    if (line.command().equals("emulator")) {
      // The emulator needs neither the database nor the pipeline: it runs without Quarkus.
      System.exit(EmulatorServer.run(line));
      return;
    }
    Commands.prepare(line);
    Quarkus.run(TerritorySync.class, args);
  }

  @Override
  public int run(String... args) {
    return commands.execute(CommandLine.parse(args));
  }
}
