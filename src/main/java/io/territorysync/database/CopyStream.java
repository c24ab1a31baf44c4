package io.territorysync.database;

import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Streams rows into PostgreSQL with {@code COPY … FROM STDIN}, cancelling the COPY when the
 * producer fails with anything (an SQL error, a bug, OutOfMemoryError): a connection left in the
 * middle of a COPY blocks every later statement on it, so rolling it back or returning it to the
 * pool would hang for ever while its locks are held.
 */
public final class CopyStream {

  private CopyStream() {}

  /** Writes the rows of one COPY; returns what the caller wants to know (a count). */
  @FunctionalInterface
  public interface Producer<T> {
    T write(CopyIn copy) throws SQLException;
  }

  /** Runs {@code sql} (a COPY FROM STDIN) on {@code c} with {@code producer}, then ends it. */
  public static <T> T copy(Connection c, String sql, Producer<T> producer) throws SQLException {
    CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
    try {
      T result = producer.write(copy);
      copy.endCopy();
      return result;
    } catch (Throwable failure) {
      cancel(copy, failure);
      throw failure;
    }
  }

  private static void cancel(CopyIn copy, Throwable failure) {
    if (copy.isActive()) {
      try {
        copy.cancelCopy();
      } catch (SQLException | RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
  }
}
