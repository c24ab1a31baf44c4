package io.territorysync.rules;

import io.agroal.api.AgroalDataSource;
import io.territorysync.mirror.FieldCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads what the rules stage needs from the mirror: the names a rules file is checked against, and
 * the org's own assignment rules (to run as they are, or to export).
 */
@ApplicationScoped
public class MirrorRules {

  @Inject AgroalDataSource dataSource;
  @Inject FieldCatalog catalog;

  /** Models, territories, types, active users and account fields, as the mirror has them. */
  public RulesContext context() throws SQLException {
    Map<String, RulesContext.Model> models = new HashMap<>();
    Map<String, Map<String, RulesContext.Territory>> territories = new HashMap<>();
    Map<String, RulesContext.Type> types = new HashMap<>();
    Map<String, String> users = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery("SELECT id, developer_name, state FROM sf_territory2_model")) {
        while (rs.next()) {
          models.put(
              rs.getString(2).toLowerCase(Locale.ROOT),
              new RulesContext.Model(rs.getString(1), rs.getString(2), rs.getString(3)));
        }
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT id, developer_name, name, territory2_model_id, territory2_type_id, parent_territory2_id FROM sf_territory2")) {
        while (rs.next()) {
          territories
              .computeIfAbsent(rs.getString(4), k -> new LinkedHashMap<>())
              .put(
                  rs.getString(2).toLowerCase(Locale.ROOT),
                  new RulesContext.Territory(
                      rs.getString(1),
                      rs.getString(2),
                      rs.getString(3),
                      rs.getString(5),
                      rs.getString(6)));
        }
      }
      try (ResultSet rs =
          s.executeQuery("SELECT id, developer_name, priority FROM sf_territory2_type")) {
        while (rs.next()) {
          types.put(
              rs.getString(1),
              new RulesContext.Type(rs.getString(1), rs.getString(2), rs.getInt(3)));
        }
      }
      try (ResultSet rs =
          s.executeQuery("SELECT id, username, email FROM sf_user WHERE is_active")) {
        while (rs.next()) {
          if (rs.getString(2) != null) {
            users.put(rs.getString(2).toLowerCase(Locale.ROOT), rs.getString(1));
          }
          if (rs.getString(3) != null) {
            users.putIfAbsent(rs.getString(3).toLowerCase(Locale.ROOT), rs.getString(1));
          }
        }
      }
    }
    Map<String, RulesContext.Field> fields = new LinkedHashMap<>();
    for (RulesContext.Field f : RulesContext.STANDARD_ACCOUNT_FIELDS) {
      fields.put(f.name().toLowerCase(Locale.ROOT), f);
    }
    for (FieldCatalog.FieldInfo f : catalog.stored("Account").values()) {
      fields.put(
          f.name().toLowerCase(Locale.ROOT),
          new RulesContext.Field(f.name(), FieldKind.ofDescribeType(f.type())));
    }
    return new RulesContext(models, territories, types, users, fields);
  }

  /**
   * The org's active assignment rules of {@code modelDeveloperName} (the Active model when null) as
   * a rule set with native semantics: every territory a rule is associated with (the org lists
   * inherited ones too) gets it, and an account joins every territory whose rules all match.
   */
  public RuleSet orgRules(String modelDeveloperName) throws SQLException {
    // throws RulesException when a rule item has an operation this service does not know
    try (Connection c = dataSource.getConnection()) {
      String modelId = null;
      String modelName = modelDeveloperName;
      try (PreparedStatement ps =
          c.prepareStatement(
              modelDeveloperName == null
                  ? "SELECT id, developer_name FROM sf_territory2_model WHERE state = 'Active'"
                  : "SELECT id, developer_name FROM sf_territory2_model WHERE lower(developer_name) = lower(?)")) {
        if (modelDeveloperName != null) {
          ps.setString(1, modelDeveloperName);
        }
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            modelId = rs.getString(1);
            modelName = rs.getString(2);
          }
        }
      }
      if (modelId == null) {
        throw new IllegalStateException(
            modelDeveloperName == null
                ? "the mirror has no Active territory model (run a sync first)"
                : "the mirror has no territory model " + modelDeveloperName);
      }
      Map<String, List<RuleSet.Criterion>> items = new HashMap<>();
      List<String> unknown = new ArrayList<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT i.rule_id, i.field, i.operation, i.value FROM sf_object_territory2_assignment_rule_item i ORDER BY i.rule_id, i.sort_order")) {
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String field = rs.getString(2);
            if (field != null && field.regionMatches(true, 0, "Account.", 0, 8)) {
              field = field.substring(8);
            }
            String opName = rs.getString(3) == null ? "" : rs.getString(3);
            Operation op = Operation.parse(opName).orElse(null);
            if (op == null) {
              // read as equals, the rule would assign accounts the org never would
              unknown.add(
                  "rule item "
                      + rs.getString(1)
                      + " on "
                      + field
                      + " uses the operation '"
                      + opName
                      + "', which Territory Sync does not know");
              continue;
            }
            List<String> values = new ArrayList<>();
            if (rs.getString(4) != null) {
              for (String v : rs.getString(4).split(",")) {
                if (!v.isBlank()) {
                  values.add(v.trim());
                }
              }
            }
            items
                .computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                .add(new RuleSet.Criterion(field, op, values, false, Pos.NONE, Pos.NONE, Pos.NONE));
          }
        }
      }
      if (!unknown.isEmpty()) {
        throw new RulesException("the org's rules are not run: " + String.join("; ", unknown));
      }
      Map<String, List<RuleSet.Rule>> byTerritory = new LinkedHashMap<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT t.developer_name, r.developer_name, r.boolean_filter, r.id, coalesce(a.is_inherited, false)"
                  + " FROM sf_rule_territory2_association a"
                  + " JOIN sf_object_territory2_assignment_rule r ON r.id = a.rule_id"
                  + " JOIN sf_territory2 t ON t.id = a.territory2_id"
                  + " WHERE r.is_active AND r.territory2_model_id = ? AND coalesce(r.object_type, 'Account') = 'Account'"
                  + " ORDER BY t.developer_name, r.developer_name")) {
        ps.setString(1, modelId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            List<RuleSet.Criterion> criteria = items.getOrDefault(rs.getString(4), List.of());
            if (criteria.isEmpty()) {
              continue;
            }
            String filter =
                rs.getString(3) == null || rs.getString(3).isBlank() ? null : rs.getString(3);
            byTerritory
                .computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                .add(
                    new RuleSet.Rule(
                        rs.getString(2), filter, criteria, rs.getBoolean(5), Pos.NONE, Pos.NONE));
          }
        }
      }
      // Territory2ObjectExclusion: the account stays out of the territory whatever rules match.
      Map<String, List<String>> excluded = new LinkedHashMap<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT t.developer_name, x.object_id FROM sf_territory2_object_exclusion x"
                  + " JOIN sf_territory2 t ON t.id = x.territory2_id"
                  + " WHERE t.territory2_model_id = ? AND x.object_id LIKE '001%'"
                  + " ORDER BY t.developer_name, x.object_id")) {
        ps.setString(1, modelId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            excluded.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
            byTerritory.putIfAbsent(rs.getString(1), new ArrayList<>());
          }
        }
      }
      List<RuleSet.TerritoryRules> territories = new ArrayList<>();
      byTerritory.forEach(
          (t, rules) ->
              territories.add(
                  new RuleSet.TerritoryRules(
                      t,
                      0,
                      List.copyOf(rules),
                      List.copyOf(excluded.getOrDefault(t, List.of())),
                      List.of(),
                      Pos.NONE)));
      return new RuleSet(
          "org",
          modelName,
          RuleSet.Mode.MULTI,
          RuleSet.ExclusivePer.TYPE,
          List.copyOf(territories),
          List.of(),
          Pos.NONE);
    }
  }
}
