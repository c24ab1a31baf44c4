package io.territorysync.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.territorysync.rules.engine.CompiledRules;
import io.territorysync.rules.engine.RuleCompiler;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The indexed engine and the plain reference interpreter agree on random rule sets and accounts.
 */
class DifferentialTest {

  @Test
  void engineAgreesWithTheReferenceInterpreter() {
    int sets = 400;
    int accountsPerSet = 250;
    long comparisons = 0;
    long assigned = 0;
    for (int setIndex = 0; setIndex < sets; setIndex++) {
      final int s = setIndex;
      RandomRules random = new RandomRules(1000L + s, 12 + s % 30, accountsPerSet);
      RuleSet set = random.ruleSet();
      RuleCompiler.Compilation compilation = RuleCompiler.compile(set, random.ctx);
      assertTrue(compilation.ok(), () -> "seed " + s + ": " + compilation.errors());
      CompiledRules engine = compilation.rules();
      ReferenceEvaluator reference = new ReferenceEvaluator(set, random.ctx);
      CompiledRules.Scratch scratch = engine.scratch();
      for (int i = 0; i < accountsPerSet; i++) {
        Map<String, Object> account = random.account(i);
        Set<String> expected = reference.territoriesOf(account);
        CompiledRules.Assignment got =
            engine.assign(RandomRules.record(account, engine.slots()), scratch);
        Set<String> actual = new HashSet<>();
        for (int t : got.territories()) {
          actual.add(engine.territory(t).developerName());
        }
        final int seed = s;
        final int index = i;
        assertEquals(
            expected,
            actual,
            () -> "seed " + seed + " account " + index + " " + account + "\nrules: " + set);
        comparisons++;
        assigned += actual.size();
      }
    }
    assertTrue(
        assigned > comparisons / 4,
        "the random sets do assign accounts: " + assigned + " of " + comparisons);
  }
}
