package io.territorysync.emulator;

import io.territorysync.emulator.demo.DemoOrg;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * A standalone emulator on a free port, and a Camel context whose salesforce component logs in to
 * it.
 */
final class EmulatorFixture implements AutoCloseable {

  static final String VERSION = "62.0";

  final OrgEmulator emulator;
  final EmulatorServer server;
  final DemoOrg.Result demo;
  private CamelContext camel;

  EmulatorFixture(EmulatorSettings settings, int accounts) throws Exception {
    emulator = new OrgEmulator(settings, Clock.systemUTC(), 7);
    demo =
        accounts > 0
            ? DemoOrg.generate(new DemoOrg.Spec(accounts, 7, 100, 2.0), emulator.org())
            : null;
    server = EmulatorServer.start(emulator, 0);
  }

  EmulatorFixture(int accounts) throws Exception {
    this(EmulatorSettings.defaults(), accounts);
  }

  String url() {
    return "http://localhost:" + server.port();
  }

  /**
   * A started Camel context logging in with client credentials (or as {@code configure} sets up).
   */
  ProducerTemplate camel(java.util.function.Consumer<SalesforceComponent> configure)
      throws Exception {
    camel = new DefaultCamelContext();
    SalesforceComponent sf = new SalesforceComponent();
    sf.setLoginUrl(url());
    sf.setClientId(emulator.settings().clientId());
    sf.setClientSecret(emulator.settings().clientSecret());
    sf.setAuthenticationType(AuthenticationType.CLIENT_CREDENTIALS);
    org.apache.camel.component.salesforce.SalesforceEndpointConfig config =
        new org.apache.camel.component.salesforce.SalesforceEndpointConfig();
    config.setApiVersion(VERSION);
    sf.setConfig(config);
    sf.setLazyLogin(true);
    configure.accept(sf);
    camel.addComponent("salesforce", sf);
    camel.start();
    return camel.createProducerTemplate();
  }

  ProducerTemplate camel() throws Exception {
    return camel(sf -> {});
  }

  /** A bearer token for raw HTTP tests. */
  String token() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url() + "/services/oauth2/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "grant_type=client_credentials&client_id="
                                + emulator.settings().clientId()
                                + "&client_secret="
                                + emulator.settings().clientSecret()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(r.body())
        .path("access_token")
        .asText();
  }

  @Override
  public void close() throws Exception {
    if (camel != null) {
      camel.stop();
    }
    server.close();
  }
}
