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

  /** A page of a run's changes, optionally of one status and kind, with totals by status. */
  public Map<String, Object> changes(long runId, String status, String kind, int limit, int offset)
      throws SQLException {
    StringBuilder where = new StringBuilder(" WHERE p.run_id = ?");
    List<Object> params = new ArrayList<>(List.of(runId));
    if (status != null && !status.isBlank()) {
      where.append(" AND p.status = ?");
      params.add(status);
    }
    if (kind != null && !kind.isBlank()) {
      where.append(" AND p.kind = ?");
      params.add(kind);
    }
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
    List<Object> paged = new ArrayList<>(params);
    paged.add(limit);
    paged.add(offset);
    out.put(
        "changes",
        rows("SELECT " + CHANGE_COLUMNS + where + " ORDER BY p.id LIMIT ? OFFSET ?", paged));
    out.put("limit", limit);
    out.put("offset", offset);
    return out;
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
      for (int i = 0; i < params.size(); i++) {
        Object p = params.get(i);
        if (p instanceof NullString) {
          ps.setNull(i + 1, java.sql.Types.VARCHAR);
        } else {
          ps.setObject(i + 1, p);
        }
      }
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            Object v = rs.getObject(i);
            if (v instanceof java.sql.Timestamp ts) {
              v = ts.toInstant().toString();
            } else if (v instanceof OffsetDateTime odt) {
              v = odt.toInstant().toString();
            }
            row.put(md.getColumnLabel(i), v);
          }
          out.add(row);
        }
      }
    }
    return out;
  }
}
