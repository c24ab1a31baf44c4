package io.territorysync.assignment;

import io.agroal.api.AgroalDataSource;
import io.territorysync.rules.AccountSource;
import io.territorysync.rules.RulesService;
import io.territorysync.rules.engine.AccountRecord;
import io.territorysync.rules.engine.CompiledRules;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What was changed and why: a run's changes, an account's history, and explain. */
@ApplicationScoped
public class History {

  private static final String CHANGE_COLUMNS =
      "p.id, p.run_id AS \"runId\", p.kind, p.action, p.object_id AS \"objectId\","
          + " p.account_id AS \"accountId\", p.territory_id AS \"territoryId\","
          + " t.developer_name AS \"territory\", p.previous_territory_id AS \"previousTerritoryId\","
          + " p.role, p.rule, p.rules_version AS \"rulesVersion\", p.reason, p.status, p.error,"
          + " p.attempts, p.planned_at AS \"plannedAt\", p.written_at AS \"writtenAt\""
          + " FROM plan_change p LEFT JOIN sf_territory2 t ON t.id = p.territory_id";

  @Inject AgroalDataSource dataSource;
  @Inject RulesService rules;
  @Inject AccountSource accounts;

  /**
   * Which of a run's changes to show: a status (outcome), a kind (account, user, opportunity) and a
   * territory (id or developer name); null means any.
   */
  public record ChangeFilter(String status, String kind, String territory) {

    /** No filter. */
    public static final ChangeFilter ALL = new ChangeFilter(null, null, null);
  }

  /**
   * A page of a run's changes with totals by kind, action and status: {@code after} (a change id)
   * pages by key, which stays fast deep into a run of a million changes; else {@code offset}.
   */
  public Map<String, Object> changes(
      long runId, ChangeFilter filter, int limit, int offset, Long after) throws SQLException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("runId", runId);
    Map<String, Long> totals = new LinkedHashMap<>();
    for (Map<String, Object> row :
        rows(
            "SELECT p.kind || ' ' || p.action || ': ' || p.status AS k, count(*) AS n"
                + " FROM plan_change p WHERE p.run_id = ? GROUP BY 1 ORDER BY 1",
            List.of(runId))) {
      totals.put((String) row.get("k"), ((Number) row.get("n")).longValue());
    }
    out.put("totals", totals);
    out.put("changes", changeRows(runId, filter, after, limit, after == null ? offset : 0));
    out.put("limit", limit);
    out.put("offset", offset);
    return out;
  }

  /** A page of a run's changes in id order, after change {@code after} (null: from the start). */
  public List<Map<String, Object>> changeRows(
      long runId, ChangeFilter filter, Long after, int limit, int offset) throws SQLException {
    List<Object> params = new ArrayList<>();
    String where = where(runId, filter, params);
    if (after != null) {
      where += " AND p.id > ?";
      params.add(after);
    }
    params.add(limit);
    params.add(offset);
    return rows("SELECT " + CHANGE_COLUMNS + where + " ORDER BY p.id LIMIT ? OFFSET ?", params);
  }

  /** Every change of a run that passes {@code filter}, in id order, streamed (CSV download). */
  public void eachChange(long runId, ChangeFilter filter, RowConsumer consumer)
      throws SQLException, java.io.IOException {
    List<Object> params = new ArrayList<>();
    String sql = "SELECT " + CHANGE_COLUMNS + where(runId, filter, params) + " ORDER BY p.id";
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false); // a cursor: rows arrive in batches instead of all at once
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setFetchSize(2000);
        bind(ps, params);
        try (ResultSet rs = ps.executeQuery()) {
          ResultSetMetaData md = rs.getMetaData();
          List<String> columns = new ArrayList<>();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            columns.add(md.getColumnLabel(i));
          }
          consumer.header(columns);
          while (rs.next()) {
            List<Object> row = new ArrayList<>(columns.size());
            for (int i = 1; i <= columns.size(); i++) {
              row.add(value(rs.getObject(i)));
            }
            consumer.row(row);
          }
        }
      } finally {
        c.rollback();
      }
    }
  }

  /** Receives streamed rows. */
  public interface RowConsumer {
    /** The column names, once, first. */
    void header(List<String> columns) throws java.io.IOException;

    /** One row's values, in column order. */
    void row(List<Object> values) throws java.io.IOException;
  }

  private String where(long runId, ChangeFilter f, List<Object> params) throws SQLException {
    StringBuilder where = new StringBuilder(" WHERE p.run_id = ?");
    params.add(runId);
    if (f.status() != null && !f.status().isBlank()) {
      where.append(" AND p.status = ?");
      params.add(f.status());
    }
    if (f.kind() != null && !f.kind().isBlank()) {
      where.append(" AND p.kind = ?");
      params.add(f.kind());
    }
    if (f.territory() != null && !f.territory().isBlank()) {
      // by id, so the filter stays on plan_change's own columns
      String id = territoryId(f.territory().trim());
      where.append(" AND p.territory_id = ?");
      params.add(id == null ? f.territory().trim() : id);
    }
    return where.toString();
  }

  /** The id of a territory given by id or developer name, or null when there is none. */
  public String territoryId(String idOrName) throws SQLException {
    List<Map<String, Object>> found =
        rows(
            "SELECT id FROM sf_territory2 WHERE id = ? OR developer_name = ? LIMIT 1",
            List.of(idOrName, idOrName));
    return found.isEmpty() ? null : (String) found.get(0).get("id");
  }

  /** Every recorded change of an account, its opportunities included, newest first. */
  public List<Map<String, Object>> accountHistory(String accountId, int limit) throws SQLException {
    return rows(
        "SELECT "
            + CHANGE_COLUMNS
            + " WHERE p.account_id = ? OR p.object_id = ? ORDER BY p.id DESC LIMIT ?",
        List.of(accountId, accountId, limit));
  }

  /**
   * Why an account is where it is: the territories the rules in force give it, with the rule and
   * criteria of each; its associations in the org and what the next run does with them; and the
   * territories it came closest to, with the first criterion that failed. Empty when the account is
   * not in the mirror.
   */
  public Optional<Map<String, Object>> explain(String accountId, int closest) throws SQLException {
    RulesService.InForce inForce = rules.current().orElse(null);
    if (inForce == null) {
      inForce = rules.reload().inForce();
    }
    if (inForce == null) {
      throw new IllegalStateException("No valid rules are in force yet");
    }
    CompiledRules compiled = inForce.rules();
    List<AccountRecord> found = accounts.load(compiled.slots(), List.of(accountId));
    if (found.isEmpty()) {
      return Optional.empty();
    }
    AccountRecord account = found.get(0);
    CompiledRules.Assignment assignment = compiled.assign(account, compiled.scratch());
    Map<String, Map<String, Object>> inOrg = new LinkedHashMap<>();
    for (Map<String, Object> row :
        rows(
            "SELECT o.territory2_id AS \"territoryId\", t.developer_name AS territory,"
                + " o.association_cause AS cause, m.confirmed IS NOT NULL AS owned"
                + " FROM sf_object_territory2_association o"
                + " LEFT JOIN sf_territory2 t ON t.id = o.territory2_id"
                + " LEFT JOIN managed_association m ON m.kind = 'account'"
                + " AND m.object_id = o.object_id AND m.territory_id = o.territory2_id"
                + " WHERE o.object_id = ? AND (t.territory2_model_id = ? OR ? IS NULL)",
            List.of(accountId, nullable(compiled.modelId()), nullable(compiled.modelId())))) {
      inOrg.put((String) row.get("territoryId"), row);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("accountId", account.id());
    out.put("rulesVersion", inForce.version());
    out.put("rulesSource", inForce.source());
    out.put("excludedFromRealign", account.excludedFromRealign());
    List<Map<String, Object>> territories = new ArrayList<>();
    List<String> wanted = new ArrayList<>();
    for (int t : assignment.territories()) {
      CompiledRules.Territory territory = compiled.territory(t);
      wanted.add(territory.id());
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("territory", territory.developerName());
      m.put("territoryId", territory.id());
      Map<String, Object> org = inOrg.get(territory.id());
      m.put("inOrg", org != null);
      m.put("cause", org == null ? null : org.get("cause"));
      m.put(
          "next",
          org != null
              ? "keep"
              : account.excludedFromRealign()
                  ? "none: the account is excluded from realignment"
                  : "add");
      m.put("explanation", compiled.explain(account, t, assignment));
      territories.add(m);
    }
    out.put("territories", territories);
    List<Map<String, Object>> notWanted = new ArrayList<>();
    inOrg.forEach(
        (id, org) -> {
          if (!wanted.contains(id)) {
            Map<String, Object> m = new LinkedHashMap<>(org);
            boolean manual = "Territory2Manual".equals(org.get("cause"));
            m.put(
                "next",
                account.excludedFromRealign()
                    ? "keep: the account is excluded from realignment"
                    : !manual
                        ? "keep: created by the org's own assignment rules"
                        : Boolean.TRUE.equals(org.get("owned"))
                            ? "remove: no rule assigns it any more"
                            : "keep: not created by Territory Sync (remove-policy owned)");
            notWanted.add(m);
          }
        });
    out.put("otherAssociations", notWanted);
    out.put("closest", compiled.nearMisses(account, assignment, closest));
    return Optional.of(out);
  }

  private static Object nullable(String s) {
    return s == null ? new NullString() : s;
  }

  /** A typed SQL NULL for a text parameter. */
  private record NullString() {}

  private List<Map<String, Object>> rows(String sql, List<Object> params) throws SQLException {
    List<Map<String, Object>> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            row.put(md.getColumnLabel(i), value(rs.getObject(i)));
          }
          out.add(row);
        }
      }
    }
    return out;
  }

  private static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
    for (int i = 0; i < params.size(); i++) {
      Object p = params.get(i);
      if (p instanceof NullString) {
        ps.setNull(i + 1, java.sql.Types.VARCHAR);
      } else {
        ps.setObject(i + 1, p);
      }
    }
  }

  private static Object value(Object v) {
    if (v instanceof java.sql.Timestamp ts) {
      return ts.toInstant().toString();
    }
    if (v instanceof OffsetDateTime odt) {
      return odt.toInstant().toString();
    }
    return v;
  }
}
