package io.territorysync.rollup;

import io.agroal.api.AgroalDataSource;
import io.territorysync.events.EventsConfig;
import io.territorysync.events.Outbox;
import io.territorysync.mirror.MirrorColumn;
import io.territorysync.mirror.MirrorObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.jboss.logging.Logger;

/**
 * The rollups stage: per territory of the rules' model and per period (current fiscal year and
 * quarter), the territory's own figures and those of its subtree, computed set-based in PostgreSQL
 * over the mirror as the write stage left it; the balance of sibling territories; the unassigned
 * accounts. Then the changed rollups are written to the org.
 */
@ApplicationScoped
@Named("rollupStage")
public class RollupStage {

  private static final Logger LOG = Logger.getLogger(RollupStage.class);

  @Inject AgroalDataSource dataSource;
  @Inject RollupConfig config;
  @Inject RollupWriter writer;
  @Inject Outbox outbox;
  @Inject EventsConfig events;

  /**
   * What the rollups stage did: its report (for the run summary), the rollup records written to the
   * org, and why the run is partial (records that failed to write), or null.
   */
  public record RolledUp(Map<String, Object> report, long written, String partial) {}

  /**
   * Computes the rollups of {@code run} and writes the changed ones to the org; null when rollups
   * are turned off.
   */
  public RolledUp rollup(RollupRun run) throws SQLException {
    if (!config.enabled()) {
      return null;
    }
    if (run.modelId() == null) {
      throw new IllegalStateException("no territory model to roll up");
    }
    Map<String, Object> report;
    if (run.rollupsCurrent() != null) {
      report = new LinkedHashMap<>();
      report.put("computed", false);
      report.put("reason", run.rollupsCurrent());
      LOG.infof("Run %d: rollups not computed: %s", run.runId(), run.rollupsCurrent());
    } else {
      report = new LinkedHashMap<>();
      report.put("computed", true);
      report.putAll(
          compute(
              run.runId(),
              run.modelId(),
              LocalDate.now(ZoneOffset.UTC),
              !run.dryRun() && outbox.enabled(),
              run.rollupAccounts()));
      if ("whole".equals(report.get("mode")) && run.rollupsReason() != null) {
        report.put("reason", run.rollupsReason());
      }
    }
    if (config.writeBack() && !run.dryRun()) {
      RollupWriter.Result written = writer.write(run, run.full());
      report.put("written", written.written());
      report.put("unchanged", written.unchanged());
      report.put("failed", written.failed());
      String partial =
          written.failed() == 0
              ? null
              : written.failed()
                  + " rollup record(s) failed to write to "
                  + config.object()
                  + ": "
                  + written.firstError();
      return new RolledUp(report, written.written(), partial);
    }
    return new RolledUp(report, 0, null);
  }

  /**
   * What the rollups of {@code modelId} depend on besides the mirror: the periods around {@code
   * today}, the settings and the quotas file's content. Rollups computed on the same basis from an
   * unchanged mirror are still current.
   */
  public String basis(String modelId, LocalDate today) {
    String quotas = "none";
    if (config.quotasFile().isPresent()) {
      try {
        byte[] bytes = Files.readAllBytes(Path.of(config.quotasFile().get()));
        quotas =
            java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
      } catch (IOException | java.security.NoSuchAlgorithmException e) {
        quotas = "unreadable";
      }
    }
    return "model "
        + modelId
        + ", periods "
        + FiscalPeriods.current(today, config.fiscalYearStartMonth()).stream()
            .map(FiscalPeriods.Period::label)
            .toList()
        + ", potential "
        + config.potentialField()
        + ", tolerance "
        + config.balanceTolerance()
        + ", quotas "
        + quotas;
  }

  /**
   * Computes and stores the rollups of {@code modelId} for the periods around {@code today}: whole,
   * or, given the accounts that changed since the stored rollups were computed ({@code changed}, or
   * null), by applying only those accounts' difference to them; with {@code events}, records a
   * change event for each rollup that changed beyond the threshold.
   */
  public Map<String, Object> compute(
      long runId, String modelId, LocalDate today, boolean events, List<String> changed)
      throws SQLException {
    List<FiscalPeriods.Period> periods =
        FiscalPeriods.current(today, config.fiscalYearStartMonth());
    String basis = basis(modelId, today);
    long started = System.nanoTime();
    Map<String, Object> report = new LinkedHashMap<>();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SET LOCAL work_mem = '256MB'");
        s.execute(
            "CREATE TEMP TABLE r_period (period TEXT, period_start DATE, period_end DATE)"
                + " ON COMMIT DROP");
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO r_period VALUES (?, ?, ?)")) {
        for (FiscalPeriods.Period p : periods) {
          ps.setString(1, p.label());
          ps.setObject(2, p.start());
          ps.setObject(3, p.end());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      exec(
          c,
          "CREATE TEMP TABLE r_terr ON COMMIT DROP AS SELECT id, developer_name, name,"
              + " parent_territory2_id AS parent_id, territory2_type_id AS type_id"
              + " FROM sf_territory2 WHERE territory2_model_id = ?",
          modelId);
      exec(
          c,
          "CREATE TEMP TABLE r_closure ON COMMIT DROP AS WITH RECURSIVE"
              + " up(ancestor, descendant, depth) AS ("
              + " SELECT id, id, 0 FROM r_terr"
              + " UNION ALL SELECT p.id, up.descendant, up.depth + 1 FROM up"
              + " JOIN r_terr t ON t.id = up.ancestor JOIN r_terr p ON p.id = t.parent_id"
              + " WHERE up.depth < 64)"
              + " SELECT ancestor, descendant FROM up");
      // without statistics the planner takes these for hundreds of rows and may join them to the
      // opportunities by a nested loop
      exec(c, "ANALYZE r_period");
      exec(c, "ANALYZE r_terr");
      exec(c, "ANALYZE r_closure");
      String whole = changed == null ? "the run evaluated every account" : null;
      if (whole == null) {
        whole = wholeReason(c, modelId, basis);
      }
      report.put("mode", whole == null ? "incremental" : "whole");
      if (whole == null) {
        report.put("accounts", changed.size());
        applyChanges(c, changed, periods.get(0).label());
      } else {
        report.put("reason", whole);
        snapshot(c);
        wholeFigures(c);
      }
      exec(
          c,
          "CREATE TEMP TABLE r_users ON COMMIT DROP AS SELECT c.ancestor AS territory_id,"
              + " count(DISTINCT u.user_id) FILTER (WHERE c.ancestor = c.descendant) AS own,"
              + " count(DISTINCT u.user_id) AS subtree"
              + " FROM sf_user_territory2_association u"
              + " JOIN r_closure c ON c.descendant = u.territory2_id"
              + " WHERE coalesce(u.is_active, true) GROUP BY c.ancestor");
      exec(
          c,
          "CREATE TEMP TABLE r_quota (territory_id TEXT, period TEXT, quota NUMERIC)"
              + " ON COMMIT DROP");
      int quotas = loadQuotas(c);

      if (events) {
        exec(
            c,
            "CREATE TEMP TABLE r_before ON COMMIT DROP AS SELECT territory_id, period,"
                + " account_count, annual_revenue, open_pipeline, closed_won_amount"
                + " FROM territory_rollup");
      }
      exec(c, "DELETE FROM territory_rollup");
      // sums are stored without trailing zeros, so a figure reads the same whether it was summed
      // whole or from the stored one and a difference
      long rows =
          exec(
              c,
              "INSERT INTO territory_rollup (territory_id, period, run_id, model_id,"
                  + " developer_name, name, parent_id, type_id, period_start, period_end,"
                  + " account_count, annual_revenue, average_annual_revenue, potential,"
                  + " open_pipeline, weighted_pipeline, closed_won_amount, closed_won_count,"
                  + " closed_lost_count, win_rate, average_deal_size, assigned_users, quota,"
                  + " quota_attainment, subtree_account_count, subtree_annual_revenue,"
                  + " subtree_potential, subtree_open_pipeline, subtree_weighted_pipeline,"
                  + " subtree_closed_won_amount, subtree_closed_won_count,"
                  + " subtree_closed_lost_count, subtree_win_rate, subtree_assigned_users)"
                  + " SELECT t.id, p.period, ?, ?, t.developer_name, t.name, t.parent_id,"
                  + " t.type_id, p.period_start, p.period_end,"
                  + " coalesce(ao.n, 0), trim_scale(coalesce(ao.revenue, 0)),"
                  + " CASE WHEN ao.n > 0 THEN trim_scale(trim_scale(ao.revenue) / ao.n) END,"
                  + " trim_scale(coalesce(ao.potential, 0)),"
                  + " trim_scale(coalesce(oo.open, 0)), trim_scale(coalesce(oo.weighted, 0)),"
                  + " trim_scale(coalesce(oo.won_amount, 0)),"
                  + " coalesce(oo.won, 0), coalesce(oo.lost, 0),"
                  + " CASE WHEN oo.won + oo.lost > 0 THEN oo.won::numeric / (oo.won + oo.lost) END,"
                  + " CASE WHEN oo.won > 0 THEN trim_scale(oo.won_amount) / oo.won END,"
                  + " coalesce(u.own, 0), q.quota,"
                  + " CASE WHEN q.quota > 0 THEN trim_scale(coalesce(os.won_amount, 0)) / q.quota"
                  + " END,"
                  + " coalesce(asub.n, ao.n, 0),"
                  + " trim_scale(coalesce(asub.revenue, ao.revenue, 0)),"
                  + " trim_scale(coalesce(asub.potential, ao.potential, 0)),"
                  + " trim_scale(coalesce(os.open, 0)), trim_scale(coalesce(os.weighted, 0)),"
                  + " trim_scale(coalesce(os.won_amount, 0)),"
                  + " coalesce(os.won, 0), coalesce(os.lost, 0),"
                  + " CASE WHEN os.won + os.lost > 0 THEN os.won::numeric / (os.won + os.lost) END,"
                  + " coalesce(u.subtree, 0)"
                  + " FROM r_terr t CROSS JOIN r_period p"
                  + " LEFT JOIN r_acc_own ao ON ao.territory_id = t.id"
                  + " LEFT JOIN r_acc_sub asub ON asub.territory_id = t.id"
                  + " LEFT JOIN r_opp_own oo ON oo.territory_id = t.id AND oo.period = p.period"
                  + " LEFT JOIN r_opp_sub os ON os.territory_id = t.id AND os.period = p.period"
                  + " LEFT JOIN r_users u ON u.territory_id = t.id"
                  + " LEFT JOIN r_quota q ON q.territory_id = t.id AND q.period = p.period",
              runId,
              modelId);
      balance(c, runId, periods.get(0).label());
      if (events) {
        report.put("events", exec(c, rollupEvents(runId)));
      }
      Map<String, Object> unassigned = new LinkedHashMap<>();
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT count(*), trim_scale(coalesce(sum(potential), 0)) FROM rollup_account"
                      + " WHERE territory_id IS NULL")) {
        rs.next();
        unassigned.put("accounts", rs.getLong(1));
        unassigned.put("potential", rs.getBigDecimal(2));
      }
      Map<String, Object> balance = new LinkedHashMap<>();
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT count(*), coalesce(sum(jsonb_array_length(outside)), 0)"
                      + " FROM territory_balance")) {
        rs.next();
        balance.put("groups", rs.getLong(1));
        balance.put("territoriesOutsideTolerance", rs.getLong(2));
      }
      exec(c, "DELETE FROM rollup_state");
      exec(
          c,
          "INSERT INTO rollup_state (model_id, basis, run_id) VALUES (?, ?, ?)",
          modelId,
          basis,
          runId);
      c.commit();
      report.put("periods", periods.stream().map(FiscalPeriods.Period::label).toList());
      report.put("territories", rows / periods.size());
      report.put("quotas", quotas);
      report.put("unassigned", unassigned);
      report.put("balance", balance);
      report.put("computeMs", (System.nanoTime() - started) / 1_000_000);
      LOG.infof(
          "Run %d: rollups of %d territories for %s (%s) in %d ms; %d account(s) in no territory",
          runId,
          rows / periods.size(),
          report.get("periods"),
          whole == null ? "from " + changed.size() + " changed account(s)" : "whole",
          (System.nanoTime() - started) / 1_000_000,
          (Long) unassigned.get("accounts"));
    }
    return report;
  }

  /**
   * Forgets what the stored rollups were computed from, so the next computation is whole (a run
   * forgot changes that they never took into account).
   */
  public void forget() throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM rollup_state");
    }
  }

  /**
   * Why the stored rollups cannot take a difference (computed on another basis, for other
   * territories, or never), or null when they can.
   */
  private static String wholeReason(Connection c, String modelId, String basis)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT model_id, basis, run_id FROM rollup_state")) {
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return "no stored rollups to start from";
        }
        if (!rs.getString(1).equals(modelId) || !rs.getString(2).equals(basis)) {
          return "the stored rollups (run " + rs.getLong(3) + ") were computed on another basis";
        }
      }
    }
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM (SELECT t.*, p.period FROM r_terr t CROSS JOIN r_period p) e"
                    + " FULL JOIN territory_rollup r ON r.territory_id = e.id"
                    + " AND r.period = e.period WHERE e.id IS NULL OR r.territory_id IS NULL"
                    + " OR r.parent_id IS DISTINCT FROM e.parent_id"
                    + " OR r.type_id IS DISTINCT FROM e.type_id"
                    + " OR r.developer_name IS DISTINCT FROM e.developer_name"
                    + " OR r.name IS DISTINCT FROM e.name")) {
      rs.next();
      if (rs.getLong(1) > 0) {
        return "the territories are not those of the stored rollups";
      }
    }
    return null;
  }

  /** Each account's rows in the territories of the model, from the mirror. */
  private String accountRows(String where) {
    return "SELECT o.territory2_id, o.object_id, coalesce(a.annual_revenue, 0), coalesce("
        + potentialExpression()
        + ", 0) FROM sf_object_territory2_association o JOIN r_terr t ON t.id = o.territory2_id"
        + " JOIN sf_account a ON a.id = o.object_id"
        + where.replace("$", "o.object_id");
  }

  /** A row with territory NULL for each account that {@code table} has in no territory. */
  private String unassignedRows(String table, String where) {
    return "SELECT NULL, a.id, coalesce(a.annual_revenue, 0), coalesce("
        + potentialExpression()
        + ", 0) FROM sf_account a WHERE NOT EXISTS (SELECT 1 FROM "
        + table
        + " r WHERE r.account_id = a.id AND r.territory_id IS NOT NULL)"
        + where.replace("$", "a.id").replace(" WHERE ", " AND ");
  }

  private static final String OPPORTUNITY_COLUMNS =
      "account_id, territory_id, period, open, weighted, won_amount, won, lost";

  /** The opportunity figures per account, territory and period of {@code source}. */
  private static String opportunityRows(String source) {
    return "SELECT o.account_id, o.territory2_id AS territory_id, p.period,"
        + " coalesce(sum(o.amount) FILTER (WHERE NOT coalesce(o.is_closed, false)), 0) AS open,"
        + " coalesce(sum(o.amount * coalesce(o.probability, 0) / 100)"
        + " FILTER (WHERE NOT coalesce(o.is_closed, false)), 0) AS weighted,"
        + " coalesce(sum(o.amount) FILTER (WHERE o.is_won), 0) AS won_amount,"
        + " count(*) FILTER (WHERE o.is_won) AS won,"
        + " count(*) FILTER (WHERE o.is_closed AND NOT coalesce(o.is_won, false)) AS lost"
        + " FROM "
        + source
        + " o JOIN r_terr t ON t.id = o.territory2_id"
        + " JOIN r_period p ON o.close_date BETWEEN p.period_start AND p.period_end"
        + " GROUP BY o.account_id, o.territory2_id, p.period";
  }

  /** Stores what the rollups are computed from, every account and opportunity, afresh. */
  private void snapshot(Connection c) throws SQLException {
    exec(c, "TRUNCATE rollup_account, rollup_opportunity");
    // an index built after the rows costs a fraction of one kept up row by row
    exec(c, "DROP INDEX IF EXISTS rollup_account_account_idx");
    exec(c, "DROP INDEX IF EXISTS rollup_opportunity_account_idx");
    exec(c, "INSERT INTO rollup_account " + accountRows(""));
    exec(c, "ANALYZE rollup_account");
    exec(c, "INSERT INTO rollup_account " + unassignedRows("rollup_account", ""));
    exec(
        c,
        "INSERT INTO rollup_opportunity ("
            + OPPORTUNITY_COLUMNS
            + ") "
            + opportunityRows("sf_opportunity"));
    exec(c, "CREATE INDEX rollup_account_account_idx ON rollup_account (account_id)");
    exec(c, "CREATE INDEX rollup_opportunity_account_idx ON rollup_opportunity (account_id)");
    exec(c, "ANALYZE rollup_account");
    exec(c, "ANALYZE rollup_opportunity");
  }

  /** The own and subtree figures of every territory, summed from the stored rows. */
  private static void wholeFigures(Connection c) throws SQLException {
    exec(
        c,
        "CREATE TEMP TABLE r_acc_own ON COMMIT DROP AS SELECT territory_id, count(*) AS n,"
            + " sum(revenue) AS revenue, sum(potential) AS potential"
            + " FROM rollup_account WHERE territory_id IS NOT NULL GROUP BY territory_id");
    // Subtrees count each account once, however many of their territories it is in. Most
    // accounts are in one territory of the model: their figures roll up per territory through
    // the closure. Only accounts in several are deduplicated per ancestor.
    exec(
        c,
        "CREATE TEMP TABLE r_multi ON COMMIT DROP AS SELECT account_id FROM rollup_account"
            + " WHERE territory_id IS NOT NULL GROUP BY account_id HAVING count(*) > 1");
    exec(c, "ANALYZE r_multi");
    exec(
        c,
        "CREATE TEMP TABLE r_acc_sub ON COMMIT DROP AS SELECT territory_id, sum(n) AS n,"
            + " sum(revenue) AS revenue, sum(potential) AS potential FROM ("
            + " SELECT c.ancestor AS territory_id, sum(o.n) AS n, sum(o.revenue) AS revenue,"
            + " sum(o.potential) AS potential FROM ("
            + "  SELECT territory_id, count(*) AS n, sum(revenue) AS revenue,"
            + "  sum(potential) AS potential FROM rollup_account r"
            + "  WHERE territory_id IS NOT NULL AND NOT EXISTS (SELECT 1"
            + "  FROM r_multi m WHERE m.account_id = r.account_id) GROUP BY territory_id) o"
            + " JOIN r_closure c ON c.descendant = o.territory_id"
            + " WHERE c.ancestor IN (SELECT parent_id FROM r_terr WHERE parent_id IS NOT NULL)"
            + " GROUP BY c.ancestor"
            + " UNION ALL"
            + " SELECT ancestor, count(*), sum(revenue), sum(potential) FROM ("
            + "  SELECT DISTINCT c.ancestor, r.account_id, r.revenue, r.potential"
            + "  FROM rollup_account r"
            + "  JOIN r_multi m ON m.account_id = r.account_id"
            + "  JOIN r_closure c ON c.descendant = r.territory_id"
            + "  WHERE c.ancestor IN (SELECT parent_id FROM r_terr WHERE parent_id IS NOT NULL)"
            + " ) x GROUP BY ancestor"
            + ") u GROUP BY territory_id");
    exec(
        c,
        "CREATE TEMP TABLE r_opp_own ON COMMIT DROP AS SELECT territory_id, period,"
            + " sum(open) AS open, sum(weighted) AS weighted, sum(won_amount) AS won_amount,"
            + " sum(won) AS won, sum(lost) AS lost FROM rollup_opportunity"
            + " GROUP BY territory_id, period");
    exec(
        c,
        "CREATE TEMP TABLE r_opp_sub ON COMMIT DROP AS SELECT c.ancestor AS territory_id,"
            + " r.period, sum(r.open) AS open, sum(r.weighted) AS weighted,"
            + " sum(r.won_amount) AS won_amount, sum(r.won) AS won, sum(r.lost) AS lost"
            + " FROM r_opp_own r JOIN r_closure c ON c.descendant = r.territory_id"
            + " GROUP BY c.ancestor, r.period");
  }

  /**
   * Replaces the stored rows of the {@code changed} accounts (and of the opportunities without an
   * account, whose changes record no account) with the mirror's, and sets the own and subtree
   * figures of every territory to the stored ones plus the difference: what the rows added count
   * minus what the rows removed counted, each account once per subtree.
   */
  private void applyChanges(Connection c, List<String> changed, String period) throws SQLException {
    // a few thousand accounts of a million: looked up by index, not found by scanning (the
    // default random_page_cost of 4 prices index probes for spinning disks)
    exec(c, "SET LOCAL random_page_cost = 1.1");
    exec(c, "CREATE TEMP TABLE r_changed (id TEXT PRIMARY KEY) ON COMMIT DROP");
    exec(
        c,
        "INSERT INTO r_changed SELECT DISTINCT unnest(?::text[])",
        c.createArrayOf("text", changed.toArray()));
    exec(c, "ANALYZE r_changed");
    String inChanged = " WHERE $ IN (SELECT id FROM r_changed)";
    exec(
        c,
        "CREATE TEMP TABLE r_acc_old ON COMMIT DROP AS SELECT * FROM rollup_account"
            + inChanged.replace("$", "account_id"));
    exec(c, "DELETE FROM rollup_account" + inChanged.replace("$", "account_id"));
    exec(
        c,
        "CREATE TEMP TABLE r_acc_new (territory_id TEXT, account_id TEXT, revenue NUMERIC,"
            + " potential NUMERIC) ON COMMIT DROP");
    exec(c, "INSERT INTO r_acc_new " + accountRows(inChanged));
    exec(c, "INSERT INTO r_acc_new " + unassignedRows("r_acc_new", inChanged));
    exec(c, "INSERT INTO rollup_account SELECT * FROM r_acc_new");
    String opportunities = " WHERE account_id IN (SELECT id FROM r_changed)";
    exec(
        c,
        "CREATE TEMP TABLE r_opp_old ON COMMIT DROP AS SELECT "
            + OPPORTUNITY_COLUMNS
            + " FROM rollup_opportunity"
            + opportunities
            + " UNION ALL SELECT "
            + OPPORTUNITY_COLUMNS
            + " FROM rollup_opportunity WHERE account_id IS NULL");
    exec(c, "DELETE FROM rollup_opportunity" + opportunities);
    exec(c, "DELETE FROM rollup_opportunity WHERE account_id IS NULL");
    exec(
        c,
        "CREATE TEMP TABLE r_opp_new ON COMMIT DROP AS "
            + opportunityRows(
                "(SELECT * FROM sf_opportunity WHERE account_id IN (SELECT id FROM r_changed)"
                    + " UNION ALL SELECT * FROM sf_opportunity WHERE account_id IS NULL)"));
    exec(
        c,
        "INSERT INTO rollup_opportunity ("
            + OPPORTUNITY_COLUMNS
            + ") SELECT "
            + OPPORTUNITY_COLUMNS
            + " FROM r_opp_new");
    String parents = "(SELECT parent_id FROM r_terr WHERE parent_id IS NOT NULL)";
    // the difference per territory, and per ancestor with each account once per subtree
    exec(
        c,
        "CREATE TEMP TABLE r_acc_diff ON COMMIT DROP AS SELECT territory_id, sum(n) AS n,"
            + " sum(revenue) AS revenue, sum(potential) AS potential FROM ("
            + " SELECT territory_id, 1 AS n, revenue, potential FROM r_acc_new"
            + " UNION ALL SELECT territory_id, -1, -revenue, -potential FROM r_acc_old) x"
            + " WHERE territory_id IS NOT NULL GROUP BY territory_id");
    exec(
        c,
        "CREATE TEMP TABLE r_acc_sub_diff ON COMMIT DROP AS SELECT ancestor, sum(n) AS n,"
            + " sum(revenue) AS revenue, sum(potential) AS potential FROM ("
            + " SELECT DISTINCT c.ancestor, r.account_id, 1 AS n, r.revenue, r.potential"
            + " FROM r_acc_new r JOIN r_closure c ON c.descendant = r.territory_id"
            + " WHERE c.ancestor IN "
            + parents
            + " UNION ALL SELECT DISTINCT c.ancestor, r.account_id, -1, -r.revenue, -r.potential"
            + " FROM r_acc_old r JOIN r_closure c ON c.descendant = r.territory_id"
            + " WHERE c.ancestor IN "
            + parents
            + ") x GROUP BY ancestor");
    exec(
        c,
        "CREATE TEMP TABLE r_opp_diff ON COMMIT DROP AS SELECT territory_id, period,"
            + " sum(open) AS open, sum(weighted) AS weighted, sum(won_amount) AS won_amount,"
            + " sum(won) AS won, sum(lost) AS lost FROM ("
            + " SELECT territory_id, period, open, weighted, won_amount, won, lost FROM r_opp_new"
            + " UNION ALL SELECT territory_id, period, -open, -weighted, -won_amount, -won, -lost"
            + " FROM r_opp_old) x GROUP BY territory_id, period");
    exec(
        c,
        "CREATE TEMP TABLE r_acc_own ON COMMIT DROP AS SELECT s.territory_id,"
            + " s.account_count + coalesce(d.n, 0) AS n,"
            + " s.annual_revenue + coalesce(d.revenue, 0) AS revenue,"
            + " s.potential + coalesce(d.potential, 0) AS potential"
            + " FROM territory_rollup s LEFT JOIN r_acc_diff d ON d.territory_id = s.territory_id"
            + " WHERE s.period = ?",
        period);
    exec(
        c,
        "CREATE TEMP TABLE r_acc_sub ON COMMIT DROP AS SELECT s.territory_id,"
            + " s.subtree_account_count + coalesce(d.n, 0) AS n,"
            + " s.subtree_annual_revenue + coalesce(d.revenue, 0) AS revenue,"
            + " s.subtree_potential + coalesce(d.potential, 0) AS potential"
            + " FROM territory_rollup s LEFT JOIN r_acc_sub_diff d ON d.ancestor = s.territory_id"
            + " WHERE s.period = ? AND s.territory_id IN "
            + parents,
        period);
    exec(
        c,
        "CREATE TEMP TABLE r_opp_own ON COMMIT DROP AS SELECT s.territory_id, s.period,"
            + " s.open_pipeline + coalesce(d.open, 0) AS open,"
            + " s.weighted_pipeline + coalesce(d.weighted, 0) AS weighted,"
            + " s.closed_won_amount + coalesce(d.won_amount, 0) AS won_amount,"
            + " s.closed_won_count + coalesce(d.won, 0) AS won,"
            + " s.closed_lost_count + coalesce(d.lost, 0) AS lost"
            + " FROM territory_rollup s LEFT JOIN r_opp_diff d ON d.territory_id = s.territory_id"
            + " AND d.period = s.period");
    exec(
        c,
        "CREATE TEMP TABLE r_opp_sub ON COMMIT DROP AS SELECT s.territory_id, s.period,"
            + " s.subtree_open_pipeline + coalesce(d.open, 0) AS open,"
            + " s.subtree_weighted_pipeline + coalesce(d.weighted, 0) AS weighted,"
            + " s.subtree_closed_won_amount + coalesce(d.won_amount, 0) AS won_amount,"
            + " s.subtree_closed_won_count + coalesce(d.won, 0) AS won,"
            + " s.subtree_closed_lost_count + coalesce(d.lost, 0) AS lost"
            + " FROM territory_rollup s LEFT JOIN (SELECT c.ancestor, r.period,"
            + " sum(r.open) AS open, sum(r.weighted) AS weighted,"
            + " sum(r.won_amount) AS won_amount, sum(r.won) AS won, sum(r.lost) AS lost"
            + " FROM r_opp_diff r JOIN r_closure c ON c.descendant = r.territory_id"
            + " GROUP BY c.ancestor, r.period) d ON d.ancestor = s.territory_id"
            + " AND d.period = s.period");
  }

  /**
   * Balance among siblings of one type (same parent, same Territory2Type): potential and workload
   * (account count) of each subtree against the group's mean, with the coefficient of variation and
   * the max/min ratio of the group.
   */
  private void balance(Connection c, long runId, String period) throws SQLException {
    double tolerance = config.balanceTolerance();
    exec(c, "DELETE FROM territory_balance");
    exec(
        c,
        "CREATE TEMP TABLE r_balance ON COMMIT DROP AS SELECT territory_id, developer_name,"
            + " parent_id, type_id, subtree_potential AS x, subtree_account_count AS w,"
            + " count(*) OVER g AS n, avg(subtree_potential) OVER g AS xm,"
            + " stddev_pop(subtree_potential) OVER g AS xs, max(subtree_potential) OVER g AS xhi,"
            + " min(subtree_potential) OVER g AS xlo, avg(subtree_account_count) OVER g AS wm,"
            + " stddev_pop(subtree_account_count) OVER g AS ws,"
            + " max(subtree_account_count) OVER g AS whi, min(subtree_account_count) OVER g AS wlo"
            + " FROM territory_rollup WHERE period = ? AND parent_id IS NOT NULL"
            + " WINDOW g AS (PARTITION BY parent_id, type_id)",
        period);
    String status =
        "CASE WHEN b.n < 2 THEN NULL WHEN b.%1$s > b.%1$sm * (1 + %2$s) THEN 'Over'"
            + " WHEN b.%1$s < b.%1$sm * (1 - %2$s) THEN 'Under' ELSE 'Within' END";
    String tol = BigDecimal.valueOf(tolerance).toPlainString();
    exec(
        c,
        "UPDATE territory_rollup r SET potential_balance = "
            + String.format(Locale.ROOT, status, "x", tol)
            + ", workload_balance = "
            + String.format(Locale.ROOT, status, "w", tol)
            + " FROM r_balance b WHERE r.territory_id = b.territory_id");
    exec(
        c,
        "INSERT INTO territory_balance (parent_id, type_id, run_id, territories, potential_mean,"
            + " potential_cv, potential_max_min, workload_mean, workload_cv, workload_max_min,"
            + " outside)"
            + " SELECT b.parent_id, b.type_id, ?, max(b.n), max(b.xm),"
            + " CASE WHEN max(b.xm) > 0 THEN max(b.xs) / max(b.xm) END,"
            + " CASE WHEN max(b.xlo) > 0 THEN max(b.xhi) / max(b.xlo) END,"
            + " max(b.wm), CASE WHEN max(b.wm) > 0 THEN max(b.ws) / max(b.wm) END,"
            + " CASE WHEN max(b.wlo) > 0 THEN max(b.whi)::numeric / max(b.wlo) END,"
            + " coalesce(jsonb_agg(jsonb_build_object('territory', r.developer_name,"
            + " 'territoryId', r.territory_id, 'potential', r.potential_balance,"
            + " 'workload', r.workload_balance)) FILTER (WHERE r.potential_balance <> 'Within'"
            + " OR r.workload_balance <> 'Within'), '[]'::jsonb)"
            + " FROM r_balance b JOIN territory_rollup r ON r.territory_id = b.territory_id"
            + " AND r.period = ? WHERE b.n >= 2 GROUP BY b.parent_id, b.type_id",
        runId,
        period);
  }

  /**
   * One change event per territory and period whose account count, revenue, open pipeline or
   * closed-won amount moved by more than the threshold since the last computation (a territory
   * computed for the first time records none).
   */
  private String rollupEvents(long runId) {
    String threshold = BigDecimal.valueOf(events.rollupThreshold()).toPlainString();
    StringBuilder changed = new StringBuilder();
    StringBuilder before = new StringBuilder("jsonb_build_object(");
    StringBuilder after = new StringBuilder("jsonb_build_object(");
    String[][] measures = {
      {"account_count", "accountCount"},
      {"annual_revenue", "annualRevenue"},
      {"open_pipeline", "openPipeline"},
      {"closed_won_amount", "closedWonAmount"}
    };
    for (int i = 0; i < measures.length; i++) {
      String col = measures[i][0];
      String sep = i == 0 ? "" : ", ";
      changed
          .append(i == 0 ? "" : " OR ")
          .append("abs(coalesce(r.")
          .append(col)
          .append(", 0) - coalesce(b.")
          .append(col)
          .append(", 0)) > ")
          .append(threshold)
          .append(" * greatest(abs(coalesce(b.")
          .append(col)
          .append(", 0)), 1)");
      before.append(sep).append("'").append(measures[i][1]).append("', b.").append(col);
      after.append(sep).append("'").append(measures[i][1]).append("', r.").append(col);
    }
    return Outbox.insert(
        "territory.rollup.changed",
        String.valueOf(runId),
        "NULL",
        "r.territory_id",
        "jsonb_build_object('runId', "
            + runId
            + ", 'territory', jsonb_build_object('id', r.territory_id, 'developerName',"
            + " r.developer_name, 'name', r.name), 'period', r.period, 'before', "
            + before
            + "), 'after', "
            + after
            + "))",
        " FROM territory_rollup r JOIN r_before b ON b.territory_id = r.territory_id"
            + " AND b.period = r.period WHERE "
            + changed,
        "r.territory_id, r.period");
  }

  /** The SQL expression of the potential field on {@code sf_account a}. */
  public String potentialExpression() {
    String field = config.potentialField();
    MirrorColumn col = MirrorObject.byName("Account").orElseThrow().column(field).orElse(null);
    if (col != null) {
      return "a." + col.column() + "::numeric";
    }
    if (!field.matches("[A-Za-z][A-Za-z0-9_]*")) {
      throw new IllegalStateException(
          "territory.rollups.potential-field '" + field + "' is not an Account field name");
    }
    return "(CASE WHEN a.extra->>'"
        + field
        + "' ~ '^-?[0-9.]+([eE][-+]?[0-9]+)?$' THEN (a.extra->>'"
        + field
        + "')::numeric END)";
  }

  /**
   * Reads {@code territory.rollups.quotas-file} into r_quota: every bad line is reported with its
   * number, and a file with any is refused as a whole.
   */
  private int loadQuotas(Connection c) throws SQLException {
    if (config.quotasFile().isEmpty()) {
      return 0;
    }
    String file = config.quotasFile().get();
    Map<String, String> territories = new HashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT lower(developer_name), id FROM r_terr")) {
      while (rs.next()) {
        territories.put(rs.getString(1), rs.getString(2));
      }
    }
    List<String> errors = new ArrayList<>();
    List<Object[]> rows = new ArrayList<>();
    try (Reader in = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
        CSVParser csv =
            CSVFormat.RFC4180
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .setIgnoreSurroundingSpaces(true)
                .build()
                .parse(in)) {
      for (String column : List.of("territory", "period", "quota")) {
        if (!csv.getHeaderMap().containsKey(column)) {
          throw new IllegalStateException(
              file + ":1: the header must name the columns territory,period,quota");
        }
      }
      for (CSVRecord r : csv) {
        long line = r.getParser().getCurrentLineNumber();
        String territory = r.get("territory");
        String id = territories.get(territory.toLowerCase(Locale.ROOT));
        String period = r.get("period");
        if (id == null) {
          errors.add(file + ":" + line + ": unknown territory '" + territory + "'");
        }
        if (!period.matches("FY\\d{4}(-Q[1-4])?")) {
          errors.add(
              file + ":" + line + ": period '" + period + "' is not like FY2026 or FY2026-Q4");
        }
        BigDecimal quota = null;
        try {
          quota = new BigDecimal(r.get("quota"));
        } catch (NumberFormatException e) {
          errors.add(file + ":" + line + ": quota '" + r.get("quota") + "' is not a number");
        }
        rows.add(new Object[] {id, period, quota});
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException(file + ": cannot read the quotas: " + e.getMessage(), e);
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException(
          "The quotas file is not valid; no rollups were written:\n" + String.join("\n", errors));
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO r_quota VALUES (?, ?, ?)")) {
      for (Object[] row : rows) {
        ps.setString(1, (String) row[0]);
        ps.setString(2, (String) row[1]);
        ps.setBigDecimal(3, (BigDecimal) row[2]);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    return rows.size();
  }

  private static long exec(Connection c, String sql, Object... params) throws SQLException {
    long t0 = System.nanoTime();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      return ps.executeLargeUpdate();
    } finally {
      LOG.debugf(
          "rollup statement took %d ms: %s",
          (System.nanoTime() - t0) / 1_000_000, sql.substring(0, Math.min(70, sql.length())));
    }
  }
}
