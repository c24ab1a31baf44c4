package io.territorysync.assignment;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The plan stage: compares what the rules want ({@code desired_assignment}, {@code
 * desired_user_assignment}) with the freshly synced org and stores the smallest set of changes in
 * {@code plan_change}, set-based in PostgreSQL. Only Territory2Manual rows are touched; accounts
 * with IsExcludedFromRealign keep their territories; a move is an insert (phase 1) before a delete
 * (phase 4); opportunities follow Salesforce's default filter logic on the associations as they
 * will be after the write. Then the safety guard: a plan that removes too large a share of the
 * managed associations, or touches too many records, is held unless the run is forced.
 */
@ApplicationScoped
@Named("planStage")
public class PlanStage {

  private static final Logger LOG = Logger.getLogger(PlanStage.class);

  @Inject AgroalDataSource dataSource;
  @Inject AssignmentConfig config;

  /**
   * What a plan did: its report and the guard's (for the run summary), how many desired
   * associations the org already has, and why the safety guard holds the plan (null: it may be
   * written). A held plan is stored with its changes marked {@code held}.
   */
  public record Planned(
      Map<String, Object> report, Map<String, Object> guard, long unchanged, String heldBy) {}

  /** Plans {@code run}'s changes. */
  public Planned plan(AssignmentRun run) throws SQLException {
    String model = run.modelId();
    if (model == null) {
      throw new IllegalStateException(
          "The rules' Territory2Model is not in the mirror, so nothing can be planned: check the"
              + " model named in the rules and that the sync read the territory model");
    }
    String status = run.dryRun() ? "planned" : "pending";
    boolean removeAll = "all".equals(config.removePolicy().toLowerCase(Locale.ROOT));
    long runId = run.runId();
    long version = run.rulesVersion();
    Map<String, Object> report = new LinkedHashMap<>();
    Map<String, Object> guardReport = new LinkedHashMap<>();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      Db db = new Db(c);
      String scope = "";
      // a mini-run's accounts, or the accounts an incremental run evaluated: only their
      // associations and opportunities can need a change
      java.util.List<String> only = run.scoped() ? run.accounts() : run.changedAccounts();
      if (only != null) {
        db.update("CREATE TEMP TABLE plan_scope (id text PRIMARY KEY) ON COMMIT DROP");
        db.update(
            "INSERT INTO plan_scope SELECT DISTINCT unnest(?::text[])",
            c.createArrayOf("text", only.toArray()));
        // with statistics the planner sees a handful of accounts and uses the indexes
        db.update("ANALYZE plan_scope");
        scope = " IN (SELECT id FROM plan_scope)";
        report.put("accountsPlanned", only.size());
      }
      ownershipHygiene(db, runId, scope, !run.scoped());

      long accountAdds =
          db.update(
              "INSERT INTO plan_change (run_id, phase, kind, action, object_id, account_id,"
                  + " territory_id, rule, rules_version, reason, status)"
                  + " SELECT ?, 1, 'account', 'add', d.account_id, d.account_id, d.territory_id,"
                  + " d.rule, ?, CASE WHEN d.rule IS NULL THEN 'named-account override'"
                  + " ELSE 'matched rule ' || d.rule END, ?"
                  + " FROM desired_assignment d JOIN sf_account a ON a.id = d.account_id"
                  + " WHERE NOT coalesce(a.is_excluded_from_realign, false)"
                  + " AND NOT EXISTS (SELECT 1 FROM sf_object_territory2_association o"
                  + " WHERE o.object_id = d.account_id AND o.territory2_id = d.territory_id)"
                  + (scope.isEmpty() ? "" : " AND d.account_id" + scope),
              runId,
              version,
              status);
      long accountRemoves =
          db.update(
              "INSERT INTO plan_change (run_id, phase, kind, action, object_id, account_id,"
                  + " territory_id, association_id, rules_version, reason, status)"
                  + " SELECT ?, 4, 'account', 'remove', o.object_id, o.object_id, o.territory2_id,"
                  + " o.id, ?, 'no rule assigns it any more', ?"
                  + " FROM sf_object_territory2_association o"
                  + " JOIN sf_territory2 t ON t.id = o.territory2_id AND t.territory2_model_id = ?"
                  + " JOIN sf_account a ON a.id = o.object_id"
                  + " WHERE o.association_cause = 'Territory2Manual'"
                  + (scope.isEmpty() ? "" : " AND o.object_id" + scope)
                  + " AND NOT coalesce(a.is_excluded_from_realign, false)"
                  + " AND NOT EXISTS (SELECT 1 FROM desired_assignment d"
                  + " WHERE d.account_id = o.object_id AND d.territory_id = o.territory2_id)"
                  + (removeAll
                      ? ""
                      : " AND EXISTS (SELECT 1 FROM managed_association m WHERE m.kind = 'account'"
                          + " AND m.object_id = o.object_id AND m.territory_id = o.territory2_id)"),
              runId,
              version,
              status,
              model);
      long unchanged =
          db.count(
              "SELECT count(*) FROM desired_assignment d JOIN sf_object_territory2_association o"
                  + " ON o.object_id = d.account_id AND o.territory2_id = d.territory_id"
                  + " JOIN sf_account a ON a.id = d.account_id"
                  + " WHERE NOT coalesce(a.is_excluded_from_realign, false)"
                  + (scope.isEmpty() ? "" : " AND d.account_id" + scope));
      long excluded =
          db.count(
              "SELECT count(DISTINCT d.account_id) FROM desired_assignment d"
                  + " JOIN sf_account a ON a.id = d.account_id"
                  + " WHERE coalesce(a.is_excluded_from_realign, false)"
                  + (scope.isEmpty() ? "" : " AND d.account_id" + scope));
      // set operations, not a join: the only index on this run's rows is (run_id, phase,
      // status), so a nested loop would scan every removal for every addition
      long moved =
          db.count(
              "SELECT count(*) FROM (SELECT object_id FROM plan_change WHERE run_id = ?"
                  + " AND phase = 1 INTERSECT SELECT object_id FROM plan_change WHERE run_id = ?"
                  + " AND phase = 4) m",
              runId,
              runId);

      long userAdds = 0;
      long userRoles = 0;
      long userRemoves = 0;
      if (run.usersManaged()) {
        userAdds =
            db.update(
                "INSERT INTO plan_change (run_id, phase, kind, action, object_id, territory_id,"
                    + " role, rules_version, reason, status)"
                    + " SELECT ?, 2, 'user', 'add', u.user_id, u.territory_id, u.role, ?,"
                    + " 'listed on the territory in the rules', ?"
                    + " FROM desired_user_assignment u WHERE NOT EXISTS (SELECT 1"
                    + " FROM sf_user_territory2_association x"
                    + " WHERE x.user_id = u.user_id AND x.territory2_id = u.territory_id)",
                runId,
                version,
                status);
        userRoles =
            db.update(
                "INSERT INTO plan_change (run_id, phase, kind, action, object_id, territory_id,"
                    + " association_id, role, rules_version, reason, status)"
                    + " SELECT ?, 3, 'user', 'role', u.user_id, u.territory_id, x.id, u.role, ?,"
                    + " 'role in the rules is ' || u.role || ', the org has '"
                    + " || coalesce(x.role_in_territory2, 'none'), ?"
                    + " FROM desired_user_assignment u JOIN sf_user_territory2_association x"
                    + " ON x.user_id = u.user_id AND x.territory2_id = u.territory_id"
                    + " WHERE u.role IS NOT NULL AND x.role_in_territory2 IS DISTINCT FROM u.role",
                runId,
                version,
                status);
        userRemoves =
            db.update(
                "INSERT INTO plan_change (run_id, phase, kind, action, object_id, territory_id,"
                    + " association_id, rules_version, reason, status)"
                    + " SELECT ?, 5, 'user', 'remove', x.user_id, x.territory2_id, x.id, ?,"
                    + " 'no longer listed on the territory in the rules', ?"
                    + " FROM sf_user_territory2_association x"
                    + " JOIN sf_territory2 t ON t.id = x.territory2_id AND t.territory2_model_id = ?"
                    + " JOIN managed_association m ON m.kind = 'user' AND m.object_id = x.user_id"
                    + " AND m.territory_id = x.territory2_id"
                    + " WHERE NOT EXISTS (SELECT 1 FROM desired_user_assignment u"
                    + " WHERE u.user_id = x.user_id AND u.territory_id = x.territory2_id)",
                runId,
                version,
                status,
                model);
      }

      long opportunities = 0;
      if (config.opportunities().enabled() && run.modelActive()) {
        opportunities = planOpportunities(db, runId, version, status, model, scope);
      } else if (config.opportunities().enabled()) {
        report.put("opportunitiesSkipped", "the rules' model is not the Active model");
      }

      report.put("accountAdds", accountAdds);
      report.put("accountRemoves", accountRemoves);
      report.put("accountsMoved", moved);
      report.put("unchanged", unchanged);
      report.put("excludedFromRealign", excluded);
      report.put("userAdds", userAdds);
      report.put("userRoleChanges", userRoles);
      report.put("userRemoves", userRemoves);
      report.put("opportunityUpdates", opportunities);

      // a scoped run touches a few accounts: the share guard is for whole runs
      String held =
          run.scoped() ? null : guard(db, run, model, removeAll, accountRemoves, guardReport);
      if (held != null && run.dryRun()) {
        report.put("guardWouldHold", held);
        held = null;
      } else if (held != null && run.force()) {
        report.put("guardOverriddenByForce", held);
        LOG.warnf("Run %d is forced past the %s", runId, held);
        held = null;
      }
      if (held != null) {
        db.update(
            "UPDATE plan_change SET status = 'held' WHERE run_id = ? AND status = 'pending'",
            runId);
        report.put("heldByGuard", held);
      }
      c.commit();
      LOG.infof(
          "Run %d plan: %d account association(s) to add, %d to remove (%d account(s) moved),"
              + " %d unchanged; users %d to add, %d role change(s), %d to remove;"
              + " %d opportunity territory change(s)%s",
          runId,
          accountAdds,
          accountRemoves,
          moved,
          unchanged,
          userAdds,
          userRoles,
          userRemoves,
          opportunities,
          run.dryRun() ? " (dry run: nothing will be written)" : "");
      return new Planned(report, guardReport.isEmpty() ? null : guardReport, unchanged, held);
    }
  }

  /**
   * Before planning from the fresh mirror: confirm ownership claims whose association now exists
   * (an insert that succeeded just before a crash), drop claims and records whose association is
   * gone, and mark the pending changes of runs that died as abandoned.
   */
  private static void ownershipHygiene(Db db, long runId, String scope, boolean users)
      throws SQLException {
    String inScope = scope.isEmpty() ? "" : " AND m.object_id" + scope;
    db.update(
        "UPDATE managed_association m SET association_id = o.id, confirmed = true"
            + " FROM sf_object_territory2_association o WHERE m.kind = 'account'"
            + " AND NOT m.confirmed AND o.object_id = m.object_id"
            + " AND o.territory2_id = m.territory_id"
            + inScope);
    db.update(
        "DELETE FROM managed_association m WHERE m.kind = 'account' AND NOT EXISTS (SELECT 1"
            + " FROM sf_object_territory2_association o WHERE o.object_id = m.object_id"
            + " AND o.territory2_id = m.territory_id)"
            + inScope);
    db.update(
        "UPDATE plan_change SET status = 'abandoned', error = 'the run stopped before writing it'"
            + " WHERE status = 'pending' AND run_id <> ?",
        runId);
    if (!users) {
      return;
    }
    db.update(
        "UPDATE managed_association m SET association_id = x.id, confirmed = true"
            + " FROM sf_user_territory2_association x WHERE m.kind = 'user'"
            + " AND NOT m.confirmed AND x.user_id = m.object_id"
            + " AND x.territory2_id = m.territory_id");
    db.update(
        "DELETE FROM managed_association m WHERE m.kind = 'user' AND NOT EXISTS (SELECT 1"
            + " FROM sf_user_territory2_association x WHERE x.user_id = m.object_id"
            + " AND x.territory2_id = m.territory_id)");
  }

  /**
   * Opportunity.Territory2Id by the default filter logic, on the account associations as they will
   * be once the plan is written: the territory of the numerically largest Territory2Type priority;
   * a tie at the top, or no territory, gives none.
   */
  private long planOpportunities(
      Db db, long runId, long version, String status, String model, String scope)
      throws SQLException {
    return db.update(
        "WITH after AS (("
            + " SELECT o.object_id AS account_id, o.territory2_id AS territory_id"
            + " FROM sf_object_territory2_association o"
            + " JOIN sf_territory2 t ON t.id = o.territory2_id AND t.territory2_model_id = ?"
            + (scope.isEmpty() ? "" : " WHERE o.object_id" + scope)
            // the associations less this run's removals, as a set (see the moved count)
            + " EXCEPT SELECT object_id, territory_id FROM plan_change WHERE run_id = ?"
            + " AND phase = 4)"
            + " UNION SELECT object_id, territory_id FROM plan_change WHERE run_id = ? AND phase = 1"
            + "), ranked AS ("
            + " SELECT a.account_id, a.territory_id, coalesce(y.priority, 0) AS p,"
            + " max(coalesce(y.priority, 0)) OVER (PARTITION BY a.account_id) AS top"
            + " FROM after a JOIN sf_territory2 t ON t.id = a.territory_id"
            + " LEFT JOIN sf_territory2_type y ON y.id = t.territory2_type_id"
            + "), expected AS ("
            + " SELECT account_id, CASE WHEN count(*) = 1 THEN min(territory_id) END AS territory_id,"
            + " count(*) AS tied FROM ranked WHERE p = top GROUP BY account_id)"
            + " INSERT INTO plan_change (run_id, phase, kind, action, object_id, account_id,"
            + " territory_id, previous_territory_id, rules_version, reason, status)"
            + " SELECT ?, 6, 'opportunity', 'set', o.id, o.account_id, e.territory_id,"
            + " o.territory2_id, ?, CASE"
            + " WHEN e.territory_id IS NOT NULL"
            + " THEN 'the account''s territory with the highest Territory2Type priority'"
            + " WHEN e.account_id IS NOT NULL"
            + " THEN 'no territory: ' || e.tied || ' territories tie for the highest priority'"
            + " ELSE 'no territory: the account has none in the Active model' END, ?"
            + " FROM sf_opportunity o LEFT JOIN expected e ON e.account_id = o.account_id"
            + " WHERE o.account_id IS NOT NULL AND (? OR NOT coalesce(o.is_closed, false))"
            + " AND NOT coalesce(o.is_excluded_from_territory2_filter, false)"
            + " AND o.territory2_id IS DISTINCT FROM e.territory_id"
            + (scope.isEmpty() ? "" : " AND o.account_id" + scope),
        model,
        runId,
        runId,
        runId,
        version,
        status,
        config.opportunities().includeClosed());
  }

  /** Why the plan must not be written without --force, or null when it may. */
  private String guard(
      Db db,
      AssignmentRun run,
      String model,
      boolean removeAll,
      long removes,
      Map<String, Object> g)
      throws SQLException {
    long total = db.count("SELECT count(*) FROM plan_change WHERE run_id = ?", run.runId());
    long managed =
        removeAll
            ? db.count(
                "SELECT count(*) FROM sf_object_territory2_association o"
                    + " JOIN sf_territory2 t ON t.id = o.territory2_id"
                    + " WHERE t.territory2_model_id = ? AND o.association_cause = 'Territory2Manual'",
                model)
            : db.count(
                "SELECT count(*) FROM managed_association m"
                    + " JOIN sf_territory2 t ON t.id = m.territory_id"
                    + " WHERE m.kind = 'account' AND t.territory2_model_id = ?",
                model);
    g.put("managedAssociations", managed);
    g.put("removals", removes);
    g.put("changes", total);
    g.put("forced", run.force());
    double share = config.guard().maxRemoveShare();
    if (removes > 0 && managed > 0 && removes > share * managed) {
      return String.format(
          Locale.ROOT,
          "safety guard: the plan removes %d of %d managed account association(s) (%.1f%%, more"
              + " than territory.assignment.guard.max-remove-share = %.0f%%); nothing was written."
              + " Check the rules and the plan (GET /api/runs/%d/changes), then run again with"
              + " --force to write it",
          removes,
          managed,
          100.0 * removes / managed,
          100 * share,
          run.runId(),
          run.runId());
    }
    if (config.guard().maxChanges().isPresent()
        && total > config.guard().maxChanges().getAsLong()) {
      return String.format(
          Locale.ROOT,
          "safety guard: the plan changes %d record(s), more than"
              + " territory.assignment.guard.max-changes = %d; nothing was written. Check the plan"
              + " (GET /api/runs/%d/changes), then run again with --force to write it",
          total,
          config.guard().maxChanges().getAsLong(),
          run.runId());
    }
    return null;
  }

  /** Tiny JDBC helper: statements with positional parameters. */
  static final class Db {
    private final Connection c;

    Db(Connection c) {
      this.c = c;
    }

    long update(String sql, Object... params) throws SQLException {
      long t0 = System.nanoTime();
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        bind(ps, params);
        return ps.executeLargeUpdate();
      } finally {
        LOG.debugf(
            "plan statement took %d ms: %s",
            (System.nanoTime() - t0) / 1_000_000, sql.substring(0, Math.min(90, sql.length())));
      }
    }

    long count(String sql, Object... params) throws SQLException {
      long t0 = System.nanoTime();
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        bind(ps, params);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      } finally {
        LOG.debugf(
            "plan statement took %d ms: %s",
            (System.nanoTime() - t0) / 1_000_000, sql.substring(0, Math.min(90, sql.length())));
      }
    }

    private static void bind(PreparedStatement ps, Object... params) throws SQLException {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
    }
  }
}
