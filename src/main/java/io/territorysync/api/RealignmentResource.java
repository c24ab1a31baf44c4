package io.territorysync.api;

import io.territorysync.realign.Realignment;
import io.territorysync.realign.RealignmentJobs;
import io.territorysync.rules.RulesPreview;
import io.territorysync.rules.RulesService;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Realignment proposals: plan in the background, read, preview, publish as the rules in force. */
@Path("/api/realignment")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Realignment")
public class RealignmentResource {

  /** What to plan; every field is optional (the territory.realign.* defaults). */
  public record PlanRequest(
      String scope, String measure, Double tolerance, Double maxMoved, Boolean contiguity) {}

  @Inject Realignment realignment;
  @Inject RealignmentJobs jobs;
  @Inject RulesService rules;
  @Inject RulesPreview preview;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Plan a realignment in the background (admin)",
      description =
          "202 with the plan's id; GET /api/realignment/{id} shows its progress and, when done,"
              + " the report. 409 while another plan runs, 400 for a bad request. Reads the mirror"
              + " only: nothing is written to Salesforce.")
  public Response start(PlanRequest body, @Context SecurityContext security) throws SQLException {
    PlanRequest b = body == null ? new PlanRequest(null, null, null, null, null) : body;
    Realignment.Request request;
    try {
      request =
          realignment.request(b.scope(), b.measure(), b.tolerance(), b.maxMoved(), b.contiguity());
    } catch (IllegalArgumentException e) {
      return ApiError.of(Response.Status.BAD_REQUEST, e.getMessage());
    }
    return jobs.start(request, RulesResource.actor(security))
        .map(
            j ->
                Response.accepted(j.view())
                    .location(URI.create("/api/realignment/" + j.id))
                    .build())
        .orElseGet(
            () -> ApiError.of(Response.Status.CONFLICT, "a realignment plan is already running"));
  }

  @GET
  @Operation(summary = "The latest realignment plan: progress, then the proposal's report")
  public Response latest() throws SQLException {
    return jobs.latest()
        .map(j -> Response.ok(j.view()).build())
        .orElseGet(() -> ApiError.of(Response.Status.NOT_FOUND, "no realignment planned yet"));
  }

  @GET
  @Path("{id}")
  @Operation(summary = "A realignment plan: progress, then the proposal's report")
  public Response one(@PathParam("id") long id) throws SQLException {
    return jobs.get(id).map(j -> Response.ok(j.view()).build()).orElseGet(() -> notFound(id));
  }

  @GET
  @Path("{id}/rules")
  @Produces("application/yaml")
  @Operation(summary = "The proposal as a rules file")
  public Response rulesFile(@PathParam("id") long id) throws SQLException {
    return jobs.get(id)
        .flatMap(RealignmentJobs.Job::proposal)
        .map(p -> Response.ok(p.rules(), "application/yaml").build())
        .orElseGet(() -> notFound(id));
  }

  @POST
  @Path("{id}/preview")
  @Operation(
      summary = "What the proposal would change (admin)",
      description =
          "The rules preview of the proposal: associations added and removed, accounts changed,"
              + " accounts and potential per territory before and after. Writes nothing.")
  public Response previewProposal(@PathParam("id") long id) throws SQLException {
    RealignmentJobs.Job job = jobs.get(id).orElse(null);
    if (job == null || job.proposal().isEmpty()) {
      return notFound(id);
    }
    RulesService.LoadResult r = rules.validate(job.proposal().get().rules(), "proposal " + id);
    if (!r.ok()) {
      return Response.status(422).entity(Map.of("valid", false, "problems", r.messages())).build();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("valid", true);
    m.putAll(preview.preview(r.inForce().rules()));
    return Response.ok(m).build();
  }

  @POST
  @Path("{id}/publish")
  @Operation(
      summary = "Put the proposal in force (admin)",
      description =
          "Publishes the proposal as the rules in force, like POST /api/rules/publish (a new"
              + " rules version, logged with who published it); the next run applies it. 409 when"
              + " other rules were put in force since the plan read them: plan again.")
  public Response publish(@PathParam("id") long id, @Context SecurityContext security)
      throws SQLException {
    RealignmentJobs.Job job = jobs.get(id).orElse(null);
    if (job == null || job.proposal().isEmpty()) {
      return notFound(id);
    }
    RulesService.Change c = jobs.publish(job, RulesResource.actor(security));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("published", c.ok());
    m.put("outcome", c.outcome().name().toLowerCase(java.util.Locale.ROOT));
    m.put("message", c.message());
    m.put("versionInForce", c.inForce() == null ? null : c.inForce().version());
    int status =
        switch (c.outcome()) {
          case CHANGED, UNCHANGED -> 200;
          case CONFLICT -> 409;
          case NOT_FOUND -> 404;
          case INVALID -> 422;
        };
    return Response.status(status).entity(m).build();
  }

  private static Response notFound(long id) {
    return ApiError.of(Response.Status.NOT_FOUND, "no realignment proposal " + id);
  }
}
