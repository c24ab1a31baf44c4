package io.territorysync.api;

import io.territorysync.events.ChangeEventPublisher;
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

/** Territory change events: the outbox's counts, its dead letters and their retry. */
@Path("/api/events")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Change events")
public class ChangeEventsResource {

  @Inject ChangeEventPublisher events;

  /** What {@code POST /api/events/dead/retry} takes: outbox ids, or none for every dead event. */
  public record RetryRequest(List<Long> ids) {}

  @GET
  @Operation(
      summary = "Change events by status",
      description =
          "pending, published, dead; held: pending events waiting behind a dead event of the"
              + " same account")
  public Map<String, Long> counts() throws SQLException {
    return events.counts();
  }

  @GET
  @Path("dead")
  @Operation(
      summary = "Dead letters: events an endpoint refused after every redelivery, newest first")
  public List<Map<String, Object>> dead(
      @QueryParam("limit") @DefaultValue("100") int limit,
      @QueryParam("offset") @DefaultValue("0") int offset)
      throws SQLException {
    return events.deadLetters(Math.min(Math.max(limit, 1), 1000), Math.max(offset, 0));
  }

  @POST
  @Path("dead/retry")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Publish dead events again (admin)",
      description = "Body {\"ids\": [1, 2]}; no ids (or no body) retries every dead event.")
  public Map<String, Object> retry(RetryRequest request) throws SQLException {
    List<Long> ids = request == null || request.ids() == null ? List.of() : request.ids();
    return Map.of("requeued", events.retry(ids));
  }
}
