package io.territorysync.webhook;

import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Limits how often each sender (client address) may call the webhook endpoints, before the body is
 * read: 429 with Retry-After when its bucket is empty (a SOAP fault body on the Outbound Message
 * endpoint, JSON on the other).
 */
@ApplicationScoped
public class WebhookRateFilter {

  @Inject WebhookConfig config;

  private volatile SenderRateLimit limit;

  @PostConstruct
  void start() {
    limit(config.rateLimit().burst(), config.rateLimit().perMinute());
  }

  /** Starts over with empty history and these limits. */
  void limit(int burst, int perMinute) {
    limit = new SenderRateLimit(burst, perMinute, System::nanoTime);
  }

  @ServerRequestFilter(preMatching = true, priority = Priorities.USER + 50)
  public Response filter(ContainerRequestContext request, HttpServerRequest http) {
    String path = "/" + request.getUriInfo().getPath().replaceFirst("^/+", "");
    if (!path.startsWith("/webhooks/") || !"POST".equals(request.getMethod())) {
      return null;
    }
    String sender =
        http == null || http.remoteAddress() == null ? "unknown" : http.remoteAddress().host();
    long wait = limit.acquire(sender);
    if (wait == 0) {
      return null;
    }
    String reason = "too many requests from " + sender + "; retry after " + wait + " s";
    Response answer =
        path.startsWith("/webhooks/salesforce/")
            ? Response.status(429)
                .type("text/xml; charset=utf-8")
                .entity(OutboundMessages.fault(true, reason))
                .build()
            : Response.status(Response.Status.TOO_MANY_REQUESTS)
                .type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", reason))
                .build();
    return Response.fromResponse(answer)
        .header(HttpHeaders.RETRY_AFTER, Long.toString(wait))
        .build();
  }
}
