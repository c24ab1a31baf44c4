package io.territorysync.run;

import io.agroal.api.AgroalDataSource;
import io.territorysync.assignment.GuardStoppedException;
import io.territorysync.salesforce.ApiBudgetExhaustedException;
import io.territorysync.salesforce.RequestLimitExceededException;
import io.territorysync.salesforce.SalesforceApi;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.jboss.logging.Logger;

/**
 * Runs the pipeline once: takes the run lock, records the run, sends it through the {@code run}
 * route (sync, then the later stages) and records the outcome with its counts.
 */
@ApplicationScoped
public class RunService {

  private static final Logger LOG = Logger.getLogger(RunService.class);
  private static final java.util.concurrent.ScheduledExecutorService PROGRESS =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "territory-run-progress");
            t.setDaemon(true);
            return t;
          });

  /** What to run. */
  public record RunRequest(
      String trigger,
      boolean full,
      boolean dryRun,
      boolean force,
      boolean syncOnly,
      List<String> accounts) {

    /** A whole run. */
    public RunRequest(String trigger, boolean full, boolean dryRun, boolean force) {
      this(trigger, full, dryRun, force, false, null);
    }

    /** A whole run, or only its sync stage. */
    public RunRequest(
        String trigger, boolean full, boolean dryRun, boolean force, boolean syncOnly) {
      this(trigger, full, dryRun, force, syncOnly, null);
    }

    /** A mini-run for some accounts: fetch them fresh, assign them, write their changes. */
    public static RunRequest accounts(String trigger, List<String> accountIds) {
      return new RunRequest(trigger, false, false, false, false, List.copyOf(accountIds));
    }

    /** The same mini-run as a dry run: it plans, and writes nothing to the org. */
    public static RunRequest dryAccounts(String trigger, List<String> accountIds) {
      return new RunRequest(trigger, false, true, false, false, List.copyOf(accountIds));
    }
  }

  @Inject AgroalDataSource dataSource;
  @Inject RunRepository runs;
  @Inject ProducerTemplate template;
  @Inject SalesforceApi api;
  @Inject RunMetrics metrics;
  @Inject RunScope scope;
  @Inject RunStages stages;
  @Inject io.territorysync.sync.SyncConfig syncConfig;

  /** The run lock this thread holds ({@link #whileLocked}), which its run checks. */
  private static final ThreadLocal<RunLock> HELD = new ThreadLocal<>();

  /** The whole run this process is running, if any. */
  private volatile RunContext active;

  /** How many runs (whole or mini) this process is running; its monitor guards it. */
  private final int[] inProgress = new int[1];

  /**
   * Asks the whole run in progress in this process, if any, to stop at its next safe point; it ends
   * as {@code stopped} and a run queued in its place continues it (on any replica).
   */
  public void stopActive(String reason) {
    RunContext run = active;
    if (run != null) {
      LOG.infof("Run %d: stopping at the next safe point (%s)", run.runId(), reason);
      run.stop(reason);
    }
  }

  /**
   * Runs now, in this thread; throws {@link RunInProgressException} when another run holds the
   * lock.
   */
  public Run execute(RunRequest request) {
    return whileLocked(
            () -> {
              Run run =
                  request.accounts() != null
                      ? runs.startScoped(
                          request.trigger(), request.accounts(), request.dryRun(), owner())
                      : runs.start(
                          request.trigger(),
                          request.full(),
                          request.dryRun(),
                          request.force(),
                          owner());
              return runLocked(run.id, request);
            })
        .orElseThrow(
            () ->
                new RunInProgressException(
                    "Another run is in progress ("
                        + Optional.ofNullable(runs.running())
                            .map(r -> "run " + r.id + " on " + r.owner)
                            .orElse("another process")
                        + "); try again when it has finished"));
  }

  /**
   * Runs the oldest queued run if no run is in progress anywhere; empty when there is none queued
   * or another process holds the run lock (it stays queued).
   */
  public Optional<Run> executeNextQueued() {
    if (runs.nextQueued() == null) {
      return Optional.empty();
    }
    return whileLocked(
        () -> {
          Run next = runs.nextQueued();
          if (next == null || !runs.claim(next.id, owner())) {
            return null;
          }
          return runLocked(
              next.id,
              new RunRequest(next.trigger, next.fullSync, next.dryRun, next.forced, false, null));
        });
  }

  /**
   * Runs {@code body} while holding the run lock, if it is free: empty when another run holds it.
   */
  public <T> Optional<T> whileLocked(java.util.function.Supplier<T> body) {
    Optional<RunLock> lock = tryLock();
    if (lock.isEmpty()) {
      return Optional.empty();
    }
    try (RunLock held = lock.get()) {
      HELD.set(held);
      failDead();
      return Optional.ofNullable(body.get());
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot release the run lock: " + e.getMessage(), e);
    } finally {
      HELD.remove();
    }
  }

  /** Starts a scoped run; the caller holds the run lock ({@link #whileLocked}). */
  public Run executeLocked(RunRequest request) {
    Run run = runs.startScoped(request.trigger(), request.accounts(), request.dryRun(), owner());
    return runLocked(run.id, request);
  }

  private Optional<RunLock> tryLock() {
    try {
      return RunLock.tryAcquire(dataSource);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot take the run lock: " + e.getMessage(), e);
    }
  }

  private void failDead() {
    int dead = runs.failOthersWhileHoldingTheLock();
    if (dead > 0) {
      LOG.warnf("Marked %d run(s) that died without finishing as failed", dead);
    }
  }

  private Run runLocked(long runId, RunRequest request) {
    synchronized (inProgress) {
      inProgress[0]++;
    }
    try {
      return runCounted(runId, request);
    } finally {
      synchronized (inProgress) {
        inProgress[0]--;
        inProgress.notifyAll();
      }
    }
  }

  /**
   * Waits until no run of this process is in progress (each recorded with its outcome), at most
   * {@code timeout}; false when one still is. Shutdown calls it after {@link #stopActive}, whatever
   * thread the run is on (the dispatcher, or the main thread of the {@code run} command).
   */
  public boolean awaitIdle(java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (inProgress) {
      while (inProgress[0] > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(inProgress, left);
      }
      return true;
    }
  }

  private Run runCounted(long runId, RunRequest request) {
    RunContext context =
        new RunContext(
                runId,
                request.full(),
                request.dryRun(),
                request.force(),
                request.syncOnly(),
                api.newBudget())
            .scope(request.accounts())
            .lock(HELD.get());
    context.writesRecorded(since -> runs.endedCleanlySince(runId, since, syncConfig.overlap()));
    // until a run has evaluated every account, every run does: recording changes is wasted work
    context.changesTracked(scope.hasEvaluationBasis());
    long started = System.nanoTime();
    String status = "succeeded";
    String error = null;
    // whole runs report their progress (and heartbeat) every few seconds
    java.util.concurrent.ScheduledFuture<?> reporter =
        context.scoped()
            ? null
            : PROGRESS.scheduleWithFixedDelay(
                () -> {
                  try {
                    context.watchLock();
                    runs.progress(runId, context.progressSnapshot(), context.budget().used());
                  } catch (RuntimeException e) {
                    LOG.debugf("Run %d: progress not recorded: %s", runId, e.getMessage());
                  }
                },
                2,
                2,
                java.util.concurrent.TimeUnit.SECONDS);
    if (!context.scoped()) {
      active = context;
    }
    Throwable failure = null;
    try {
      Exchange ex =
          template.request("direct:run", e -> e.setProperty(RunContext.PROPERTY, context));
      if (ex.getException() != null) {
        throw ex.getException();
      }
    } catch (Exception e) {
      failure = e;
      stages.interrupted(context, e);
      status = "failed";
      error = message(e);
      if (context.lockLostReason() != null
          || cause(e, io.territorysync.database.LockLostException.class) != null) {
        error =
            (context.lockLostReason() != null
                    ? context.lockLostReason()
                    : cause(e, io.territorysync.database.LockLostException.class).getMessage())
                + "; stopped writing, the next run continues";
      } else if (context.stopReason() != null) {
        status = "stopped";
        error = "stopped at a safe point: " + context.stopReason();
      } else if (cause(e, GuardStoppedException.class) != null) {
        status = "stopped_by_guard";
        error = cause(e, GuardStoppedException.class).getMessage();
      } else if (cause(e, RequestLimitExceededException.class) != null
          || cause(e, ApiBudgetExhaustedException.class) != null) {
        error = "stopped: " + error + "; what was already synced or written keeps its progress";
      }
    } finally {
      // also when an Error escapes: a heartbeat left running would keep a dead run "alive"
      if (reporter != null) {
        reporter.cancel(false);
      }
      context.closeStage();
    }
    if (error == null && context.partialReason() != null) {
      status = "partial";
      error = context.partialReason();
    }
    active = null;
    boolean wroteItsPlan =
        !request.dryRun() && (status.equals("succeeded") || status.equals("partial"));
    if (wroteItsPlan && context.scoped()) {
      if (wrote(context)) {
        scope.accountsWritten(context.accounts());
      }
    } else if (!context.scoped() && !context.syncOnly()) {
      if (wroteItsPlan) {
        scope.complete(context);
      } else {
        scope.abandon(context);
      }
    }
    if (status.equals("stopped")) {
      // Queued before the lock is released, so another replica takes it up at once.
      long next =
          runs.enqueue("resume", request.full(), request.dryRun(), request.force()).run().id;
      error += "; run " + next + " continues it";
    }
    long durationMs = (System.nanoTime() - started) / 1_000_000;
    Map<String, Object> summary = summary(runId, status, context, durationMs);
    Run finished = runs.finish(runId, status, summary, error, context.budget().used());
    metrics.finished(request.trigger(), status, context);
    if (status.equals("stopped")) {
      LOG.warnf("Run %d %s after %d ms: %s", runId, status, durationMs, error);
    } else if (failure != null && !expected(failure)) {
      // a bug, not a refusal by the org or bad rules: keep the stack trace
      LOG.errorf(failure, "Run %d %s after %d ms: %s", runId, status, durationMs, error);
    } else if (error != null) {
      LOG.errorf("Run %d %s after %d ms: %s", runId, status, durationMs, error);
    } else if (context.scoped()) {
      LOG.debugf(
          "Run %d (%d account(s)) %s in %d ms with %d API call(s)",
          runId, context.accounts().size(), status, durationMs, context.budget().used());
    } else {
      LOG.infof(
          "Run %d %s in %d ms with %d API call(s)",
          runId, status, durationMs, context.budget().used());
    }
    return finished;
  }

  /** The run summary in the shape of the {@code run --json} contract. */
  static Map<String, Object> summary(long runId, String status, RunContext c, long durationMs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("runId", runId);
    m.put("status", status);
    m.put("dryRun", c.dryRun());
    if (c.scoped()) {
      m.put("accounts", c.accounts());
    }
    if (!c.scoped() && !c.syncOnly() && c.wholeEvaluation() != null) {
      m.put("scope", RunScope.summary(c));
    }
    m.put("synced", new TreeMap<>(c.synced()));
    m.put("deleted", new TreeMap<>(c.deleted()));
    m.put("assignments", c.assignments());
    m.put("opportunities", c.opportunities());
    m.put("users", c.users());
    m.put("rollups", c.rollups());
    m.put("stages", c.stages());
    m.putAll(c.reports());
    m.put("apiCalls", c.budget().used());
    m.put("durationMs", durationMs);
    // time spent waiting on Salesforce (responses, Bulk job polling); the rest is the app's own
    m.put("salesforceWaitMs", c.budget().waitedMs());
    return m;
  }

  /** Whether a run wrote any association or opportunity territory. */
  private static boolean wrote(RunContext c) {
    return c.assignments().getOrDefault("added", 0L)
            + c.assignments().getOrDefault("removed", 0L)
            + c.opportunities().getOrDefault("updated", 0L)
        > 0;
  }

  private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** Failures whose message says it all: the org, the rules, the guard or the database. */
  private static boolean expected(Throwable e) {
    return cause(e, io.territorysync.salesforce.SalesforceCallException.class) != null
        || cause(e, io.territorysync.rules.RulesException.class) != null
        || cause(e, GuardStoppedException.class) != null
        || cause(e, java.sql.SQLException.class) != null
        || cause(e, RunInProgressException.class) != null
        || cause(e, io.territorysync.database.LockLostException.class) != null
        || cause(e, RequestLimitExceededException.class) != null
        || cause(e, ApiBudgetExhaustedException.class) != null;
  }

  private static String message(Throwable e) {
    Throwable t = e;
    while ((t.getMessage() == null
            || t instanceof org.apache.camel.CamelExecutionException
            || t instanceof org.apache.camel.RuntimeCamelException)
        && t.getCause() != null
        && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static String owner() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "unknown-host";
    }
    return host + "/" + ManagementFactory.getRuntimeMXBean().getPid();
  }
}
