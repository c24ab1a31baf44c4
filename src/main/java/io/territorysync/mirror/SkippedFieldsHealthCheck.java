package io.territorysync.mirror;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * The optional fields the last sync skipped, in the health details ({@code /q/health/well}): always
 * UP (a run without them is complete), with the fields as data so an operator sees what field-level
 * security hides.
 */
@Wellness
@ApplicationScoped
public class SkippedFieldsHealthCheck implements HealthCheck {

  @Inject SkippedFields skipped;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder r = HealthCheckResponse.named("mirror-fields").up();
    SkippedFields.Latest latest = skipped.latest();
    if (latest != null && !latest.fields().isEmpty()) {
      r.withData("optionalFieldsNotReadable", String.join(", ", latest.fields()));
      r.withData("since", latest.at().toString());
    }
    return r.build();
  }
}
