package io.territorysync.assignment;

import io.agroal.api.AgroalDataSource;
import io.territorysync.events.Outbox;
import io.territorysync.salesforce.WriteRounds;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;

/**
 * The write stage: sends the run's pending changes, phase by phase (every insert before any
 * delete), through sObject Collections or Bulk API 2.0, and records each record's outcome in {@code
 * plan_change}, the ownership record and the mirror, one transaction per call or job. Records that
 * failed transiently are retried in later rounds by the declared policy {@link WriteRounds} (a
 * pause that doubles, territory.assignment.write.*); after the last round they are failed with
 * their error. A dry run, or a plan the guard held, writes nothing.
 */
@ApplicationScoped
@Named("writeStage")
public class WriteStage {

  private static final Logger LOG = Logger.getLogger(WriteStage.class);

  @Inject AgroalDataSource dataSource;
  @Inject AssignmentConfig config;
  @Inject ChangeWriter writer;
  @Inject Outbox outbox;

  /**
   * The outcomes of a run's changes, counted from {@code plan_change}: account associations (added,
   * alreadyDone, removed, failed, skipped), user associations (added, updated, removed, failed) and
   * opportunities (updated, failed, skipped); {@code failed} records make the run partial.
   */
  public record Written(
      Map<String, Long> assignments,
      Map<String, Long> users,
      Map<String, Long> opportunities,
      long failed) {}

  /** Writes {@code run}'s pending changes; returns their outcomes. */
  public Written write(AssignmentRun run) throws SQLException {
    if (run.dryRun()) {
      LOG.infof("Run %d is a dry run: the plan is stored, nothing is written", run.runId());
      return outcomes(run.runId());
    }
    long written = 0;
    for (Phase phase : Phase.values()) {
      written += writePhase(run, phase);
    }
    if (written > 20_000) {
      for (String table :
          List.of(
              "sf_object_territory2_association",
              "sf_opportunity",
              "managed_association",
              "plan_change")) {
        io.territorysync.mirror.MirrorWriter.analyze(dataSource, table);
      }
    }
    return outcomes(run.runId());
  }

  /** Writes one phase; returns how many changes it had. */
  private long writePhase(AssignmentRun run, Phase phase) throws SQLException {
    long total = pending(run.runId(), phase);
    long planned = total;
    if (total == 0) {
      return 0;
    }
    run.checkLock();
    if (phase.insert()) {
      claim(run.runId(), phase);
    }
    WriteRounds rounds =
        new WriteRounds(config.write().maxAttempts(), config.write().retryBackoff());
    AtomicInteger round = new AtomicInteger();
    AtomicLong remaining = new AtomicLong(total);
    WriteRounds.RecordsLeft left;
    try {
      left =
          rounds.run(
              () -> {
                sendRound(run, phase, round.incrementAndGet(), remaining.get());
                remaining.set(pending(run.runId(), phase));
                if (remaining.get() > 0) {
                  throw new WriteRounds.RecordsLeft(
                      "Run "
                          + run.runId()
                          + ": "
                          + remaining.get()
                          + " "
                          + phase.noun()
                          + " failed transiently");
                }
                return null;
              });
    } catch (SQLException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    if (left != null) {
      giveUp(run.runId(), phase, round.get());
    }
    return planned;
  }

  /** One round: every pending change of {@code phase}, in chunks, by Collections or Bulk API. */
  private void sendRound(AssignmentRun run, Phase phase, int round, long total)
      throws SQLException {
    boolean bulk = total > config.write().bulkThreshold();
    int chunk = bulk ? config.write().bulkJobSize() : ChangeWriter.PER_COMPOSITE;
    LOG.infof(
        "Run %d: %d %s%s, by %s",
        run.runId(),
        total,
        phase.noun(),
        round > 1 ? " (retry round " + round + ")" : "",
        bulk ? "Bulk API 2.0" : "sObject Collections");
    long done = 0;
    long lastId = 0;
    long nextLog = total / 10;
    while (true) {
      List<Change> changes = load(run.runId(), phase, lastId, chunk);
      if (changes.isEmpty()) {
        break;
      }
      lastId = changes.get(changes.size() - 1).id();
      // the run may have lost its lock since the last call: then another run may be writing
      run.checkLock();
      List<Outcome> outcomes =
          bulk
              ? writer.bulk(run.budget(), phase, changes)
              : writer.collections(run.budget(), phase, changes);
      record(run.lockEpoch(), phase, outcomes);
      done += changes.size();
      run.progress(phase.noun(), done, total);
      if (total >= 10_000 && done >= nextLog) {
        LOG.infof(
            "Run %d: %d of %d %s sent (%d%%)",
            run.runId(), done, total, phase.noun(), 100 * done / total);
        nextLog += total / 10;
      }
    }
  }

  private long pending(long runId, Phase phase) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FROM plan_change WHERE run_id = ? AND phase = ?"
                    + " AND status = 'pending'")) {
      ps.setLong(1, runId);
      ps.setInt(2, phase.number);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private List<Change> load(long runId, Phase phase, long afterId, int limit) throws SQLException {
    List<Change> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, object_id, territory_id, association_id, role, attempts"
                    + " FROM plan_change WHERE run_id = ? AND phase = ? AND status = 'pending'"
                    + " AND id > ? ORDER BY id LIMIT ?")) {
      ps.setLong(1, runId);
      ps.setInt(2, phase.number);
      ps.setLong(3, afterId);
      ps.setInt(4, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Change(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getInt(6)));
        }
      }
    }
    return out;
  }

  /**
   * Before an insert is sent: claims ownership of what it creates, so a crash between the insert
   * and its recording still leaves Territory Sync owning the association.
   */
  private void claim(long runId, Phase phase) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO managed_association (kind, object_id, territory_id, confirmed, run_id)"
                    + " SELECT ?, object_id, territory_id, false, run_id FROM plan_change"
                    + " WHERE run_id = ? AND phase = ? AND status = 'pending'"
                    + " ON CONFLICT (kind, object_id, territory_id) DO NOTHING")) {
      ps.setString(1, phase.kind);
      ps.setLong(2, runId);
      ps.setInt(3, phase.number);
      ps.executeUpdate();
    }
  }

  /**
   * Stores outcomes: the change's status, the ownership record, the mirror and, when events are on,
   * one change event per done change (the transactional outbox), atomically.
   */
  private void record(long epoch, Phase phase, List<Outcome> outcomes) throws SQLException {
    StringBuilder csv = new StringBuilder(outcomes.size() * 48);
    for (Outcome o : outcomes) {
      csv.append(o.changeId())
          .append(',')
          .append(o.status())
          .append(',')
          .append(o.newId() == null ? "" : o.newId())
          .append(',');
      if (o.error() != null) {
        csv.append('"').append(o.error().replace("\"", "\"\"")).append('"');
      }
      csv.append('\n');
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        // fenced: refused (rolled back) when another run took the run lock since this one did
        io.territorysync.database.LockEpoch.fence(c, epoch);
        s.execute(
            "CREATE TEMP TABLE IF NOT EXISTS write_outcome (change_id BIGINT, status TEXT,"
                + " new_id TEXT, error TEXT) ON COMMIT DELETE ROWS");
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        c.unwrap(PGConnection.class)
            .getCopyAPI()
            .copyIn(
                "COPY write_outcome FROM STDIN (FORMAT csv)",
                new java.io.ByteArrayInputStream(bytes));
        s.executeUpdate(
            "UPDATE plan_change p SET status = CASE WHEN w.status = 'retry' THEN 'pending'"
                + " ELSE w.status END, error = w.error, attempts = p.attempts + 1,"
                + " association_id = coalesce(w.new_id, p.association_id),"
                + " written_at = CASE WHEN w.status = 'retry' THEN NULL ELSE now() END"
                + " FROM write_outcome w WHERE p.id = w.change_id");
        boolean events = outbox.enabled();
        if (events) {
          for (String sql : ChangeEvents.beforeMirror(phase)) {
            s.executeUpdate(sql);
          }
        }
        for (String sql : mirrorStatements(phase)) {
          s.executeUpdate(sql);
        }
        if (events) {
          s.executeUpdate(ChangeEvents.record(phase));
        }
      } catch (java.io.IOException e) {
        c.rollback();
        throw new SQLException("cannot store write outcomes: " + e.getMessage(), e);
      } catch (io.territorysync.database.LockLostException e) {
        c.rollback();
        throw e;
      }
      c.commit();
    }
  }

  /** How a phase's outcomes change the ownership record and the mirror. */
  private static List<String> mirrorStatements(Phase phase) {
    String joined = " FROM write_outcome w JOIN plan_change p ON p.id = w.change_id";
    String written = " w.status IN ('done', 'already')";
    String gone = " w.status IN ('done', 'skipped')";
    return switch (phase) {
      case ACCOUNT_ADD ->
          List.of(
              claimConfirmed("account"),
              dropFailedClaims("account"),
              "INSERT INTO sf_object_territory2_association (id, object_id, territory2_id,"
                  + " association_cause, system_modstamp) SELECT w.new_id, p.object_id,"
                  + " p.territory_id, 'Territory2Manual', now()"
                  + joined
                  + " WHERE"
                  + written
                  + " AND w.new_id IS NOT NULL ON CONFLICT (id) DO NOTHING");
      case USER_ADD ->
          List.of(
              claimConfirmed("user"),
              dropFailedClaims("user"),
              "INSERT INTO sf_user_territory2_association (id, user_id, territory2_id,"
                  + " role_in_territory2, is_active, system_modstamp) SELECT w.new_id,"
                  + " p.object_id, p.territory_id, p.role, true, now()"
                  + joined
                  + " WHERE"
                  + written
                  + " AND w.new_id IS NOT NULL ON CONFLICT (id) DO NOTHING");
      case USER_ROLE ->
          List.of(
              "UPDATE sf_user_territory2_association x SET role_in_territory2 = p.role"
                  + joined
                  + " WHERE x.id = p.association_id AND w.status = 'done'");
      case ACCOUNT_REMOVE ->
          List.of(
              "DELETE FROM sf_object_territory2_association o USING write_outcome w"
                  + " JOIN plan_change p ON p.id = w.change_id WHERE o.id = p.association_id"
                  + " AND"
                  + gone,
              "DELETE FROM managed_association m USING write_outcome w JOIN plan_change p"
                  + " ON p.id = w.change_id WHERE m.kind = 'account' AND m.object_id = p.object_id"
                  + " AND m.territory_id = p.territory_id AND"
                  + gone);
      case USER_REMOVE ->
          List.of(
              "DELETE FROM sf_user_territory2_association x USING write_outcome w"
                  + " JOIN plan_change p ON p.id = w.change_id WHERE x.id = p.association_id"
                  + " AND"
                  + gone,
              "DELETE FROM managed_association m USING write_outcome w JOIN plan_change p"
                  + " ON p.id = w.change_id WHERE m.kind = 'user' AND m.object_id = p.object_id"
                  + " AND m.territory_id = p.territory_id AND"
                  + gone);
      case OPPORTUNITY ->
          List.of(
              "UPDATE sf_opportunity o SET territory2_id = p.territory_id"
                  + joined
                  + " WHERE o.id = p.object_id AND w.status = 'done'");
    };
  }

  /** Records ownership of what an insert created (confirmed when the id is known). */
  private static String claimConfirmed(String kind) {
    return "INSERT INTO managed_association AS m (kind, object_id, territory_id, association_id,"
        + " confirmed, run_id) SELECT '"
        + kind
        + "', p.object_id, p.territory_id, w.new_id, w.new_id IS NOT NULL, p.run_id"
        + " FROM write_outcome w JOIN plan_change p ON p.id = w.change_id"
        + " WHERE w.status IN ('done', 'already')"
        + " ON CONFLICT (kind, object_id, territory_id) DO UPDATE SET"
        + " association_id = coalesce(EXCLUDED.association_id, m.association_id),"
        + " confirmed = m.confirmed OR EXCLUDED.confirmed";
  }

  /** Drops the claim of an insert that definitely did not happen. */
  private static String dropFailedClaims(String kind) {
    return "DELETE FROM managed_association m USING write_outcome w JOIN plan_change p"
        + " ON p.id = w.change_id WHERE w.status IN ('failed', 'skipped')"
        + " AND m.kind = '"
        + kind
        + "' AND m.object_id = p.object_id AND m.territory_id = p.territory_id"
        + " AND NOT m.confirmed";
  }

  /** Changes still failing transiently after the last round are failed with their last error. */
  private void giveUp(long runId, Phase phase, int rounds) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE plan_change SET status = 'failed', written_at = now(),"
                    + " error = coalesce(error, 'transient failure') || ' (gave up after ' || ?"
                    + " || ' rounds, territory.assignment.write.max-attempts)'"
                    + " WHERE run_id = ? AND phase = ? AND status = 'pending'")) {
      ps.setInt(1, rounds);
      ps.setLong(2, runId);
      ps.setInt(3, phase.number);
      int n = ps.executeUpdate();
      LOG.errorf("Run %d: %d %s failed after %d rounds", runId, n, phase.noun(), rounds);
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "DELETE FROM managed_association m USING plan_change p WHERE p.run_id = ?"
                    + " AND p.phase = ? AND p.status = 'failed' AND m.kind = p.kind"
                    + " AND m.object_id = p.object_id AND m.territory_id = p.territory_id"
                    + " AND NOT m.confirmed")) {
      ps.setLong(1, runId);
      ps.setInt(2, phase.number);
      ps.executeUpdate();
    }
  }

  /**
   * The outcomes of run {@code runId}'s changes so far: also what a run stopped or failed mid-write
   * wrote before it stopped.
   */
  public Written outcomes(long runId) throws SQLException {
    Map<String, Long> byKey = new LinkedHashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT phase, status, count(*) FROM plan_change WHERE run_id = ?"
                    + " GROUP BY phase, status")) {
      ps.setLong(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          byKey.put(rs.getInt(1) + ":" + rs.getString(2), rs.getLong(3));
        }
      }
    }
    Map<String, Long> a = new LinkedHashMap<>();
    a.put("added", get(byKey, 1, "done"));
    a.put("alreadyDone", get(byKey, 1, "already"));
    a.put("removed", get(byKey, 4, "done"));
    a.put("failed", get(byKey, 1, "failed") + get(byKey, 4, "failed"));
    a.put("skipped", get(byKey, 1, "skipped") + get(byKey, 4, "skipped"));
    Map<String, Long> u = new LinkedHashMap<>();
    u.put("added", get(byKey, 2, "done") + get(byKey, 2, "already"));
    u.put("updated", get(byKey, 3, "done"));
    u.put("removed", get(byKey, 5, "done"));
    u.put("failed", get(byKey, 2, "failed") + get(byKey, 3, "failed") + get(byKey, 5, "failed"));
    Map<String, Long> o = new LinkedHashMap<>();
    o.put("updated", get(byKey, 6, "done"));
    o.put("failed", get(byKey, 6, "failed"));
    o.put("skipped", get(byKey, 6, "skipped"));
    return new Written(a, u, o, a.get("failed") + u.get("failed") + o.get("failed"));
  }

  private static long get(Map<String, Long> m, int phase, String status) {
    return m.getOrDefault(phase + ":" + status, 0L);
  }
}
