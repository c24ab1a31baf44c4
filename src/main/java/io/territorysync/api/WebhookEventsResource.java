package io.territorysync.api;

import io.territorysync.trigger.Dispatcher;
import io.territorysync.webhook.WebhookStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The webhook queue: counts, dead events and their retry. */
@Path("/api/webhooks")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Webhooks")
public class WebhookEventsResource {

  @Inject WebhookStore store;
  @Inject Dispatcher dispatcher;

  /** What {@code POST /api/webhooks/dead/retry} takes: event ids, or none for all. */
  public record RetryRequest(List<Long> ids) {}

  @GET
  @Operation(summary = "Webhook events by status (pending, done, dead)")
  public Map<String, Long> counts() throws SQLException {
    return store.counts();
  }

  @GET
  @Path("dead")
  @Operation(summary = "Events that failed every attempt, newest first, with their last error")
  public List<Map<String, Object>> dead(
      @QueryParam("limit") @DefaultValue("100") int limit,
      @QueryParam("offset") @DefaultValue("0") int offset)
      throws SQLException {
    return store.dead(Math.min(Math.max(limit, 1), 1000), Math.max(offset, 0));
  }

  @POST
  @Path("dead/retry")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Queue dead events again (admin)",
      description = "Body {\"ids\": [1, 2]}; no ids (or no body) retries every dead event.")
  public Map<String, Object> retry(RetryRequest request) throws SQLException {
    List<Long> ids = request == null || request.ids() == null ? List.of() : request.ids();
    int n = store.retryDead(ids);
    dispatcher.poke();
    return Map.of("requeued", n);
  }
}
