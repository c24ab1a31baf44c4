package io.territorysync.run;

import io.agroal.api.AgroalDataSource;
import io.territorysync.mirror.MirrorChanges;
import io.territorysync.rollup.RollupStage;
import io.territorysync.rules.RulesRun;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Decides what a whole run works on. After the sync: every account (the first run, {@code --full},
 * new rules or a changed territory model, the weekly full run, or too many changes), or only the
 * accounts whose mirrored data changed since the last run ({@link MirrorChanges}). Before the
 * rollups: whether anything they are computed from changed. After a run that wrote what it planned:
 * forgets the changes it took into account and records its basis for the next run.
 */
@ApplicationScoped
@Named("runScope")
public class RunScope {

  private static final Logger LOG = Logger.getLogger(RunScope.class);

  /** Changes of these objects concern the user associations and the rollups, not the rules. */
  private static final Set<String> NOT_RULES = Set.of("UserTerritory2Association");

  @Inject MirrorChanges changes;
  @Inject RunConfig config;
  @Inject RollupStage rollups;
  @Inject AgroalDataSource dataSource;

  /** What a stage's last complete work was based on. */
  record Basis(long runId, String basis, Instant fullAt) {}

  /** After the sync: every account, or the changed ones (the rules stage checks the basis). */
  public void decide(RunContext run) throws SQLException {
    MirrorChanges.Snapshot snapshot = changes.snapshot();
    Basis last = basis("evaluation");
    String reason = wholeReason(run, snapshot, last);
    if (reason != null) {
      run.whole(reason, snapshot);
      return;
    }
    List<String> accounts = changes.accounts(snapshot.upTo());
    run.changed(
        new RulesRun.Changed(accounts, last.basis()),
        snapshot,
        accounts.size() + " account(s) changed since run " + last.runId());
  }

  private String wholeReason(RunContext run, MirrorChanges.Snapshot snapshot, Basis last)
      throws SQLException {
    if (!config.incremental()) {
      return "every run works on every account (territory.run.incremental=false)";
    }
    if (run.full()) {
      return "a full run was asked for";
    }
    if (last == null) {
      return "no earlier run evaluated every account";
    }
    if (last.fullAt().isBefore(Instant.now().minus(config.fullEvery()))) {
      return "the last full run is older than "
          + human(config.fullEvery())
          + " (territory.run.full-every)";
    }
    List<String> model = new ArrayList<>(snapshot.objects());
    model.removeAll(NOT_RULES);
    if (!model.isEmpty()) {
      return String.join(", ", model) + " changed in the org";
    }
    long mirrored = mirroredAccounts();
    if (snapshot.accounts() > 0 && snapshot.accounts() > config.incrementalMaxShare() * mirrored) {
      return String.format(
          Locale.ROOT,
          "%d of %d accounts changed, more than %.0f%% (territory.run.incremental-max-share)",
          snapshot.accounts(),
          mirrored,
          100 * config.incrementalMaxShare());
    }
    return null;
  }

  /**
   * Whether a run has evaluated every account and recorded its basis, so later runs can work on
   * what changed since. True when the state cannot be read (recording changes is never wrong).
   */
  public boolean hasEvaluationBasis() {
    try {
      return basis("evaluation") != null;
    } catch (SQLException e) {
      return true;
    }
  }

  /** Before the rollups: whether the stored rollups are still current. */
  public void rollups(RunContext run) throws SQLException {
    run.rollupsCurrent(null);
    if (run.modelId() == null) {
      return;
    }
    Basis last = basis("rollups");
    String basis = rollups.basis(run.modelId(), LocalDate.now(ZoneOffset.UTC));
    MirrorChanges.Snapshot snapshot = run.changes();
    run.rollupsFrom(null, null);
    boolean unchanged =
        config.incremental()
            && !run.full()
            && last != null
            && last.basis().equals(basis)
            && Boolean.FALSE.equals(run.wholeEvaluation())
            && snapshot != null
            && snapshot.empty();
    if (unchanged) {
      run.rollupsCurrent(
          "nothing they are computed from changed since run " + last.runId() + " computed them");
      return;
    }
    run.rollupsFrom(null, rollupsWholeReason(run, snapshot));
    if (run.rollupsReason() == null) {
      // the rollups stage applies these accounts' changes when its stored basis is this one
      run.rollupsFrom(
          run.changedAccounts(),
          run.changedAccounts().size() + " account(s) changed since run " + last.runId());
    }
  }

  /** Why the rollups must be computed whole, or null when the changed accounts may do. */
  private String rollupsWholeReason(RunContext run, MirrorChanges.Snapshot snapshot) {
    if (!config.incremental()) {
      return "every run works on every account (territory.run.incremental=false)";
    }
    if (run.full()) {
      return "a full run was asked for";
    }
    if (!Boolean.FALSE.equals(run.wholeEvaluation()) || run.changedAccounts() == null) {
      return "the run evaluated every account";
    }
    List<String> model = new ArrayList<>(snapshot == null ? Set.of() : snapshot.objects());
    model.removeAll(NOT_RULES);
    if (snapshot == null || !model.isEmpty()) {
      return "the territory model changed";
    }
    return null;
  }

  /**
   * After a whole run that wrote its plan (succeeded or partial, not a dry run): forgets the
   * changes it took into account, except for accounts whose changes failed (the next run tries them
   * again), and records what its evaluation and rollups were based on.
   */
  public void complete(RunContext run) {
    try {
      if (run.evaluationBasis() != null) {
        save(
            "evaluation",
            run.runId(),
            run.evaluationBasis(),
            Boolean.TRUE.equals(run.wholeEvaluation()));
      }
      if (run.modelId() != null
          && run.rollupsCurrent() == null
          && run.reports().containsKey("rollups")) {
        save(
            "rollups",
            run.runId(),
            rollups.basis(run.modelId(), LocalDate.now(ZoneOffset.UTC)),
            true);
      } else if (run.modelId() != null
          && run.rollupsCurrent() == null
          && !run.reports().containsKey("rollups")) {
        // changes are forgotten below that the stored rollups never took into account: the next
        // computation must be whole
        forget("rollups");
        rollups.forget();
      }
      if (run.changes() != null && run.evaluationBasis() != null) {
        List<String> failed = failedAccounts(run.runId());
        long forgotten = changes.clear(run.changes().upTo(), failed);
        // an account whose write failed is recorded as changed (even when nothing of it changed
        // in the org), so the next run, incremental or not, plans it again
        changes.accountsChanged(failed);
        LOG.debugf("Run %d: %d mirror change(s) taken into account", run.runId(), forgotten);
      }
    } catch (SQLException e) {
      // the next run then works on these changes again, or on every account: never on less
      LOG.warnf("Run %d: could not record what it took into account: %s", run.runId(), e);
    }
  }

  /**
   * After a whole run that did not write its plan (a dry run, a failure, the safety guard): its
   * changes stay recorded for the next run; and when it evaluated every account, what the last
   * evaluation was based on is forgotten too (the stored assignments are now this run's, which may
   * follow other rules), so the next run evaluates every account again.
   */
  public void abandon(RunContext run) {
    if (!Boolean.TRUE.equals(run.wholeEvaluation())) {
      return;
    }
    try {
      forget("evaluation");
    } catch (SQLException e) {
      LOG.warnf("Run %d: could not forget the evaluation basis: %s", run.runId(), e);
    }
  }

  private void forget(String stage) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM run_basis WHERE stage = ?")) {
      ps.setString(1, stage);
      ps.executeUpdate();
    }
  }

  /** Records that a webhook mini-run wrote changes, so the next whole run rolls them up. */
  public void accountsWritten(List<String> accounts) {
    try {
      changes.accountsChanged(accounts);
    } catch (SQLException e) {
      LOG.warnf("Could not record the accounts a webhook run wrote: %s", e);
    }
  }

  /** The scope line of the run summary. */
  public static java.util.Map<String, Object> summary(RunContext run) {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    boolean whole = !Boolean.FALSE.equals(run.wholeEvaluation());
    m.put("mode", whole ? "full" : "incremental");
    if (!whole && run.changedAccounts() != null) {
      m.put("changedAccounts", run.changedAccounts().size());
    }
    if (run.scopeReason() != null) {
      m.put("reason", run.scopeReason());
    }
    return m;
  }

  /** The accounts whose changes failed in run {@code runId} (the next run tries them again). */
  public List<String> failedAccounts(long runId) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT DISTINCT account_id FROM plan_change WHERE run_id = ?"
                    + " AND status = 'failed' AND account_id IS NOT NULL")) {
      ps.setLong(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /** The mirrored accounts: the planner's estimate on a large mirror, else counted. */
  private long mirroredAccounts() throws SQLException {
    try (Connection c = dataSource.getConnection();
        java.sql.Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery(
              "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE relname = 'sf_account'")) {
        if (rs.next() && rs.getLong(1) >= 100_000) {
          return rs.getLong(1);
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sf_account")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private Basis basis(String stage) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT run_id, basis, full_at FROM run_basis WHERE stage = ?")) {
      ps.setString(1, stage);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? new Basis(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant())
            : null;
      }
    }
  }

  private void save(String stage, long runId, String basis, boolean full) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO run_basis (stage, run_id, basis, full_at) VALUES (?, ?, ?, now())"
                    + " ON CONFLICT (stage) DO UPDATE SET run_id = EXCLUDED.run_id,"
                    + " basis = EXCLUDED.basis, updated_at = now(),"
                    + " full_at = CASE WHEN ? OR run_basis.basis <> EXCLUDED.basis"
                    + " THEN now() ELSE run_basis.full_at END")) {
      ps.setString(1, stage);
      ps.setLong(2, runId);
      ps.setString(3, basis);
      ps.setBoolean(4, full);
      ps.executeUpdate();
    }
  }

  private static String human(Duration d) {
    return d.toDays() > 0 && d.equals(Duration.ofDays(d.toDays()))
        ? d.toDays() + " days"
        : d.toString();
  }
}
