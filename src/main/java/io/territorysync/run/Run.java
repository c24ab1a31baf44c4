package io.territorysync.run;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One run of the pipeline, with its status, stage, progress and counts. */
@Entity
@Table(name = "run")
public class Run {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  @Column(nullable = false)
  public String trigger;

  @Column(name = "full_sync", nullable = false)
  public boolean fullSync;

  @Column(name = "dry_run", nullable = false)
  public boolean dryRun;

  @Column(nullable = false)
  public boolean forced;

  @Column(nullable = false)
  public String status;

  public String stage;

  @Column(name = "requested_at", nullable = false)
  public Instant requestedAt;

  @Column(name = "started_at")
  public Instant startedAt;

  @Column(name = "finished_at")
  public Instant finishedAt;

  @Column(name = "heartbeat_at")
  public Instant heartbeatAt;

  /**
   * When this run's changes were deleted, being older than {@code
   * territory.runs.history-retention}; null while they are kept.
   */
  @Column(name = "changes_purged_at")
  public Instant changesPurgedAt;

  public String owner;

  @Column(name = "api_calls", nullable = false)
  public int apiCalls;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(nullable = false)
  public Map<String, Object> progress = new LinkedHashMap<>();

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(nullable = false)
  public Map<String, Object> summary = new LinkedHashMap<>();

  public String error;

  /** The accounts of a scoped (webhook) run; null for a whole run. */
  @JdbcTypeCode(SqlTypes.ARRAY)
  @Column(columnDefinition = "text[]")
  public String[] accounts;
}
