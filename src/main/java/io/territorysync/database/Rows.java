package io.territorysync.database;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Query rows as maps for the API and the console: one key a column, in the query's order. */
public final class Rows {

  private Rows() {}

  /** Every remaining row of {@code rs}: column i is {@code keys[i - 1]}. */
  public static List<Map<String, Object>> maps(ResultSet rs, String... keys) throws SQLException {
    List<Map<String, Object>> out = new ArrayList<>();
    while (rs.next()) {
      out.add(map(rs, keys));
    }
    return out;
  }

  /** The current row of {@code rs}; timestamps become {@link java.time.Instant}s. */
  public static Map<String, Object> map(ResultSet rs, String... keys) throws SQLException {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keys.length; i++) {
      Object v = rs.getObject(i + 1);
      m.put(keys[i], v instanceof Timestamp t ? t.toInstant() : v);
    }
    return m;
  }
}
