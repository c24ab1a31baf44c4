package io.territorysync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

class SalesforceSettingsTest {

  private static Config config(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put("camel.component.salesforce." + kv[i], kv[i + 1]);
    }
    return new SmallRyeConfigBuilder()
        .withSources(new PropertiesConfigSource(m, "test", 100))
        .build();
  }

  private static String problem(String... kv) {
    return SalesforceSettings.validate(config(kv)).orElse("");
  }

  @Test
  void clientCredentialsNeedsTheSecret() {
    assertEquals(
        Optional.empty(),
        SalesforceSettings.validate(
            config(
                "login-url",
                "https://login.salesforce.com",
                "client-id",
                "id",
                "client-secret",
                "s")));
    assertTrue(
        problem(
                "login-url",
                "https://login.salesforce.com",
                "client-id",
                "id",
                "authentication-type",
                "CLIENT_CREDENTIALS")
            .startsWith(
                "camel.component.salesforce.client-secret is not set (CAMEL_COMPONENT_SALESFORCE_CLIENT_SECRET)"));
  }

  @Test
  void jwtNeedsUserKeystoreAndItsPassword() {
    String p =
        problem(
            "login-url",
            "https://login.salesforce.com",
            "client-id",
            "id",
            "authentication-type",
            "JWT",
            "user-name",
            "u");
    assertTrue(
        p.startsWith(
            "camel.component.salesforce.key-store.resource is not set (CAMEL_COMPONENT_SALESFORCE_KEY_STORE_RESOURCE)"),
        p);
    p =
        problem(
            "login-url",
            "https://login.salesforce.com",
            "client-id",
            "id",
            "key-store.resource",
            "file:k.p12",
            "user-name",
            "u");
    assertTrue(p.startsWith("camel.component.salesforce.key-store.password is not set"), p);
  }

  @Test
  void missingOrMalformedBasicsAreNamed() {
    assertTrue(
        problem()
            .startsWith(
                "camel.component.salesforce.login-url is not set (CAMEL_COMPONENT_SALESFORCE_LOGIN_URL)"));
    assertTrue(
        problem("login-url", "login.salesforce.com", "client-id", "x")
            .contains("must be an https URL"));
    assertTrue(
        problem("login-url", "https://login.salesforce.com")
            .startsWith("camel.component.salesforce.client-id is not set"));
    assertTrue(
        problem(
                "login-url",
                "https://login.salesforce.com",
                "client-id",
                "id",
                "client-secret",
                "s",
                "api-version",
                "v62")
            .contains("api-version must look like 62.0"));
    assertTrue(
        problem(
                "login-url",
                "https://login.salesforce.com",
                "client-id",
                "id",
                "authentication-type",
                "SAML")
            .contains("must be one of"));
  }

  @Test
  void credentialsForTwoFlowsWithoutATypeAreContradictory() {
    String p =
        problem(
            "login-url",
            "https://login.salesforce.com",
            "client-id",
            "id",
            "password",
            "pw",
            "refresh-token",
            "rt");
    assertTrue(p.contains("more than one login flow") && p.contains("authentication-type"), p);
    assertTrue(!p.contains("pw") && !p.contains("rt "), "no secret values in the message");
  }
}
