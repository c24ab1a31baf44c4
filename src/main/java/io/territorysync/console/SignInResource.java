package io.territorysync.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.territorysync.api.ApiKeys;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Signing in to the console with an API key (the admin API's viewer and admin keys), and signing
 * out. The sign-in form is protected against login CSRF by a double-submit cookie, since there is
 * no session yet whose token it could carry.
 */
@Path("/console")
public class SignInResource {

  /** Cookie holding the sign-in form's own CSRF token. */
  static final String SIGN_IN_COOKIE = "territory_sign_in";

  private static final Logger LOG = Logger.getLogger(SignInResource.class);

  @CheckedTemplate(basePath = "console", defaultName = CheckedTemplate.HYPHENATED_ELEMENT_NAME)
  static class Templates {
    static native TemplateInstance signIn(
        String error, String next, String csrf, boolean salesforce);
  }

  @Inject ApiKeys keys;
  @Inject ConsoleSessions sessions;
  @Inject ConsoleConfig config;
  @Inject RoutingContext routing;

  @GET
  @Path("sign-in")
  @Produces(MediaType.TEXT_HTML)
  public Response page(@QueryParam("next") String next, @QueryParam("error") String error) {
    return form(safeNext(next), error == null ? null : errorText(error), Response.Status.OK);
  }

  @POST
  @Path("sign-in")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Produces(MediaType.TEXT_HTML)
  public Response signIn(
      @FormParam("key") String key,
      @FormParam("next") String next,
      @FormParam(ConsoleFilter.CSRF_FIELD) String csrf)
      throws SQLException {
    Cookie expected = routing.request().getCookie(SIGN_IN_COOKIE);
    if (csrf == null
        || expected == null
        || !MessageDigest.isEqual(
            csrf.getBytes(StandardCharsets.UTF_8),
            expected.getValue().getBytes(StandardCharsets.UTF_8))) {
      return form(
          safeNext(next),
          "The sign-in form expired or did not come from this page; try again.",
          Response.Status.FORBIDDEN);
    }
    if (!keys.anyConfigured()) {
      return form(
          safeNext(next),
          "No API keys are configured (territory.api.admin-keys, territory.api.viewer-keys).",
          Response.Status.UNAUTHORIZED);
    }
    Optional<ApiKeys.Role> role = keys.roleOf(key);
    if (role.isEmpty()) {
      LOG.infof(
          "Console: sign-in with an unknown API key from %s", routing.request().remoteAddress());
      return form(safeNext(next), "That API key is not valid.", Response.Status.UNAUTHORIZED);
    }
    ConsoleSessions.Opened opened =
        sessions.open(role.get().label() + " API key", role.get(), "api-key", null);
    LOG.infof("Console: %s signed in with an API key", opened.user().roleLabel());
    return signedIn(opened, safeNext(next));
  }

  @POST
  @Path("sign-out")
  @OpenToViewers
  public Response signOut() throws SQLException {
    Cookie cookie = routing.request().getCookie(ConsoleFilter.COOKIE);
    sessions.close(cookie == null ? null : cookie.getValue());
    return Response.seeOther(URI.create("/console/sign-in?error=signed-out"))
        .cookie(ConsoleFilter.cookie(routing.request(), config, ConsoleFilter.COOKIE, "", 0))
        .build();
  }

  /** Answers a successful sign-in: the session cookie, then on to {@code next}. */
  Response signedIn(ConsoleSessions.Opened opened, String next) {
    return Response.seeOther(URI.create(next))
        .cookie(
            ConsoleFilter.sessionCookie(routing.request(), config, opened),
            ConsoleFilter.cookie(routing.request(), config, SIGN_IN_COOKIE, "", 0))
        .build();
  }

  private Response form(String next, String error, Response.Status status) {
    Cookie existing = routing.request().getCookie(SIGN_IN_COOKIE);
    String csrf =
        existing != null && existing.getValue().length() == 43
            ? existing.getValue()
            : ConsoleSessions.random(32);
    return Response.status(status)
        .type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
        .entity(Templates.signIn(error, next, csrf, config.salesforce().enabled()))
        .cookie(ConsoleFilter.cookie(routing.request(), config, SIGN_IN_COOKIE, csrf, 3600))
        .build();
  }

  /** Where to go after sign-in: only a console path of this site, never another site. */
  static String safeNext(String next) {
    if (next == null
        || !next.startsWith("/console")
        || next.startsWith("//")
        || next.contains("\\")
        || next.startsWith("/console/sign-")) {
      return "/console/";
    }
    return next;
  }

  static String errorText(String code) {
    return switch (code) {
      case "signed-out" -> "You are signed out.";
      case "salesforce-role" ->
          "Your Salesforce user has none of the permission sets or profiles that give access to"
              + " the console; ask your Salesforce admin.";
      case "salesforce-org" -> "That Salesforce user belongs to another org.";
      case "salesforce" -> "Salesforce sign-in failed; see the service log.";
      default -> null;
    };
  }
}
