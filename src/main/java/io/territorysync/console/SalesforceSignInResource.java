package io.territorysync.console;

import io.quarkus.oidc.OidcSession;
import io.quarkus.oidc.UserInfo;
import io.quarkus.security.Authenticated;
import io.territorysync.salesforce.SalesforceApi;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Where "Sign in with Salesforce" lands once quarkus-oidc has run the authorization code flow: the
 * user must belong to the connected org and hold a console role; they then get the same console
 * session as an API-key sign-in, and the OpenID Connect session is dropped.
 */
@Path(SalesforceSignIn.PATH)
public class SalesforceSignInResource {

  private static final Logger LOG = Logger.getLogger(SalesforceSignInResource.class);

  @Inject UserInfo userInfo;
  @Inject OidcSession oidcSession;
  @Inject SalesforceSignIn signIn;
  @Inject SalesforceApi salesforce;
  @Inject ConsoleSessions sessions;
  @Inject ConsoleConfig config;
  @Inject RoutingContext routing;

  @GET
  @Authenticated
  public Response signedIn() throws SQLException {
    String userId = userInfo.getString("user_id");
    String orgId = userInfo.getString("organization_id");
    String sub = userInfo.getString("sub");
    if ((userId == null || orgId == null) && sub != null && sub.contains("/id/")) {
      String[] ids = sub.substring(sub.indexOf("/id/") + 4).split("/");
      orgId = ids.length > 0 ? ids[0] : null;
      userId = ids.length > 1 ? ids[1] : null;
    }
    oidcSession.logout().await().atMost(Duration.ofSeconds(10));
    String connected;
    try {
      connected = salesforce.orgId(); // logs the integration user in when it has not yet
    } catch (RuntimeException e) {
      LOG.error("Console: Salesforce sign-in needs the org connection", e);
      return Response.seeOther(URI.create("/console/sign-in?error=salesforce")).build();
    }
    if (userId == null || orgId == null || connected == null || !sameId(orgId, connected)) {
      LOG.warnf(
          "Console: Salesforce sign-in refused: user of org %s, connected org %s",
          orgId, connected);
      return Response.seeOther(URI.create("/console/sign-in?error=salesforce-org")).build();
    }
    SalesforceSignIn.Mapped mapped = signIn.map(userId);
    if (mapped.role().isEmpty()) {
      LOG.infof("Console: Salesforce user %s refused: %s", userId, mapped.why());
      return Response.seeOther(URI.create("/console/sign-in?error=salesforce-role")).build();
    }
    ConsoleSessions.Opened opened =
        sessions.open(mapped.name(), mapped.role().get(), "salesforce", userId);
    LOG.infof("Console: Salesforce user %s signed in as %s", userId, mapped.role().get().label());
    // Arriving from Salesforce is a cross-site navigation, on which browsers withhold
    // SameSite=Strict
    // cookies; this page moves on from our own site, so the new session cookie goes with it.
    String page =
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta http-equiv=\"refresh\" content=\"0;url=/console/\"><title>Signed in</title>"
            + "</head><body><p>Signed in. <a href=\"/console/\">Continue to the console</a></p>"
            + "</body></html>";
    return Response.ok(page, MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
        .cookie(ConsoleFilter.sessionCookie(routing.request(), config, opened))
        .header("Cache-Control", "no-store")
        .build();
  }

  private static boolean sameId(String a, String b) {
    return a.regionMatches(0, b, 0, 15);
  }
}
