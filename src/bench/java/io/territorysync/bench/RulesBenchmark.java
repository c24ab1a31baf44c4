package io.territorysync.bench;

import io.territorysync.rules.engine.AccountRecord;
import io.territorysync.rules.engine.CompiledRules;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.drools.model.codegen.ExecutableModelProject;
import org.kie.api.KieBase;
import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.Message;
import org.kie.api.runtime.KieSession;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Rules engine throughput: accounts per second through the compiled engine and, as the baseline,
 * through Drools with the same rules as DRL, on 1 and 2 threads. Before timing, both engines
 * evaluate a sample of accounts and must agree on every assignment.
 *
 * <p>Arguments: {@code [accounts] [territories]}, default {@code 1000000 1000}.
 */
public class RulesBenchmark {

  static final long SEED = 20261129L;
  static final int ENGINE_CHUNK = 10_000;
  static final int DROOLS_CHUNK = 2_000;

  static int accounts() {
    return Integer.getInteger("bench.accounts", 1_000_000);
  }

  static int territories() {
    return Integer.getInteger("bench.territories", 1_000);
  }

  /** The compiled engine and every account as it reads them. */
  @State(Scope.Benchmark)
  public static class Engine {
    CompiledRules rules;
    AccountRecord[] records;
    final AtomicInteger threads = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp() {
      RulesBenchModel model = new RulesBenchModel(territories(), accounts(), SEED);
      rules = model.compiled;
      records = model.accounts.stream().map(model::record).toArray(AccountRecord[]::new);
    }
  }

  /** One thread's scratch space and place in the accounts. */
  @State(Scope.Thread)
  public static class EngineThread {
    CompiledRules.Scratch scratch;
    int next;

    @Setup(Level.Trial)
    public void setUp(Engine engine) {
      scratch = engine.rules.scratch();
      next = (engine.threads.getAndIncrement() * 499_979) % engine.records.length;
    }
  }

  /** Drools with the same rules, and every account as its fact. */
  @State(Scope.Benchmark)
  public static class Drools {
    KieBase base;
    DroolsAccount[] facts;
    final AtomicInteger threads = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp() {
      RulesBenchModel model = new RulesBenchModel(territories(), accounts(), SEED);
      base = kieBase(model.drl);
      facts = model.accounts.stream().map(DroolsAccount::new).toArray(DroolsAccount[]::new);
    }
  }

  /** One thread's place in the facts; threads work on disjoint slices. */
  @State(Scope.Thread)
  public static class DroolsThread {
    int from;
    int to;
    int next;

    @Setup(Level.Trial)
    public void setUp(Drools drools) {
      int n = drools.facts.length / 2;
      from = drools.threads.getAndIncrement() % 2 * n;
      to = from + n;
      next = from;
    }
  }

  static KieBase kieBase(String drl) {
    KieServices ks = KieServices.Factory.get();
    KieFileSystem kfs = ks.newKieFileSystem();
    kfs.write("src/main/resources/io/territorysync/bench/territories.drl", drl);
    KieBuilder builder = ks.newKieBuilder(kfs).buildAll(ExecutableModelProject.class);
    List<Message> errors = builder.getResults().getMessages(Message.Level.ERROR);
    if (!errors.isEmpty()) {
      throw new IllegalStateException("DRL does not build: " + errors.subList(0, 1));
    }
    return ks.newKieContainer(ks.getRepository().getDefaultReleaseId()).getKieBase();
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(ENGINE_CHUNK)
  public void territorySync(Engine engine, EngineThread thread, Blackhole bh) {
    AccountRecord[] records = engine.records;
    int i = thread.next;
    for (int k = 0; k < ENGINE_CHUNK; k++) {
      bh.consume(engine.rules.assign(records[i], thread.scratch));
      if (++i == records.length) {
        i = 0;
      }
    }
    thread.next = i;
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(DROOLS_CHUNK)
  public void drools(Drools drools, DroolsThread thread, Blackhole bh) {
    KieSession session = drools.base.newKieSession();
    try {
      int i = thread.next;
      for (int k = 0; k < DROOLS_CHUNK; k++) {
        DroolsAccount a = drools.facts[i];
        a.reset();
        session.insert(a);
        if (++i == thread.to) {
          i = thread.from;
        }
      }
      thread.next = i;
      bh.consume(session.fireAllRules());
    } finally {
      session.dispose();
    }
  }

  /** Both engines on {@code sample} accounts: the number of accounts whose territories differ. */
  static void agree(int sample) {
    RulesBenchModel model = new RulesBenchModel(territories(), sample, SEED);
    KieBase base = kieBase(model.drl);
    CompiledRules.Scratch scratch = model.compiled.scratch();
    KieSession session = base.newKieSession();
    DroolsAccount[] facts = new DroolsAccount[sample];
    for (int i = 0; i < sample; i++) {
      facts[i] = new DroolsAccount(model.accounts.get(i));
      session.insert(facts[i]);
    }
    session.fireAllRules();
    session.dispose();
    long assignments = 0;
    int unassigned = 0;
    int differ = 0;
    for (int i = 0; i < sample; i++) {
      Map<String, Object> a = model.accounts.get(i);
      int[] ours =
          Arrays.stream(model.compiled.assign(model.record(a), scratch).territories())
              .map(t -> Integer.parseInt(model.compiled.territory(t).developerName().substring(1)))
              .sorted()
              .toArray();
      int[] theirs = facts[i].territories();
      if (!Arrays.equals(ours, theirs)) {
        if (differ++ < 5) {
          System.out.printf(
              "differ on %s: engine %s, Drools %s%n",
              a, Arrays.toString(ours), Arrays.toString(theirs));
        }
      }
      assignments += ours.length;
      unassigned += ours.length == 0 ? 1 : 0;
    }
    System.out.printf(
        "model: %d territories, %d criteria; sample of %d accounts: %.2f territories per account,"
            + " %.1f%% in none; engines differ on %d%n",
        model.compiled.territories().size(),
        model.criteria,
        sample,
        assignments / (double) sample,
        100.0 * unassigned / sample,
        differ);
    if (differ > 0) {
      throw new IllegalStateException("the engines disagree: the baseline is not the same rules");
    }
  }

  public static void main(String[] args) throws Exception {
    int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int territories = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    System.setProperty("bench.territories", Integer.toString(territories));
    agree(50_000);
    StringBuilder summary = new StringBuilder();
    for (int threads : new int[] {1, 2}) {
      Options options =
          new OptionsBuilder()
              .include(RulesBenchmark.class.getName() + "\\.")
              .forks(1)
              .threads(threads)
              .warmupIterations(3)
              .warmupTime(TimeValue.seconds(3))
              .measurementIterations(5)
              .measurementTime(TimeValue.seconds(3))
              .jvmArgs(
                  "-Xmx8g",
                  "-XX:+UseParallelGC",
                  "-Dbench.accounts=" + accounts,
                  "-Dbench.territories=" + territories)
              .build();
      for (RunResult r : new Runner(options).run()) {
        summary.append(
            String.format(
                "%-14s threads=%d  %,12.0f accounts/s  (± %,.0f)%n",
                r.getParams().getBenchmark().replaceAll(".*\\.", ""),
                threads,
                r.getPrimaryResult().getScore(),
                r.getPrimaryResult().getScoreError()));
      }
    }
    System.out.println();
    System.out.printf(
        "accounts=%d territories=%d cores=%d%n",
        accounts, territories, Runtime.getRuntime().availableProcessors());
    System.out.print(summary);
  }
}
