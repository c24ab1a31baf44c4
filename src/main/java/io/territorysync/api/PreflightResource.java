package io.territorysync.api;

import io.territorysync.preflight.PreflightService;
import io.territorysync.preflight.PreflightView;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The preflight checks: what stands between this service and a working run. */
@Path("/api/preflight")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Preflight")
public class PreflightResource {

  /** A report younger than this is answered again instead of spending API calls. */
  static final Duration REUSE = Duration.ofMinutes(1);

  @Inject PreflightService preflight;

  @GET
  @Operation(
      summary = "Preflight checks (viewer)",
      description =
          "Every check with its status (ok, warning, failing), what was found and the fix: login,"
              + " API version, Territory Management and the model, object and field access,"
              + " the rollup object and permission set, Bulk and Composite, API headroom,"
              + " webhooks, Salesforce's own opportunity filter. Costs three or four API calls;"
              + " a report less than a minute old is reused unless fresh=true.")
  public Map<String, Object> get(@QueryParam("fresh") @DefaultValue("false") boolean fresh) {
    return PreflightView.of(fresh ? preflight.run() : preflight.latest(REUSE));
  }
}
