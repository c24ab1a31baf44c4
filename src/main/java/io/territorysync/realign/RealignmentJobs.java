package io.territorysync.realign;

import io.territorysync.rules.RulesConfig;
import io.territorysync.rules.RulesService;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * proposal is published by writing it over the configured rules file and reloading the rules.
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
  @Inject RulesConfig rulesConfig;

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
   * Puts {@code job}'s proposal in force: writes it over the configured rules file (the previous
   * file is kept beside it as {@code .previous}) and reloads the rules.
   */
  public RulesService.LoadResult publish(Job job) throws IOException, SQLException {
    Realignment.Proposal p =
        job.proposal().orElseThrow(() -> new IllegalStateException("the plan has no proposal"));
    if (!p.valid()) {
      throw new IllegalStateException(
          "the proposal does not validate: " + p.report().get("problems"));
    }
    if (rulesConfig.source().equalsIgnoreCase("org")) {
      throw new IllegalStateException(
          "the rules come from the org (territory.rules.source=org): export them to a file first");
    }
    String location =
        rulesConfig
            .file()
            .orElseThrow(() -> new IllegalStateException("territory.rules.file is not set"));
    if (location.startsWith("classpath:")) {
      throw new IllegalStateException(
          "the rules file is a classpath resource ("
              + location
              + "); set territory.rules.file to a writable file to publish");
    }
    Path file = Path.of(location);
    if (Files.exists(file)) {
      Files.copy(
          file,
          file.resolveSibling(file.getFileName() + ".previous"),
          StandardCopyOption.REPLACE_EXISTING);
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, p.rules());
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    RulesService.LoadResult result = rules.reload();
    if (result.ok()) {
      job.publishedAt = Instant.now();
    }
    return result;
  }

  @PreDestroy
  void stop() {
    executor.shutdownNow();
  }
}
