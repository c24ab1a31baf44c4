package io.territorysync.emulator;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * How an emulated org behaves: credentials it accepts, limits it enforces, quirks it shows.
 *
 * @param clientId Connected App consumer key
 * @param clientSecret Connected App consumer secret
 * @param username integration user's username (password and JWT bearer flows)
 * @param password integration user's password (password flow)
 * @param refreshToken refresh token accepted by the refresh_token flow
 * @param jwtCertificatePem X.509 certificate (PEM) that verifies JWT bearer assertions; null
 *     refuses the flow
 * @param tokenLifetime how long an access token stays valid after it is issued
 * @param dailyApiRequests daily API request allocation ({@code DailyApiRequests.Max})
 * @param dailyBulkBatches daily Bulk API batch allocation
 * @param dailyBulkQueryJobs daily Bulk API 2.0 query job allocation
 * @param queryCursorTimeout inactivity after which a query cursor expires
 * @param bulkResultsHeaderOnEveryPage whether every Bulk 2.0 query results page starts with the
 *     header row (unverified: a client must cope either way)
 * @param duplicateAssociationFails whether a duplicate account-territory association fails with
 *     DUPLICATE_VALUE (unverified: the alternative returns the existing id)
 */
public record EmulatorSettings(
    String clientId,
    String clientSecret,
    String username,
    String password,
    String refreshToken,
    String jwtCertificatePem,
    Duration tokenLifetime,
    long dailyApiRequests,
    long dailyBulkBatches,
    long dailyBulkQueryJobs,
    Duration queryCursorTimeout,
    boolean bulkResultsHeaderOnEveryPage,
    boolean duplicateAssociationFails) {

  /** Demo credentials and Enterprise-edition-like limits. */
  public static EmulatorSettings defaults() {
    return new EmulatorSettings(
        "territory-sync-demo",
        "demo-secret",
        "integration@demo.territorysync.example",
        "demo-password",
        "demo-refresh-token",
        null,
        Duration.ofHours(2),
        100_000,
        15_000,
        10_000,
        Duration.ofMinutes(15),
        true,
        true);
  }

  public EmulatorSettings withCredentials(String clientId, String clientSecret) {
    return with(
        b -> {
          b.clientId = clientId;
          b.clientSecret = clientSecret;
        });
  }

  public EmulatorSettings withUser(String username, String password) {
    return with(
        b -> {
          b.username = username;
          b.password = password;
        });
  }

  public EmulatorSettings withJwtCertificate(String pem) {
    return with(b -> b.jwtCertificatePem = pem);
  }

  public EmulatorSettings withTokenLifetime(Duration lifetime) {
    return with(b -> b.tokenLifetime = lifetime);
  }

  public EmulatorSettings withDailyApiRequests(long max) {
    return with(b -> b.dailyApiRequests = max);
  }

  public EmulatorSettings withRefreshToken(String token) {
    return with(b -> b.refreshToken = token);
  }

  public EmulatorSettings withBulkHeaderOnEveryPage(boolean every) {
    return with(b -> b.bulkResultsHeaderOnEveryPage = every);
  }

  public EmulatorSettings withDuplicateAssociationFails(boolean fails) {
    return with(b -> b.duplicateAssociationFails = fails);
  }

  /** A copy of these settings with what {@code change} sets. */
  private EmulatorSettings with(Consumer<Copy> change) {
    Copy b = new Copy(this);
    change.accept(b);
    return new EmulatorSettings(
        b.clientId,
        b.clientSecret,
        b.username,
        b.password,
        b.refreshToken,
        b.jwtCertificatePem,
        b.tokenLifetime,
        b.dailyApiRequests,
        b.dailyBulkBatches,
        b.dailyBulkQueryJobs,
        b.queryCursorTimeout,
        b.bulkResultsHeaderOnEveryPage,
        b.duplicateAssociationFails);
  }

  /** The settings' values, to change some before building a copy. */
  private static final class Copy {
    String clientId;
    String clientSecret;
    String username;
    String password;
    String refreshToken;
    String jwtCertificatePem;
    Duration tokenLifetime;
    long dailyApiRequests;
    long dailyBulkBatches;
    long dailyBulkQueryJobs;
    Duration queryCursorTimeout;
    boolean bulkResultsHeaderOnEveryPage;
    boolean duplicateAssociationFails;

    Copy(EmulatorSettings s) {
      clientId = s.clientId;
      clientSecret = s.clientSecret;
      username = s.username;
      password = s.password;
      refreshToken = s.refreshToken;
      jwtCertificatePem = s.jwtCertificatePem;
      tokenLifetime = s.tokenLifetime;
      dailyApiRequests = s.dailyApiRequests;
      dailyBulkBatches = s.dailyBulkBatches;
      dailyBulkQueryJobs = s.dailyBulkQueryJobs;
      queryCursorTimeout = s.queryCursorTimeout;
      bulkResultsHeaderOnEveryPage = s.bulkResultsHeaderOnEveryPage;
      duplicateAssociationFails = s.duplicateAssociationFails;
    }
  }
}
