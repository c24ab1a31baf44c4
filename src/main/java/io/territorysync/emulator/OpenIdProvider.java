package io.territorysync.emulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The org as an OpenID Connect provider, as a My Domain is for "Sign in with Salesforce": discovery
 * document, authorize (a sign-in page listing the org's console users, or automatic approval of a
 * configured user), the authorization-code grant with an RS256-signed id_token, JWKS and userinfo.
 */
final class OpenIdProvider {

  /** What an authorization code stands for until it is redeemed (once, within 10 minutes). */
  record Grant(
      String clientId,
      String redirectUri,
      String userId,
      String nonce,
      String scope,
      String codeChallenge,
      Instant expires) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final OrgData org;
  private final Clock clock;

  /** One signing key per process, as an org keeps its keys: a fresh emulated org keeps it too. */
  private static final KeyPair KEYS = generate();

  private static final String KEY_ID = "emulator-" + Long.toHexString(RANDOM.nextLong());

  private final KeyPair keys = KEYS;
  private final String keyId = KEY_ID;
  private final Map<String, Grant> codes = new ConcurrentHashMap<>();

  /** Users who may sign in, by username (lower case). */
  private final Map<String, String> users = new LinkedHashMap<>();

  private volatile EmulatorSettings settings;
  private volatile String autoApprove;

  OpenIdProvider(OrgData org, Clock clock, EmulatorSettings settings) {
    this.org = org;
    this.clock = clock;
    this.settings = settings;
  }

  private static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  void settings(EmulatorSettings settings) {
    this.settings = settings;
  }

  /** Approves this user at once instead of showing the sign-in page (null: show it). */
  void autoApprove(String username) {
    this.autoApprove = username;
  }

  /** Lets a user sign in through the authorize page. */
  synchronized void signInUser(String username, String userId) {
    users.put(username.toLowerCase(java.util.Locale.ROOT), userId);
  }

  HttpReply discovery(HttpCall call) throws Exception {
    String base = call.baseUrl();
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("issuer", base);
    d.put("authorization_endpoint", base + "/services/oauth2/authorize");
    d.put("token_endpoint", base + "/services/oauth2/token");
    d.put("revocation_endpoint", base + "/services/oauth2/revoke");
    d.put("userinfo_endpoint", base + "/services/oauth2/userinfo");
    d.put("jwks_uri", base + "/id/keys");
    d.put("scopes_supported", List.of("openid", "profile", "email", "api", "refresh_token"));
    d.put("response_types_supported", List.of("code"));
    d.put("subject_types_supported", List.of("public"));
    d.put("id_token_signing_alg_values_supported", List.of("RS256"));
    d.put(
        "token_endpoint_auth_methods_supported",
        List.of("client_secret_basic", "client_secret_post"));
    d.put("code_challenge_methods_supported", List.of("S256"));
    d.put(
        "claims_supported",
        List.of("sub", "iss", "aud", "exp", "iat", "nonce", "name", "preferred_username", "email"));
    return HttpReply.json(200, JSON.writeValueAsBytes(d));
  }

  HttpReply jwks() throws Exception {
    RSAPublicKey key = (RSAPublicKey) keys.getPublic();
    Map<String, Object> jwk = new LinkedHashMap<>();
    jwk.put("kty", "RSA");
    jwk.put("kid", keyId);
    jwk.put("use", "sig");
    jwk.put("alg", "RS256");
    jwk.put("n", unsigned(key.getModulus()));
    jwk.put("e", unsigned(key.getPublicExponent()));
    return HttpReply.json(200, JSON.writeValueAsBytes(Map.of("keys", List.of(jwk))));
  }

  /** GET shows the sign-in page (or approves the configured user); POST approves a user. */
  HttpReply authorize(HttpCall call) {
    Map<String, String> p = call.query();
    EmulatorSettings s = settings;
    String clientId = p.get("client_id");
    String redirect = p.get("redirect_uri");
    if (clientId == null || !clientId.equals(s.clientId())) {
      return page(400, "<p>error=invalid_client_id: client identifier invalid</p>");
    }
    if (redirect == null || !(redirect.startsWith("http://") || redirect.startsWith("https://"))) {
      return page(400, "<p>error=redirect_uri_mismatch</p>");
    }
    if (!"code".equals(p.get("response_type"))) {
      return redirect(
          redirect,
          Map.of("error", "unsupported_response_type", "state", p.getOrDefault("state", "")));
    }
    String username = call.method().equals("POST") ? p.get("username") : autoApprove;
    if (username == null || username.isBlank()) {
      return page(200, form(p, null));
    }
    String userId;
    synchronized (this) {
      userId = users.get(username.trim().toLowerCase(java.util.Locale.ROOT));
    }
    if (userId == null) {
      return page(200, form(p, "No user " + username + " in this org."));
    }
    String code = "aPr" + token();
    codes.put(
        code,
        new Grant(
            clientId,
            redirect,
            userId,
            p.get("nonce"),
            p.getOrDefault("scope", "openid"),
            p.get("code_challenge"),
            clock.instant().plusSeconds(600)));
    Map<String, String> back = new LinkedHashMap<>();
    back.put("code", code);
    if (p.get("state") != null) {
      back.put("state", p.get("state"));
    }
    return redirect(redirect, back);
  }

  /**
   * Redeems a code for the token endpoint: the client, redirect URI and PKCE verifier must match; a
   * code works once.
   */
  Grant redeem(Map<String, String> form, String clientId) {
    Grant g = codes.remove(String.valueOf(form.get("code")));
    if (g == null
        || !g.clientId().equals(clientId)
        || !g.redirectUri().equals(form.get("redirect_uri"))
        || clock.instant().isAfter(g.expires())) {
      return null;
    }
    if (g.codeChallenge() != null) {
      String verifier = form.get("code_verifier");
      if (verifier == null || !g.codeChallenge().equals(s256(verifier))) {
        return null;
      }
    }
    return g;
  }

  /** The signed id_token for a redeemed grant. */
  String idToken(Grant g, String baseUrl, String accessToken) throws Exception {
    Map<String, Object> user = org.get(g.userId()).orElseThrow();
    Instant now = clock.instant();
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", baseUrl);
    claims.put("sub", baseUrl + "/id/" + org.orgId() + "/" + g.userId());
    claims.put("aud", g.clientId());
    claims.put("iat", now.getEpochSecond());
    claims.put("exp", now.getEpochSecond() + 300);
    claims.put("auth_time", now.getEpochSecond());
    if (g.nonce() != null) {
      claims.put("nonce", g.nonce());
    }
    claims.put("at_hash", atHash(accessToken));
    claims.put("name", user.get("Name"));
    claims.put("preferred_username", user.get("Username"));
    claims.put("email", user.get("Email"));
    Map<String, Object> header = Map.of("alg", "RS256", "typ", "JWT", "kid", keyId);
    String signingInput =
        b64(JSON.writeValueAsBytes(header)) + "." + b64(JSON.writeValueAsBytes(claims));
    Signature signer = Signature.getInstance("SHA256withRSA");
    signer.initSign(keys.getPrivate());
    signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + b64(signer.sign());
  }

  /** Userinfo of the user behind an access token. */
  HttpReply userinfo(HttpCall call, String userId) throws Exception {
    Map<String, Object> user = org.get(userId).orElseThrow();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sub", call.baseUrl() + "/id/" + org.orgId() + "/" + userId);
    body.put("user_id", userId);
    body.put("organization_id", org.orgId());
    body.put("preferred_username", user.get("Username"));
    body.put("nickname", user.get("Alias"));
    body.put("name", user.get("Name"));
    body.put("email", user.get("Email"));
    body.put("email_verified", true);
    body.put("active", user.get("IsActive"));
    body.put("user_type", "STANDARD");
    return HttpReply.json(200, JSON.writeValueAsBytes(body));
  }

  private String form(Map<String, String> p, String error) {
    StringBuilder hidden = new StringBuilder();
    for (String k :
        List.of(
            "response_type",
            "client_id",
            "redirect_uri",
            "state",
            "scope",
            "nonce",
            "code_challenge",
            "code_challenge_method")) {
      if (p.get(k) != null) {
        hidden
            .append("<input type=\"hidden\" name=\"")
            .append(k)
            .append("\" value=\"")
            .append(html(p.get(k)))
            .append("\">");
      }
    }
    StringBuilder options = new StringBuilder();
    synchronized (this) {
      for (String u : users.keySet()) {
        options.append("<option value=\"").append(html(u)).append("\">");
      }
    }
    return (error == null ? "" : "<p class=\"error\" role=\"alert\">" + html(error) + "</p>")
        + "<form method=\"post\" action=\"/services/oauth2/authorize\">"
        + hidden
        + "<label for=\"username\">Username</label>"
        + "<input id=\"username\" name=\"username\" list=\"users\" autocomplete=\"off\" required>"
        + "<datalist id=\"users\">"
        + options
        + "</datalist><button type=\"submit\" id=\"allow\">Log In and Allow</button></form>";
  }

  private static HttpReply page(int status, String body) {
    return HttpReply.text(
        status,
        "text/html;charset=UTF-8",
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Login | Salesforce"
            + " (emulated)</title></head><body><h1>Log in to the emulated org</h1>"
            + body
            + "</body></html>");
  }

  private static HttpReply redirect(String uri, Map<String, String> params) {
    StringBuilder q = new StringBuilder(uri);
    char sep = URI.create(uri).getQuery() == null ? '?' : '&';
    for (Map.Entry<String, String> e : params.entrySet()) {
      q.append(sep)
          .append(e.getKey())
          .append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    return HttpReply.empty(302).header("Location", q.toString());
  }

  private static String html(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private static String atHash(String accessToken) throws NoSuchAlgorithmException {
    byte[] d =
        MessageDigest.getInstance("SHA-256")
            .digest(accessToken.getBytes(StandardCharsets.US_ASCII));
    return b64(java.util.Arrays.copyOf(d, 16));
  }

  private static String s256(String verifier) {
    try {
      return b64(
          MessageDigest.getInstance("SHA-256")
              .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String unsigned(BigInteger n) {
    byte[] bytes = n.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return b64(bytes);
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String token() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return b64(b);
  }
}
