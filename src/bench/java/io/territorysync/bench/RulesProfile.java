package io.territorysync.bench;

import io.territorysync.rules.engine.AccountRecord;
import io.territorysync.rules.engine.CompiledRules;
import io.territorysync.rules.engine.EngineProfile;

/** Candidates per account and a timed single-thread loop, for looking at the engine with JFR. */
public final class RulesProfile {
  public static void main(String[] args) {
    int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    RulesBenchModel model = new RulesBenchModel(1000, accounts, RulesBenchmark.SEED);
    AccountRecord[] records = model.accounts.stream().map(model::record).toArray(AccountRecord[]::new);
    long[] c = EngineProfile.candidates(model.compiled, records);
    System.out.printf("candidates per account %.1f, matches per account %.2f, unanchored %d%n",
        c[0] / (double) accounts, c[1] / (double) accounts, model.compiled.unanchoredCount());
    CompiledRules.Scratch s = model.compiled.scratch();
    for (int round = 0; round < 10; round++) {
      long t0 = System.nanoTime();
      long n = 0;
      for (AccountRecord a : records) {
        n += model.compiled.assign(a, s).territories().length;
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf("round %d: %.0f accounts/s (%d)%n", round, accounts / secs, n);
    }
  }
}
