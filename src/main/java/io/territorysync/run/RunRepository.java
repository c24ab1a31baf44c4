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
    Run run = findById(id);
    if (run != null) {
      run.progress = new java.util.LinkedHashMap<>(progress);
      run.heartbeatAt = Instant.now();
      run.apiCalls = apiCalls;
    }
  }

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

  /** Most recent runs first. */
  public List<Run> recent(int limit) {
    return find("order by id desc").page(0, limit).list();
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
