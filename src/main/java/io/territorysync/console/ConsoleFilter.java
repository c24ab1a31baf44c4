package io.territorysync.console;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;
import org.jboss.resteasy.reactive.server.WithFormRead;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;

/**
 * Guards every console path: no live session → redirect to the sign-in page (htmx requests get
 * {@code HX-Redirect}); every POST must carry the session's CSRF token (form field {@value
 * #CSRF_FIELD} or header {@value #CSRF_HEADER}); a POST needs the admin role unless its method is
 * {@link OpenToViewers}. The API's own key filter is untouched.
 */
public class ConsoleFilter {

  /** The session cookie. */
  public static final String COOKIE = "territory_session";

  /** Form field holding the CSRF token. */
  public static final String CSRF_FIELD = "csrf-token";

  /** Header holding the CSRF token (htmx sends it from the page's {@code hx-headers}). */
  public static final String CSRF_HEADER = "X-CSRF-Token";

  private static final Logger LOG = Logger.getLogger(ConsoleFilter.class);

  @Inject ConsoleSessions sessions;
  @Inject ConsoleConfig config;
  @Inject MapConfig map;

  /** Whether {@code path} is a console path that needs a session. */
  static boolean guarded(String path) {
    if (!(path.equals("/console") || path.startsWith("/console/"))) {
      return false;
    }
    return !(path.startsWith("/console/static/")
        || path.equals("/console/sign-in")
        || path.equals("/console/sign-in/salesforce"));
  }

  @ServerRequestFilter(preMatching = true)
  public Optional<Response> authenticate(ContainerRequestContext request, RoutingContext routing) {
    String path = routing.normalizedPath();
    if (!guarded(path)) {
      return Optional.empty();
    }
    Cookie cookie = routing.request().getCookie(COOKIE);
    Optional<ConsoleUser> user;
    try {
      user = cookie == null ? Optional.empty() : sessions.find(cookie.getValue());
    } catch (SQLException e) {
      LOG.error("Console: cannot read sessions", e);
      return Optional.of(
          Response.status(503)
              .type(MediaType.TEXT_PLAIN)
              .entity("The console cannot reach its database; see /q/health/ready")
              .build());
    }
    if (user.isPresent()) {
      routing.put(ConsoleRequest.USER, user.get());
      return Optional.empty();
    }
    String next = path + (routing.request().query() == null ? "" : "?" + routing.request().query());
    URI signIn = URI.create(signInPath(request.getMethod().equals("GET") ? next : null));
    if ("true".equals(request.getHeaderString("HX-Request"))) {
      return Optional.of(Response.status(401).header("HX-Redirect", signIn.toString()).build());
    }
    return Optional.of(Response.seeOther(signIn).build());
  }

  @ServerRequestFilter
  @WithFormRead
  public Optional<Response> authorize(
      ResteasyReactiveContainerRequestContext request,
      RoutingContext routing,
      ResourceInfo resource) {
    ConsoleUser user = routing.get(ConsoleRequest.USER);
    String method = request.getMethod();
    if (user == null || method.equals("GET") || method.equals("HEAD")) {
      return Optional.empty();
    }
    String given = request.getHeaderString(CSRF_HEADER);
    if (given == null
        && request.getServerRequestContext() instanceof ResteasyReactiveRequestContext rr) {
      Object field = rr.getFormParameter(CSRF_FIELD, true, false);
      given = field == null ? null : field.toString();
    }
    if (given == null
        || !MessageDigest.isEqual(
            given.getBytes(StandardCharsets.UTF_8),
            user.csrfToken().getBytes(StandardCharsets.UTF_8))) {
      LOG.warnf(
          "Console: %s %s refused: missing or wrong CSRF token", method, routing.normalizedPath());
      return Optional.of(
          Response.status(403)
              .type(MediaType.TEXT_PLAIN)
              .entity(
                  "This form has expired or did not come from the console: reload the page and try again.")
              .build());
    }
    boolean open =
        resource.getResourceMethod() != null
            && resource.getResourceMethod().isAnnotationPresent(OpenToViewers.class);
    if (!open && !user.admin()) {
      return Optional.of(
          Response.status(403)
              .type(MediaType.TEXT_PLAIN)
              .entity("This needs the admin role; you are signed in as a viewer.")
              .build());
    }
    return Optional.empty();
  }

  /** Console pages are never cached and never framed; scripts and styles come only from here. */
  @ServerResponseFilter
  public void headers(ContainerResponseContext response, RoutingContext routing) {
    String path = routing.normalizedPath();
    if (!(path.equals("/console") || path.startsWith("/console/"))) {
      return;
    }
    var h = response.getHeaders();
    h.putSingle("Cache-Control", "no-store");
    h.putSingle("X-Content-Type-Options", "nosniff");
    h.putSingle("X-Frame-Options", "DENY");
    h.putSingle("Referrer-Policy", "same-origin");
    h.putSingle(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data: blob:"
            + tileOrigin(map.tileUrl().orElse(null))
            + "; style-src 'self'; script-src 'self';"
            + " object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
  }

  private static final java.util.regex.Pattern ORIGIN =
      java.util.regex.Pattern.compile("^(https?)://([A-Za-z0-9.{}-]+(:[0-9]+)?)(/.*)?$");

  /**
   * " https://tiles.example.org" for the map's tile server, so its images may load ({s} subdomains
   * become *); "" for none or an URL that is not plain http(s).
   */
  static String tileOrigin(String tileUrl) {
    if (tileUrl == null) {
      return "";
    }
    java.util.regex.Matcher m = ORIGIN.matcher(tileUrl.trim());
    if (!m.matches()) {
      return "";
    }
    String host = m.group(2).replace("{s}", "*");
    return host.contains("{") ? "" : " " + m.group(1) + "://" + host;
  }

  /** The sign-in page, coming back to {@code next} afterwards. */
  static String signInPath(String next) {
    return next == null || next.equals("/console/") || next.equals("/console")
        ? "/console/sign-in"
        : "/console/sign-in?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8);
  }

  /**
   * A console cookie: HttpOnly, SameSite=Strict, path /, Secure over HTTPS or behind an HTTPS
   * proxy; {@code maxAgeSeconds} 0 deletes it.
   */
  static NewCookie cookie(
      HttpServerRequest request,
      ConsoleConfig config,
      String name,
      String value,
      int maxAgeSeconds) {
    return new NewCookie.Builder(name)
        .value(value)
        .path("/")
        .httpOnly(true)
        .sameSite(NewCookie.SameSite.STRICT)
        .maxAge(maxAgeSeconds)
        .secure(config.session().forceSecureCookie() || overHttps(request))
        .build();
  }

  /** The session cookie of a session just opened, valid as long as a session lasts. */
  static NewCookie sessionCookie(
      HttpServerRequest request, ConsoleConfig config, ConsoleSessions.Opened opened) {
    return cookie(
        request, config, COOKIE, opened.token(), (int) config.session().timeout().toSeconds());
  }

  /** Whether the browser reached us over HTTPS, directly or through a proxy that says so. */
  static boolean overHttps(HttpServerRequest request) {
    String forwarded = request.getHeader("X-Forwarded-Proto");
    return request.isSSL()
        || "https".equals(request.scheme())
        || (forwarded != null
            && forwarded.trim().toLowerCase(java.util.Locale.ROOT).startsWith("https"));
  }
}
