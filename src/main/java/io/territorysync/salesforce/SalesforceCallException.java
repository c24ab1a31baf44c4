package io.territorysync.salesforce;

import java.util.Set;

/**
 * A Salesforce call that failed for good (after any retries): HTTP status and Salesforce error
 * code.
 */
public class SalesforceCallException extends RuntimeException {

  /** Per-record error codes that another attempt later may not get. */
  private static final Set<String> TRANSIENT_CODES =
      Set.of("UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "REQUEST_RUNNING_TOO_LONG");

  private final int status;
  private final String errorCode;

  public SalesforceCallException(String message, int status, String errorCode, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.errorCode = errorCode;
  }

  public int status() {
    return status;
  }

  public String errorCode() {
    return errorCode;
  }

  /** Whether a per-record error code is transient (a later attempt may succeed). */
  public static boolean isTransientCode(String code) {
    return code != null && TRANSIENT_CODES.contains(code);
  }

  /**
   * Whether the whole call failed transiently: a 5xx, no response at all (a broken connection), or
   * a transient code. An answer that could not be read, a failed Bulk job or a refused login is
   * not: the same request would fail the same way.
   */
  public boolean isTransient() {
    return status >= 500 || (status == 0 && errorCode == null) || isTransientCode(errorCode);
  }
}
