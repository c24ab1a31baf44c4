package io.territorysync.console;

import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The checklist from the readiness checks ({@code /q/health/ready}): each check is an item, with
 * its data as what was found and a fix per known check.
 */
@ApplicationScoped
public class HealthChecklist implements Checklist {

  private static final Map<String, String> FIXES =
      Map.of(
          "salesforce",
          "Check the Salesforce connection settings (camel.component.salesforce.*) and the"
              + " Connected App and integration user: docs/salesforce-setup.md.",
          "database-schema",
          "The database schema could not be migrated: see the start-up log and the"
              + " quarkus.datasource.* settings (docs/configuration.md).",
          "Database connections health check",
          "The database is not reachable: check quarkus.datasource.jdbc.url, its user and password.");

  @Inject SmallRyeHealthReporter reporter;

  @Override
  public List<Item> items() {
    SmallRyeHealth health = reporter.getReadiness();
    List<Item> out = new ArrayList<>();
    for (JsonValue v : health.getPayload().getJsonArray("checks")) {
      JsonObject check = v.asJsonObject();
      String name = check.getString("name", "check");
      boolean up = "UP".equals(check.getString("status", "DOWN"));
      JsonObject data = check.containsKey("data") ? check.getJsonObject("data") : null;
      String found =
          data == null || data.isEmpty()
              ? (up ? "up" : "down")
              : data.entrySet().stream()
                  .map(e -> e.getKey() + ": " + text(e.getValue()))
                  .collect(Collectors.joining("; "));
      out.add(
          new Item(
              name,
              up ? Status.OK : Status.FAILING,
              found,
              up
                  ? null
                  : FIXES.getOrDefault(
                      name,
                      name.startsWith("camel")
                          ? "A Camel route or the Camel context is not started: see the service log."
                          : "See /q/health/ready and docs/operations.md.")));
    }
    return out;
  }

  private static String text(JsonValue v) {
    return v.getValueType() == JsonValue.ValueType.STRING
        ? ((jakarta.json.JsonString) v).getString()
        : v.toString();
  }
}
