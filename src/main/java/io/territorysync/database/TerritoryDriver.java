package io.territorysync.database;

import io.smallrye.config.SmallRyeConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * JDBC driver of the datasource. A {@code jdbc:postgresql:} URL goes straight to the PostgreSQL
 * driver; the default URL {@value #EMBEDDED_URL} starts the embedded PostgreSQL on the first
 * connection, so nothing starts at build time or when an external database is configured.
 */
public final class TerritoryDriver implements Driver {

  /** The datasource URL that selects the embedded server. */
  public static final String EMBEDDED_URL = "jdbc:territory-embedded:postgresql";

  private static final Driver POSTGRES = new org.postgresql.Driver();

  static {
    try {
      DriverManager.registerDriver(new TerritoryDriver());
    } catch (SQLException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    if (url == null) {
      return null;
    }
    if (url.startsWith(EMBEDDED_URL)) {
      EmbeddedDatabase db = startEmbedded();
      Properties props = new Properties();
      props.putAll(info);
      props.setProperty("user", db.user());
      props.remove("password");
      return POSTGRES.connect(db.jdbcUrl(), props);
    }
    return POSTGRES.connect(url, info);
  }

  private static EmbeddedDatabase startEmbedded() {
    DatabaseConfig.Embedded config =
        ConfigProvider.getConfig(TerritoryDriver.class.getClassLoader())
            .unwrap(SmallRyeConfig.class)
            .getConfigMapping(DatabaseConfig.class)
            .embedded();
    return EmbeddedDatabase.start(
        Path.of(config.dataDir()), config.port(), config.startupTimeout());
  }

  @Override
  public boolean acceptsURL(String url) throws SQLException {
    return url != null && (url.startsWith(EMBEDDED_URL) || POSTGRES.acceptsURL(url));
  }

  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
    return POSTGRES.getPropertyInfo(url.startsWith(EMBEDDED_URL) ? "jdbc:postgresql:" : url, info);
  }

  @Override
  public int getMajorVersion() {
    return POSTGRES.getMajorVersion();
  }

  @Override
  public int getMinorVersion() {
    return POSTGRES.getMinorVersion();
  }

  @Override
  public boolean jdbcCompliant() {
    return POSTGRES.jdbcCompliant();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return POSTGRES.getParentLogger();
  }
}
