package io.territorysync.run;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Queries on the run table, which keeps a row per run and per webhook mini-run, use their indexes
 * rather than reading every row.
 */
@QuarkusTest
class RunIndexesTest {

  @Inject AgroalDataSource dataSource;

  @Test
  void theReadBackCheckFindsTheRunsThatDidNotEndCleanlyThroughTheirIndex() throws Exception {
    String sql =
        RunRepository.UNHEALED
            .replace(":runId", "9223372036854775807")
            .replace(":since", "now() - interval '1 day'")
            .replace(":settle", "300");
    StringBuilder plan = new StringBuilder();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      // with the table read only as a last resort, the plan shows whether the index can serve
      s.execute("SET LOCAL enable_seqscan = off");
      try (ResultSet rs = s.executeQuery("EXPLAIN " + sql)) {
        while (rs.next()) {
          plan.append(rs.getString(1)).append('\n');
        }
      }
      c.rollback();
    }
    assertTrue(plan.toString().contains("run_unclean_idx"), plan.toString());
  }
}
