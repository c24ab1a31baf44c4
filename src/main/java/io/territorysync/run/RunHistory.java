package io.territorysync.run;

import io.agroal.api.AgroalDataSource;
import io.territorysync.database.AdvisoryLock;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Deletes what old runs leave behind: the changes ({@code plan_change}: a row per planned change,
 * the bulk of the database after a few whole runs) of runs that finished before a cutoff, and the
 * webhook mini-runs among them that ended cleanly (unless a dead webhook event names them). Whole
 * runs and runs that did not end cleanly keep their row and summary, with the time their changes
 * went: the sync's read-back decision looks at them ({@link RunRepository#endedCleanlySince}). The
 * newest whole run that ended cleanly and every run after it keep everything, whatever their age:
 * the next run's plan and read-back look at them. Deletes in batches, each its own transaction, so
 * purging a first assignment's millions of changes holds no long lock, and stopping anywhere loses
 * nothing that should stay.
 */
@ApplicationScoped
public class RunHistory {

  /** The advisory lock a purge holds ({@link AdvisoryLock}: 1 runs, 2 events, 3 realignment). */
  static final int LOCK_ID = 4;

  /** Changes deleted per transaction. */
  static final int BATCH = 20_000;

  /** Runs looked at per pass. */
  static final int RUNS_PER_PASS = 500;

  private static final String CLEAN = "('succeeded', 'partial', 'stopped_by_guard')";

  @Inject AgroalDataSource dataSource;

  /** What a purge deleted: changes, runs that kept their row, mini-runs deleted. */
  public record Purged(long changes, int runsEmptied, int miniRunsDeleted) {
    public boolean any() {
      return changes > 0 || runsEmptied > 0 || miniRunsDeleted > 0;
    }
  }

  /**
   * Deletes the changes of the runs that finished before {@code before} (and the clean mini-runs
   * among them) until none is left or {@code goOn} says stop (checked between batches).
   */
  public Purged purge(Instant before, BooleanSupplier goOn) throws SQLException {
    // one replica at a time: two deleting the same run's changes would mark it before the other
    // is done, or fail to delete a mini-run whose changes the other is still deleting
    Optional<AdvisoryLock> lock = AdvisoryLock.tryAcquire(dataSource, LOCK_ID);
    if (lock.isEmpty()) {
      return new Purged(0, 0, 0);
    }
    try (AdvisoryLock held = lock.get()) {
      return purgeLocked(before, goOn);
    }
  }

  private Purged purgeLocked(Instant before, BooleanSupplier goOn) throws SQLException {
    long changes = 0;
    int emptied = 0;
    int deleted = 0;
    while (goOn.getAsBoolean()) {
      List<long[]> runs = candidates(before);
      if (runs.isEmpty()) {
        break;
      }
      for (long[] run : runs) {
        long runId = run[0];
        boolean cleanMiniRun = run[1] == 1;
        int n;
        do {
          if (!goOn.getAsBoolean()) {
            return new Purged(changes, emptied, deleted);
          }
          n = deleteChanges(runId);
          changes += n;
        } while (n == BATCH);
        if (cleanMiniRun) {
          deleted += update("DELETE FROM run WHERE id = ?", runId);
        } else {
          emptied += update("UPDATE run SET changes_purged_at = now() WHERE id = ?", runId);
        }
      }
    }
    return new Purged(changes, emptied, deleted);
  }

  /** Runs whose changes go, oldest first: {id, 1 when a mini-run that ended cleanly}. */
  private List<long[]> candidates(Instant before) throws SQLException {
    List<long[]> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, accounts IS NOT NULL AND status IN "
                    + CLEAN
                    + " AND NOT EXISTS (SELECT 1 FROM webhook_event e"
                    + "   WHERE e.status = 'dead' AND e.run_id = r.id)"
                    + " FROM run r WHERE finished_at < ? AND changes_purged_at IS NULL"
                    + " AND status NOT IN ('queued', 'running')"
                    + " AND id < (SELECT coalesce(max(id), 0) FROM run"
                    + "   WHERE accounts IS NULL AND status IN "
                    + CLEAN
                    + ") ORDER BY id LIMIT ?")) {
      ps.setTimestamp(1, Timestamp.from(before));
      ps.setInt(2, RUNS_PER_PASS);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new long[] {rs.getLong(1), rs.getBoolean(2) ? 1 : 0});
        }
      }
    }
    return out;
  }

  private int deleteChanges(long runId) throws SQLException {
    return update(
        "DELETE FROM plan_change WHERE id IN"
            + " (SELECT id FROM plan_change WHERE run_id = ? ORDER BY id LIMIT "
            + BATCH
            + ")",
        runId);
  }

  private int update(String sql, long runId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, runId);
      return ps.executeUpdate();
    }
  }
}
