package io.territorysync.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * An advisory lock whose session the server ended: it says so, and closing it takes the dead
 * connection out of the pool instead of lending it to the next caller.
 */
@QuarkusTest
class AdvisoryLockTest {

  @Inject AgroalDataSource dataSource;

  /** A pool of one connection on the test database, so the next borrower gets the same one. */
  private AgroalDataSource poolOfOne() throws Exception {
    String url;
    String user;
    try (Connection c = dataSource.getConnection()) {
      url = c.getMetaData().getURL();
      user = c.getMetaData().getUserName();
    }
    String password = System.getenv("TERRITORY_TEST_DB_PASSWORD");
    return AgroalDataSource.from(
        new AgroalDataSourceConfigurationSupplier()
            .connectionPoolConfiguration(
                cp ->
                    cp.maxSize(1)
                        .connectionFactoryConfiguration(
                            cf -> {
                              cf.jdbcUrl(url).principal(new NamePrincipal(user));
                              return password == null
                                  ? cf
                                  : cf.credential(new SimplePassword(password));
                            })));
  }

  private int backendPid(AdvisoryLock lock) throws Exception {
    return lock.onSession(
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
          }
        });
  }

  private void terminate(int pid) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
      ps.setInt(1, pid);
      ps.execute();
    }
  }

  @Test
  void aLockWhoseSessionWasTerminatedIsNotHeldAndItsConnectionIsNotLentAgain() throws Exception {
    try (AgroalDataSource pool = poolOfOne()) {
      AdvisoryLock lock = AdvisoryLock.tryAcquire(pool, 901).orElseThrow();
      assertTrue(lock.held());
      terminate(backendPid(lock));
      assertFalse(lock.held(), "the lock's session is gone");
      lock.close(); // no exception: the server released the lock with the session
      try (Connection next = pool.getConnection();
          Statement s = next.createStatement();
          ResultSet rs = s.executeQuery("SELECT 1")) {
        rs.next();
        assertEquals(1, rs.getInt(1), "the pool lends a live connection, not the dead one");
      }
      AdvisoryLock again = AdvisoryLock.tryAcquire(pool, 901).orElseThrow();
      again.close();
    }
  }

  @Test
  void aLockReleasedNormallyReturnsItsConnectionToThePool() throws Exception {
    try (AgroalDataSource pool = poolOfOne()) {
      AdvisoryLock lock = AdvisoryLock.tryAcquire(pool, 902).orElseThrow();
      int pid = backendPid(lock);
      lock.close();
      try (Connection next = pool.getConnection();
          Statement s = next.createStatement();
          ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        assertEquals(pid, rs.getInt(1), "the same session, reused");
        assertEquals(0, next.getNetworkTimeout(), "without the lock check's network timeout");
      }
    }
  }
}
