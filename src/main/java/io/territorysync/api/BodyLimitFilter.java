package io.territorysync.api;

import io.territorysync.rules.RulesReader;
import io.territorysync.webhook.WebhookReceiver;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;

/**
 * Refuses, with 413 and before the body is read, a request to an endpoint that takes a file when
 * its declared Content-Length is over that endpoint's limit (the service-wide {@code
 * quarkus.http.limits.max-body-size} is far larger). The endpoints check the length of bodies sent
 * without a Content-Length again.
 */
@Provider
@PreMatching
@Priority(Priorities.USER + 100)
public class BodyLimitFilter implements ContainerRequestFilter {

  private static final String OUTBOUND_MESSAGE = "/webhooks/salesforce/outbound-message";

  /** Endpoints that take a file, and the largest body each accepts. */
  static final Map<String, Integer> LIMITS =
      Map.of(
          "/api/rules/validate",
          RulesReader.MAX_BYTES,
          "/api/rules/publish",
          RulesReader.MAX_BYTES,
          "/api/rules/preview",
          RulesReader.MAX_BYTES,
          OUTBOUND_MESSAGE,
          WebhookReceiver.MAX_BODY,
          "/webhooks/accounts",
          WebhookReceiver.MAX_BODY);

  @Override
  public void filter(ContainerRequestContext request) {
    String path = "/" + request.getUriInfo().getPath().replaceFirst("^/+", "");
    String endpoint = path.replaceFirst("/+$", "");
    if (endpoint.startsWith(OUTBOUND_MESSAGE + "/")) {
      endpoint = OUTBOUND_MESSAGE; // the same endpoint with its secret token
    }
    Integer limit = LIMITS.get(endpoint);
    if (limit == null || !"POST".equals(request.getMethod())) {
      return;
    }
    String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      return;
    }
    long declared;
    try {
      declared = Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      request.abortWith(ApiError.of(Response.Status.BAD_REQUEST, "Content-Length is not a number"));
      return;
    }
    if (declared > limit) {
      request.abortWith(tooLarge(limit));
    }
  }

  /** The 413 answer for a body over {@code limit} bytes. */
  public static Response tooLarge(int limit) {
    return ApiError.of(
        Response.Status.REQUEST_ENTITY_TOO_LARGE,
        "the body is larger than this endpoint accepts (" + limit + " bytes)");
  }
}
