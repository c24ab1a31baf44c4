package io.territorysync.mirror;

import io.agroal.api.AgroalDataSource;
import io.territorysync.database.Rows;
import io.territorysync.salesforce.SalesforceId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postgresql.PGStatement;

/**
 * Finds mirrored accounts by id or by name, and reads one with its territories. Name search is by
 * "starts with", then "contains" through a trigram index when PostgreSQL has pg_trgm.
 */
@ApplicationScoped
public class AccountLookup {

  private static final String SUMMARY =
      "a.id, a.name, a.billing_city AS city, a.billing_state AS state,"
          + " a.billing_country AS country, a.industry, a.annual_revenue AS \"annualRevenue\"";

  /** The account's name as the search index orders it (see V15). */
  private static final String NAME = "lower(a.name) COLLATE \"C\"";

  /** How many names containing the text are read at most, to pick the first in name order. */
  static final int CONTAINS_CAP = 1000;

  @Inject AgroalDataSource dataSource;

  private volatile Boolean trigram;

  /** An account as the search lists it. */
  public record Found(
      String id,
      String name,
      String city,
      String state,
      String country,
      String industry,
      Number annualRevenue) {}

  /** One account with its fields and its territories in the mirror. */
  public record Account(
      Found summary,
      String postalCode,
      Double latitude,
      Double longitude,
      Integer employees,
      String ownerName,
      boolean excludedFromRealign,
      List<Map<String, Object>> territories) {}

  /**
   * Accounts whose id is {@code query}, or whose name starts with it (in name order), then those
   * whose name contains it elsewhere (in name order among the first {@value #CONTAINS_CAP} found).
   */
  public List<Found> search(String query, int limit) throws SQLException {
    String q = query == null ? "" : query.trim();
    if (q.isEmpty()) {
      return List.of();
    }
    Optional<String> id = SalesforceId.normalize(q);
    if (id.isPresent() && id.get().startsWith("001")) {
      return query("SELECT " + SUMMARY + " FROM sf_account a WHERE a.id = ?", List.of(id.get()));
    }
    String pattern =
        q.toLowerCase(java.util.Locale.ROOT)
            .replace("\\", "\\\\")
            .replace("%", "\\%")
            .replace("_", "\\_");
    // a range of the (lower(name) COLLATE "C", id) index, read in order: the first rows are the
    // answer however many names start with the text
    List<Found> out =
        query(
            "SELECT "
                + SUMMARY
                + " FROM sf_account a WHERE "
                + NAME
                + " LIKE ? ORDER BY "
                + NAME
                + ", a.id LIMIT ?",
            List.of(pattern + "%", limit));
    if (out.size() >= limit || !trigram() || q.length() < 3) {
      return out;
    }
    // names that contain the text elsewhere, through the trigram index; a common word matches
    // tens of thousands of names at 1M accounts, and reading them all to sort them costs
    // hundreds of milliseconds, so only the first CONTAINS_CAP found are sorted
    List<Map.Entry<String, Found>> contains = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT "
                    + SUMMARY
                    + ", lower(a.name) FROM sf_account a WHERE lower(a.name) LIKE ? AND NOT "
                    + NAME
                    + " LIKE ? LIMIT "
                    + CONTAINS_CAP)) {
      customPlan(ps);
      ps.setString(1, "%" + pattern + "%");
      ps.setString(2, pattern + "%");
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          contains.add(Map.entry(rs.getString(8), found(rs)));
        }
      }
    }
    contains.sort(Map.Entry.<String, Found>comparingByKey().thenComparing(e -> e.getValue().id()));
    out = new ArrayList<>(out);
    for (Map.Entry<String, Found> e :
        contains.subList(0, Math.min(contains.size(), limit - out.size()))) {
      out.add(e.getValue());
    }
    return out;
  }

  /** One account with its fields and territories, or empty when it is not in the mirror. */
  public Optional<Account> find(String accountId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT "
                    + SUMMARY
                    + ", a.billing_postal_code, a.billing_latitude, a.billing_longitude,"
                    + " a.number_of_employees, u.name, coalesce(a.is_excluded_from_realign, false)"
                    + " FROM sf_account a LEFT JOIN sf_user u ON u.id = a.owner_id"
                    + " WHERE a.id = ?")) {
      ps.setString(1, accountId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        Found summary = found(rs);
        return Optional.of(
            new Account(
                summary,
                rs.getString(8),
                (Double) rs.getObject(9),
                (Double) rs.getObject(10),
                (Integer) rs.getObject(11),
                rs.getString(12),
                rs.getBoolean(13),
                territories(c, accountId)));
      }
    }
  }

  private static List<Map<String, Object>> territories(Connection c, String accountId)
      throws SQLException {
    List<Map<String, Object>> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT o.territory2_id, t.developer_name, t.name, o.association_cause,"
                + " m.developer_name AS model, m.state"
                + " FROM sf_object_territory2_association o"
                + " LEFT JOIN sf_territory2 t ON t.id = o.territory2_id"
                + " LEFT JOIN sf_territory2_model m ON m.id = t.territory2_model_id"
                + " WHERE o.object_id = ? ORDER BY t.developer_name")) {
      ps.setString(1, accountId);
      try (ResultSet rs = ps.executeQuery()) {
        out.addAll(
            Rows.maps(rs, "territoryId", "territory", "name", "cause", "model", "modelState"));
      }
    }
    return out;
  }

  private List<Found> query(String sql, List<Object> params) throws SQLException {
    List<Found> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      customPlan(ps);
      for (int i = 0; i < params.size(); i++) {
        ps.setObject(i + 1, params.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(found(rs));
        }
      }
    }
    return out;
  }

  /**
   * Never a server-side prepared statement: PostgreSQL then plans each search with its pattern, so
   * a "starts with" pattern becomes a range of the name index (a generic plan cannot know the
   * pattern has a fixed prefix, and would walk the index from its start).
   */
  private static void customPlan(PreparedStatement ps) throws SQLException {
    ps.unwrap(PGStatement.class).setPrepareThreshold(0);
  }

  private static Found found(ResultSet rs) throws SQLException {
    return new Found(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        (Number) rs.getObject(7));
  }

  private boolean trigram() throws SQLException {
    if (trigram == null) {
      try (Connection c = dataSource.getConnection();
          PreparedStatement ps =
              c.prepareStatement(
                  "SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'sf_account_name_trgm_idx')");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        trigram = rs.getBoolean(1);
      }
    }
    return trigram;
  }
}
