package io.territorysync.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.territorysync.rules.engine.CompiledRules;
import io.territorysync.rules.engine.RuleCompiler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every hostile rules file is refused by reading and checking alone, with a clear message at its
 * line and column, and without exhausting memory or the stack.
 */
class HostileRulesTest {

  static Stream<HostileRules.Case> hostile() {
    return HostileRules.all().stream();
  }

  /** Decoding, reading and checking against the org, as {@code rules validate} does. */
  static List<RuleProblem> errors(byte[] bytes) {
    String text;
    try {
      text = RulesReader.decode(bytes, StandardCharsets.UTF_8);
    } catch (RulesReader.Undecodable e) {
      return List.of(e.problem());
    }
    RulesReader.Result read = RulesReader.read(text, "hostile.yaml");
    List<RuleProblem> out = new ArrayList<>(read.problems());
    if (read.ok()) {
      out.addAll(RuleCompiler.compile(read.rules(), ValidationTest.CTX).problems());
    }
    out.removeIf(RuleProblem::warning);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void isRefusedWithAClearMessageAtItsPosition(HostileRules.Case hostile) {
    List<RuleProblem> errors = errors(hostile.bytes());
    assertFalse(errors.isEmpty(), hostile.name() + " was accepted");
    RuleProblem named =
        errors.stream()
            .filter(p -> p.message().contains(hostile.says()))
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        hostile.name() + ": no error says '" + hostile.says() + "': " + errors));
    if (hostile.line() > 0) {
      assertEquals(hostile.line(), named.pos().line(), hostile.name() + ": " + named);
    }
    if (hostile.column() > 0) {
      assertEquals(hostile.column(), named.pos().column(), hostile.name() + ": " + named);
    }
    assertTrue(named.message().length() < 500, "the message stays short: " + named.message());
  }

  @Test
  void theSuiteHoldsAtLeastThirtyFiles() {
    assertTrue(HostileRules.all().size() >= 30);
  }

  @Test
  void aCatastrophicPatternMatchesALongValueWithoutOverflowingTheStack() {
    // with java.util.regex, (a|b)* on 200,000 characters overflows the stack and (.*a){12}z
    // backtracks for hours; RE2 matches both in time linear in the value
    String yaml =
        "model: Global_Sales\nterritories:\n  US_West:\n    rules:\n"
            + "      - criteria: [{field: Name, operation: matches, value: '(a|b)*'}]\n"
            + "  US_East:\n    rules:\n"
            + "      - criteria: [{field: Name, operation: matches, value: '(.*a){12}z'}]\n";
    CompiledRules rules = EngineTest.compile(yaml);
    java.util.Set<String> matched =
        EngineTest.assign(rules, java.util.Map.of("Name", "ab".repeat(100_000)));
    assertEquals(java.util.Set.of("US_West"), matched);
  }
}
