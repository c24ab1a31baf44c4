package io.territorysync.api;

import io.territorysync.assignment.History;
import io.territorysync.run.RunRepository;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Runs and what they changed. */
@Path("/api/runs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Runs")
public class RunsResource {

  @Inject History history;
  @Inject RunRepository runs;

  @GET
  @Path("{id}/changes")
  @Operation(
      summary = "The changes a run planned and what became of each",
      description =
          "Filter by status (pending, done, already, skipped, failed, planned, held, abandoned)"
              + " and kind (account, user, opportunity); totals by kind, action and status.")
  public Response changes(
      @PathParam("id") long id,
      @QueryParam("status") String status,
      @QueryParam("kind") String kind,
      @QueryParam("limit") @DefaultValue("500") int limit,
      @QueryParam("offset") @DefaultValue("0") int offset)
      throws SQLException {
    if (runs.findById(id) == null) {
      return ApiError.of(Response.Status.NOT_FOUND, "no run " + id);
    }
    return Response.ok(
            history.changes(
                id, status, kind, Math.min(Math.max(limit, 1), 10_000), Math.max(offset, 0)))
        .build();
  }
}
