package io.territorysync.run;

import io.territorysync.salesforce.ApiBudget;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** What the stages of one run share: its id, its options, its API budget and its counts. */
public final class RunContext {

  /** Exchange property that carries the context through the routes. */
  public static final String PROPERTY = "run";

  private final long runId;
  private final boolean full;
  private final boolean dryRun;
  private final boolean force;
  private final ApiBudget budget;
  private final Map<String, Long> synced = new ConcurrentHashMap<>();
  private final Map<String, Long> deleted = new ConcurrentHashMap<>();
  private final Map<String, Long> assignments = counts("added", "removed", "unchanged", "failed");
  private final Map<String, Long> opportunities = counts("updated", "failed");
  private final Map<String, Long> users = counts("added", "removed");
  private final Map<String, Long> rollups = counts("written");

  private static Map<String, Long> counts(String... keys) {
    Map<String, Long> m = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    for (String k : keys) {
      m.put(k, 0L);
    }
    return m;
  }

  public RunContext(long runId, boolean full, boolean dryRun, boolean force, ApiBudget budget) {
    this.runId = runId;
    this.full = full;
    this.dryRun = dryRun;
    this.force = force;
    this.budget = budget;
  }

  public long runId() {
    return runId;
  }

  public boolean full() {
    return full;
  }

  public boolean dryRun() {
    return dryRun;
  }

  public boolean force() {
    return force;
  }

  public ApiBudget budget() {
    return budget;
  }

  /** Records read from the org per object in this run. */
  public Map<String, Long> synced() {
    return synced;
  }

  /** Mirror rows removed per object because the org deleted them. */
  public Map<String, Long> deleted() {
    return deleted;
  }

  /** Account-territory associations: added, removed, unchanged, failed. */
  public Map<String, Long> assignments() {
    return assignments;
  }

  /** Opportunity territories: updated, failed. */
  public Map<String, Long> opportunities() {
    return opportunities;
  }

  /** User-territory associations: added, removed. */
  public Map<String, Long> users() {
    return users;
  }

  /** Rollup records: written. */
  public Map<String, Long> rollups() {
    return rollups;
  }
}
