package io.territorysync.console;

import io.agroal.api.AgroalDataSource;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.territorysync.realign.RealignConfig;
import io.territorysync.realign.Realignment;
import io.territorysync.realign.RealignmentJobs;
import io.territorysync.rules.RulesPreview;
import io.territorysync.rules.RulesService;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The Realignment page: start a plan (admin), its progress, then before/after balance per sibling
 * group with the tolerance band, the moves and the disruption; the proposal goes through the rules
 * preview and is published as the rules in force. The same {@link RealignmentJobs} as {@code
 * /api/realignment}.
 */
@Path("/console/realignment")
@Produces(MediaType.TEXT_HTML)
public class RealignmentPage {

  /** What the form shows: the last request or the configured defaults. */
  public record Form(
      String scope,
      String measure,
      double tolerancePercent,
      double maxMovedPercent,
      boolean contiguity,
      List<String> parents) {}

  /** The moves map's tile server, as on the Map page ({@link MapConfig}); none by default. */
  public record Tiles(String url, String attribution) {}

  @CheckedTemplate(basePath = "console/realignment")
  static class Templates {
    static native TemplateInstance realignment(Form form, PlanView plan, String alert, Tiles tiles);

    static native TemplateInstance plan(PlanView plan, Tiles tiles);
  }

  @Inject Realignment realignment;
  @Inject RealignmentJobs jobs;
  @Inject RealignConfig config;
  @Inject RulesService rules;
  @Inject RulesPreview preview;
  @Inject AgroalDataSource dataSource;
  @Inject ConsoleRequest console;
  @Inject MapConfig mapConfig;

  @GET
  public TemplateInstance page(@QueryParam("id") Long id) throws SQLException {
    PlanView plan =
        (id == null ? jobs.latest() : jobs.get(id)).map(j -> PlanView.of(j.view())).orElse(null);
    return Templates.realignment(form(plan), plan, null, tiles());
  }

  /** The plan's progress, then its report: polled by the page while the plan runs. */
  @GET
  @Path("{id}/live")
  public TemplateInstance live(@PathParam("id") long id) throws SQLException {
    return Templates.plan(PlanView.of(job(id).view()), tiles());
  }

  /** Starts a plan (admin); tolerance and max-moved are percentages in the form. */
  @POST
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response start(
      @FormParam("scope") String scope,
      @FormParam("measure") String measure,
      @FormParam("tolerance") Double tolerancePercent,
      @FormParam("maxMoved") Double maxMovedPercent,
      @FormParam("contiguity") String contiguity)
      throws SQLException {
    Realignment.Request request;
    try {
      request =
          realignment.request(
              RunsPage.blank(scope),
              RunsPage.blank(measure),
              tolerancePercent == null ? null : tolerancePercent / 100,
              maxMovedPercent == null ? null : maxMovedPercent / 100,
              contiguity != null);
    } catch (IllegalArgumentException e) {
      return error(400, "Not started: " + e.getMessage() + ".");
    }
    return jobs.start(request, console.user().name() + " (console)")
        .map(j -> Response.seeOther(URI.create("/console/realignment?id=" + j.id)).build())
        .orElseGet(() -> error(409, "A plan is already running: wait for it to finish."));
  }

  /** The proposal through the rules preview (admin, like the API). */
  @POST
  @Path("{id}/preview")
  public TemplateInstance previewProposal(@PathParam("id") long id) throws SQLException {
    Realignment.Proposal p = proposal(id);
    RulesService.LoadResult r = rules.validate(p.rules(), "proposal " + id);
    if (!r.ok()) {
      return RulesPage.Templates.preview(
          PreviewView.invalid(r.problems().stream().map(RulesPage.Problem::of).toList()), null);
    }
    long t0 = System.nanoTime();
    return RulesPage.Templates.preview(
        PreviewView.of(preview.preview(r.inForce().rules()), (System.nanoTime() - t0) / 1_000_000),
        "/console/realignment/" + id + "/publish");
  }

  /** Publishes the proposal as the rules in force (admin); then the Rules page shows it. */
  @POST
  @Path("{id}/publish")
  public Response publish(@PathParam("id") long id) throws SQLException {
    RealignmentJobs.Job job = job(id);
    proposal(id);
    RulesService.Change c = jobs.publish(job, console.user().name() + " (console)");
    return switch (c.outcome()) {
      case CHANGED ->
          Response.seeOther(URI.create("/console/rules?published=" + c.inForce().version()))
              .build();
      case UNCHANGED ->
          Response.seeOther(URI.create("/console/rules?unchanged=" + c.inForce().version()))
              .build();
      default ->
          error(409, "Not published: " + c.message() + ". Plan again from the rules in force.");
    };
  }

  private Response error(int status, String alert) {
    try {
      PlanView plan = jobs.latest().map(j -> PlanView.of(j.view())).orElse(null);
      return Response.status(status)
          .type(MediaType.TEXT_HTML)
          .entity(Templates.realignment(form(plan), plan, alert, tiles()).render())
          .build();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private Tiles tiles() {
    return new Tiles(mapConfig.tileUrl().orElse(""), mapConfig.tileAttribution().orElse(""));
  }

  private RealignmentJobs.Job job(long id) throws SQLException {
    return jobs.get(id).orElseThrow(() -> new NotFoundException("no realignment plan " + id));
  }

  private Realignment.Proposal proposal(long id) throws SQLException {
    return job(id)
        .proposal()
        .orElseThrow(() -> new NotFoundException("realignment plan " + id + " has no proposal"));
  }

  private Form form(PlanView last) throws SQLException {
    return last == null
        ? new Form(
            null,
            config.measure(),
            config.tolerance() * 100,
            config.maxMoved() * 100,
            config.contiguity(),
            parents())
        : new Form(
            last.scope(),
            last.measure(),
            Math.round(last.tolerance() * 1000) / 10.0,
            Math.round(last.maxMoved() * 1000) / 10.0,
            last.contiguity(),
            parents());
  }

  /** Territories with children, offered as scopes. */
  private List<String> parents() throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT t.developer_name FROM sf_territory2 t WHERE EXISTS (SELECT 1 FROM"
                    + " sf_territory2 k WHERE k.parent_territory2_id = t.id)"
                    + " ORDER BY t.developer_name LIMIT 1000")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
