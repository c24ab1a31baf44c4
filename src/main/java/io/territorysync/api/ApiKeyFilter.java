package io.territorysync.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/**
 * Guards {@code /api}: an API key as {@code Authorization: Bearer <key>}, {@code X-API-Key: <key>}
 * or HTTP basic (any user name, the key as password). Viewer keys read; admin keys also change
 * things. No key or an unknown one: 401; a viewer asking to change something: 403.
 */
@Provider
@PreMatching
public class ApiKeyFilter implements ContainerRequestFilter {

  /** POST endpoints that only read, open to viewers. */
  private static final Set<String> VIEWER_POSTS = Set.of("/api/rules/validate");

  @Inject ApiKeys keys;

  @Override
  public void filter(ContainerRequestContext request) {
    String path = "/" + request.getUriInfo().getPath().replaceFirst("^/+", "");
    if (!path.equals("/api") && !path.startsWith("/api/")) {
      return;
    }
    String key = key(request);
    if (key == null) {
      request.abortWith(
          unauthorized(
              !keys.anyConfigured()
                  ? "no API keys are configured (territory.api.admin-keys, territory.api.viewer-keys)"
                  : "an API key is required: Authorization: Bearer <key>"));
      return;
    }
    Optional<ApiKeys.Role> role = keys.roleOf(key);
    if (role.isEmpty()) {
      request.abortWith(unauthorized("unknown API key"));
      return;
    }
    boolean isAdmin = role.get() == ApiKeys.Role.ADMIN;
    String method = request.getMethod();
    boolean reads =
        method.equals("GET")
            || method.equals("HEAD")
            || method.equals("OPTIONS")
            || VIEWER_POSTS.contains(path);
    if (!reads && !isAdmin) {
      request.abortWith(
          ApiError.of(
              Response.Status.FORBIDDEN, "this needs an admin key; the key given is a viewer key"));
    }
  }

  private static String key(ContainerRequestContext request) {
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String decoded =
            new String(
                Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return colon >= 0 ? decoded.substring(colon + 1) : null;
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    String apiKey = request.getHeaderString("X-API-Key");
    return apiKey == null || apiKey.isBlank() ? null : apiKey.trim();
  }

  private static Response unauthorized(String message) {
    return Response.fromResponse(ApiError.of(Response.Status.UNAUTHORIZED, message))
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"territory-sync\"")
        .build();
  }
}
