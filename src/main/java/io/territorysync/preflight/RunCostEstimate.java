package io.territorysync.preflight;

import io.territorysync.salesforce.SObjectCollections;
import io.territorysync.salesforce.SalesforceApi;
import java.util.Map;

/**
 * What a full run costs in API calls, estimated from record counts the way the stages spend them:
 * the sync's first pages in Composite calls (five objects a call), the rest of each object by REST
 * pages or, above the Bulk threshold, a Bulk API 2.0 query job (create, polls, result pages); the
 * write-back by sObject Collections (200 records a call) or Bulk ingest jobs; rollups 1,000 records
 * a call. The low figure is a run with nothing to write; the high one rewrites every account's
 * association, every opportunity's territory and every territory's rollups.
 *
 * @param low calls of a full run that writes nothing
 * @param high calls of a full run that rewrites everything
 */
public record RunCostEstimate(long low, long high) {

  /** The settings the cost depends on. */
  public record Settings(
      int mirroredObjects,
      int syncBulkThreshold,
      int pageSize,
      int bulkPageSize,
      int writeBulkThreshold,
      int bulkJobSize) {}

  /** Records a Bulk job is assumed to process per second (real orgs vary widely). */
  static final long BULK_RECORDS_PER_SECOND = 50_000;

  private static final int QUERIES_PER_COMPOSITE = SalesforceApi.QUERIES_PER_COMPOSITE;
  private static final int PER_COLLECTION = SObjectCollections.PER_COLLECTION;
  private static final int ROLLUPS_PER_CALL = SObjectCollections.PER_CALL;
  private static final int ROLLUP_PERIODS = 2;

  /**
   * Estimates from {@code counts} (records per object API name; objects absent count as small) and
   * {@code territories}.
   */
  public static RunCostEstimate of(Map<String, Long> counts, long territories, Settings s) {
    long sync = (s.mirroredObjects() + QUERIES_PER_COMPOSITE - 1) / QUERIES_PER_COMPOSITE;
    for (long n : counts.values()) {
      sync += read(n, s);
    }
    long accounts = counts.getOrDefault("Account", 0L);
    long opportunities = counts.getOrDefault("Opportunity", 0L);
    long writes =
        write(accounts, s)
            + write(opportunities, s)
            + ceil(territories * ROLLUP_PERIODS, ROLLUPS_PER_CALL);
    return new RunCostEstimate(sync, sync + writes);
  }

  /** Calls to read {@code n} records beyond the first page (which comes in the Composite call). */
  static long read(long n, Settings s) {
    if (n > s.syncBulkThreshold()) {
      return 1 + polls(n) + ceil(n, s.bulkPageSize());
    }
    return Math.max(0, ceil(n, s.pageSize()) - 1);
  }

  /** Calls to write {@code n} records. */
  static long write(long n, Settings s) {
    if (n <= 0) {
      return 0;
    }
    if (n > s.writeBulkThreshold()) {
      long jobs = ceil(n, s.bulkJobSize());
      // create, upload, close, results (successful and failed) and polls, per job
      return jobs * 5 + polls(Math.min(n, s.bulkJobSize())) * jobs;
    }
    return ceil(n, PER_COLLECTION);
  }

  /** Polls of a job over {@code n} records: waits from 0.5 s growing by half to 5 s. */
  static long polls(long n) {
    double seconds = Math.max(1.0, (double) n / BULK_RECORDS_PER_SECOND);
    double waited = 0;
    double wait = 0.5;
    long polls = 0;
    while (waited < seconds) {
      waited += wait;
      wait = Math.min(5.0, wait * 1.5);
      polls++;
    }
    return polls;
  }

  private static long ceil(long n, long per) {
    return (n + per - 1) / per;
  }
}
