package io.territorysync.console;

import io.agroal.api.AgroalDataSource;
import io.territorysync.api.ApiKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Console sessions, kept in PostgreSQL so that every replica knows them and sign-out ends them at
 * once. Only the SHA-256 of the cookie value is stored: a database dump opens no session.
 */
@ApplicationScoped
public class ConsoleSessions {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** last_seen_at is written at most this often per session, not on every request. */
  private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

  @Inject AgroalDataSource dataSource;
  @Inject ConsoleConfig config;

  /** A new session: the cookie value to hand to the browser, and its user. */
  public record Opened(String token, ConsoleUser user) {}

  /** Opens a session for a user who just proved who they are. */
  public Opened open(String name, ApiKeys.Role role, String method, String salesforceUserId)
      throws SQLException {
    String token = random(32);
    String csrf = random(32);
    Instant now = Instant.now();
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement purge =
          c.prepareStatement(
              "DELETE FROM console_session WHERE expires_at < now() OR last_seen_at < ?")) {
        purge.setTimestamp(1, Timestamp.from(now.minus(config.session().idleTimeout())));
        purge.executeUpdate();
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO console_session (token_hash, user_name, salesforce_user_id, role,"
                  + " method, csrf_token, created_at, last_seen_at, expires_at)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, hash(token));
        ps.setString(2, name);
        ps.setString(3, salesforceUserId);
        ps.setString(4, role.label());
        ps.setString(5, method);
        ps.setString(6, csrf);
        ps.setTimestamp(7, Timestamp.from(now));
        ps.setTimestamp(8, Timestamp.from(now));
        ps.setTimestamp(9, Timestamp.from(now.plus(config.session().timeout())));
        ps.executeUpdate();
      }
    }
    return new Opened(token, new ConsoleUser(name, role, method, salesforceUserId, csrf));
  }

  /** The user of a live session, or empty when the token is unknown, expired or idle too long. */
  public Optional<ConsoleUser> find(String token) throws SQLException {
    if (token == null || token.isBlank() || token.length() > 200) {
      return Optional.empty();
    }
    Instant now = Instant.now();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT user_name, role, method, salesforce_user_id, csrf_token, last_seen_at"
                    + " FROM console_session WHERE token_hash = ? AND expires_at > ?"
                    + " AND last_seen_at > ?")) {
      String hash = hash(token);
      ps.setString(1, hash);
      ps.setTimestamp(2, Timestamp.from(now));
      ps.setTimestamp(3, Timestamp.from(now.minus(config.session().idleTimeout())));
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        ConsoleUser user =
            new ConsoleUser(
                rs.getString(1),
                ApiKeys.Role.valueOf(rs.getString(2).toUpperCase(java.util.Locale.ROOT)),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5));
        if (rs.getTimestamp(6).toInstant().isBefore(now.minus(TOUCH_EVERY))) {
          try (PreparedStatement touch =
              c.prepareStatement(
                  "UPDATE console_session SET last_seen_at = ? WHERE token_hash = ?")) {
            touch.setTimestamp(1, Timestamp.from(now));
            touch.setString(2, hash);
            touch.executeUpdate();
          }
        }
        return Optional.of(user);
      }
    }
  }

  /** Ends a session (sign-out). */
  public void close(String token) throws SQLException {
    if (token == null) {
      return;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("DELETE FROM console_session WHERE token_hash = ?")) {
      ps.setString(1, hash(token));
      ps.executeUpdate();
    }
  }

  /** A random URL-safe token of {@code bytes} random bytes. */
  static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String hash(String token) {
    return HexFormat.of().formatHex(ApiKeys.digest(token));
  }
}
