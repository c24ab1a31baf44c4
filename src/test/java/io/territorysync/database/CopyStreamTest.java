package io.territorysync.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * A COPY whose producer fails is cancelled: the connection answers the next statement (it would
 * otherwise wait for ever on the COPY, and with it the pool and every lock the run holds).
 */
@QuarkusTest
class CopyStreamTest {

  @Inject AgroalDataSource dataSource;

  @Test
  void everyConnectionHasAStatementTimeout() throws Exception {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW statement_timeout")) {
      rs.next();
      assertEquals("30min", rs.getString(1));
    }
  }

  @Test
  void aProducerThatFailsMidCopyLeavesTheConnectionUsable() throws Exception {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TEMP TABLE copy_probe (x int) ON COMMIT DROP");
      }
      IllegalStateException thrown =
          assertThrows(
              IllegalStateException.class,
              () ->
                  CopyStream.copy(
                      c,
                      "COPY copy_probe FROM STDIN (FORMAT csv)",
                      copy -> {
                        byte[] row = "1\n".getBytes(StandardCharsets.UTF_8);
                        copy.writeToCopy(row, 0, row.length);
                        throw new IllegalStateException("evaluation failed");
                      }));
      assertEquals("evaluation failed", thrown.getMessage());
      Future<Integer> next =
          executor.submit(
              () -> {
                c.rollback();
                try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT 1")) {
                  rs.next();
                  return rs.getInt(1);
                }
              });
      try {
        assertEquals(1, next.get(60, TimeUnit.SECONDS));
      } catch (TimeoutException stuck) {
        // free the test: close the socket under the stuck COPY
        ((Connection) c.unwrap(PGConnection.class)).abort(Runnable::run);
        throw new AssertionError("the connection is stuck in the COPY", stuck);
      }
    } finally {
      executor.shutdownNow();
    }
  }
}
