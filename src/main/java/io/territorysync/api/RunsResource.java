package io.territorysync.api;

import io.territorysync.assignment.History;
import io.territorysync.run.Run;
import io.territorysync.run.RunRepository;
import io.territorysync.trigger.Dispatcher;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Runs and what they changed. */
@Path("/api/runs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Runs")
public class RunsResource {

  @Inject History history;
  @Inject RunRepository runs;
  @Inject Dispatcher dispatcher;

  /** What {@code POST /api/runs} takes. */
  public record RunOptions(Boolean full, Boolean dryRun, Boolean force) {}

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Queue a run (admin)",
      description =
          "Body {\"full\": false, \"dryRun\": false, \"force\": false}, all optional. Answers 202"
              + " with the run's id; runs go one at a time across replicas, so a run waits while"
              + " another is in progress. An identical run that is still waiting is returned"
              + " instead of a second one (\"queuedNow\": false).")
  public Response start(RunOptions options) {
    RunOptions o = options == null ? new RunOptions(false, false, false) : options;
    RunRepository.Queued q =
        dispatcher.request(
            "api",
            Boolean.TRUE.equals(o.full()),
            Boolean.TRUE.equals(o.dryRun()),
            Boolean.TRUE.equals(o.force()));
    Map<String, Object> body = view(q.run(), false);
    body.put("queuedNow", q.queuedNow());
    Run running = runs.running();
    if (running != null) {
      body.put("waitingFor", running.id);
    }
    return Response.accepted(body).location(URI.create("/api/runs/" + q.run().id)).build();
  }

  @GET
  @Operation(
      summary = "Recent runs, newest first",
      description =
          "Filter by trigger (api, console, schedule, webhook, cli, startup, resume…) and status; before"
              + " (a run id) gives the page of older runs.")
  public List<Map<String, Object>> list(
      @QueryParam("trigger") String trigger,
      @QueryParam("status") String status,
      @QueryParam("before") Long before,
      @QueryParam("limit") @DefaultValue("50") int limit) {
    return runs.recent(Math.min(Math.max(limit, 1), 500), trigger, status, before).stream()
        .map(r -> view(r, false))
        .toList();
  }

  @GET
  @Path("{id}")
  @Operation(
      summary = "One run: status, stage, progress, API calls, counts and error",
      description =
          "status is queued, running, succeeded, partial, failed, stopped_by_guard or stopped;"
              + " progress"
              + " holds records done and total of the current stage.")
  public Response get(@PathParam("id") long id) {
    Run run = runs.findById(id);
    if (run == null) {
      return ApiError.of(Response.Status.NOT_FOUND, "no run " + id);
    }
    Map<String, Object> body = view(run, true);
    if ("queued".equals(run.status)) {
      body.put("position", runs.aheadOf(id) + 1);
    }
    return Response.ok(body).build();
  }

  /** A run as the API shows it. */
  public static Map<String, Object> view(Run r, boolean whole) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id);
    m.put("trigger", r.trigger);
    m.put("status", r.status);
    m.put("stage", r.stage);
    m.put("full", r.fullSync);
    m.put("dryRun", r.dryRun);
    m.put("force", r.forced);
    if (r.accounts != null) {
      m.put("accounts", List.of(r.accounts));
    }
    m.put("requestedAt", r.requestedAt);
    m.put("startedAt", r.startedAt);
    m.put("finishedAt", r.finishedAt);
    if (r.startedAt != null) {
      m.put(
          "durationMs",
          Duration.between(r.startedAt, r.finishedAt != null ? r.finishedAt : Instant.now())
              .toMillis());
    }
    m.put("owner", r.owner);
    m.put("apiCalls", r.apiCalls);
    m.put("error", r.error);
    if (r.changesPurgedAt != null) {
      // older than territory.runs.history-retention: /changes is empty from then on
      m.put("changesPurgedAt", r.changesPurgedAt);
    }
    if (whole) {
      m.put("progress", r.progress);
      m.put("summary", r.summary);
    }
    return m;
  }

  @GET
  @Path("{id}/changes")
  @Operation(
      summary = "The changes a run planned and what became of each",
      description =
          "Filter by status (pending, done, already, skipped, failed, planned, held, abandoned),"
              + " kind (account, user, opportunity) and territory (id or developer name); totals"
              + " by kind, action and status. Page with after (the last change id seen), which"
              + " stays fast deep into large runs, or offset.")
  public Response changes(
      @PathParam("id") long id,
      @QueryParam("status") String status,
      @QueryParam("kind") String kind,
      @QueryParam("territory") String territory,
      @QueryParam("after") Long after,
      @QueryParam("limit") @DefaultValue("500") int limit,
      @QueryParam("offset") @DefaultValue("0") int offset)
      throws SQLException {
    if (runs.findById(id) == null) {
      return ApiError.of(Response.Status.NOT_FOUND, "no run " + id);
    }
    return Response.ok(
            history.changes(
                id,
                new History.ChangeFilter(status, kind, territory),
                Math.min(Math.max(limit, 1), 10_000),
                Math.max(offset, 0),
                after))
        .build();
  }
}
