package io.territorysync;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One PostgreSQL per test JVM: an embedded server in {@code target/test-postgres}, wiped at the
 * start of each test JVM, or the server that {@value #URL_ENV} names.
 */
public class TestDatabase implements QuarkusTestResourceLifecycleManager {

  /** Environment variable naming an external test database instead of the embedded one. */
  public static final String URL_ENV = "TERRITORY_TEST_JDBC_URL";

  // A system property, not a static field: test resources may be loaded by several class
  // loaders in one JVM, and all of them must share one server.
  private static final String URL_PROPERTY = "territory.test.jdbc-url";

  @Override
  public Map<String, String> start() {
    Map<String, String> config = new HashMap<>();
    config.put("quarkus.datasource.jdbc.url", jdbcUrl());
    config.put("quarkus.datasource.username", username());
    String password = System.getenv("TERRITORY_TEST_DB_PASSWORD");
    if (password != null) {
      config.put("quarkus.datasource.password", password);
    }
    return config;
  }

  @Override
  public void stop() {
    // The server lives as long as the JVM; its shutdown hook stops it.
  }

  /** JDBC URL of the test database, starting the embedded server on first use. */
  public static synchronized String jdbcUrl() {
    String external = System.getenv(URL_ENV);
    if (external != null && !external.isBlank()) {
      return external;
    }
    String url = System.getProperty(URL_PROPERTY);
    if (url != null) {
      return url;
    }
    Path dir = Path.of("target", "test-postgres").toAbsolutePath();
    try {
      deleteRecursively(dir);
      EmbeddedPostgres server =
          EmbeddedPostgres.builder()
              .setDataDirectory(dir)
              .setCleanDataDirectory(true)
              .setServerConfig("max_connections", "300")
              .setServerConfig("fsync", "off")
              .start();
      url = "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/postgres";
      System.setProperty(URL_PROPERTY, url);
      return url;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** User name for the test database. */
  public static String username() {
    String user = System.getenv("TERRITORY_TEST_DB_USERNAME");
    return user != null ? user : "postgres";
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
