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

  /** What to run. */
  public record RunRequest(
      String trigger, boolean full, boolean dryRun, boolean force, boolean syncOnly) {

    /** A whole run. */
    public RunRequest(String trigger, boolean full, boolean dryRun, boolean force) {
      this(trigger, full, dryRun, force, false);
    }
  }

  @Inject AgroalDataSource dataSource;
  @Inject RunRepository runs;
  @Inject ProducerTemplate template;
  @Inject SalesforceApi api;

  /**
   * Runs now, in this thread; throws {@link RunInProgressException} when another run holds the
   * lock.
   */
  public Run execute(RunRequest request) {
    Optional<RunLock> lock;
    try {
      lock = RunLock.tryAcquire(dataSource);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot take the run lock: " + e.getMessage(), e);
    }
    if (lock.isEmpty()) {
      String holder =
          runs.find("status = 'running' order by id desc")
              .firstResultOptional()
              .map(r -> "run " + r.id + " on " + r.owner)
              .orElse("another process");
      throw new RunInProgressException(
          "Another run is in progress (" + holder + "); try again when it has finished");
    }
    try (RunLock held = lock.get()) {
      int dead = runs.failOthersWhileHoldingTheLock();
      if (dead > 0) {
        LOG.warnf("Marked %d run(s) that died without finishing as failed", dead);
      }
      Run run =
          runs.start(request.trigger(), request.full(), request.dryRun(), request.force(), owner());
      RunContext context =
          new RunContext(
              run.id,
              request.full(),
              request.dryRun(),
              request.force(),
              request.syncOnly(),
              api.newBudget());
      long started = System.nanoTime();
      String status = "succeeded";
      String error = null;
      try {
        Exchange ex =
            template.request("direct:run", e -> e.setProperty(RunContext.PROPERTY, context));
        if (ex.getException() != null) {
          throw ex.getException();
        }
      } catch (Exception e) {
        status = "failed";
        error = message(e);
        if (cause(e, GuardStoppedException.class) != null) {
          status = "stopped_by_guard";
          error = cause(e, GuardStoppedException.class).getMessage();
        } else if (cause(e, RequestLimitExceededException.class) != null
            || cause(e, ApiBudgetExhaustedException.class) != null) {
          error = "stopped: " + error + "; what was already synced or written keeps its progress";
        }
      }
      if (error == null && context.partialReason() != null) {
        status = "partial";
        error = context.partialReason();
      }
      context.closeStage();
      long durationMs = (System.nanoTime() - started) / 1_000_000;
      Map<String, Object> summary = summary(run.id, status, context, durationMs);
      Run finished = runs.finish(run.id, status, summary, error, context.budget().used());
      if (error != null) {
        LOG.errorf("Run %d failed after %d ms: %s", run.id, durationMs, error);
      } else {
        LOG.infof(
            "Run %d %s in %d ms with %d API call(s)",
            run.id, status, durationMs, context.budget().used());
      }
      return finished;
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot release the run lock: " + e.getMessage(), e);
    }
  }

  /** The run summary in the shape of the {@code run --json} contract. */
  static Map<String, Object> summary(long runId, String status, RunContext c, long durationMs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("runId", runId);
    m.put("status", status);
    m.put("dryRun", c.dryRun());
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
    return m;
  }

  private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
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
