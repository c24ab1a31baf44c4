package io.territorysync.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import io.agroal.api.AgroalDataSource;
import io.territorysync.salesforce.ApiBudget;
import io.territorysync.salesforce.SalesforceApi;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The org's fields per object (from describe), kept in {@code sf_field} and refreshed at most once
 * per TTL.
 */
@ApplicationScoped
public class FieldCatalog {

  /** One described field. */
  public record FieldInfo(
      String name,
      String type,
      String label,
      List<String> referenceTo,
      List<String> picklistValues) {}

  @Inject AgroalDataSource dataSource;
  @Inject SalesforceApi api;

  /**
   * The fields of {@code object} keyed by lower-case name, describing it first when the stored copy
   * is older than {@code ttl}.
   */
  public Map<String, FieldInfo> fields(ApiBudget budget, String object, Duration ttl)
      throws SQLException {
    Instant described = describedAt(object);
    if (described == null || described.isBefore(Instant.now().minus(ttl))) {
      store(object, api.describe(budget, object));
    }
    return stored(object);
  }

  /** The stored fields of {@code object} without asking the org (empty until the first sync). */
  public Map<String, FieldInfo> stored(String object) throws SQLException {
    Map<String, FieldInfo> out = new LinkedHashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT name, type, label, reference_to, picklist_values FROM sf_field WHERE object = ? ORDER BY name")) {
      ps.setString(1, object);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(
              rs.getString(1).toLowerCase(Locale.ROOT),
              new FieldInfo(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  list(rs.getArray(4)),
                  list(rs.getArray(5))));
        }
      }
    }
    return out;
  }

  private Instant describedAt(String object) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT min(described_at) FROM sf_field WHERE object = ?")) {
      ps.setString(1, object);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        Timestamp t = rs.getTimestamp(1);
        return t == null ? null : t.toInstant();
      }
    }
  }

  private void store(String object, JsonNode describe) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement del = c.prepareStatement("DELETE FROM sf_field WHERE object = ?")) {
        del.setString(1, object);
        del.executeUpdate();
      }
      try (PreparedStatement ins =
          c.prepareStatement(
              "INSERT INTO sf_field (object, name, type, label, reference_to, picklist_values) VALUES (?, ?, ?, ?, ?, ?)")) {
        for (JsonNode f : describe.path("fields")) {
          List<String> refs = new ArrayList<>();
          f.path("referenceTo").forEach(r -> refs.add(r.asText()));
          List<String> values = new ArrayList<>();
          f.path("picklistValues").forEach(v -> values.add(v.path("value").asText()));
          ins.setString(1, object);
          ins.setString(2, f.path("name").asText());
          ins.setString(3, f.path("type").asText());
          ins.setString(4, f.path("label").asText(null));
          ins.setArray(5, c.createArrayOf("text", refs.toArray()));
          ins.setArray(6, c.createArrayOf("text", values.toArray()));
          ins.addBatch();
        }
        ins.executeBatch();
      }
      c.commit();
    }
  }

  private static List<String> list(Array a) throws SQLException {
    return a == null ? List.of() : List.of((String[]) a.getArray());
  }
}
