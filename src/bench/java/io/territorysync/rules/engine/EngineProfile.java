package io.territorysync.rules.engine;

/** Engine internals for profiling: how many candidates an account gets and how many match. */
public final class EngineProfile {

  private EngineProfile() {}

  /** {candidates, matches} summed over {@code records}. */
  public static long[] candidates(CompiledRules rules, AccountRecord[] records) {
    CompiledRules.Scratch s = rules.scratch();
    long candidates = 0;
    long matches = 0;
    for (AccountRecord a : records) {
      matches += rules.assign(a, s).territories().length;
      candidates += s.candidateCount();
    }
    return new long[] {candidates, matches};
  }
}
