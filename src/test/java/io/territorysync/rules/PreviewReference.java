package io.territorysync.rules;

import io.agroal.api.AgroalDataSource;
import io.territorysync.database.CopyStream;
import io.territorysync.rules.engine.CompiledRules;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The rules preview as it was first written, entirely in SQL over a temporary table of the
 * candidate's assignments: slow at a million accounts (24 s), obvious, and the reference that
 * {@link RulesPreview}'s one-pass tally must agree with ({@code RulesPreviewTest}).
 */
final class PreviewReference {

  private static final int BATCH = 20_000;
  private static final int SAMPLE = 100;

  private final AccountSource accounts;
  private final AgroalDataSource dataSource;

  PreviewReference(AccountSource accounts, AgroalDataSource dataSource) {
    this.accounts = accounts;
    this.dataSource = dataSource;
  }

  /** The diff and the balance of {@code candidate} against the current assignments. */
  Map<String, Object> preview(CompiledRules candidate) throws SQLException {
    Map<String, Object> out = new LinkedHashMap<>();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute(
            "CREATE TEMP TABLE preview_assignment (account_id text, territory_id text, rule text)"
                + " ON COMMIT DROP");
      }
      ThreadLocal<CompiledRules.Scratch> scratch = ThreadLocal.withInitial(candidate::scratch);
      long evaluated =
          CopyStream.copy(
              c,
              "COPY preview_assignment FROM STDIN (FORMAT csv)",
              copy ->
                  accounts.stream(
                      candidate.slots(),
                      BATCH,
                      batch -> {
                        CompiledRules.Assignment[] result =
                            new CompiledRules.Assignment[batch.size()];
                        IntStream.range(0, batch.size())
                            .parallel()
                            .forEach(
                                i -> result[i] = candidate.assign(batch.get(i), scratch.get()));
                        StringBuilder sb = new StringBuilder(batch.size() * 48);
                        for (CompiledRules.Assignment a : result) {
                          for (int k = 0; k < a.territories().length; k++) {
                            CompiledRules.Territory t = candidate.territory(a.territories()[k]);
                            if (t.id() == null) {
                              continue;
                            }
                            int rule = a.rules()[k];
                            sb.append(a.accountId()).append(',').append(t.id()).append(',');
                            if (rule >= 0) {
                              sb.append('"')
                                  .append(candidate.rule(rule).name().replace("\"", "\"\""))
                                  .append('"');
                            }
                            sb.append('\n');
                          }
                        }
                        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
                        try {
                          copy.writeToCopy(bytes, 0, bytes.length);
                        } catch (SQLException e) {
                          throw new IllegalStateException(e);
                        }
                      }));
      try (Statement s = c.createStatement()) {
        s.execute("CREATE INDEX ON preview_assignment (account_id, territory_id)");
        s.execute("ANALYZE preview_assignment");
        out.put("accountsEvaluated", evaluated);
        out.put("basedOnRun", single(s, "SELECT max(run_id) FROM desired_assignment"));
        Map<String, Object> diff = new LinkedHashMap<>();
        diff.put(
            "associationsAdded",
            single(
                s,
                "SELECT count(*) FROM preview_assignment p WHERE NOT EXISTS (SELECT 1 FROM"
                    + " desired_assignment d WHERE d.account_id = p.account_id"
                    + " AND d.territory_id = p.territory_id)"));
        diff.put(
            "associationsRemoved",
            single(
                s,
                "SELECT count(*) FROM desired_assignment d WHERE NOT EXISTS (SELECT 1 FROM"
                    + " preview_assignment p WHERE d.account_id = p.account_id"
                    + " AND d.territory_id = p.territory_id)"));
        s.execute(
            "CREATE TEMP TABLE preview_changed ON COMMIT DROP AS"
                + " SELECT account_id FROM (SELECT account_id, territory_id FROM preview_assignment"
                + " EXCEPT SELECT account_id, territory_id FROM desired_assignment) a"
                + " UNION SELECT account_id FROM (SELECT account_id, territory_id"
                + " FROM desired_assignment EXCEPT SELECT account_id, territory_id"
                + " FROM preview_assignment) r");
        diff.put("accountsChanged", single(s, "SELECT count(*) FROM preview_changed"));
        diff.put(
            "accountsLeavingAllTerritories",
            single(
                s,
                "SELECT count(*) FROM preview_changed x WHERE NOT EXISTS (SELECT 1 FROM"
                    + " preview_assignment p WHERE p.account_id = x.account_id)"));
        diff.put("sample", sample(s));
        out.put("diff", diff);
        out.put("balance", balance(s));
      }
      c.rollback();
    }
    return out;
  }

  private static List<Map<String, Object>> sample(Statement s) throws SQLException {
    List<Map<String, Object>> out = new ArrayList<>();
    try (ResultSet rs =
        s.executeQuery(
            "SELECT x.account_id, a.name,"
                + " (SELECT array_agg(t.developer_name ORDER BY t.developer_name)"
                + "  FROM desired_assignment d JOIN sf_territory2 t ON t.id = d.territory_id"
                + "  WHERE d.account_id = x.account_id) AS before,"
                + " (SELECT array_agg(t.developer_name ORDER BY t.developer_name)"
                + "  FROM preview_assignment p JOIN sf_territory2 t ON t.id = p.territory_id"
                + "  WHERE p.account_id = x.account_id) AS after"
                + " FROM preview_changed x LEFT JOIN sf_account a ON a.id = x.account_id"
                + " ORDER BY x.account_id LIMIT "
                + SAMPLE)) {
      while (rs.next()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accountId", rs.getString(1));
        m.put("name", rs.getString(2));
        m.put("before", array(rs, 3));
        m.put("after", array(rs, 4));
        out.add(m);
      }
    }
    return out;
  }

  private static Map<String, Object> balance(Statement s) throws SQLException {
    Map<String, Object> out = new LinkedHashMap<>();
    List<Map<String, Object>> territories = new ArrayList<>();
    String per =
        "SELECT territory_id, count(*) AS accounts, coalesce(sum(a.annual_revenue), 0) AS potential"
            + " FROM %s x LEFT JOIN sf_account a ON a.id = x.account_id GROUP BY territory_id";
    // accounts that join (in) or leave (out) a territory: pairs only one side has
    String moved =
        "SELECT territory_id, count(*) AS n FROM %s x WHERE NOT EXISTS (SELECT 1 FROM %s y"
            + " WHERE y.account_id = x.account_id AND y.territory_id = x.territory_id)"
            + " GROUP BY territory_id";
    try (ResultSet rs =
        s.executeQuery(
            "SELECT t.developer_name, coalesce(b.accounts, 0), coalesce(b.potential, 0),"
                + " coalesce(p.accounts, 0), coalesce(p.potential, 0),"
                + " coalesce(i.n, 0), coalesce(o.n, 0), t.id"
                + " FROM sf_territory2 t"
                + " LEFT JOIN ("
                + String.format(per, "desired_assignment")
                + ") b ON b.territory_id = t.id"
                + " LEFT JOIN ("
                + String.format(per, "preview_assignment")
                + ") p ON p.territory_id = t.id"
                + " LEFT JOIN ("
                + String.format(moved, "preview_assignment", "desired_assignment")
                + ") i ON i.territory_id = t.id"
                + " LEFT JOIN ("
                + String.format(moved, "desired_assignment", "preview_assignment")
                + ") o ON o.territory_id = t.id"
                + " WHERE b.accounts IS NOT NULL OR p.accounts IS NOT NULL"
                + " ORDER BY t.developer_name")) {
      List<Double> b = new ArrayList<>();
      List<Double> a = new ArrayList<>();
      while (rs.next()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("territory", rs.getString(1));
        m.put("id", rs.getString(8));
        m.put("accountsBefore", rs.getLong(2));
        m.put("potentialBefore", rs.getBigDecimal(3));
        m.put("accountsAfter", rs.getLong(4));
        m.put("potentialAfter", rs.getBigDecimal(5));
        m.put("accountsIn", rs.getLong(6));
        m.put("accountsOut", rs.getLong(7));
        territories.add(m);
        b.add(rs.getDouble(3));
        a.add(rs.getDouble(5));
      }
      out.put(
          "potentialSpreadBefore", spread(b.stream().mapToDouble(Double::doubleValue).toArray()));
      out.put(
          "potentialSpreadAfter", spread(a.stream().mapToDouble(Double::doubleValue).toArray()));
    }
    out.put("territories", territories);
    return out;
  }

  /** Coefficient of variation (standard deviation / mean) of the territories' potential. */
  private static Double spread(double[] v) {
    if (v.length == 0) {
      return null;
    }
    double mean = java.util.Arrays.stream(v).average().orElse(0);
    if (mean == 0) {
      return null;
    }
    double var = java.util.Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / v.length;
    return Math.round(Math.sqrt(var) / mean * 10_000) / 10_000.0;
  }

  private static Object array(ResultSet rs, int column) throws SQLException {
    java.sql.Array a = rs.getArray(column);
    return a == null ? List.of() : List.of((Object[]) a.getArray());
  }

  private static long single(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
