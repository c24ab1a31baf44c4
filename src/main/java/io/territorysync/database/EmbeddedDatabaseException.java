package io.territorysync.database;

/** The embedded PostgreSQL could not be started; the message names the setting to check. */
public class EmbeddedDatabaseException extends RuntimeException {

  public EmbeddedDatabaseException(String message) {
    super(message);
  }

  public EmbeddedDatabaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
