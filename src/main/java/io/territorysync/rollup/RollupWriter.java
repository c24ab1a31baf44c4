package io.territorysync.rollup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agroal.api.AgroalDataSource;
import io.territorysync.assignment.AssignmentConfig;
import io.territorysync.database.LockEpoch;
import io.territorysync.salesforce.ApiBudget;
import io.territorysync.salesforce.CollectionWrite;
import io.territorysync.salesforce.RecordResult;
import io.territorysync.salesforce.SObjectCollections;
import io.territorysync.salesforce.WriteRounds;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Writes the rollups that changed since they were last written to Territory_Performance__c,
 * upserted by the external id {@code Key__c} (territory id and period): sObject Collections upserts
 * packed five to a Composite call. What was written is remembered by a hash of the record. Records
 * that fail transiently (row locks, 5xx) are retried in later rounds by the same declared policy as
 * assignment writes ({@link WriteRounds}).
 */
@ApplicationScoped
public class RollupWriter {

  private static final Logger LOG = Logger.getLogger(RollupWriter.class);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PER_CALL = SObjectCollections.PER_CALL;

  /** Record field → territory_rollup column (percentages are written × 100). */
  public static final Map<String, String> FIELDS = new LinkedHashMap<>();

  static {
    FIELDS.put("Territory_Id__c", "territory_id");
    FIELDS.put("Territory_Name__c", "name");
    FIELDS.put("Territory_Developer_Name__c", "developer_name");
    FIELDS.put("Parent_Territory_Id__c", "parent_id");
    FIELDS.put("Period__c", "period");
    FIELDS.put("Period_Start__c", "period_start");
    FIELDS.put("Period_End__c", "period_end");
    FIELDS.put("Account_Count__c", "account_count");
    FIELDS.put("Annual_Revenue__c", "annual_revenue");
    FIELDS.put("Average_Annual_Revenue__c", "average_annual_revenue");
    FIELDS.put("Potential__c", "potential");
    FIELDS.put("Open_Pipeline__c", "open_pipeline");
    FIELDS.put("Weighted_Pipeline__c", "weighted_pipeline");
    FIELDS.put("Closed_Won_Amount__c", "closed_won_amount");
    FIELDS.put("Closed_Won_Count__c", "closed_won_count");
    FIELDS.put("Closed_Lost_Count__c", "closed_lost_count");
    FIELDS.put("Win_Rate__c", "win_rate * 100");
    FIELDS.put("Average_Deal_Size__c", "average_deal_size");
    FIELDS.put("Assigned_Users__c", "assigned_users");
    FIELDS.put("Quota__c", "quota");
    FIELDS.put("Quota_Attainment__c", "quota_attainment * 100");
    FIELDS.put("Subtree_Account_Count__c", "subtree_account_count");
    FIELDS.put("Subtree_Annual_Revenue__c", "subtree_annual_revenue");
    FIELDS.put("Subtree_Open_Pipeline__c", "subtree_open_pipeline");
    FIELDS.put("Subtree_Weighted_Pipeline__c", "subtree_weighted_pipeline");
    FIELDS.put("Subtree_Closed_Won_Amount__c", "subtree_closed_won_amount");
    FIELDS.put("Subtree_Closed_Won_Count__c", "subtree_closed_won_count");
    FIELDS.put("Subtree_Closed_Lost_Count__c", "subtree_closed_lost_count");
    FIELDS.put("Subtree_Win_Rate__c", "subtree_win_rate * 100");
    FIELDS.put("Subtree_Assigned_Users__c", "subtree_assigned_users");
    FIELDS.put("Potential_Balance__c", "potential_balance");
    FIELDS.put("Workload_Balance__c", "workload_balance");
  }

  @Inject AgroalDataSource dataSource;
  @Inject SObjectCollections collections;
  @Inject RollupConfig config;
  @Inject AssignmentConfig assignment;

  /** What a write did. */
  record Result(long written, long unchanged, long failed, String firstError) {}

  private record Pending(String key, String hash, ObjectNode record) {}

  /**
   * Upserts every rollup whose content differs from what was last written ({@code all}: every
   * rollup, as a full run does, so records deleted in the org come back). Each call is a safe point
   * of the run's lock, and each call's outcomes are recorded only while the run still holds it
   * ({@link LockEpoch#fence}).
   */
  Result write(RollupRun run, boolean all) throws SQLException {
    List<Pending> changed = new ArrayList<>();
    long total = 0;
    StringBuilder select = new StringBuilder("SELECT territory_id || '-' || period AS key");
    for (Map.Entry<String, String> f : FIELDS.entrySet()) {
      select
          .append(", ")
          .append(isNumber(f.getKey()) ? "round((" + f.getValue() + ")::numeric, 4)" : f.getValue())
          .append(" AS \"")
          .append(f.getKey())
          .append('"');
    }
    select.append(", name || ' ' || period AS \"Name\"");
    String rowsSql = select + " FROM territory_rollup";
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT x.*, md5(row_to_json(x)::text) AS hash, w.hash AS written FROM ("
                    + rowsSql
                    + ") x LEFT JOIN rollup_written w ON w.key = x.key ORDER BY x.key")) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        total++;
        String hash = rs.getString("hash");
        if (!all && hash.equals(rs.getString("written"))) {
          continue;
        }
        ObjectNode r = JSON.createObjectNode();
        r.putObject("attributes").put("type", config.object());
        r.put("Key__c", rs.getString("key"));
        for (int i = 2; i <= md.getColumnCount(); i++) {
          String label = md.getColumnLabel(i);
          if (label.equals("hash") || label.equals("written")) {
            continue;
          }
          Object v = rs.getObject(i);
          if (v == null) {
            r.putNull(label);
          } else if (v instanceof BigDecimal d) {
            r.put(label, d.stripTrailingZeros());
          } else if (v instanceof Number n) {
            r.put(label, n.longValue());
          } else {
            String text = v.toString();
            r.put(label, label.equals("Name") && text.length() > 80 ? text.substring(0, 80) : text);
          }
        }
        changed.add(new Pending(rs.getString("key"), hash, r));
      }
    }
    long[] written = {0};
    long[] failed = {0};
    String[] firstError = {null};
    WriteRounds rounds =
        new WriteRounds(assignment.write().maxAttempts(), assignment.write().retryBackoff());
    AtomicInteger round = new AtomicInteger();
    List<List<Pending>> todo = new ArrayList<>(List.of(changed));
    try {
      rounds.run(
          () -> {
            boolean last = round.incrementAndGet() >= rounds.maxRounds();
            List<Pending> again = new ArrayList<>();
            List<Pending> records = todo.get(0);
            for (int from = 0; from < records.size(); from += PER_CALL) {
              List<Pending> call = records.subList(from, Math.min(records.size(), from + PER_CALL));
              run.checkLock();
              List<String[]> outcomes = upsert(run.budget(), call);
              List<Pending> kept = new ArrayList<>();
              List<String[]> keptOutcomes = new ArrayList<>();
              for (int i = 0; i < call.size(); i++) {
                String[] o = outcomes.get(i);
                if (o[0].equals("retry") && !last) {
                  again.add(call.get(i));
                  continue;
                }
                if (o[0].equals("retry")) {
                  o =
                      new String[] {
                        "failed", null, o[2] + " (gave up after " + round.get() + " rounds)"
                      };
                }
                kept.add(call.get(i));
                keptOutcomes.add(o);
                if (o[0].equals("done")) {
                  written[0]++;
                } else {
                  failed[0]++;
                  firstError[0] = firstError[0] == null ? o[2] : firstError[0];
                }
              }
              store(kept, keptOutcomes, run.lockEpoch());
            }
            todo.set(0, again);
            if (!again.isEmpty()) {
              throw new WriteRounds.RecordsLeft(
                  again.size() + " rollup record(s) failed transiently");
            }
            return null;
          });
    } catch (SQLException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return new Result(written[0], total - changed.size(), failed[0], firstError[0]);
  }

  private static boolean isNumber(String field) {
    return !List.of(
            "Territory_Id__c",
            "Territory_Name__c",
            "Territory_Developer_Name__c",
            "Parent_Territory_Id__c",
            "Period__c",
            "Period_Start__c",
            "Period_End__c",
            "Potential_Balance__c",
            "Workload_Balance__c")
        .contains(field);
  }

  /** One Composite call of up to five upsert collections: per record {status, id, error}. */
  private List<String[]> upsert(ApiBudget budget, List<Pending> records) {
    List<RecordResult> results =
        collections.write(
            budget,
            CollectionWrite.upsert(
                config.object(), "Key__c", records.stream().map(Pending::record).toList()));
    List<String[]> out = new ArrayList<>(records.size());
    for (RecordResult r : results) {
      out.add(
          switch (r.status()) {
            case DONE -> new String[] {"done", r.id(), null};
            case RETRY -> new String[] {"retry", null, r.error()};
            default -> new String[] {"failed", null, r.error()};
          });
    }
    return out;
  }

  private void store(List<Pending> records, List<String[]> outcomes, long epoch)
      throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        // refused (rolled back) when another run took the run lock since this one did
        LockEpoch.fence(c, epoch);
        store(c, records, outcomes);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private static void store(Connection c, List<Pending> records, List<String[]> outcomes)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO rollup_written (key, hash, record_id, status, error, written_at)"
                + " VALUES (?, ?, ?, ?, ?, now()) ON CONFLICT (key) DO UPDATE SET"
                + " hash = EXCLUDED.hash, record_id = coalesce(EXCLUDED.record_id,"
                + " rollup_written.record_id), status = EXCLUDED.status,"
                + " error = EXCLUDED.error, written_at = now()")) {
      for (int i = 0; i < records.size(); i++) {
        String[] o = outcomes.get(i);
        boolean done = o[0].equals("done");
        ps.setString(1, records.get(i).key());
        ps.setString(2, done ? records.get(i).hash() : null);
        ps.setString(3, o[1]);
        ps.setString(4, o[0]);
        ps.setString(5, o[2]);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }
}
