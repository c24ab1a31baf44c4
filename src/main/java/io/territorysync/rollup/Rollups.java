package io.territorysync.rollup;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the stored rollups for the admin API. */
@ApplicationScoped
public class Rollups {

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  @Inject AgroalDataSource dataSource;

  /**
   * The territories with their rollups (of one period, or all), the balance of each sibling group,
   * and what the latest run with rollups said about unassigned accounts.
   */
  public Map<String, Object> territories(String period) throws SQLException {
    Map<String, Object> out = new LinkedHashMap<>();
    List<Map<String, Object>> rows =
        rows(
            "SELECT territory_id AS \"territoryId\", developer_name AS \"developerName\","
                + " name, parent_id AS \"parentId\", type_id AS \"typeId\", period,"
                + " period_start AS \"periodStart\", period_end AS \"periodEnd\","
                + " account_count AS \"accountCount\", annual_revenue AS \"annualRevenue\","
                + " average_annual_revenue AS \"averageAnnualRevenue\", potential,"
                + " open_pipeline AS \"openPipeline\", weighted_pipeline AS \"weightedPipeline\","
                + " closed_won_amount AS \"closedWonAmount\", closed_won_count AS \"closedWonCount\","
                + " closed_lost_count AS \"closedLostCount\", win_rate AS \"winRate\","
                + " average_deal_size AS \"averageDealSize\", assigned_users AS \"assignedUsers\","
                + " quota, quota_attainment AS \"quotaAttainment\","
                + " subtree_account_count AS \"subtreeAccountCount\","
                + " subtree_annual_revenue AS \"subtreeAnnualRevenue\","
                + " subtree_potential AS \"subtreePotential\","
                + " subtree_open_pipeline AS \"subtreeOpenPipeline\","
                + " subtree_weighted_pipeline AS \"subtreeWeightedPipeline\","
                + " subtree_closed_won_amount AS \"subtreeClosedWonAmount\","
                + " subtree_closed_won_count AS \"subtreeClosedWonCount\","
                + " subtree_closed_lost_count AS \"subtreeClosedLostCount\","
                + " subtree_win_rate AS \"subtreeWinRate\","
                + " subtree_assigned_users AS \"subtreeAssignedUsers\","
                + " potential_balance AS \"potentialBalance\","
                + " workload_balance AS \"workloadBalance\", run_id AS \"runId\""
                + " FROM territory_rollup WHERE (? IS NULL OR period = ?)"
                + " ORDER BY developer_name, period",
            period,
            period);
    out.put("territories", rows);
    out.put(
        "balance",
        rows(
            "SELECT b.parent_id AS \"parentId\", p.developer_name AS parent,"
                + " b.type_id AS \"typeId\", y.developer_name AS type, b.territories, b.potential_mean AS \"potentialMean\","
                + " b.potential_cv AS \"potentialCv\", b.potential_max_min AS \"potentialMaxMin\","
                + " b.workload_mean AS \"workloadMean\", b.workload_cv AS \"workloadCv\","
                + " b.workload_max_min AS \"workloadMaxMin\", b.outside"
                + " FROM territory_balance b LEFT JOIN sf_territory2 p ON p.id = b.parent_id"
                + " LEFT JOIN sf_territory2_type y ON y.id = b.type_id ORDER BY parent, type"));
    List<Map<String, Object>> latest =
        rows(
            "SELECT id AS \"runId\", summary->'rollups'->'unassigned' AS unassigned,"
                + " summary->'rollups'->'periods' AS periods FROM run"
                + " WHERE summary->'rollups' IS NOT NULL ORDER BY id DESC LIMIT 1");
    out.put("unassigned", latest.isEmpty() ? null : latest.get(0));
    return out;
  }

  /** The periods of the stored rollups: years before quarters, newest first. */
  public List<String> periods() throws SQLException {
    List<String> out = new ArrayList<>();
    for (Map<String, Object> r :
        rows(
            "SELECT period, min(period_start) AS s, max(period_end) AS e FROM territory_rollup"
                + " GROUP BY period ORDER BY max(period_end) - min(period_start) DESC, min(period_start) DESC")) {
      out.add((String) r.get("period"));
    }
    return out;
  }

  /** The territory model the stored rollups are of (id, name, state), if any. */
  public Map<String, Object> model() throws SQLException {
    List<Map<String, Object>> m =
        rows(
            "SELECT m.id, coalesce(m.name, m.developer_name, r.model_id) AS name, m.state"
                + " FROM (SELECT model_id FROM territory_rollup LIMIT 1) r"
                + " LEFT JOIN sf_territory2_model m ON m.id = r.model_id");
    return m.isEmpty() ? null : m.get(0);
  }

  /** The label of every Territory2Type, by id. */
  public Map<String, String> typeLabels() throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map<String, Object> r :
        rows(
            "SELECT id, coalesce(master_label, developer_name, id) AS label"
                + " FROM sf_territory2_type")) {
      out.put((String) r.get("id"), (String) r.get("label"));
    }
    return out;
  }

  /** The users with an active association to the territory (name, username, role), by name. */
  public List<Map<String, Object>> users(String territoryId) throws SQLException {
    return rows(
        "SELECT u.user_id AS \"userId\", coalesce(s.name, u.user_id) AS name, s.username,"
            + " u.role_in_territory2 AS role FROM sf_user_territory2_association u"
            + " LEFT JOIN sf_user s ON s.id = u.user_id"
            + " WHERE u.territory2_id = ? AND coalesce(u.is_active, true)"
            + " ORDER BY name",
        territoryId);
  }

  private List<Map<String, Object>> rows(String sql, Object... params) throws SQLException {
    List<Map<String, Object>> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i], java.sql.Types.VARCHAR);
      }
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            Object v = rs.getObject(i);
            if (v instanceof BigDecimal d) {
              v = d.stripTrailingZeros();
            } else if (v instanceof java.sql.Date d) {
              v = d.toLocalDate().toString();
            } else if (v instanceof org.postgresql.util.PGobject o && o.getValue() != null) {
              v = JSON.readValue(o.getValue(), Object.class);
            }
            row.put(md.getColumnLabel(i), v);
          }
          out.add(row);
        }
      } catch (java.io.IOException e) {
        throw new SQLException("cannot read stored JSON: " + e.getMessage(), e);
      }
    }
    return out;
  }
}
