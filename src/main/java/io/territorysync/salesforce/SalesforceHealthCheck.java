package io.territorysync.salesforce;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.component.salesforce.api.dto.Limits;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Ready only when a login to the org succeeds and /limits answers; reports the daily API calls
 * left. The answer is reused for {@code territory.salesforce.limits-cache-ttl} because each check
 * costs an API call; a failure for at most ten seconds, so that probes during an outage do not
 * queue up behind calls that retry.
 */
@Readiness
@ApplicationScoped
public class SalesforceHealthCheck implements HealthCheck {

  @Inject SalesforceApi api;
  @Inject SalesforceSettings settings;
  @Inject SalesforceConfig config;

  private static final Logger LOG = Logger.getLogger(SalesforceHealthCheck.class);

  /** How long a failed check is reused: probes during an outage must not each call the org. */
  static final Duration DOWN_TTL = Duration.ofSeconds(10);

  private volatile HealthCheckResponse last;
  private volatile Instant lastUntil = Instant.EPOCH;
  private String lastError;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response = HealthCheckResponse.named("salesforce");
    if (settings.problem().isPresent()) {
      return response.down().withData("error", settings.problem().get()).build();
    }
    HealthCheckResponse cached = last;
    if (cached != null && Instant.now().isBefore(lastUntil)) {
      return cached;
    }
    synchronized (this) {
      if (last != null && Instant.now().isBefore(lastUntil)) {
        return last;
      }
      HealthCheckResponse answer;
      Duration ttl = config.limitsCacheTtl();
      try {
        Limits limits = api.limits(ApiBudget.outsideRuns());
        Limits.Usage daily = limits.getDailyApiRequests();
        answer =
            response
                .up()
                .withData("dailyApiRequestsRemaining", daily.getRemaining())
                .withData("dailyApiRequestsMax", daily.getMax())
                .build();
        lastError = null;
      } catch (RuntimeException e) {
        // the health body is public: the reason goes to the log (once per change), not to it
        if (!message(e).equals(lastError)) {
          LOG.warn("Readiness: the Salesforce org cannot be reached", e);
          lastError = message(e);
        }
        answer =
            response
                .down()
                .withData(
                    "error", "the Salesforce org cannot be reached (the service log says why)")
                .build();
        ttl = ttl.compareTo(DOWN_TTL) < 0 ? ttl : DOWN_TTL;
      }
      last = answer;
      lastUntil = Instant.now().plus(ttl);
      return answer;
    }
  }

  /** Forgets the last answer, so the next check asks the org. */
  void forget() {
    last = null;
    lastUntil = Instant.EPOCH;
  }

  private static String message(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
