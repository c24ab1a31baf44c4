package io.territorysync.console;

import io.territorysync.preflight.Check;
import io.territorysync.preflight.PreflightService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The preflight checks (what {@code doctor} and {@code GET /api/preflight} report) as the first
 * part of the Overview's checklist; the report is reused for {@code territory.preflight.health-ttl}
 * since each costs a few API calls.
 */
@ApplicationScoped
public class PreflightChecklist implements Checklist {

  @Inject PreflightService preflight;

  @ConfigProperty(name = "territory.preflight.health-ttl", defaultValue = "1h")
  Duration ttl;

  @Override
  public List<Item> items() {
    try {
      return preflight.latest(ttl).checks().stream()
          .map(
              c ->
                  new Item(
                      c.name(),
                      switch (c.status()) {
                        case OK -> Status.OK;
                        case WARNING -> Status.WARNING;
                        case FAILING -> Status.FAILING;
                      },
                      c.found(),
                      c.status() == Check.Status.OK || c.fix().isBlank() ? null : c.fix()))
          .toList();
    } catch (RuntimeException e) {
      return List.of(
          new Item(
              "Preflight checks",
              Status.FAILING,
              String.valueOf(e.getMessage()),
              "Check the Salesforce connection (camel.component.salesforce.*): docs/salesforce-setup.md."));
    }
  }

  @Override
  public int order() {
    return 10;
  }
}
