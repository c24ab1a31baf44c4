package io.territorysync.database;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.sql.SQLException;

/** Turns a datasource failure into one line that names the setting to fix. */
final class DatabaseProblem {

  private DatabaseProblem() {}

  static String describe(Throwable error, String jdbcUrl, String username) {
    EmbeddedDatabaseException embedded = find(error, EmbeddedDatabaseException.class);
    if (embedded != null) {
      return embedded.getMessage();
    }
    String url = redact(jdbcUrl);
    String cause = cause(error);
    String lower = cause.toLowerCase();
    if (lower.contains("password authentication failed")
        || lower.contains("no password was provided")
        || lower.contains("role \"")) {
      return "Database login refused for quarkus.datasource.username="
          + (username == null ? "(not set)" : username)
          + " at quarkus.datasource.jdbc.url="
          + url
          + ": "
          + cause
          + " (check QUARKUS_DATASOURCE_USERNAME and QUARKUS_DATASOURCE_PASSWORD)";
    }
    if (lower.contains("database \"") && lower.contains("does not exist")) {
      return "Database named in quarkus.datasource.jdbc.url=" + url + " does not exist: " + cause;
    }
    if (find(error, UnknownHostException.class) != null
        || find(error, ConnectException.class) != null
        || lower.contains("connection")
        || lower.contains("acquisition timeout")) {
      return "Cannot reach the database at quarkus.datasource.jdbc.url="
          + url
          + ": "
          + cause
          + " (check QUARKUS_DATASOURCE_JDBC_URL, or unset it to use the embedded database)";
    }
    return "Database schema migration failed at quarkus.datasource.jdbc.url=" + url + ": " + cause;
  }

  /** Drops credentials that a URL may carry. */
  static String redact(String jdbcUrl) {
    if (jdbcUrl == null) {
      return "(not set)";
    }
    return jdbcUrl
        .replaceAll("(?i)(password=)[^&;]*", "$1****")
        .replaceAll("//([^/@:]+):([^/@]+)@", "//$1:****@");
  }

  private static String cause(Throwable error) {
    SQLException sql = find(error, SQLException.class);
    Throwable top = sql != null ? sql : error;
    Throwable root = top;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = message(top);
    if (root != top) {
      message += " (" + root.getClass().getSimpleName() + ": " + message(root) + ")";
    }
    return message.replaceAll("\\s+", " ").trim();
  }

  private static String message(Throwable t) {
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static <T extends Throwable> T find(Throwable error, Class<T> type) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
