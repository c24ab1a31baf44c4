package io.territorysync.salesforce;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import org.apache.camel.component.salesforce.api.dto.Limits;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only when a login to the org succeeds and /limits answers; reports the daily API calls
 * left. The answer is reused for {@code territory.salesforce.limits-cache-ttl} because each check
 * costs an API call.
 */
@Readiness
@ApplicationScoped
public class SalesforceHealthCheck implements HealthCheck {

  @Inject SalesforceApi api;
  @Inject SalesforceSettings settings;
  @Inject SalesforceConfig config;

  private volatile HealthCheckResponse last;
  private volatile Instant lastAt = Instant.EPOCH;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response = HealthCheckResponse.named("salesforce");
    if (settings.problem().isPresent()) {
      return response.down().withData("error", settings.problem().get()).build();
    }
    if (last != null && lastAt.isAfter(Instant.now().minus(config.limitsCacheTtl()))) {
      return last;
    }
    synchronized (this) {
      if (last != null && lastAt.isAfter(Instant.now().minus(config.limitsCacheTtl()))) {
        return last;
      }
      HealthCheckResponse answer;
      try {
        Limits limits = api.limits(ApiBudget.outsideRuns());
        Limits.Usage daily = limits.getDailyApiRequests();
        answer =
            response
                .up()
                .withData("dailyApiRequestsRemaining", daily.getRemaining())
                .withData("dailyApiRequestsMax", daily.getMax())
                .build();
        last = answer;
        lastAt = Instant.now();
      } catch (RuntimeException e) {
        answer = response.down().withData("error", message(e)).build();
        last = null;
      }
      return answer;
    }
  }

  private static String message(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
