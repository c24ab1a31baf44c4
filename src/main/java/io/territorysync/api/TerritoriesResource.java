package io.territorysync.api;

import io.territorysync.rollup.Rollups;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Territories with their performance rollups and balance. */
@Path("/api/territories")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Territories")
public class TerritoriesResource {

  @Inject Rollups rollups;

  @GET
  @Operation(
      summary = "Territories with their rollups and balance",
      description =
          "Per territory and period (current fiscal year and quarter, or the one asked for):"
              + " accounts, revenue, pipeline, wins, users, quota attainment, subtree figures and"
              + " balance status; per sibling group the spread of potential and workload; the"
              + " unassigned accounts. docs/rollups.md explains every figure.")
  public Map<String, Object> territories(@QueryParam("period") String period) throws SQLException {
    return rollups.territories(period == null || period.isBlank() ? null : period);
  }
}
