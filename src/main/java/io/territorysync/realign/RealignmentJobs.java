package io.territorysync.realign;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.territorysync.database.AdvisoryLock;
import io.territorysync.rules.RulesService;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Realignment plans started from the admin API and the console: one at a time across replicas
 * (advisory lock {@value #LOCK_ID}), in the background, with their progress. Plans and proposals
 * are rows of {@code realign_proposal}, so every replica shows them and they survive a restart; the
 * newest {@code territory.realign.keep} are kept. A proposal is published through the rules' own
 * publication (versioned, logged, on every replica), which refuses it when other rules were put in
 * force since it was planned.
 */
@ApplicationScoped
public class RealignmentJobs {

  private static final Logger LOG = Logger.getLogger(RealignmentJobs.class);

  /** Second key of the advisory lock held while a plan runs (runs 1, change events 2). */
  static final int LOCK_ID = 3;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long PROGRESS_EVERY_MS = 1000;
  private static final String ABANDONED =
      "abandoned: the service planning it stopped before the plan finished";

  /** A plan and where it is. */
  public static final class Job {
    public final long id;
    public final Realignment.Request request;
    public final Instant startedAt;
    public final String createdBy;
    volatile String status = "running";
    volatile String phase = "queued";
    volatile double done;
    volatile String best;
    volatile String error;
    volatile Instant finishedAt;
    volatile Realignment.Proposal proposal;
    volatile Instant publishedAt;
    private volatile long savedAt;

    Job(long id, Realignment.Request request, String createdBy, Instant startedAt) {
      this.id = id;
      this.request = request;
      this.createdBy = createdBy;
      this.startedAt = startedAt;
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
      m.put("createdBy", createdBy);
      m.put("startedAt", startedAt.toString());
      m.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
      m.put("publishedAt", publishedAt == null ? null : publishedAt.toString());
      m.put("error", error);
      m.put("request", requestMap(request));
      m.put("report", proposal == null ? null : proposal.report());
      return m;
    }
  }

  @Inject Realignment realignment;
  @Inject RulesService rules;
  @Inject AgroalDataSource dataSource;
  @Inject RealignConfig config;

  /** The plan this replica runs, if any: its progress is newer here than in the database. */
  private volatile Job running;

  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "realignment");
            t.setDaemon(true);
            return t;
          });

  /** Starts a plan for {@code by}, unless one is running on any replica (then empty). */
  public synchronized Optional<Job> start(Realignment.Request request, String by)
      throws SQLException {
    Optional<AdvisoryLock> taken = AdvisoryLock.tryAcquire(dataSource, LOCK_ID);
    if (taken.isEmpty()) {
      return Optional.empty();
    }
    AdvisoryLock lock = taken.get();
    Job job;
    try {
      job = insert(request, by);
    } catch (SQLException | RuntimeException e) {
      lock.close();
      throw e;
    }
    running = job;
    executor.submit(() -> run(job, lock));
    return Optional.of(job);
  }

  private Job insert(Realignment.Request request, String by) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      // this replica holds the lock: a plan still marked running elsewhere died with its replica
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE realign_proposal SET status = 'failed', error = ?, finished_at = now()"
                  + " WHERE status = 'running'")) {
        ps.setString(1, ABANDONED);
        ps.executeUpdate();
      }
      Job job;
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO realign_proposal (request, created_by) VALUES (CAST(? AS jsonb), ?)"
                  + " RETURNING id, created_at")) {
        ps.setString(1, json(requestMap(request)));
        ps.setString(2, by);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          job = new Job(rs.getLong(1), request, by, rs.getTimestamp(2).toInstant());
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "DELETE FROM realign_proposal WHERE status <> 'running' AND id NOT IN"
                  + " (SELECT id FROM realign_proposal ORDER BY id DESC LIMIT ?)")) {
        ps.setInt(1, Math.max(1, config.keep()));
        ps.executeUpdate();
      }
      return job;
    }
  }

  private void run(Job job, AdvisoryLock lock) {
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
                saveProgress(job);
              });
      job.status = "done";
    } catch (Exception | LinkageError e) {
      LOG.warnf(e, "Realignment %d failed", job.id);
      job.error = e.getMessage() == null ? e.toString() : e.getMessage();
      job.status = "failed";
    } finally {
      job.finishedAt = Instant.now();
      try {
        saveEnd(job);
      } catch (SQLException | RuntimeException e) {
        LOG.errorf(e, "Realignment %d: its outcome cannot be stored", job.id);
      }
      running = null;
      try {
        lock.close();
      } catch (SQLException e) {
        LOG.warnf(e, "Realignment %d: releasing the plan lock", job.id);
      }
    }
  }

  /** The progress for the other replicas, at most once a second. */
  private void saveProgress(Job job) {
    long now = System.currentTimeMillis();
    if (now - job.savedAt < PROGRESS_EVERY_MS) {
      return;
    }
    job.savedAt = now;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE realign_proposal SET phase = ?, progress = ?, best_score = ?"
                    + " WHERE id = ? AND status = 'running'")) {
      ps.setString(1, job.phase);
      ps.setDouble(2, job.done);
      ps.setString(3, job.best);
      ps.setLong(4, job.id);
      ps.executeUpdate();
    } catch (SQLException e) {
      LOG.debugf("Realignment %d: progress not stored (%s)", job.id, e);
    }
  }

  private void saveEnd(Job job) throws SQLException {
    Realignment.Proposal p = job.proposal;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE realign_proposal SET status = ?, phase = ?, progress = ?, best_score = ?,"
                    + " error = ?, report = CAST(? AS jsonb), rules = ?, valid = ?,"
                    + " finished_at = ? WHERE id = ?")) {
      ps.setString(1, job.status);
      ps.setString(2, job.phase);
      ps.setDouble(3, job.done);
      ps.setString(4, job.best);
      ps.setString(5, job.error);
      ps.setString(6, p == null ? null : json(p.report()));
      ps.setString(7, p == null ? null : p.rules());
      if (p == null) {
        ps.setNull(8, java.sql.Types.BOOLEAN);
      } else {
        ps.setBoolean(8, p.valid());
      }
      ps.setTimestamp(9, Timestamp.from(job.finishedAt));
      ps.setLong(10, job.id);
      ps.executeUpdate();
    }
  }

  /** Plan {@code id}: this replica's running plan, else as stored. */
  public Optional<Job> get(long id) throws SQLException {
    Job r = running;
    if (r != null && r.id == id) {
      return Optional.of(r);
    }
    return load("WHERE id = ?", id);
  }

  /** The newest plan. */
  public Optional<Job> latest() throws SQLException {
    Job r = running;
    Optional<Job> stored = load("ORDER BY id DESC LIMIT 1", null);
    return r != null && (stored.isEmpty() || stored.get().id <= r.id) ? Optional.of(r) : stored;
  }

  private Optional<Job> load(String where, Long id) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, status, phase, progress, best_score, error, request::text,"
                    + " report::text, rules, valid, created_by, created_at, finished_at,"
                    + " published_at, status = 'running' AND NOT EXISTS (SELECT 1 FROM pg_locks"
                    + " WHERE locktype = 'advisory' AND granted AND classid::bigint = ?"
                    + " AND objid::bigint = ? AND objsubid = 2) FROM realign_proposal "
                    + where)) {
      ps.setLong(1, AdvisoryLock.CLASS_ID);
      ps.setLong(2, LOCK_ID);
      if (id != null) {
        ps.setLong(3, id);
      }
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        Job job =
            new Job(
                rs.getLong(1),
                request(rs.getString(7)),
                rs.getString(11),
                rs.getTimestamp(12).toInstant());
        job.status = rs.getString(2);
        job.phase = rs.getString(3);
        job.done = rs.getDouble(4);
        job.best = rs.getString(5);
        job.error = rs.getString(6);
        String report = rs.getString(8);
        if (report != null) {
          job.proposal = new Realignment.Proposal(map(report), rs.getString(9), rs.getBoolean(10));
        }
        job.finishedAt = instant(rs.getTimestamp(13));
        job.publishedAt = instant(rs.getTimestamp(14));
        if (rs.getBoolean(15)) {
          // running, but no replica holds the plan lock: its replica stopped
          job.status = "failed";
          job.error = ABANDONED;
        }
        return Optional.of(job);
      }
    }
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
      try (Connection c = dataSource.getConnection();
          PreparedStatement ps =
              c.prepareStatement("UPDATE realign_proposal SET published_at = ? WHERE id = ?")) {
        ps.setTimestamp(1, Timestamp.from(job.publishedAt));
        ps.setLong(2, job.id);
        ps.executeUpdate();
      }
    }
    return change;
  }

  static Map<String, Object> requestMap(Realignment.Request request) {
    Map<String, Object> req = new LinkedHashMap<>();
    req.put("scope", request.scope());
    req.put("measure", request.measure().label());
    req.put("tolerance", request.tolerance());
    req.put("maxMoved", request.maxMoved());
    req.put("contiguity", request.contiguity());
    req.put("timeLimitMs", request.timeLimit().toMillis());
    return req;
  }

  private static Realignment.Request request(String json) {
    Map<String, Object> m = map(json);
    return new Realignment.Request(
        (String) m.get("scope"),
        Measure.parse((String) m.get("measure")).orElse(Measure.ACCOUNTS),
        ((Number) m.get("tolerance")).doubleValue(),
        ((Number) m.get("maxMoved")).doubleValue(),
        Boolean.TRUE.equals(m.get("contiguity")),
        Duration.ofMillis(((Number) m.get("timeLimitMs")).longValue()));
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> map(String json) {
    try {
      return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }

  @PreDestroy
  void stop() {
    executor.shutdownNow();
  }
}
