package io.territorysync.run;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How whole runs choose between working on what changed and working on everything. */
@ConfigMapping(prefix = "territory.run")
public interface RunConfig {

  /**
   * Whether a run with the same rules and territory model as the last one evaluates, plans and
   * rolls up only the accounts that changed since (their fields, territory associations or
   * opportunities). {@code false}: every run works on every account.
   */
  @WithDefault("true")
  boolean incremental();

  /**
   * A run works on every account anyway when the last such run is older than this, so a change the
   * detection missed cannot last.
   */
  @WithDefault("7d")
  Duration fullEvery();

  /**
   * When more than this share of the mirrored accounts changed, a run works on every account: one
   * pass over all of them is cheaper than looking up that many.
   */
  @WithDefault("0.25")
  double incrementalMaxShare();
}
