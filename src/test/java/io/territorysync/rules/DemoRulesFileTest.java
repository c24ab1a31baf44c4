package io.territorysync.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.territorysync.emulator.EmulatorSettings;
import io.territorysync.emulator.OrgEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * The committed demo rules file is the one the generator makes for the dev-mode demo org (5,000
 * accounts, seed 42). Run with {@code -Dterritory.regenerate-demo-rules=true} to rewrite it after
 * changing the generator.
 */
class DemoRulesFileTest {

  static final Path FILE = Path.of("src/main/resources/rules/demo-territory-rules.yaml");

  @Test
  void committedDemoRulesMatchTheDemoOrg() throws Exception {
    OrgEmulator emulator = new OrgEmulator(EmulatorSettings.defaults(), Clock.systemUTC(), 42);
    DemoOrg.Result demo = DemoOrg.generate(DemoOrg.Spec.of(5000, 42), emulator.org());
    String text = DemoRules.text(demo);
    if (Boolean.getBoolean("territory.regenerate-demo-rules")) {
      Files.createDirectories(FILE.getParent());
      Files.writeString(FILE, text);
    }
    assertTrue(
        Files.exists(FILE), "run with -Dterritory.regenerate-demo-rules=true to create " + FILE);
    assertEquals(
        text,
        Files.readString(FILE),
        "the demo rules file is out of step with the demo org: regenerate it");
    assertTrue(RulesReader.read(text, FILE.toString()).ok(), "and it reads back");
    emulator.shutdown();
  }
}
