package io.territorysync.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** New-account webhooks: {@code territory.webhooks.*}. See docs/operations.md#webhooks. */
@ConfigMapping(prefix = "territory.webhooks")
public interface WebhookConfig {

  /**
   * Shared secret of {@code POST /webhooks/accounts} (HMAC-SHA256 of timestamp, a dot and the raw
   * body). Unset: that endpoint answers 503.
   */
  Optional<String> secret();

  /** How far a signed request's timestamp may be from now (limits replays). */
  @WithDefault("5m")
  Duration maxClockSkew();

  /**
   * The org whose Outbound Messages are accepted (15 or 18 characters). Unset: the connected org's
   * id, read from the Salesforce session.
   */
  Optional<String> organizationId();

  /**
   * Secret token the Outbound Message's endpoint URL ends with ({@code
   * /webhooks/salesforce/outbound-message/<token>}), compared in constant time. Set it: the
   * OrganizationId alone is not a secret. Unset: messages are accepted without a token.
   */
  Optional<String> outboundMessageToken();

  /**
   * Address ranges (CIDR, comma-separated, IPv4 or IPv6) the webhook endpoints accept requests
   * from, such as Salesforce's published ranges; others get 403 before the body is read. Unset: any
   * sender. Behind a proxy, set {@code quarkus.http.proxy.proxy-address-forwarding=true} so the
   * real sender is checked, not the proxy.
   */
  Optional<List<String>> allowedSources();

  /** Requests each sender (client address) may make to the webhook endpoints. */
  RateLimit rateLimit();

  /** A token bucket per sender: 429 with Retry-After when it is empty. */
  interface RateLimit {
    /** Requests a sender may make at once before the sustained rate applies. */
    @WithDefault("120")
    int burst();

    /** Requests a sender may make per minute, sustained. */
    @WithDefault("600")
    int perMinute();
  }

  /** Whether the Outbound Message endpoint accepts notifications. */
  @WithDefault("true")
  boolean outboundMessageEnabled();

  /** How long processed events are kept (dead ones are kept until retried). */
  @WithDefault("30d")
  Duration retention();

  /** Processing of stored events by this replica (off: it only receives and stores). */
  Processing processing();

  interface Processing {
    @WithDefault("true")
    boolean enabled();

    /** Most accounts in one mini-run; a burst is coalesced into runs of this size. */
    @WithDefault("200")
    int batchSize();

    /** Attempts before an event is kept as dead (visible in GET /api/webhooks/dead). */
    @WithDefault("6")
    int maxAttempts();

    /** Pause before the first retry of a failed event; doubles with each attempt. */
    @WithDefault("10s")
    Duration retryBackoff();

    /**
     * At start-up, before it reports ready, the dispatcher makes one dry mini-run (trigger {@code
     * warm-up}) on one mirrored account, so the first webhooks do not wait for the service's cold
     * start (rules compiled, first Composite call, code loaded). One API call per start.
     */
    @WithDefault("true")
    boolean warmUp();

    /** How often the dispatcher looks for work stored by other replicas or left by a crash. */
    @WithDefault("2s")
    Duration pollInterval();
  }
}
