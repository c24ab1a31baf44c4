package io.territorysync.console;

import io.quarkus.oidc.OidcRequestContext;
import io.quarkus.oidc.OidcTenantConfig;
import io.quarkus.oidc.TenantConfigResolver;
import io.quarkus.oidc.runtime.OidcTenantConfig.ApplicationType;
import io.smallrye.mutiny.Uni;
import io.territorysync.api.ApiKeys;
import io.territorysync.salesforce.ApiBudget;
import io.territorysync.salesforce.SalesforceApi;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * "Sign in with Salesforce": the OpenID Connect tenant for the sign-in path only, built when it is
 * first used (so the in-process emulator, which listens only once HTTP is up, can be the provider),
 * and the mapping of a Salesforce user to the console's roles by permission sets and profiles, read
 * from the org through the integration connection.
 */
@ApplicationScoped
public class SalesforceSignIn implements TenantConfigResolver {

  /** The path that starts, and receives the answer of, the authorization code flow. */
  public static final String PATH = "/console/sign-in/salesforce";

  @Inject ConsoleConfig config;
  @Inject Config settings;
  @Inject SalesforceApi salesforce;

  private volatile OidcTenantConfig tenant;

  @Override
  public Uni<OidcTenantConfig> resolve(
      RoutingContext context, OidcRequestContext<OidcTenantConfig> request) {
    if (!config.salesforce().enabled() || !context.normalizedPath().equals(PATH)) {
      return Uni.createFrom().nullItem();
    }
    if (tenant == null) {
      tenant = tenant();
    }
    return Uni.createFrom().item(tenant);
  }

  private OidcTenantConfig tenant() {
    String issuer =
        config
            .salesforce()
            .issuer()
            .or(() -> value("camel.component.salesforce.login-url"))
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "territory.console.salesforce.issuer is not set: the org's My Domain URL"));
    String clientId =
        config
            .salesforce()
            .clientId()
            .or(() -> value("camel.component.salesforce.client-id"))
            .orElseThrow(
                () ->
                    new IllegalStateException("territory.console.salesforce.client-id is not set"));
    String secret =
        config
            .salesforce()
            .clientSecret()
            .or(() -> value("camel.component.salesforce.client-secret"))
            .orElse(null);
    var builder =
        OidcTenantConfig.authServerUrl(issuer.replaceAll("/+$", ""))
            .tenantId("salesforce")
            .applicationType(ApplicationType.WEB_APP)
            .clientId(clientId);
    if (secret != null) {
      builder = builder.credentials(secret);
    }
    return builder
        .authentication()
        .redirectPath(PATH)
        .restorePathAfterRedirect(false)
        .removeRedirectParameters(true)
        .scopes("openid", "profile", "email")
        .userInfoRequired(true)
        .end()
        .build();
  }

  /** A Salesforce user as the org describes them, and the console role they get (if any). */
  public record Mapped(String name, Optional<ApiKeys.Role> role, String why) {}

  /**
   * The console role of a Salesforce user: admin when they hold one of the admin permission sets or
   * profiles, viewer for a viewer one, none otherwise. Two queries through the integration user.
   */
  public Mapped map(String userId) {
    String id = userId.replaceAll("[^A-Za-z0-9]", "");
    var user =
        salesforce.query(
            ApiBudget.outsideRuns(),
            "SELECT Name, Username, Profile.Name FROM User WHERE Id = '" + id + "'",
            false,
            200);
    var row = user.path("records").path(0);
    if (row.isMissingNode()) {
      return new Mapped(null, Optional.empty(), "the user is not in the org");
    }
    String name = row.path("Name").asText(row.path("Username").asText());
    String profile = row.path("Profile").path("Name").asText(null);
    List<String> sets = new ArrayList<>();
    for (var a :
        salesforce
            .query(
                ApiBudget.outsideRuns(),
                "SELECT PermissionSet.Name FROM PermissionSetAssignment WHERE AssigneeId = '"
                    + id
                    + "'",
                false,
                200)
            .path("records")) {
      sets.add(a.path("PermissionSet").path("Name").asText());
    }
    ConsoleConfig.Salesforce s = config.salesforce();
    if (matches(s.adminPermissionSets(), sets) || matches(s.adminProfiles(), profile)) {
      return new Mapped(name, Optional.of(ApiKeys.Role.ADMIN), "admin");
    }
    if (matches(s.viewerPermissionSets(), sets) || matches(s.viewerProfiles(), profile)) {
      return new Mapped(name, Optional.of(ApiKeys.Role.VIEWER), "viewer");
    }
    return new Mapped(
        name,
        Optional.empty(),
        "profile " + profile + " and permission sets " + sets + " give no console role");
  }

  private static boolean matches(Optional<List<String>> configured, List<String> held) {
    return configured.orElse(List.of()).stream()
        .anyMatch(c -> held.stream().anyMatch(h -> h.equalsIgnoreCase(c.trim())));
  }

  private static boolean matches(Optional<List<String>> configured, String held) {
    return held != null
        && configured.orElse(List.of()).stream().anyMatch(c -> c.trim().equalsIgnoreCase(held));
  }

  private Optional<String> value(String key) {
    return settings.getOptionalValue(key, String.class).map(String::trim).filter(v -> !v.isEmpty());
  }
}
