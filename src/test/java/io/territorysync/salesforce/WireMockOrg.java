package io.territorysync.salesforce;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A WireMock server on a free port standing in for a Salesforce org; the camel-salesforce component
 * logs in to it with the refresh-token flow. Tests reach it through its admin API on the port in
 * {@value #PORT}.
 */
public class WireMockOrg implements QuarkusTestResourceLifecycleManager {

  /** The configuration key holding WireMock's port. */
  public static final String PORT = "test.wiremock.port";

  /** The refresh token the app is configured with (it must never show in an error). */
  public static final String REFRESH_TOKEN = "5Aep861-refresh-token-under-test";

  private WireMockServer server;

  @Override
  public Map<String, String> start() {
    server = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    server.start();
    return Map.of(
        "camel.component.salesforce.login-url",
        server.baseUrl(),
        "camel.component.salesforce.authentication-type",
        "REFRESH_TOKEN",
        "camel.component.salesforce.refresh-token",
        REFRESH_TOKEN,
        PORT,
        String.valueOf(server.port()));
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop();
    }
  }
}
