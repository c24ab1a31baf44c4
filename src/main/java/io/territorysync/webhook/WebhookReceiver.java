package io.territorysync.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.territorysync.run.RunMetrics;
import io.territorysync.salesforce.SalesforceApi;
import io.territorysync.salesforce.SalesforceId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * Checks a webhook and stores its events durably (committed before the caller is answered), then
 * announces them (WebhooksStored) so the dispatcher looks now. A rejected webhook stores nothing.
 */
@ApplicationScoped
public class WebhookReceiver {

  private static final Logger LOG = Logger.getLogger(WebhookReceiver.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ACCOUNTS = 1000;

  /** Largest webhook body accepted (413 beyond): 100 notifications take about 60 KB. */
  public static final int MAX_BODY = 1024 * 1024;

  @Inject WebhookConfig config;
  @Inject WebhookStore store;
  @Inject SalesforceApi api;
  @Inject Event<WebhooksStored> stored;
  @Inject RunMetrics metrics;

  private volatile String connectedOrg;

  /**
   * Reads a webhook's body, sent with a Content-Length or chunked, up to {@link #MAX_BODY} bytes:
   * once it passes the limit the rest is not read and the webhook is refused (413). The
   * Content-Length of a larger body is refused before any of it is read (BodyLimitFilter).
   */
  public byte[] body(String source, InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] buffer = new byte[16 * 1024];
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      if (body.size() + n > MAX_BODY) {
        throw reject(source, 413, "the body is larger than " + MAX_BODY + " bytes");
      }
      body.write(buffer, 0, n);
    }
    return body.toByteArray();
  }

  /** A Salesforce Outbound Message for Account. */
  public WebhookStore.Stored outboundMessage(byte[] body, String token) throws SQLException {
    if (!config.outboundMessageEnabled()) {
      throw reject("outbound-message", 404, "the Outbound Message endpoint is disabled");
    }
    String expectedToken = config.outboundMessageToken().filter(t -> !t.isBlank()).orElse(null);
    if (expectedToken != null
        && (token == null
            || !MessageDigest.isEqual(
                expectedToken.getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8)))) {
      LOG.warn("Refused an Outbound Message: its endpoint URL has no token or the wrong one");
      throw reject(
          "outbound-message",
          401,
          "the endpoint URL must end with the token set in territory.webhooks.outbound-message-token");
    }
    if (body.length > MAX_BODY) {
      throw reject("outbound-message", 413, "the body is larger than " + MAX_BODY + " bytes");
    }
    OutboundMessages.Message message;
    try {
      message = OutboundMessages.parse(body);
    } catch (WebhookRejectedException e) {
      metrics.webhook("outbound-message", "rejected", 1);
      throw e;
    }
    String expected = expectedOrg();
    String got = SalesforceId.normalize(message.organizationId()).orElse("");
    if (!got.substring(0, 15).equals(expected.substring(0, 15))) {
      LOG.warnf(
          "Refused an Outbound Message from organization %s: the connected org is %s",
          message.organizationId(), expected);
      throw reject(
          "outbound-message",
          403,
          "OrganizationId " + message.organizationId() + " is not the connected org");
    }
    List<WebhookStore.Incoming> events = new ArrayList<>();
    for (OutboundMessages.Notification n : message.notifications()) {
      events.add(new WebhookStore.Incoming("om:" + n.id(), n.accountId()));
    }
    return stored("outbound-message", store.store("outbound-message", events));
  }

  /**
   * Signed JSON: {@code {"accountIds": [...], "eventId": "optional"}}, with headers {@code
   * X-Territory-Timestamp} (Unix seconds) and {@code X-Territory-Signature: sha256=<hex>}, the
   * HMAC-SHA256 of {@code <timestamp>.<raw body>} with the shared secret.
   */
  public WebhookStore.Stored signedJson(byte[] body, String timestamp, String signature)
      throws SQLException {
    String secret =
        config
            .secret()
            .filter(s -> !s.isBlank())
            .orElseThrow(
                () ->
                    reject(
                        "signed-json",
                        503,
                        "the endpoint is off: territory.webhooks.secret is not set"));
    if (body.length > MAX_BODY) {
      throw reject("signed-json", 413, "the body is larger than " + MAX_BODY + " bytes");
    }
    if (timestamp == null || signature == null) {
      throw reject(
          "signed-json",
          401,
          "unsigned: the X-Territory-Timestamp and X-Territory-Signature headers are required");
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      throw reject("signed-json", 401, "X-Territory-Timestamp is not Unix seconds");
    }
    // compared without building an Instant: a timestamp of 10^18 s must be stale, not an error
    long now = Instant.now().getEpochSecond();
    long allowed = config.maxClockSkew().toSeconds();
    if (seconds < now - allowed || seconds > now + allowed) {
      throw reject(
          "signed-json",
          401,
          "stale: the timestamp is "
              + (seconds < now - allowed ? "older" : "later")
              + " than now by more than territory.webhooks.max-clock-skew ("
              + allowed
              + " s)");
    }
    byte[] expected = hmac(secret, seconds + ".", body);
    String given = signature.trim();
    if (given.startsWith("sha256=")) {
      given = given.substring("sha256=".length());
    }
    byte[] givenBytes;
    try {
      givenBytes = HexFormat.of().parseHex(given.toLowerCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      givenBytes = new byte[0];
    }
    if (!MessageDigest.isEqual(expected, givenBytes)) {
      throw reject("signed-json", 401, "bad signature");
    }
    JsonNode json;
    try {
      // JSON between systems is UTF-8 (RFC 8259); a body in another encoding is refused
      json =
          JSON.readTree(
              StandardCharsets.UTF_8
                  .newDecoder()
                  .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                  .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                  .decode(java.nio.ByteBuffer.wrap(body))
                  .toString());
    } catch (java.nio.charset.CharacterCodingException e) {
      throw reject("signed-json", 400, "the body is not UTF-8");
    } catch (Exception e) {
      throw reject("signed-json", 400, "malformed JSON: " + e.getMessage());
    }
    JsonNode ids = json == null ? null : json.get("accountIds");
    if (ids == null || !ids.isArray() || ids.isEmpty()) {
      throw reject("signed-json", 400, "accountIds must be a non-empty array of Account ids");
    }
    if (ids.size() > MAX_ACCOUNTS) {
      throw reject(
          "signed-json", 400, "accountIds holds " + ids.size() + " ids; at most 1000 per request");
    }
    Set<String> accounts = new LinkedHashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      JsonNode id = ids.get(i);
      String normalized = id.isTextual() ? SalesforceId.normalize(id.asText()).orElse(null) : null;
      if (normalized == null || !normalized.startsWith("001")) {
        throw reject(
            "signed-json", 400, "accountIds[" + i + "] is not an Account id (001…): " + id);
      }
      accounts.add(normalized);
    }
    String eventId = json.path("eventId").isTextual() ? json.get("eventId").asText() : null;
    String key =
        eventId != null && !eventId.isBlank()
            ? "json:" + eventId
            : "json:" + seconds + ":" + HexFormat.of().formatHex(sha256(body));
    List<WebhookStore.Incoming> events = new ArrayList<>();
    for (String account : accounts) {
      events.add(new WebhookStore.Incoming(key + ":" + account, account));
    }
    return stored("signed-json", store.store("signed-json", events));
  }

  /** The signature a sender computes: hex HMAC-SHA256 of {@code <timestamp>.<body>}. */
  public static String sign(String secret, long timestamp, byte[] body) {
    return "sha256=" + HexFormat.of().formatHex(hmac(secret, timestamp + ".", body));
  }

  private WebhookStore.Stored stored(String source, WebhookStore.Stored s) {
    metrics.webhook(source, "received", s.stored());
    metrics.webhook(source, "duplicate", s.duplicates());
    if (s.stored() > 0) {
      stored.fire(new WebhooksStored(s.stored()));
    }
    return s;
  }

  private String expectedOrg() {
    if (config.organizationId().isPresent()) {
      return SalesforceId.normalize(config.organizationId().get().trim())
          .orElseThrow(
              () ->
                  new WebhookRejectedException(
                      503, "territory.webhooks.organization-id is not a Salesforce id"));
    }
    String org = connectedOrg;
    if (org == null) {
      try {
        org = SalesforceId.normalize(api.orgId()).orElseThrow();
      } catch (RuntimeException e) {
        throw new WebhookRejectedException(
            503, "cannot check the OrganizationId: the Salesforce connection is unavailable");
      }
      connectedOrg = org;
    }
    return org;
  }

  private WebhookRejectedException reject(String source, int status, String message) {
    metrics.webhook(source, "rejected", 1);
    return new WebhookRejectedException(status, message);
  }

  private static byte[] hmac(String secret, String prefix, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update(prefix.getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(body);
    } catch (Exception e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static byte[] sha256(byte[] body) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
