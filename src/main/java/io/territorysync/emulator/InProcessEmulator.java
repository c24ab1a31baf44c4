package io.territorysync.emulator;

import io.quarkus.runtime.ShutdownEvent;
import io.territorysync.emulator.demo.DemoOrg;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * The emulated org served on the app's own HTTP port when {@code territory.emulator.enabled}: the
 * dev-mode demo org, and the org tests run against. Tests may replace it with a fresh one.
 */
@ApplicationScoped
public class InProcessEmulator {

  private static final Logger LOG = Logger.getLogger(InProcessEmulator.class);

  @Inject EmulatorConfig config;
  @Inject Vertx vertx;

  private volatile OrgEmulator current;
  private volatile DemoOrg.Result demo;

  void mount(@Observes Router router) {
    if (!config.enabled()) {
      return;
    }
    DemoOrg.Spec spec =
        new DemoOrg.Spec(
            config.accounts(),
            config.seed(),
            config.territories().orElse(DemoOrg.Spec.defaultTerritories(config.accounts())),
            2.0);
    reset(spec);
    EmulatorRoutes.mount(router, () -> current, vertx);
    LOG.infof(
        "Salesforce org emulator serving %s at /services (client id %s)",
        demo == null ? "an empty org" : demo.counts(), config.clientId());
  }

  /**
   * Replaces the org with a fresh one generated from {@code spec} (accounts 0: only the integration
   * user).
   */
  public synchronized DemoOrg.Result reset(DemoOrg.Spec spec) {
    EmulatorSettings settings =
        EmulatorSettings.defaults()
            .withCredentials(config.clientId(), config.clientSecret())
            .withUser(config.username(), config.password())
            .withDailyApiRequests(config.dailyApiRequests())
            .withTokenLifetime(config.tokenLifetime());
    OrgEmulator fresh = new OrgEmulator(settings, Clock.systemUTC(), spec.seed());
    fresh.autoApproveSignIn(config.signInAutoApprove().orElse(null));
    demo = spec.accounts() > 0 ? DemoOrg.generate(spec, fresh.org()) : null;
    OrgEmulator old = current;
    current = fresh;
    if (old != null) {
      old.shutdown();
    }
    return demo;
  }

  /** The org now served. */
  public OrgEmulator emulator() {
    return current;
  }

  /** What the demo generator produced for the org now served (null for an empty org). */
  public DemoOrg.Result demo() {
    return demo;
  }

  void stop(@Observes ShutdownEvent event) {
    if (current != null) {
      current.shutdown();
    }
  }
}
