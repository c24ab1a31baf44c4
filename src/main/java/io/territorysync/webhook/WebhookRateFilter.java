package io.territorysync.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Admits senders (client addresses) to the webhook endpoints before the body is read: 403 when
 * {@code territory.webhooks.allowed-sources} is set and the sender is outside it, 429 with
 * Retry-After when the sender's bucket is empty (a SOAP fault body on the Outbound Message
 * endpoint, JSON on the other). Refusals are counted in {@code territory.webhook.refused} (tag
 * {@code reason}: {@code source} or {@code rate}); a refused sender is logged at its first refusal
 * and then at most once a minute with how many were refused since, so a flood is not a log flood.
 */
@Startup
@ApplicationScoped
public class WebhookRateFilter {

  private static final Logger LOG = Logger.getLogger(WebhookRateFilter.class);

  @Inject WebhookConfig config;
  @Inject MeterRegistry registry;

  private volatile SenderRateLimit limit;
  private volatile SourceAllowList sources;
  private volatile RefusedSenders refusedSenders;
  private Counter refusedSource;
  private Counter refusedRate;

  @PostConstruct
  void start() {
    refusedSource = registry.counter("territory.webhook.refused", "reason", "source");
    refusedRate = registry.counter("territory.webhook.refused", "reason", "rate");
    limit(config.rateLimit().burst(), config.rateLimit().perMinute());
    allow(config.allowedSources().orElse(List.of()));
  }

  /** Accepts senders only from these ranges (none: any sender); refusals are logged anew. */
  void allow(List<String> ranges) {
    sources = SourceAllowList.parse("territory.webhooks.allowed-sources", ranges);
    refusedSenders = new RefusedSenders(System::nanoTime);
    if (!sources.allowsAny()) {
      LOG.infof("Webhook endpoints accept requests only from %s", sources);
    }
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
    if (!sources.allows(sender)) {
      refusedSource.increment();
      long since = refusedSenders.refused(sender);
      if (since == 0) {
        LOG.warnf(
            "Refused a webhook request from %s: not in territory.webhooks.allowed-sources (this"
                + " sender's refusals are logged at most once a minute from now on and counted in"
                + " territory_webhook_refused_total)",
            sender);
      } else if (since > 0) {
        LOG.warnf(
            "Refused %d webhook request(s) from %s since the last line about it: not in"
                + " territory.webhooks.allowed-sources",
            since, sender);
      }
      return refusal(path, 403, sender + " is not an allowed sender").build();
    }
    long wait = limit.acquire(sender);
    if (wait == 0) {
      return null;
    }
    refusedRate.increment();
    String reason = "too many requests from " + sender + "; retry after " + wait + " s";
    return refusal(path, 429, reason).header(HttpHeaders.RETRY_AFTER, Long.toString(wait)).build();
  }

  private static Response.ResponseBuilder refusal(String path, int status, String reason) {
    return path.startsWith("/webhooks/salesforce/")
        ? Response.status(status)
            .type("text/xml; charset=utf-8")
            .entity(OutboundMessages.fault(true, reason))
        : Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", reason));
  }
}
