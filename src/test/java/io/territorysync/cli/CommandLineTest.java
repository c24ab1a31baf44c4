package io.territorysync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommandLineTest {

  @Test
  void noArgumentMeansServe() {
    assertEquals("serve", CommandLine.parse().command());
    assertEquals("serve", CommandLine.parse("").command(), "dev mode passes an empty argument");
  }

  @Test
  void runTakesItsFlags() {
    CommandLine line = CommandLine.parse("run", "--full", "--json");
    assertEquals("run", line.command());
    assertTrue(line.flag("--full"));
    assertTrue(line.flag("--json"));
    assertFalse(line.flag("--dry-run"));
  }

  @Test
  void emulatorTakesValuedOptionsInBothForms() {
    CommandLine line = CommandLine.parse("emulator", "--port", "8089", "--accounts=1000");
    assertEquals(8089, line.longOption("--port", 0));
    assertEquals(1000, line.longOption("--accounts", 0));
    assertEquals(42, line.longOption("--seed", 42));
  }

  @Test
  void rulesValidateNeedsAFile() {
    CommandLine line = CommandLine.parse("rules", "validate", "rules.yaml");
    assertEquals(List.of("validate", "rules.yaml"), line.operands());
    assertThrows(CommandLine.UsageException.class, () -> CommandLine.parse("rules", "validate"));
    assertThrows(CommandLine.UsageException.class, () -> CommandLine.parse("rules", "check", "f"));
  }

  @Test
  void realignPlanTakesItsOptions() {
    CommandLine line =
        CommandLine.parse(
            "realign",
            "plan",
            "--scope",
            "NA_US_West",
            "--tolerance=0.15",
            "--max-moved",
            "0.02",
            "--measure",
            "potential",
            "--contiguity",
            "--out",
            "p.yaml",
            "--json");
    assertEquals("NA_US_West", line.option("--scope").orElseThrow());
    assertEquals(0.15, line.doubleOption("--tolerance"));
    assertEquals(0.02, line.doubleOption("--max-moved"));
    assertTrue(line.flag("--contiguity"));
    assertEquals(null, CommandLine.parse("realign", "plan").doubleOption("--tolerance"));
    assertThrows(CommandLine.UsageException.class, () -> CommandLine.parse("realign"));
    assertThrows(CommandLine.UsageException.class, () -> CommandLine.parse("realign", "apply"));
    assertThrows(
        CommandLine.UsageException.class,
        () ->
            CommandLine.parse("realign", "plan", "--tolerance", "ten").doubleOption("--tolerance"));
  }

  @Test
  void rejectsUnknownCommandsAndOptionsByName() {
    var e = assertThrows(CommandLine.UsageException.class, () -> CommandLine.parse("sync"));
    assertTrue(e.getMessage().contains("'sync'"));
    e = assertThrows(CommandLine.UsageException.class, () -> CommandLine.parse("run", "--fast"));
    assertTrue(e.getMessage().contains("--fast"));
    e =
        assertThrows(
            CommandLine.UsageException.class, () -> CommandLine.parse("emulator", "--port"));
    assertTrue(e.getMessage().contains("needs a value"));
    e =
        assertThrows(
            CommandLine.UsageException.class,
            () -> CommandLine.parse("emulator", "--port", "x").longOption("--port", 0));
    assertTrue(e.getMessage().contains("whole number"));
  }
}
