package io.territorysync.emulator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The in-process emulator served on the app's own HTTP port (dev mode demo and tests). */
@ConfigMapping(prefix = "territory.emulator")
public interface EmulatorConfig {

  /** Serve an emulated org at /services/… on the app's HTTP port. */
  @WithDefault("false")
  boolean enabled();

  /** Accounts in the generated demo org (0: an empty org with only the integration user). */
  @WithDefault("5000")
  int accounts();

  /**
   * Territories in the demo org's Active model (default: about one per thousand accounts, 100 to
   * 1,000).
   */
  Optional<Integer> territories();

  /** Seed of the demo org and of injected faults. */
  @WithDefault("42")
  long seed();

  /** Consumer key the emulated Connected App accepts. */
  @WithDefault("territory-sync-demo")
  String clientId();

  /** Consumer secret the emulated Connected App accepts. */
  @WithDefault("demo-secret")
  String clientSecret();

  /** Integration user's username. */
  @WithDefault("integration@demo.territorysync.example")
  String username();

  /** Integration user's password (password flow). */
  @WithDefault("demo-password")
  String password();

  /** Daily API request allocation. */
  @WithDefault("100000")
  long dailyApiRequests();

  /**
   * "Sign in with Salesforce" approves this username at once instead of showing the emulated
   * sign-in page (for example admin@demo.territorysync.example).
   */
  Optional<String> signInAutoApprove();

  /** Access token lifetime. */
  @WithDefault("2h")
  Duration tokenLifetime();
}
