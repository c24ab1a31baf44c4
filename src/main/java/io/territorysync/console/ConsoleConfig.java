package io.territorysync.console;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The console at {@code /console}: sign-in sessions and "Sign in with Salesforce". */
@ConfigMapping(prefix = "territory.console")
public interface ConsoleConfig {

  /** Signed-in sessions. */
  Session session();

  /** "Sign in with Salesforce" (OpenID Connect, authorization code flow). */
  Salesforce salesforce();

  /** Session settings. */
  interface Session {
    /** A session ends this long after sign-in, however active. */
    @WithDefault("8h")
    Duration timeout();

    /** A session ends after this long without a request. */
    @WithDefault("1h")
    Duration idleTimeout();

    /**
     * Always mark the session cookie Secure, even for a plain-HTTP request without {@code
     * X-Forwarded-Proto: https} (HTTPS requests always get it).
     */
    @WithDefault("false")
    boolean forceSecureCookie();
  }

  /** Salesforce sign-in settings. */
  interface Salesforce {
    /** Offer "Sign in with Salesforce" on the sign-in page. */
    @WithDefault("false")
    boolean enabled();

    /**
     * The OpenID Connect issuer: the org's My Domain URL (https://yourdomain.my.salesforce.com).
     * Default: the Salesforce connection's login URL.
     */
    Optional<String> issuer();

    /**
     * Consumer key of the External Client App (or Connected App) whose callback URL is {@code
     * https://<this host>/console/sign-in/salesforce}. Default: the connection's client id.
     */
    Optional<String> clientId();

    /** Consumer secret of that app. Default: the connection's client secret. */
    Optional<String> clientSecret();

    /** Users holding any of these permission sets (API names) get the admin role. */
    Optional<List<String>> adminPermissionSets();

    /** Users with any of these profiles (names) get the admin role. */
    Optional<List<String>> adminProfiles();

    /** Users holding any of these permission sets (API names) get the viewer role. */
    Optional<List<String>> viewerPermissionSets();

    /** Users with any of these profiles (names) get the viewer role. */
    Optional<List<String>> viewerProfiles();
  }
}
