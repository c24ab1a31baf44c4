package io.territorysync.run;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Stores runs. */
@ApplicationScoped
@Named("runRepository")
@Transactional
public class RunRepository implements PanacheRepository<Run> {

  /** Records a run that starts now. */
  public Run start(String trigger, boolean full, boolean dryRun, boolean force, String owner) {
    Run run = new Run();
    run.trigger = trigger;
    run.fullSync = full;
    run.dryRun = dryRun;
    run.forced = force;
    run.status = "running";
    run.requestedAt = Instant.now();
    run.startedAt = run.requestedAt;
    run.heartbeatAt = run.requestedAt;
    run.owner = owner;
    persist(run);
    return run;
  }

  /**
   * Queues a run; an identical run already waiting is returned instead of a second one (the flag
   * {@code queuedNow} tells which).
   */
  public Queued enqueue(String trigger, boolean full, boolean dryRun, boolean force) {
    Run same =
        find(
                "status = 'queued' and accounts is null and fullSync = ?1 and dryRun = ?2"
                    + " and forced = ?3 order by id",
                full,
                dryRun,
                force)
            .firstResult();
    if (same != null) {
      return new Queued(same, false);
    }
    Run run = new Run();
    run.trigger = trigger;
    run.fullSync = full;
    run.dryRun = dryRun;
    run.forced = force;
    run.status = "queued";
    run.requestedAt = Instant.now();
    persist(run);
    return new Queued(run, true);
  }

  /** A queued run, and whether this request queued it (false: it joined one already waiting). */
  public record Queued(Run run, boolean queuedNow) {}

  /** The oldest queued run, or null. */
  public Run nextQueued() {
    return find("status = 'queued' order by id").firstResult();
  }

  /** How many runs wait before run {@code id}. */
  public long aheadOf(long id) {
    return count("status = 'queued' and id < ?1", id);
  }

  /** Whether a whole run (not a webhook mini-run) ever finished, so the mirror is usable. */
  public boolean anyWholeRunFinished() {
    return count("accounts is null and status in ('succeeded', 'partial')") > 0;
  }

  /**
   * Whether the run before {@code runId} (whole or webhook) ended by itself, so everything it wrote
   * to the org is recorded in the mirror; false when it failed or died (a write the org applied may
   * be missing from the mirror).
   */
  public boolean previousEndedCleanly(long runId) {
    Run previous = find("id < ?1 and status <> 'queued' order by id desc", runId).firstResult();
    return previous == null || CLEAN_ENDS.contains(previous.status);
  }

  private static final java.util.Set<String> CLEAN_ENDS =
      java.util.Set.of("succeeded", "partial", "stopped_by_guard");

  /**
   * Runs before :runId that did not end cleanly, alive at or after :since, and not followed by a
   * whole run that ended cleanly and started :settle seconds after their last sign of life. The
   * status list is written as in {@code run_unclean_idx}'s predicate (V17), so the index serves it.
   */
  static final String UNHEALED =
      "SELECT count(*) FROM run u"
          + " WHERE u.id < :runId"
          + " AND u.status NOT IN ('succeeded', 'partial', 'stopped_by_guard', 'queued')"
          + " AND coalesce(u.heartbeat_at, u.finished_at, u.started_at) >= :since"
          + " AND NOT EXISTS (SELECT 1 FROM run h"
          + "   WHERE h.id > u.id AND h.id < :runId AND h.accounts IS NULL"
          + "   AND h.status IN ('succeeded', 'partial', 'stopped_by_guard')"
          + "   AND h.started_at >= coalesce(u.heartbeat_at, u.finished_at, u.started_at)"
          + "       + make_interval(secs => :settle))";

  /**
   * Whether everything the runs before {@code runId} wrote since {@code since} is recorded in the
   * mirror: the run before it ended cleanly, and every run that did not and was still alive at or
   * after {@code since} (a minute's margin: a run that died writes a little after its last
   * heartbeat) was followed by a whole run that ended cleanly and started at least {@code settle}
   * (the sync's overlap, for writes committed late) after the unclean run's last sign of life. That
   * whole run read back without this skip (the unclean run was in its window, as the watermark only
   * grows), so the unclean run's writes reached the mirror through it; without this, one failed run
   * would turn the skip off until the watermark passed it, which in an org where only this product
   * changes associations may be never.
   *
   * <p>A run's last sign of life is its heartbeat: a run that ended by itself has it at its end; a
   * run that died keeps its last one, and is marked abandoned (finished) only when a later run
   * takes the lock, which must not count as the dead run being alive then.
   */
  public boolean endedCleanlySince(long runId, Instant since, java.time.Duration settle) {
    if (!previousEndedCleanly(runId)) {
      return false;
    }
    Number unhealed =
        (Number)
            getEntityManager()
                .createNativeQuery(UNHEALED)
                .setParameter("runId", runId)
                .setParameter(
                    "since",
                    java.time.OffsetDateTime.ofInstant(
                        since.minus(java.time.Duration.ofMinutes(1)), java.time.ZoneOffset.UTC))
                .setParameter("settle", (double) settle.toSeconds())
                .getSingleResult();
    return unhealed.longValue() == 0;
  }

  /** The latest whole run (not a webhook mini-run) that has started, or null. */
  public Run lastWhole() {
    return find("accounts is null and status <> 'queued' order by id desc").firstResult();
  }

  /** How many runs are queued. */
  public long queuedCount() {
    return count("status = 'queued'");
  }

  /** The running run, or null. */
  public Run running() {
    return find("status = 'running' order by id desc").firstResult();
  }

  /** Starts a queued run (the caller holds the run lock); false when it is no longer queued. */
  public boolean claim(long id, String owner) {
    Instant now = Instant.now();
    return update(
            "status = 'running', startedAt = ?1, heartbeatAt = ?1, owner = ?2"
                + " where id = ?3 and status = 'queued'",
            now,
            owner,
            id)
        == 1;
  }

  /** Records a scoped run that starts now. */
  public Run startScoped(
      String trigger, java.util.List<String> accounts, boolean dryRun, String owner) {
    Run run = start(trigger, false, dryRun, false, owner);
    run.accounts = accounts.toArray(String[]::new);
    return run;
  }

  /**
   * Most recent runs first, optionally of one trigger and/or status, and only those older than run
   * {@code before} (the next page) when it is given.
   */
  public List<Run> recent(int limit, String trigger, String status, Long before) {
    StringBuilder q = new StringBuilder("1 = 1");
    Map<String, Object> params = new java.util.HashMap<>();
    if (before != null) {
      q.append(" and id < :before");
      params.put("before", before);
    }
    if (trigger != null && !trigger.isBlank()) {
      q.append(" and trigger = :trigger");
      params.put("trigger", trigger);
    }
    if (status != null && !status.isBlank()) {
      q.append(" and status = :status");
      params.put("status", status);
    }
    return find(q + " order by id desc", params).page(0, limit).list();
  }

  /** Moves a run to {@code stage}. */
  public void stage(long id, String stage, int apiCalls) {
    update(
        "stage = ?1, heartbeatAt = ?2, apiCalls = ?3 where id = ?4",
        stage,
        Instant.now(),
        apiCalls,
        id);
  }

  /** Records how far a stage got. */
  public void progress(long id, Map<String, Object> progress, int apiCalls) {
    String json;
    try {
      json = PROGRESS_JSON.writeValueAsString(progress);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    // only while running: a late report never touches a finished run
    getEntityManager()
        .createNativeQuery(
            "UPDATE run SET progress = CAST(:progress AS jsonb), heartbeat_at = now(),"
                + " api_calls = :calls WHERE id = :id AND status = 'running'")
        .setParameter("progress", json)
        .setParameter("calls", apiCalls)
        .setParameter("id", id)
        .executeUpdate();
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper PROGRESS_JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** Ends a run with its status, counts and error. */
  public Run finish(
      long id, String status, Map<String, Object> summary, String error, int apiCalls) {
    Run run = findById(id);
    run.status = status;
    run.summary = new java.util.LinkedHashMap<>(summary);
    run.error = error;
    run.apiCalls = apiCalls;
    run.finishedAt = Instant.now();
    run.heartbeatAt = run.finishedAt;
    return run;
  }

  /**
   * Marks running runs as failed when no process holds the run lock any more (its process died:
   * kill -9, lost connection, database restart), so the dead one is visible. Returns how many.
   */
  public int failAbandoned() {
    return getEntityManager()
        .createNativeQuery(
            "UPDATE run SET status = 'failed', finished_at = now(),"
                + " error = 'abandoned: the process running it stopped (crash, kill or lost database connection)'"
                + " WHERE status = 'running' AND NOT EXISTS ("
                + "   SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                + "   AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                + "   AND classid = :classId AND objid = :objId)")
        .setParameter("classId", RunLock.CLASS_ID)
        .setParameter("objId", RunLock.OBJ_ID)
        .executeUpdate();
  }

  /**
   * Called by the holder of the run lock before it starts a run: any other run still marked running
   * died without finishing. Returns how many.
   */
  public int failOthersWhileHoldingTheLock() {
    return getEntityManager()
        .createNativeQuery(
            "UPDATE run SET status = 'failed', finished_at = now(),"
                + " error = 'abandoned: the process running it stopped (crash, kill or lost database connection)'"
                + " WHERE status = 'running'")
        .executeUpdate();
  }
}
