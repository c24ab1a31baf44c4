package io.territorysync.emulator;

import java.time.Duration;

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
    return new EmulatorSettings(
        clientId,
        clientSecret,
        username,
        password,
        refreshToken,
        jwtCertificatePem,
        tokenLifetime,
        dailyApiRequests,
        dailyBulkBatches,
        dailyBulkQueryJobs,
        queryCursorTimeout,
        bulkResultsHeaderOnEveryPage,
        duplicateAssociationFails);
  }

  public EmulatorSettings withUser(String username, String password) {
    return new EmulatorSettings(
        clientId,
        clientSecret,
        username,
        password,
        refreshToken,
        jwtCertificatePem,
        tokenLifetime,
        dailyApiRequests,
        dailyBulkBatches,
        dailyBulkQueryJobs,
        queryCursorTimeout,
        bulkResultsHeaderOnEveryPage,
        duplicateAssociationFails);
  }

  public EmulatorSettings withJwtCertificate(String pem) {
    return new EmulatorSettings(
        clientId,
        clientSecret,
        username,
        password,
        refreshToken,
        pem,
        tokenLifetime,
        dailyApiRequests,
        dailyBulkBatches,
        dailyBulkQueryJobs,
        queryCursorTimeout,
        bulkResultsHeaderOnEveryPage,
        duplicateAssociationFails);
  }

  public EmulatorSettings withTokenLifetime(Duration lifetime) {
    return new EmulatorSettings(
        clientId,
        clientSecret,
        username,
        password,
        refreshToken,
        jwtCertificatePem,
        lifetime,
        dailyApiRequests,
        dailyBulkBatches,
        dailyBulkQueryJobs,
        queryCursorTimeout,
        bulkResultsHeaderOnEveryPage,
        duplicateAssociationFails);
  }

  public EmulatorSettings withDailyApiRequests(long max) {
    return new EmulatorSettings(
        clientId,
        clientSecret,
        username,
        password,
        refreshToken,
        jwtCertificatePem,
        tokenLifetime,
        max,
        dailyBulkBatches,
        dailyBulkQueryJobs,
        queryCursorTimeout,
        bulkResultsHeaderOnEveryPage,
        duplicateAssociationFails);
  }

  public EmulatorSettings withRefreshToken(String token) {
    return new EmulatorSettings(
        clientId,
        clientSecret,
        username,
        password,
        token,
        jwtCertificatePem,
        tokenLifetime,
        dailyApiRequests,
        dailyBulkBatches,
        dailyBulkQueryJobs,
        queryCursorTimeout,
        bulkResultsHeaderOnEveryPage,
        duplicateAssociationFails);
  }

  public EmulatorSettings withBulkHeaderOnEveryPage(boolean every) {
    return new EmulatorSettings(
        clientId,
        clientSecret,
        username,
        password,
        refreshToken,
        jwtCertificatePem,
        tokenLifetime,
        dailyApiRequests,
        dailyBulkBatches,
        dailyBulkQueryJobs,
        queryCursorTimeout,
        every,
        duplicateAssociationFails);
  }

  public EmulatorSettings withDuplicateAssociationFails(boolean fails) {
    return new EmulatorSettings(
        clientId,
        clientSecret,
        username,
        password,
        refreshToken,
        jwtCertificatePem,
        tokenLifetime,
        dailyApiRequests,
        dailyBulkBatches,
        dailyBulkQueryJobs,
        queryCursorTimeout,
        bulkResultsHeaderOnEveryPage,
        fails);
  }
}
