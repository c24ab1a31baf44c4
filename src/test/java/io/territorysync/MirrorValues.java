package io.territorysync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.territorysync.emulator.OrgData;
import io.territorysync.emulator.OrgQuery;
import io.territorysync.mirror.MirrorColumn;
import io.territorysync.mirror.MirrorObject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * Compares the mirror with the org value by value: every record and every typed column, so a record
 * lost, doubled, or read with its columns shifted shows as a difference.
 */
public final class MirrorValues {

  private MirrorValues() {}

  /** SOQL reading the object's id and typed columns, in the mirror's column order. */
  public static String soql(MirrorObject o) {
    StringBuilder sb = new StringBuilder("SELECT Id");
    for (MirrorColumn c : o.columns()) {
      sb.append(", ").append(c.field());
    }
    return sb.append(" FROM ").append(o.apiName()).toString();
  }

  /** Id to values (as text, empty for null) of every record of the org, in-process. */
  public static Map<String, List<String>> org(OrgData org, MirrorObject o) {
    Map<String, List<String>> out = new TreeMap<>();
    for (List<String> r : OrgQuery.rows(org, soql(o))) {
      out.put(r.get(0), normalized(o, r.subList(1, r.size())));
    }
    return out;
  }

  /** Id to values from REST query records (JSON), as {@link #org(OrgData, MirrorObject)}. */
  public static Map<String, List<String>> org(
      List<com.fasterxml.jackson.databind.JsonNode> records, MirrorObject o) {
    Map<String, List<String>> out = new TreeMap<>();
    for (var r : records) {
      List<String> values = new ArrayList<>();
      for (MirrorColumn c : o.columns()) {
        var v = r.path(c.field());
        values.add(v.isNull() || v.isMissingNode() ? "" : v.asText());
      }
      out.put(r.path("Id").asText(), normalized(o, values));
    }
    return out;
  }

  /** Id to values of every row of the object's mirror table. */
  public static Map<String, List<String>> mirror(Connection c, MirrorObject o) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT id");
    for (MirrorColumn col : o.columns()) {
      sql.append(", ").append(col.column()).append("::text");
    }
    sql.append(" FROM ").append(o.table());
    Map<String, List<String>> out = new TreeMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql.toString())) {
      while (rs.next()) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < o.columns().size(); i++) {
          String v = rs.getString(i + 2);
          values.add(v == null ? "" : v);
        }
        if (out.put(rs.getString(1), normalized(o, values)) != null) {
          throw new AssertionError(o.table() + " has " + rs.getString(1) + " twice");
        }
      }
    }
    return out;
  }

  private static List<String> normalized(MirrorObject o, List<String> values) {
    List<String> out = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i);
      String type = o.columns().get(i).sqlType();
      if (!v.isEmpty() && (type.equals("numeric") || type.equals("integer"))) {
        v = new BigDecimal(v).stripTrailingZeros().toPlainString();
      } else if (!v.isEmpty() && type.equals("double precision")) {
        v = String.valueOf(Double.parseDouble(v));
      }
      out.add(v);
    }
    return out;
  }

  /** The mirror holds exactly the org's records of {@code o}, with the same values. */
  public static void assertSame(
      MirrorObject o, Map<String, List<String>> org, Map<String, List<String>> mirror) {
    TreeSet<String> missing = new TreeSet<>(org.keySet());
    missing.removeAll(mirror.keySet());
    TreeSet<String> extra = new TreeSet<>(mirror.keySet());
    extra.removeAll(org.keySet());
    assertEquals(
        "",
        missing.isEmpty() && extra.isEmpty()
            ? ""
            : "missing " + first(missing) + ", not in the org " + first(extra),
        o.apiName() + " records");
    List<String> differences = new ArrayList<>();
    for (var e : org.entrySet()) {
      List<String> m = mirror.get(e.getKey());
      for (int i = 0; i < e.getValue().size(); i++) {
        if (!e.getValue().get(i).equals(m.get(i)) && differences.size() < 5) {
          differences.add(
              e.getKey()
                  + "."
                  + o.columns().get(i).field()
                  + ": org '"
                  + e.getValue().get(i)
                  + "', mirror '"
                  + m.get(i)
                  + "'");
        }
      }
    }
    assertEquals(List.of(), differences, o.apiName() + " values");
  }

  /** Every mirrored object of the in-process org is in the mirror with the same values. */
  public static void assertMirrorEqualsOrg(OrgData org, DataSource dataSource) throws Exception {
    try (Connection c = dataSource.getConnection()) {
      for (MirrorObject o : MirrorObject.ALL) {
        assertSame(o, org(org, o), mirror(c, o));
      }
    }
  }

  private static String first(TreeSet<String> ids) {
    return ids.size() + (ids.isEmpty() ? "" : " (" + ids.first() + "…)");
  }
}
