package io.territorysync.database;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the embedded PostgreSQL that serves when no external JDBC URL is configured. */
@ConfigMapping(prefix = "territory.database")
public interface DatabaseConfig {

  /** The embedded server. */
  Embedded embedded();

  /** Embedded PostgreSQL settings. */
  interface Embedded {
    /** Directory holding the embedded server's data; it survives restarts. */
    @WithDefault("data/postgres")
    String dataDir();

    /** TCP port on 127.0.0.1; 0 picks a free one at each start. */
    @WithDefault("0")
    int port();

    /** How long to wait for the embedded server to accept connections. */
    @WithDefault("60s")
    Duration startupTimeout();
  }
}
