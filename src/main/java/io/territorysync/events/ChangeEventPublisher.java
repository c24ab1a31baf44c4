package io.territorysync.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agroal.api.AgroalDataSource;
import io.territorysync.database.AdvisoryLock;
import io.territorysync.database.Rows;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.util.URISupport;
import org.jboss.logging.Logger;

/**
 * The steps of the events route: takes the next pending events from the outbox (oldest first, none
 * of a subject that has a dead event before them), turns each into CloudEvents JSON, and records it
 * as published or dead. Only the process holding the publisher lock (a PostgreSQL advisory lock)
 * publishes, so replicas never publish the same events out of order.
 */
@ApplicationScoped
@Named("changeEvents")
public class ChangeEventPublisher {

  private static final Logger LOG = Logger.getLogger(ChangeEventPublisher.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Second key of the publisher's advisory lock (the run lock's is 1). */
  private static final int LOCK_ID = 2;

  @Inject AgroalDataSource dataSource;
  @Inject Outbox outbox;
  @Inject EventsConfig config;

  /** Subjects with an event that became dead during the current batch: their later ones wait. */
  private final Set<String> held = new HashSet<>();

  private AdvisoryLock lock;
  private long lastCleanup;

  /** The configured endpoints, comma-separated, for the route's recipient list. */
  public String endpoints() {
    return String.join(
        ",", config.endpoints().orElse(List.of()).stream().filter(s -> !s.isBlank()).toList());
  }

  /**
   * The next pending events, oldest first: none when no endpoint is configured, this process does
   * not publish, or another process holds the publisher lock.
   */
  public synchronized List<OutboxEvent> next() throws SQLException {
    held.clear();
    if (!config.publish() || !outbox.enabled() || !holdLock()) {
      return List.of();
    }
    cleanup();
    List<OutboxEvent> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, event_id, run_id, type, subject, data::text, created_at"
                    + " FROM change_event e WHERE status = 'pending' AND NOT EXISTS (SELECT 1"
                    + " FROM change_event d WHERE d.status = 'dead' AND d.subject = e.subject"
                    + " AND d.id < e.id) ORDER BY id LIMIT ?")) {
      ps.setInt(1, config.batchSize());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new OutboxEvent(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getLong(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getString(6),
                  rs.getTimestamp(7).toInstant()));
        }
      }
    }
    return out;
  }

  /** Whether {@code event} may go now: no earlier event of its subject died in this batch. */
  public synchronized boolean deliverable(OutboxEvent event) {
    return !held.contains(event.subject());
  }

  /** The event as a CloudEvents 1.0 JSON object (structured content mode). */
  public String cloudEvent(OutboxEvent event) throws IOException {
    ObjectNode e = JSON.createObjectNode();
    e.put("specversion", "1.0");
    e.put("id", event.eventId());
    e.put("source", config.source());
    e.put("type", event.type());
    e.put("subject", event.subject());
    e.put("time", event.time().toString());
    e.put("datacontenttype", "application/json");
    e.put("sequence", String.format("%020d", event.id()));
    e.set("data", JSON.readTree(event.data()));
    return JSON.writeValueAsString(e);
  }

  /** Records that every endpoint took {@code event}; an event already dead stays dead. */
  public void published(OutboxEvent event) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE change_event SET status = 'published', published_at = now(),"
                    + " attempts = attempts + 1 WHERE id = ? AND status = 'pending'")) {
      ps.setLong(1, event.id());
      ps.executeUpdate();
    }
  }

  /**
   * The dead-letter step: {@code event} failed every redelivery to some endpoint. It is kept as
   * dead with the endpoint and the error, and the later events of its subject wait for it.
   */
  public void dead(Exchange exchange) throws SQLException {
    OutboxEvent event = exchange.getProperty("event", OutboxEvent.class);
    Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
    String endpoint = exchange.getProperty(Exchange.FAILURE_ENDPOINT, String.class);
    String error =
        cause == null
            ? "unknown error"
            : URISupport.sanitizeUri(cause.getClass().getSimpleName() + ": " + cause.getMessage());
    String where = endpoint == null ? null : URISupport.sanitizeUri(endpoint);
    synchronized (this) {
      held.add(event.subject());
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE change_event SET status = 'dead', attempts = attempts + 1"
                  + " WHERE id = ? AND status = 'pending'")) {
        ps.setLong(1, event.id());
        ps.executeUpdate();
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO change_event_dead_letter (event_id, endpoint, error) VALUES (?, ?, ?)")) {
        ps.setLong(1, event.id());
        ps.setString(2, where);
        ps.setString(3, error);
        ps.executeUpdate();
      }
      c.commit();
    }
    LOG.warnf(
        "Change event %s (%s of %s) is dead after every redelivery to %s: %s; later events of %s"
            + " wait until it is retried (POST /api/events/dead/retry)",
        event.eventId(), event.type(), event.subject(), where, error, event.subject());
  }

  /** Dead events, newest first, with their last failure. */
  public List<Map<String, Object>> deadLetters(int limit, int offset) throws SQLException {
    List<Map<String, Object>> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT e.id, e.event_id, e.type, e.subject, e.run_id, e.attempts, l.endpoint,"
                    + " l.error, l.failed_at, e.data::text FROM change_event e"
                    + " JOIN LATERAL (SELECT * FROM change_event_dead_letter x"
                    + " WHERE x.event_id = e.id ORDER BY x.id DESC LIMIT 1) l ON true"
                    + " WHERE e.status = 'dead' ORDER BY e.id DESC LIMIT ? OFFSET ?")) {
      ps.setInt(1, limit);
      ps.setInt(2, offset);
      try (ResultSet rs = ps.executeQuery()) {
        for (Map<String, Object> m :
            Rows.maps(
                rs,
                "id",
                "eventId",
                "type",
                "subject",
                "runId",
                "attempts",
                "endpoint",
                "error",
                "failedAt",
                "data")) {
          try {
            m.put("data", JSON.readTree((String) m.get("data")));
          } catch (IOException e) {
            // not JSON: shown as stored
          }
          out.add(m);
        }
      }
    }
    return out;
  }

  /** Events by status, and how many pending ones wait behind a dead event of their subject. */
  public Map<String, Long> counts() throws SQLException {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String s : List.of("pending", "published", "dead")) {
      out.put(s, 0L);
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT status, count(*) FROM change_event GROUP BY status");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FROM change_event e WHERE status = 'pending' AND EXISTS (SELECT 1"
                    + " FROM change_event d WHERE d.status = 'dead' AND d.subject = e.subject"
                    + " AND d.id < e.id)");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      out.put("held", rs.getLong(1));
    }
    return out;
  }

  /** Puts dead events ({@code ids}, or every one when empty) back in the outbox; how many. */
  public int retry(List<Long> ids) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      int n;
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE change_event SET status = 'pending' WHERE status = 'dead'"
                  + " AND (cardinality(?::bigint[]) = 0 OR id = ANY(?::bigint[])) RETURNING id")) {
        java.sql.Array array = c.createArrayOf("bigint", ids.toArray());
        ps.setArray(1, array);
        ps.setArray(2, array);
        List<Long> retried = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            retried.add(rs.getLong(1));
          }
        }
        n = retried.size();
        try (PreparedStatement mark =
            c.prepareStatement(
                "UPDATE change_event_dead_letter SET retried_at = now()"
                    + " WHERE retried_at IS NULL AND event_id = ANY(?)")) {
          mark.setArray(1, c.createArrayOf("bigint", retried.toArray()));
          mark.executeUpdate();
        }
      }
      c.commit();
      return n;
    }
  }

  /** Takes (or keeps) the publisher lock; false while another process holds it. */
  private boolean holdLock() {
    if (lock != null && lock.held()) {
      return true;
    }
    closeQuietly();
    try {
      lock = AdvisoryLock.tryAcquire(dataSource, LOCK_ID).orElse(null);
      if (lock != null) {
        LOG.info("This process publishes the change events");
      }
      return lock != null;
    } catch (SQLException e) {
      LOG.warnf("Cannot take the change-event publisher lock: %s", e.getMessage());
      return false;
    }
  }

  /** Deletes published events older than the retention, at most once a minute. */
  private void cleanup() throws SQLException {
    long now = System.currentTimeMillis();
    if (now - lastCleanup < 60_000) {
      return;
    }
    lastCleanup = now;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "DELETE FROM change_event WHERE status = 'published'"
                    + " AND published_at < now() - ? * interval '1 second'")) {
      ps.setLong(1, config.retention().toSeconds());
      ps.executeUpdate();
    }
  }

  @PreDestroy
  synchronized void release() {
    closeQuietly();
  }

  private void closeQuietly() {
    if (lock != null) {
      try {
        lock.close();
      } catch (SQLException e) {
        LOG.debugf("releasing the publisher lock: %s", e.getMessage());
      }
      lock = null;
    }
  }
}
