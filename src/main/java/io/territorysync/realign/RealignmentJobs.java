package io.territorysync.realign;

import io.territorysync.rules.RulesService;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Realignment plans started from the admin API: one at a time, in the background, with their
 * progress; the proposals stay in memory until the service restarts (a plan is cheap to redo). A
 * proposal is published through the rules' own publication (versioned, logged, on every replica).
 */
@ApplicationScoped
public class RealignmentJobs {

  private static final Logger LOG = Logger.getLogger(RealignmentJobs.class);
  private static final int KEEP = 20;

  /** A plan and where it is. */
  public static final class Job {
    public final long id;
    public final Realignment.Request request;
    public final Instant startedAt = Instant.now();
    volatile String status = "running";
    volatile String phase = "queued";
    volatile double done;
    volatile String best;
    volatile String error;
    volatile Instant finishedAt;
    volatile Realignment.Proposal proposal;
    volatile Instant publishedAt;

    Job(long id, Realignment.Request request) {
      this.id = id;
      this.request = request;
    }

    public Optional<Realignment.Proposal> proposal() {
      return Optional.ofNullable(proposal);
    }

    public boolean running() {
      return status.equals("running");
    }

    /** The job as the API shows it. */
    public Map<String, Object> view() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", id);
      m.put("status", status);
      m.put("phase", phase);
      m.put("progress", Math.round(done * 100) / 100.0);
      m.put("bestScore", best);
      m.put("startedAt", startedAt.toString());
      m.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
      m.put("publishedAt", publishedAt == null ? null : publishedAt.toString());
      m.put("error", error);
      Map<String, Object> req = new LinkedHashMap<>();
      req.put("scope", request.scope());
      req.put("measure", request.measure().label());
      req.put("tolerance", request.tolerance());
      req.put("maxMoved", request.maxMoved());
      req.put("contiguity", request.contiguity());
      m.put("request", req);
      m.put("report", proposal == null ? null : proposal.report());
      return m;
    }
  }

  @Inject Realignment realignment;
  @Inject RulesService rules;

  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, Job> jobs = new ConcurrentHashMap<>();
  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "realignment");
            t.setDaemon(true);
            return t;
          });

  /** Starts a plan, unless one is running (then empty). */
  public synchronized Optional<Job> start(Realignment.Request request) {
    if (jobs.values().stream().anyMatch(Job::running)) {
      return Optional.empty();
    }
    Job job = new Job(ids.incrementAndGet(), request);
    jobs.put(job.id, job);
    jobs.keySet().removeIf(id -> id <= job.id - KEEP);
    executor.submit(() -> run(job));
    return Optional.of(job);
  }

  private void run(Job job) {
    try {
      job.proposal =
          realignment.plan(
              job.request,
              (phase, done, best) -> {
                job.phase = phase;
                job.done = done;
                if (best != null) {
                  job.best = best.toString();
                }
              });
      job.status = "done";
    } catch (Exception | LinkageError e) {
      LOG.warnf(e, "Realignment %d failed", job.id);
      job.error = e.getMessage() == null ? e.toString() : e.getMessage();
      job.status = "failed";
    } finally {
      job.finishedAt = Instant.now();
    }
  }

  public Optional<Job> get(long id) {
    return Optional.ofNullable(jobs.get(id));
  }

  public Optional<Job> latest() {
    return jobs.values().stream().max(java.util.Comparator.comparingLong(j -> j.id));
  }

  /**
   * Publishes {@code job}'s proposal as the rules in force (for every replica, logged with {@code
   * by}), unless other rules were put in force since the plan started from its version: then
   * nothing changes ({@link RulesService.Outcome#CONFLICT}).
   */
  public RulesService.Change publish(Job job, String by) throws SQLException {
    Realignment.Proposal p =
        job.proposal().orElseThrow(() -> new IllegalStateException("the plan has no proposal"));
    Object version = p.report().get("rulesVersion");
    RulesService.Change change =
        rules.publish(
            p.rules(),
            by,
            "realignment proposal " + job.id,
            version instanceof Number n ? n.longValue() : null);
    if (change.ok()) {
      job.publishedAt = Instant.now();
    }
    return change;
  }

  @PreDestroy
  void stop() {
    executor.shutdownNow();
  }
}
