package io.territorysync.api;

import io.territorysync.rules.RuleProblem;
import io.territorysync.rules.RulesPreview;
import io.territorysync.rules.RulesService;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The rules in force, and candidate rules files checked or previewed before they go live. */
@Path("/api/rules")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Rules")
public class RulesResource {

  @Inject RulesService rules;
  @Inject RulesPreview preview;

  @GET
  @Operation(summary = "The rules in force: version, source, when loaded, warnings")
  public Response current() {
    return rules
        .current()
        .map(
            in -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("version", in.version());
              m.put("source", in.source());
              m.put("loadedAt", in.loadedAt().toString());
              m.put("territories", in.rules().territories().size());
              m.put("warnings", problems(in.warnings()));
              return Response.ok(m).build();
            })
        .orElseGet(
            () -> ApiError.of(Response.Status.NOT_FOUND, "no rules loaded yet (no run so far)"));
  }

  @POST
  @Path("validate")
  @Consumes({MediaType.TEXT_PLAIN, "application/yaml", "application/x-yaml", MediaType.WILDCARD})
  @Operation(
      summary = "Check a rules file (the body) against the mirror; nothing changes",
      description = "200 with valid true or false and every problem with line and column.")
  public Map<String, Object> validate(String body) throws SQLException {
    RulesService.LoadResult r = rules.validate(body == null ? "" : body, "request body");
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
  public Response preview(String body) throws SQLException {
    RulesService.LoadResult r = rules.validate(body == null ? "" : body, "request body");
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
