package io.territorysync.preflight;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * The preflight in the health details ({@code /q/health/well} and {@code /q/health}): DOWN while a
 * check fails, with each check that is not ok as data. Not part of readiness, so a missing
 * permission does not take the webhook endpoints out of service. The report is reused for {@code
 * territory.preflight.health-ttl} because each costs three or four API calls.
 */
@Wellness
@ApplicationScoped
public class PreflightHealthCheck implements HealthCheck {

  @Inject PreflightService preflight;

  @ConfigProperty(name = "territory.preflight.health-ttl", defaultValue = "1h")
  Duration ttl;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder r = HealthCheckResponse.named("preflight");
    PreflightReport report;
    try {
      report = preflight.latest(ttl);
    } catch (RuntimeException e) {
      return r.down().withData("error", String.valueOf(e.getMessage())).build();
    }
    r.withData("checkedAt", report.checkedAt().toString());
    r.withData("status", report.status().label());
    for (Check c : report.checks()) {
      if (c.status() != Check.Status.OK) {
        r.withData(c.id(), c.status().label() + ": " + c.found());
      }
    }
    return report.status() == Check.Status.FAILING ? r.down().build() : r.up().build();
  }
}
