package io.territorysync.run;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import jakarta.transaction.Transactional;

/** Stores runs. */
@ApplicationScoped
@Named("runRepository")
@Transactional
public class RunRepository implements PanacheRepository<Run> {

  /**
   * Marks queued or running runs as failed when no process holds the run lock any more (its process
   * died: kill -9, lost connection, database restart), so the next run can start and the dead one
   * is visible. Returns how many runs were marked.
   */
  public int failAbandoned() {
    return getEntityManager()
        .createNativeQuery(
            "UPDATE run SET status = 'failed', finished_at = now(),"
                + " error = 'abandoned: the process running it stopped (crash, kill or lost"
                + " database connection)'"
                + " WHERE status = 'running' AND NOT EXISTS ("
                + "   SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                + "   AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                + "   AND classid = :classId AND objid = :objId)")
        .setParameter("classId", RunLock.CLASS_ID)
        .setParameter("objId", RunLock.OBJ_ID)
        .executeUpdate();
  }
}
