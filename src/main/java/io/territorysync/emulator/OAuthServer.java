package io.territorysync.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The org's OAuth 2.0 endpoints: token (password, client_credentials, refresh_token, JWT bearer),
 * revoke, identity; and the sessions its access tokens open.
 */
final class OAuthServer {

  /** An open session: who, until when, and how many calls it served. */
  static final class Session {
    final String userId;
    final Instant expires;
    final AtomicLong calls = new AtomicLong();

    Session(String userId, Instant expires) {
      this.userId = userId;
      this.expires = expires;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final OrgData org;
  private final Clock clock;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final AtomicLong tokensIssued = new AtomicLong();
  private volatile EmulatorSettings settings;
  private volatile String integrationUserId;
  private final OpenIdProvider openId;

  OAuthServer(OrgData org, Clock clock, EmulatorSettings settings) {
    this.org = org;
    this.clock = clock;
    this.settings = settings;
    this.openId = new OpenIdProvider(org, clock, settings);
  }

  void settings(EmulatorSettings settings) {
    this.settings = settings;
    openId.settings(settings);
  }

  /** The org's OpenID Connect provider ("Sign in with Salesforce"). */
  OpenIdProvider openId() {
    return openId;
  }

  /** Userinfo of the user behind the call's access token. */
  HttpReply userinfo(HttpCall call) throws Exception {
    Session s = session(call.header("authorization"), 0);
    if (s == null) {
      return HttpReply.text(403, "text/plain", "Bad_OAuth_Token");
    }
    return openId.userinfo(call, s.userId);
  }

  void integrationUser(String userId) {
    this.integrationUserId = userId;
  }

  /**
   * The session behind a bearer token, if valid: not expired, not revoked, within its call budget.
   */
  Session session(String authorization, long maxCalls) {
    if (authorization == null) {
      return null;
    }
    String token =
        authorization.regionMatches(true, 0, "Bearer ", 0, 7)
            ? authorization.substring(7).trim()
            : authorization.regionMatches(true, 0, "OAuth ", 0, 6)
                ? authorization.substring(6).trim()
                : null;
    Session s = token == null ? null : sessions.get(token);
    if (s == null) {
      return null;
    }
    if (!clock.instant().isBefore(s.expires) || (maxCalls > 0 && s.calls.get() >= maxCalls)) {
      sessions.remove(token);
      return null;
    }
    s.calls.incrementAndGet();
    return s;
  }

  /** Ends every open session (as an admin's "expire all sessions" would). */
  void expireAll() {
    sessions.clear();
  }

  long tokensIssued() {
    return tokensIssued.get();
  }

  int openSessions() {
    return sessions.size();
  }

  HttpReply token(HttpCall call) {
    Map<String, String> form = form(call);
    String grant = form.getOrDefault("grant_type", "");
    EmulatorSettings s = settings;
    String clientId = form.get("client_id");
    String clientSecret = form.get("client_secret");
    String basic = call.header("authorization");
    if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
      String[] pair =
          new String(Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8)
              .split(":", 2);
      clientId = pair[0];
      clientSecret = pair.length > 1 ? pair[1] : null;
    }
    try {
      String userId;
      OpenIdProvider.Grant code = null;
      switch (grant) {
        case "authorization_code" -> {
          checkClient(clientId, clientSecret, true);
          code = openId.redeem(form, clientId);
          if (code == null) {
            throw new OAuthError("invalid_grant", "invalid authorization code");
          }
          userId = code.userId();
        }
        case "password" -> {
          if (!org.access().usernamePasswordFlow()) {
            // the org blocks the flow (the default since Summer '23); the exact answer is
            // unverified
            throw new OAuthError("unsupported_grant_type", "grant type not supported");
          }
          checkClient(clientId, clientSecret, true);
          String username = form.get("username");
          String password = form.get("password");
          if (!s.username().equalsIgnoreCase(String.valueOf(username))
              || password == null
              || !(password.equals(s.password()) || password.startsWith(s.password()))) {
            throw new OAuthError("invalid_grant", "authentication failure");
          }
          userId = integrationUserId;
        }
        case "client_credentials" -> {
          checkClient(clientId, clientSecret, true);
          userId = integrationUserId;
        }
        case "refresh_token" -> {
          checkClient(clientId, clientSecret, false);
          if (s.refreshToken() == null || !s.refreshToken().equals(form.get("refresh_token"))) {
            throw new OAuthError("invalid_grant", "expired access/refresh token");
          }
          userId = integrationUserId;
        }
        case "urn:ietf:params:oauth:grant-type:jwt-bearer" -> {
          jwt(form.get("assertion"), call.baseUrl());
          userId = integrationUserId;
        }
        default -> throw new OAuthError("unsupported_grant_type", "grant type not supported");
      }
      String token = org.orgId().substring(0, 15) + "!" + randomToken();
      Instant now = clock.instant();
      sessions.put(token, new Session(userId, now.plus(s.tokenLifetime())));
      tokensIssued.incrementAndGet();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("access_token", token);
      body.put("signature", sign(call.baseUrl() + now.toEpochMilli(), s.clientSecret()));
      body.put("scope", "api");
      body.put("instance_url", call.baseUrl());
      body.put("id", call.baseUrl() + "/id/" + org.orgId() + "/" + userId);
      body.put("token_type", "Bearer");
      body.put("issued_at", Long.toString(now.toEpochMilli()));
      if (code != null) {
        body.put("scope", code.scope());
        if (code.scope().contains("openid")) {
          body.put("id_token", openId.idToken(code, call.baseUrl(), token));
        }
      }
      return HttpReply.json(200, JSON.writeValueAsBytes(body));
    } catch (OAuthError e) {
      return error(e.error, e.description);
    } catch (Exception e) {
      return error("invalid_request", e.getMessage());
    }
  }

  HttpReply revoke(HttpCall call) {
    String token = call.query().get("token");
    if (token == null) {
      token = form(call).get("token");
    }
    if (token == null || sessions.remove(token) == null) {
      return error("unsupported_token_type", "this token type is not supported");
    }
    return HttpReply.empty(200);
  }

  HttpReply identity(HttpCall call, String orgId, String userId) throws Exception {
    Session s = session(call.header("authorization"), 0);
    if (s == null || !orgId.equals(org.orgId()) || !userId.equals(s.userId)) {
      return HttpReply.text(403, "text/plain", "Bad_OAuth_Token");
    }
    Map<String, Object> user = org.get(userId).orElseThrow();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", call.baseUrl() + "/id/" + orgId + "/" + userId);
    body.put("organization_id", orgId);
    body.put("user_id", userId);
    body.put("username", user.get("Username"));
    body.put("display_name", user.get("Name"));
    body.put("email", user.get("Email"));
    body.put("active", user.get("IsActive"));
    body.put(
        "urls",
        Map.of(
            "rest",
            call.baseUrl() + "/services/data/v{version}/",
            "sobjects",
            call.baseUrl() + "/services/data/v{version}/sobjects/",
            "query",
            call.baseUrl() + "/services/data/v{version}/query/"));
    return HttpReply.json(200, JSON.writeValueAsBytes(body));
  }

  private void checkClient(String clientId, String clientSecret, boolean secretRequired) {
    EmulatorSettings s = settings;
    if (clientId == null || !clientId.equals(s.clientId())) {
      throw new OAuthError("invalid_client_id", "client identifier invalid");
    }
    if ((secretRequired || clientSecret != null)
        && !constantTimeEquals(clientSecret, s.clientSecret())) {
      throw new OAuthError("invalid_client", "invalid client credentials");
    }
  }

  private void jwt(String assertion, String baseUrl) throws GeneralSecurityException {
    EmulatorSettings s = settings;
    if (s.jwtCertificatePem() == null) {
      throw new OAuthError("invalid_grant", "invalid assertion");
    }
    if (assertion == null || assertion.chars().filter(c -> c == '.').count() != 2) {
      throw new OAuthError("invalid_grant", "invalid assertion");
    }
    String[] parts = assertion.split("\\.", -1);
    JsonNode header;
    JsonNode claims;
    byte[] signature;
    try {
      header = JSON.readTree(base64Url(parts[0]));
      claims = JSON.readTree(base64Url(parts[1]));
      signature = base64Url(parts[2]);
    } catch (Exception e) {
      throw new OAuthError("invalid_grant", "invalid assertion");
    }
    if (!"RS256".equals(header.path("alg").asText())) {
      throw new OAuthError("invalid_grant", "invalid assertion");
    }
    X509Certificate cert =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(
                    new ByteArrayInputStream(
                        s.jwtCertificatePem().getBytes(StandardCharsets.US_ASCII)));
    Signature verifier = Signature.getInstance("SHA256withRSA");
    verifier.initVerify(cert.getPublicKey());
    verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    if (!verifier.verify(signature)) {
      throw new OAuthError("invalid_grant", "invalid assertion");
    }
    if (!s.clientId().equals(claims.path("iss").asText())) {
      throw new OAuthError("invalid_client_id", "client identifier invalid");
    }
    String aud = claims.path("aud").asText();
    if (!(aud.equals(baseUrl)
        || aud.equals("https://login.salesforce.com")
        || aud.equals("https://test.salesforce.com"))) {
      throw new OAuthError("invalid_grant", "audience is invalid");
    }
    long exp = claims.path("exp").asLong(0);
    long now = clock.instant().getEpochSecond();
    if (exp <= now) {
      throw new OAuthError("invalid_grant", "expired authorization code");
    }
    if (exp > now + 300) {
      throw new OAuthError("invalid_grant", "invalid assertion");
    }
    if (!s.username().equalsIgnoreCase(claims.path("sub").asText())) {
      throw new OAuthError("invalid_grant", "user hasn't approved this consumer");
    }
  }

  private static byte[] base64Url(String part) {
    return Base64.getUrlDecoder().decode(part.replace("=", ""));
  }

  private static Map<String, String> form(HttpCall call) {
    Map<String, String> out = new HashMap<>(call.query());
    String body = call.bodyText();
    if (!body.isBlank()) {
      for (String pair : body.split("&")) {
        int eq = pair.indexOf('=');
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.put(k, v);
      }
    }
    return out;
  }

  private static HttpReply error(String error, String description) {
    try {
      return HttpReply.json(
          400, JSON.writeValueAsBytes(Map.of("error", error, "error_description", description)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String randomToken() {
    byte[] bytes = new byte[48];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String sign(String data, String secret) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(
          new javax.crypto.spec.SecretKeySpec(
              secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean constantTimeEquals(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static final class OAuthError extends RuntimeException {
    final String error;
    final String description;

    OAuthError(String error, String description) {
      super(description, null, false, false);
      this.error = error;
      this.description = description;
    }
  }
}
