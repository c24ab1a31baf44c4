package io.territorysync.webhook;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while the dispatcher warms up webhook processing at start-up (a few seconds, {@code
 * territory.webhooks.processing.warm-up}), so a load balancer sends the first webhooks to a replica
 * that processes them at its usual pace.
 */
@Readiness
@ApplicationScoped
public class WebhookWarmUpCheck implements HealthCheck {

  @Inject WebhookProcessor processor;

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("webhook-processing")
        .status(!processor.warmingUp())
        .withData("warmingUp", processor.warmingUp())
        .build();
  }
}
