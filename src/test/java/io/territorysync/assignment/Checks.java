package io.territorysync.assignment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.territorysync.TestSql;
import io.territorysync.emulator.OrgData;
import io.territorysync.emulator.OrgQuery;
import io.territorysync.run.Run;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;

/** What assignment tests check: the org against the rules, and a run's counts. */
final class Checks {

  private Checks() {}

  @SuppressWarnings("unchecked")
  static long count(Run run, String group, String key) {
    return ((Number) ((Map<String, Object>) run.summary.get(group)).get(key)).longValue();
  }

  @SuppressWarnings("unchecked")
  static long writeCalls(Run run) {
    Map<String, Object> stages = (Map<String, Object>) run.summary.get("stages");
    Map<String, Object> write = (Map<String, Object>) stages.get("write");
    return write == null ? 0 : ((Number) write.get("apiCalls")).longValue();
  }

  /** The org's account associations as "account|territory", of one cause or (null) all. */
  static Set<String> orgAssociations(OrgData org, String cause) {
    Set<String> out = new TreeSet<>();
    for (List<String> r :
        OrgQuery.rows(
            org,
            "SELECT ObjectId, Territory2Id, AssociationCause FROM ObjectTerritory2Association")) {
      if (cause == null || cause.equals(r.get(2))) {
        out.add(r.get(0) + "|" + r.get(1));
      }
    }
    return out;
  }

  /**
   * "account|territory" of every association insert the org received after {@code mark}, from its
   * own write log (in order, repeats kept).
   */
  static List<String> associationInserts(OrgData org, long mark) {
    List<String> out = new java.util.ArrayList<>();
    for (var w : org.writeLog().after(mark)) {
      if (w.operation().equals("create") && "ObjectTerritory2Association".equals(w.type())) {
        out.add(w.field("ObjectId") + "|" + w.field("Territory2Id"));
      }
    }
    return out;
  }

  static Set<String> strings(DataSource dataSource, String sql) throws Exception {
    return new TreeSet<>(TestSql.strings(dataSource, sql));
  }

  static Set<String> desired(DataSource dataSource) throws Exception {
    return strings(
        dataSource,
        "SELECT d.account_id || '|' || d.territory_id FROM desired_assignment d"
            + " JOIN sf_account a ON a.id = d.account_id"
            + " WHERE NOT coalesce(a.is_excluded_from_realign, false)");
  }

  /** Every association the rules want is in the org; every one Territory Sync owns is wanted. */
  static void assertOrgMatchesTheRules(OrgData org, DataSource dataSource) throws Exception {
    Set<String> all = orgAssociations(org, null);
    Set<String> desired = desired(dataSource);
    Set<String> missing = new TreeSet<>(desired);
    missing.removeAll(all);
    assertEquals(Set.of(), missing, "associations the rules want but the org lacks");
    Set<String> owned =
        strings(
            dataSource,
            "SELECT object_id || '|' || territory_id FROM managed_association"
                + " WHERE kind = 'account'");
    Set<String> unwanted = new TreeSet<>(owned);
    unwanted.removeAll(desired);
    unwanted.removeAll(
        strings(
            dataSource,
            "SELECT o.object_id || '|' || o.territory2_id FROM sf_object_territory2_association o"
                + " JOIN sf_account a ON a.id = o.object_id"
                + " WHERE coalesce(a.is_excluded_from_realign, false)"));
    assertEquals(Set.of(), unwanted, "owned associations the rules no longer want");
    assertTrue(all.containsAll(owned), "everything owned exists in the org");
  }
}
