package io.territorysync.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.territorysync.realign.RealignmentJobs;
import io.territorysync.rules.RuleProblem;
import io.territorysync.rules.RulesPreview;
import io.territorysync.rules.RulesService;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
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
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Page 5, Rules: the rules in force and their history, an editor that validates as you type, a
 * preview of what a candidate would change, publish and roll back (admin). Every action calls the
 * same {@link RulesService} and {@link RulesPreview} as {@code /api/rules}.
 */
@Path("/console/rules")
@Produces(MediaType.TEXT_HTML)
public class RulesPage {

  static final int VERSIONS = 30;

  /** One problem of a rules file, where the editor shows it. */
  public record Problem(boolean warning, int line, int column, String message) {
    static Problem of(RuleProblem p) {
      return new Problem(p.warning(), p.pos().line(), p.pos().column(), p.message());
    }

    /** "line 12, column 5" (or "the file" when the problem has no position). */
    public String where() {
      return line <= 0 ? "the file" : "line " + line + ", column " + column;
    }
  }

  /** The rules in force as the page shows them. */
  public record InForce(
      long version,
      String source,
      Instant loadedAt,
      int territories,
      List<Problem> warnings,
      RulesService.Publication publication) {}

  /** One stored version and whether it is the one in force. */
  public record VersionRow(RulesService.Version version, boolean inForce) {}

  /** What the validator said about the editor's text. */
  public record Check(boolean valid, List<Problem> problems) {
    /** Comma-separated lines with an error, for the editor's highlighting. */
    public String errorLines() {
      return String.join(
          ",",
          problems.stream()
              .filter(p -> !p.warning() && p.line() > 0)
              .map(p -> Integer.toString(p.line()))
              .distinct()
              .toList());
    }

    public long errors() {
      return problems.stream().filter(p -> !p.warning()).count();
    }
  }

  /** What the editor holds and where it came from. */
  public record Editor(String text, Long basedOn, String loadedFrom) {}

  @CheckedTemplate(basePath = "console/rules")
  static class Templates {
    static native TemplateInstance rules(
        InForce current,
        List<VersionRow> versions,
        List<RulesService.Publication> log,
        Editor editor,
        Check check,
        String notice,
        String alert);

    static native TemplateInstance check(Check check);

    static native TemplateInstance preview(PreviewView preview, String publishAction);
  }

  @Inject RulesService rules;
  @Inject RulesPreview preview;
  @Inject RealignmentJobs realignments;
  @Inject ConsoleRequest console;
  @Inject RoutingContext routing;

  @GET
  public TemplateInstance page(
      @QueryParam("version") Long version,
      @QueryParam("proposal") Long proposal,
      @QueryParam("published") Long published,
      @QueryParam("unchanged") Long unchanged,
      @QueryParam("rolledBack") Long rolledBack,
      @QueryParam("source") Long source)
      throws SQLException {
    Optional<RulesService.InForce> current = rules.current();
    String text = null;
    String from = null;
    String alert = null;
    if (proposal != null) {
      Optional<String> p =
          realignments.get(proposal).flatMap(RealignmentJobs.Job::proposal).map(x -> x.rules());
      if (p.isPresent()) {
        text = p.get();
        from = "realignment proposal " + proposal;
      } else {
        alert = "There is no realignment proposal " + proposal + " (any more): plan again.";
      }
    } else if (version != null) {
      Optional<String> v = rules.content(version);
      if (v.isPresent()) {
        text = v.get();
        from = "version " + version;
      } else {
        alert = "There is no rules version " + version + ".";
      }
    }
    if (text == null && current.isPresent()) {
      text = rules.content(current.get().version()).orElse("");
      from = "version " + current.get().version() + " (in force)";
    }
    String notice = null;
    if (published != null) {
      notice = "Published: version " + published + " is in force; the next run applies it.";
    } else if (unchanged != null) {
      notice = "Nothing to publish: these rules are already in force (version " + unchanged + ").";
    } else if (rolledBack != null) {
      notice = "Rolled back: version " + rolledBack + " is in force again.";
    } else if (source != null) {
      notice = "The configured source is in force again (version " + source + ").";
    }
    Long basedOn = current.map(RulesService.InForce::version).orElse(null);
    return render(new Editor(text == null ? "" : text, basedOn, from), null, notice, alert);
  }

  private TemplateInstance render(Editor editor, Check check, String notice, String alert)
      throws SQLException {
    Optional<RulesService.InForce> current = rules.current();
    long inForce = current.map(RulesService.InForce::version).orElse(-1L);
    InForce view =
        current
            .map(
                c -> {
                  try {
                    return new InForce(
                        c.version(),
                        c.source(),
                        c.loadedAt(),
                        c.rules().territories().size(),
                        c.warnings().stream().map(Problem::of).toList(),
                        rules.newestPublication().filter(p -> p.versionId() != null).orElse(null));
                  } catch (SQLException e) {
                    throw new IllegalStateException(e);
                  }
                })
            .orElse(null);
    List<VersionRow> versions =
        rules.versions(VERSIONS).stream().map(v -> new VersionRow(v, v.id() == inForce)).toList();
    return Templates.rules(
        view, versions, rules.publications(VERSIONS), editor, check, notice, alert);
  }

  /** Checks the editor's text as the user types (viewers too: it changes nothing). */
  @POST
  @Path("validate")
  @OpenToViewers
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public TemplateInstance validate(@FormParam("rules") String text) throws SQLException {
    return Templates.check(check(text));
  }

  Check check(String text) throws SQLException {
    RulesService.LoadResult r = rules.validate(text == null ? "" : text, "rules");
    return new Check(r.ok(), r.problems().stream().map(Problem::of).toList());
  }

  /**
   * What the editor's text would change, like {@code POST /api/rules/preview} (admin: it evaluates
   * every mirrored account).
   */
  @POST
  @Path("preview")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public TemplateInstance previewText(@FormParam("rules") String text) throws SQLException {
    RulesService.LoadResult r = rules.validate(text == null ? "" : text, "rules");
    if (!r.ok()) {
      return Templates.preview(
          PreviewView.invalid(r.problems().stream().map(Problem::of).toList()), null);
    }
    long t0 = System.nanoTime();
    return Templates.preview(
        PreviewView.of(preview.preview(r.inForce().rules()), (System.nanoTime() - t0) / 1_000_000),
        null);
  }

  /** Publishes the editor's text as the rules in force (admin). */
  @POST
  @Path("publish")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response publish(
      @FormParam("rules") String text,
      @FormParam("note") String note,
      @FormParam("basedOn") Long basedOn)
      throws SQLException {
    String body = text == null ? "" : text;
    RulesService.Change c = rules.publish(body, actor(), RunsPage.blank(note), basedOn);
    return switch (c.outcome()) {
      case CHANGED -> seeOther("published", c.inForce().version());
      case UNCHANGED -> seeOther("unchanged", c.inForce().version());
      case INVALID ->
          page(
              422,
              new Editor(body, basedOn, "your edit"),
              new Check(false, c.problems().stream().map(Problem::of).toList()),
              "Not published: the rules have errors (below). Nothing was written.");
      case CONFLICT, NOT_FOUND ->
          page(
              409,
              new Editor(body, basedOn, "your edit"),
              null,
              "Not published: "
                  + c.message()
                  + ". Your text is still in the editor; compare it with the rules in force"
                  + " and publish again.");
    };
  }

  /** Puts an earlier version back in force (admin). */
  @POST
  @Path("versions/{id}/rollback")
  public Response rollback(@PathParam("id") long id, @FormParam("note") String note)
      throws SQLException {
    RulesService.Change c = rules.rollback(id, actor(), RunsPage.blank(note));
    if (c.ok()) {
      return seeOther("rolledBack", c.inForce().version());
    }
    return page(
        c.outcome() == RulesService.Outcome.NOT_FOUND ? 404 : 422,
        new Editor(rules.content(id).orElse(""), null, "version " + id),
        new Check(false, c.problems().stream().map(Problem::of).toList()),
        "Not rolled back: " + c.message() + ".");
  }

  /** Ends the published versions: the configured file (or the org's rules) is in force again. */
  @POST
  @Path("follow-source")
  public Response followSource() throws SQLException {
    RulesService.Change c = rules.followSource(actor(), "from the console");
    if (c.ok()) {
      return seeOther("source", c.inForce().version());
    }
    return page(
        422,
        new Editor(
            rules.current().map(i -> safeContent(i.version())).orElse(""),
            null,
            "the rules in force"),
        new Check(false, c.problems().stream().map(Problem::of).toList()),
        "The configured source is not valid; the published version stays in force.");
  }

  private String safeContent(long version) {
    try {
      return rules.content(version).orElse("");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private Response page(int status, Editor editor, Check check, String alert) throws SQLException {
    return Response.status(status)
        .type(MediaType.TEXT_HTML)
        .entity(render(editor, check, null, alert).render())
        .build();
  }

  private static Response seeOther(String what, long version) {
    return Response.seeOther(URI.create("/console/rules?" + what + "=" + version)).build();
  }

  /** Who changes the rules, as the publication log keeps it. */
  String actor() {
    ConsoleUser user = console.user();
    return user.name() + " (console)";
  }
}
