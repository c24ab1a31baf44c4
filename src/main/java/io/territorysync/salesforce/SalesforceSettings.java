package io.territorysync.salesforce;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Checks the Salesforce connection settings (the camel-salesforce component's options) at start-up,
 * so a missing or contradictory one is reported as one line naming it, before any login is
 * attempted. Secrets are only checked for presence, never printed.
 */
@ApplicationScoped
public class SalesforceSettings {

  static final String PREFIX = "camel.component.salesforce.";
  private static final Set<String> TYPES =
      Set.of("CLIENT_CREDENTIALS", "JWT", "USERNAME_PASSWORD", "REFRESH_TOKEN");

  private volatile String problem;

  void onStart(@Observes @Priority(5) StartupEvent event) {
    problem = validate(ConfigProvider.getConfig()).orElse(null);
  }

  /** What is wrong with the settings, in one line, if anything. */
  public Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  /** The authentication type in force (configured or inferred as camel-salesforce does). */
  public static Optional<String> authenticationType(Config config) {
    Optional<String> explicit =
        value(config, "authentication-type").map(v -> v.toUpperCase(Locale.ROOT));
    if (explicit.isPresent()) {
      return explicit;
    }
    boolean password = value(config, "password").isPresent();
    boolean refresh = value(config, "refresh-token").isPresent();
    boolean keystore = value(config, "key-store.resource").isPresent();
    boolean secret = value(config, "client-secret").isPresent();
    if (password && !refresh && !keystore) {
      return Optional.of("USERNAME_PASSWORD");
    }
    if (refresh && !password && !keystore) {
      return Optional.of("REFRESH_TOKEN");
    }
    if (keystore && !password && !refresh) {
      return Optional.of("JWT");
    }
    if (secret && !password && !refresh && !keystore) {
      return Optional.of("CLIENT_CREDENTIALS");
    }
    return Optional.empty();
  }

  /** What is wrong with the connection settings in {@code config}, in one line, if anything. */
  public static Optional<String> validate(Config config) {
    Optional<String> loginUrl = value(config, "login-url");
    if (loginUrl.isEmpty()) {
      return missing(
          "login-url",
          "the org's login URL: https://login.salesforce.com, https://test.salesforce.com or https://<domain>.my.salesforce.com");
    }
    try {
      URI uri = URI.create(loginUrl.get());
      if (uri.getScheme() == null
          || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))
          || uri.getHost() == null) {
        return Optional.of(
            PREFIX
                + "login-url must be an https URL such as https://login.salesforce.com, not '"
                + loginUrl.get()
                + "'");
      }
    } catch (IllegalArgumentException e) {
      return Optional.of(
          PREFIX
              + "login-url must be an https URL such as https://login.salesforce.com, not '"
              + loginUrl.get()
              + "'");
    }
    if (value(config, "client-id").isEmpty()) {
      return missing("client-id", "the Connected App's consumer key");
    }
    Optional<String> version = value(config, "api-version");
    if (version.isPresent() && !version.get().matches("\\d{2,3}\\.\\d")) {
      return Optional.of(PREFIX + "api-version must look like 62.0, not '" + version.get() + "'");
    }
    Optional<String> explicit = value(config, "authentication-type");
    if (explicit.isPresent() && !TYPES.contains(explicit.get().toUpperCase(Locale.ROOT))) {
      return Optional.of(
          PREFIX
              + "authentication-type must be one of CLIENT_CREDENTIALS, JWT, USERNAME_PASSWORD or REFRESH_TOKEN, not '"
              + explicit.get()
              + "'");
    }
    Optional<String> type = authenticationType(config);
    if (type.isEmpty()) {
      int ways =
          (value(config, "password").isPresent() ? 1 : 0)
              + (value(config, "refresh-token").isPresent() ? 1 : 0)
              + (value(config, "key-store.resource").isPresent() ? 1 : 0);
      if (ways > 1) {
        return Optional.of(
            "Salesforce credentials for more than one login flow are set (password, refresh-token, key-store); set "
                + PREFIX
                + "authentication-type to choose one");
      }
      return missing(
          "authentication-type",
          "CLIENT_CREDENTIALS (with client-secret) or JWT (with user-name and key-store) are the recommended set-ups");
    }
    return switch (type.get()) {
      case "CLIENT_CREDENTIALS" ->
          require(
              config,
              "client-secret",
              "the Connected App's consumer secret, for client credentials");
      case "JWT" ->
          require(config, "user-name", "the integration user's username, for JWT bearer")
              .or(
                  () ->
                      require(
                          config,
                          "key-store.resource",
                          "the keystore holding the Connected App's certificate key, for JWT bearer"))
              .or(
                  () ->
                      require(
                          config, "key-store.password", "the keystore's password, for JWT bearer"));
      case "USERNAME_PASSWORD" ->
          require(config, "user-name", "the integration user's username, for username-password")
              .or(
                  () ->
                      require(
                          config,
                          "password",
                          "the integration user's password (with its security token), for username-password"))
              .or(
                  () ->
                      require(
                          config,
                          "client-secret",
                          "the Connected App's consumer secret, for username-password"));
      default ->
          require(
              config,
              "refresh-token",
              "a refresh token of the integration user, for the refresh-token flow");
    };
  }

  private static Optional<String> require(Config config, String key, String what) {
    return value(config, key).isPresent() ? Optional.empty() : missing(key, what);
  }

  private static Optional<String> missing(String key, String what) {
    String env = (PREFIX + key).toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    return Optional.of(PREFIX + key + " is not set (" + env + "): " + what);
  }

  private static Optional<String> value(Config config, String key) {
    return config
        .getOptionalValue(PREFIX + key, String.class)
        .map(String::trim)
        .filter(v -> !v.isEmpty());
  }
}
