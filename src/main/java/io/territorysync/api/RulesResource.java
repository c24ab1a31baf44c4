package io.territorysync.api;

import io.territorysync.rules.RuleProblem;
import io.territorysync.rules.RulesPreview;
import io.territorysync.rules.RulesReader;
import io.territorysync.rules.RulesService;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The rules in force, candidate rules files checked or previewed before they go live, and published
 * versions with their history and rollback.
 */
@Path("/api/rules")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Rules")
public class RulesResource {

  @Inject RulesService rules;
  @Inject RulesPreview preview;

  @GET
  @Operation(
      summary = "The rules in force: version, source, when loaded, who published them, warnings")
  public Response current() throws SQLException {
    Optional<RulesService.InForce> current = rules.current();
    if (current.isEmpty()) {
      return ApiError.of(Response.Status.NOT_FOUND, "no rules loaded yet (no run so far)");
    }
    RulesService.InForce in = current.get();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", in.version());
    m.put("source", in.source());
    m.put("loadedAt", in.loadedAt().toString());
    m.put("territories", in.rules().territories().size());
    m.put("warnings", problems(in.warnings()));
    Optional<RulesService.Publication> publication =
        rules.newestPublication().filter(p -> p.versionId() != null);
    m.put("publication", publication.map(RulesResource::publication).orElse(null));
    return Response.ok(m).build();
  }

  @GET
  @Path("versions")
  @Operation(
      summary = "Stored rules versions and the publication log, newest first",
      description =
          "Every version that was ever in force or published: where it came from (the configured"
              + " file, the org's rules, or published), who published it and when, and which one"
              + " is in force; and the log of publications and rollbacks.")
  public Map<String, Object> versions(@QueryParam("limit") @DefaultValue("50") int limit)
      throws SQLException {
    int n = Math.min(Math.max(limit, 1), 1000);
    long inForce = rules.current().map(RulesService.InForce::version).orElse(-1L);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("inForce", inForce < 0 ? null : inForce);
    m.put(
        "versions",
        rules.versions(n).stream()
            .map(
                v -> {
                  Map<String, Object> row = version(v);
                  row.put("inForce", v.id() == inForce);
                  return row;
                })
            .toList());
    m.put("publications", rules.publications(n).stream().map(RulesResource::publication).toList());
    return m;
  }

  @GET
  @Path("versions/{id}")
  @Operation(summary = "One stored rules version with its text")
  public Response version(@PathParam("id") long id) throws SQLException {
    Optional<RulesService.Version> v = rules.version(id);
    if (v.isEmpty()) {
      return ApiError.of(Response.Status.NOT_FOUND, "there is no rules version " + id);
    }
    Map<String, Object> m = version(v.get());
    m.put("content", rules.content(id).orElse(""));
    return Response.ok(m).build();
  }

  @POST
  @Path("publish")
  @Consumes({MediaType.TEXT_PLAIN, "application/yaml", "application/x-yaml", MediaType.WILDCARD})
  @Operation(
      summary = "Publish a rules file (the body) as the rules in force (admin)",
      description =
          "Validates the body against the mirror; when valid, stores it as a new version with"
              + " who published it and puts it in force on every replica (the next run applies"
              + " it). 200 with the version (changed false when these rules were already in"
              + " force); 422 with every problem when invalid; 409 when basedOn is given and"
              + " another version was put in force since. Nothing is written unless 200.")
  public Response publish(
      byte[] body,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      @QueryParam("note") String note,
      @QueryParam("basedOn") Long basedOn,
      @Context SecurityContext security)
      throws SQLException {
    Text text = text(body, contentType);
    if (text.problem() != null) {
      return change(
          new RulesService.Change(
              RulesService.Outcome.INVALID,
              rules.current().orElse(null),
              List.of(text.problem()),
              "the rules are not valid"));
    }
    return change(rules.publish(text.text(), actor(security), note, basedOn));
  }

  @POST
  @Path("versions/{id}/rollback")
  @Operation(
      summary = "Put an earlier rules version back in force (admin)",
      description =
          "The version is checked against the mirror as it is now first. 200 when in force;"
              + " 404 for an unknown version; 422 with the problems when it is no longer valid.")
  public Response rollback(
      @PathParam("id") long id, @QueryParam("note") String note, @Context SecurityContext security)
      throws SQLException {
    return change(rules.rollback(id, actor(security), note));
  }

  @POST
  @Path("follow-source")
  @Operation(
      summary = "Run the configured rules source again instead of published rules (admin)",
      description =
          "Ends the published versions: the configured rules file (or the org's own rules) is in"
              + " force again, when valid (422 with its problems otherwise).")
  public Response followSource(@QueryParam("note") String note, @Context SecurityContext security)
      throws SQLException {
    return change(rules.followSource(actor(security), note));
  }

  /** Who changes the rules: the signed-in user, or the API key's role. */
  static String actor(SecurityContext security) {
    return security != null && security.getUserPrincipal() != null
        ? security.getUserPrincipal().getName()
        : "admin API key";
  }

  private static Response change(RulesService.Change c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("changed", c.outcome() == RulesService.Outcome.CHANGED);
    m.put("outcome", c.outcome().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    m.put("message", c.message());
    m.put("versionInForce", c.inForce() == null ? null : c.inForce().version());
    m.put("problems", problems(c.problems()));
    int status =
        switch (c.outcome()) {
          case CHANGED, UNCHANGED -> 200;
          case INVALID -> 422;
          case CONFLICT -> 409;
          case NOT_FOUND -> 404;
        };
    return Response.status(status).type(MediaType.APPLICATION_JSON).entity(m).build();
  }

  private static Map<String, Object> version(RulesService.Version v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", v.id());
    m.put("source", v.source());
    m.put("published", v.published());
    m.put("createdAt", v.createdAt().toString());
    m.put("createdBy", v.createdBy());
    m.put("note", v.note());
    m.put("checksum", v.checksum());
    return m;
  }

  private static Map<String, Object> publication(RulesService.Publication p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", p.id());
    m.put("version", p.versionId());
    m.put("action", p.action());
    m.put("by", p.publishedBy());
    m.put("at", p.publishedAt().toString());
    m.put("note", p.note());
    return m;
  }

  @POST
  @Path("validate")
  @Consumes({MediaType.TEXT_PLAIN, "application/yaml", "application/x-yaml", MediaType.WILDCARD})
  @Operation(
      summary = "Check a rules file (the body) against the mirror; nothing changes",
      description = "200 with valid true or false and every problem with line and column.")
  public Map<String, Object> validate(
      byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) throws SQLException {
    RulesService.LoadResult r = validated(text(body, contentType));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("valid", r.ok());
    m.put("problems", problems(r.problems()));
    return m;
  }

  @POST
  @Path("reload")
  @Operation(
      summary = "Read the configured rules again now (admin)",
      description =
          "200 with the version in force; 422 with every problem when the source is not valid, in"
              + " which case the previous version stays in force.")
  public Response reload() throws SQLException {
    RulesService.LoadResult r = rules.reload();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("valid", r.ok());
    m.put("source", r.source());
    m.put("versionInForce", r.inForce() == null ? null : r.inForce().version());
    m.put("problems", problems(r.problems()));
    return Response.status(r.ok() ? 200 : 422).entity(m).build();
  }

  @POST
  @Path("preview")
  @Consumes({MediaType.TEXT_PLAIN, "application/yaml", "application/x-yaml", MediaType.WILDCARD})
  @Operation(
      summary = "What a candidate rules file (the body) would change (admin)",
      description =
          "The body is decoded with the charset of its Content-Type (UTF-8 when none). Evaluates"
              + " every mirrored account with the candidate and compares with what the rules"
              + " in force want: associations added and removed, accounts changed (with a sample),"
              + " and accounts and potential per territory before and after. Writes nothing and"
              + " makes no Salesforce call. 422 with the problems when the candidate is invalid.")
  public Response preview(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType)
      throws SQLException {
    RulesService.LoadResult r = validated(text(body, contentType));
    if (!r.ok()) {
      return Response.status(422)
          .entity(Map.of("valid", false, "problems", problems(r.problems())))
          .build();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("valid", true);
    m.putAll(preview.preview(r.inForce().rules()));
    return Response.ok(m).build();
  }

  /** A request body as rules text, or the problem that keeps it from being text. */
  record Text(String text, RuleProblem problem) {}

  /**
   * Decodes a rules file sent as the body with the charset of its Content-Type (UTF-8 when none),
   * refusing bytes that are not text in it; a body over {@link RulesReader#MAX_BYTES} is answered
   * 413 (the size filter refuses it before it is read when the client declares its length).
   */
  static Text text(byte[] body, String contentType) {
    if (body == null) {
      return new Text("", null);
    }
    if (body.length > RulesReader.MAX_BYTES) {
      throw new WebApplicationException(BodyLimitFilter.tooLarge(RulesReader.MAX_BYTES));
    }
    Charset charset = StandardCharsets.UTF_8;
    try {
      if (contentType != null) {
        String name =
            MediaType.valueOf(contentType).getParameters().get(MediaType.CHARSET_PARAMETER);
        if (name != null) {
          charset = Charset.forName(name.trim());
        }
      }
    } catch (IllegalArgumentException e) {
      // IllegalCharsetNameException and UnsupportedCharsetException are IllegalArgumentExceptions
      return new Text(
          null,
          RuleProblem.error(
              io.territorysync.rules.Pos.NONE,
              "the Content-Type names a charset this service cannot read"));
    }
    try {
      return new Text(RulesReader.decode(body, charset), null);
    } catch (RulesReader.Undecodable e) {
      return new Text(null, e.problem());
    }
  }

  private RulesService.LoadResult validated(Text text) throws SQLException {
    if (text.problem() != null) {
      return new RulesService.LoadResult(false, null, List.of(text.problem()), "request body");
    }
    return rules.validate(text.text(), "request body");
  }

  private static List<Map<String, Object>> problems(List<RuleProblem> problems) {
    return problems.stream()
        .map(
            p -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("severity", p.warning() ? "warning" : "error");
              m.put("position", p.pos().toString());
              m.put("message", p.message());
              return m;
            })
        .toList();
  }
}
