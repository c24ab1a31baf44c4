package io.territorysync.webhook;

import io.agroal.api.AgroalDataSource;
import io.territorysync.database.Rows;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The durable queue of webhook events in {@code webhook_event}: stored (and committed) before a
 * notification is acknowledged, one row per account, deduplicated by a key so a notification that
 * Salesforce sends again is stored once.
 */
@ApplicationScoped
public class WebhookStore {

  @Inject AgroalDataSource dataSource;

  /** One account to process, and the key that makes a retried notification a duplicate. */
  public record Incoming(String dedupeKey, String accountId) {}

  /** An event waiting to be processed. */
  public record Event(long id, String accountId, Instant receivedAt, int attempts) {}

  /** What storing a notification did. */
  public record Stored(int stored, int duplicates) {}

  /** Stores the events of one notification in one transaction. */
  public Stored store(String source, List<Incoming> events) throws SQLException {
    int stored = 0;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO webhook_event (source, dedupe_key, account_id) VALUES (?, ?, ?)"
                  + " ON CONFLICT (dedupe_key) DO NOTHING")) {
        for (Incoming e : events) {
          ps.setString(1, source);
          ps.setString(2, e.dedupeKey());
          ps.setString(3, e.accountId());
          ps.addBatch();
        }
        for (int n : ps.executeBatch()) {
          stored += n > 0 ? 1 : 0;
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }
    return new Stored(stored, events.size() - stored);
  }

  /** Due events, oldest first, covering at most {@code maxAccounts} accounts. */
  public List<Event> due(int maxAccounts) throws SQLException {
    List<Event> out = new ArrayList<>();
    Set<String> accounts = new LinkedHashSet<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, account_id, received_at, attempts FROM webhook_event"
                    + " WHERE status = 'pending' AND next_attempt_at <= now()"
                    + " ORDER BY next_attempt_at, id LIMIT ?")) {
      ps.setInt(1, maxAccounts * 5);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String account = rs.getString(2);
          if (!accounts.contains(account) && accounts.size() >= maxAccounts) {
            continue;
          }
          accounts.add(account);
          out.add(new Event(rs.getLong(1), account, rs.getTimestamp(3).toInstant(), rs.getInt(4)));
        }
      }
    }
    return out;
  }

  /** Whether any event is due now. */
  public boolean anyDue() throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM webhook_event WHERE status = 'pending'"
                    + " AND next_attempt_at <= now())");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /** Marks events processed by run {@code runId}. */
  public void done(List<Long> ids, long runId) throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE webhook_event SET status = 'done', processed_at = now(), run_id = ?,"
                    + " error = NULL WHERE id = ANY(?)")) {
      ps.setLong(1, runId);
      ps.setArray(2, c.createArrayOf("bigint", ids.toArray()));
      ps.executeUpdate();
    }
  }

  /**
   * Counts a failed attempt: the events are tried again after a growing pause, or kept as dead
   * after {@code maxAttempts}. Returns how many became dead.
   */
  public int failed(List<Long> ids, Long runId, String error, int maxAttempts, Duration backoff)
      throws SQLException {
    if (ids.isEmpty()) {
      return 0;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE webhook_event SET attempts = attempts + 1, error = ?, run_id = ?,"
                    + " status = CASE WHEN attempts + 1 >= ? THEN 'dead' ELSE 'pending' END,"
                    + " next_attempt_at = now() + (? * power(2, least(attempts, 10)))"
                    + " * interval '1 millisecond'"
                    + " WHERE id = ANY(?) RETURNING status")) {
      ps.setString(1, error);
      ps.setObject(2, runId);
      ps.setInt(3, maxAttempts);
      ps.setLong(4, backoff.toMillis());
      ps.setArray(5, c.createArrayOf("bigint", ids.toArray()));
      int dead = 0;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          dead += "dead".equals(rs.getString(1)) ? 1 : 0;
        }
      }
      return dead;
    }
  }

  /**
   * Recent events, newest first, optionally of one status, older than event {@code before} (the
   * next page) when it is given.
   */
  public List<Map<String, Object>> recent(String status, Long before, int limit)
      throws SQLException {
    List<Map<String, Object>> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, source, account_id, received_at, attempts, run_id, error, status,"
                    + " processed_at FROM webhook_event WHERE (? IS NULL OR status = ?)"
                    + " AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?")) {
      ps.setString(1, status);
      ps.setString(2, status);
      ps.setObject(3, before, java.sql.Types.BIGINT);
      ps.setObject(4, before, java.sql.Types.BIGINT);
      ps.setInt(5, limit);
      try (ResultSet rs = ps.executeQuery()) {
        out.addAll(
            Rows.maps(
                rs,
                "id",
                "source",
                "accountId",
                "receivedAt",
                "attempts",
                "runId",
                "error",
                "status",
                "processedAt"));
      }
    }
    return out;
  }

  /** Dead events, newest first. */
  public List<Map<String, Object>> dead(int limit, int offset) throws SQLException {
    List<Map<String, Object>> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, source, account_id, received_at, attempts, run_id, error"
                    + " FROM webhook_event WHERE status = 'dead' ORDER BY id DESC"
                    + " LIMIT ? OFFSET ?")) {
      ps.setInt(1, limit);
      ps.setInt(2, offset);
      try (ResultSet rs = ps.executeQuery()) {
        out.addAll(
            Rows.maps(rs, "id", "source", "accountId", "receivedAt", "attempts", "runId", "error"));
      }
    }
    return out;
  }

  /** Puts dead events back in the queue (all of them when {@code ids} is empty). */
  public int retryDead(List<Long> ids) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE webhook_event SET status = 'pending', attempts = 0,"
                    + " next_attempt_at = now() WHERE status = 'dead'"
                    + (ids.isEmpty() ? "" : " AND id = ANY(?)"))) {
      if (!ids.isEmpty()) {
        ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
      }
      return ps.executeUpdate();
    }
  }

  /** Deletes processed events received before {@code before}; returns how many. */
  public int purgeDone(Instant before) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "DELETE FROM webhook_event WHERE status = 'done' AND received_at < ?")) {
      ps.setTimestamp(1, java.sql.Timestamp.from(before));
      return ps.executeUpdate();
    }
  }

  /** Events by status. */
  public Map<String, Long> counts() throws SQLException {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("pending", 0L);
    m.put("done", 0L);
    m.put("dead", 0L);
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT status, count(*) FROM webhook_event GROUP BY status");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        m.put(rs.getString(1), rs.getLong(2));
      }
    }
    return m;
  }
}
