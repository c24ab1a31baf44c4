package io.territorysync.salesforce;

/**
 * A Salesforce call that failed for good (after any retries): HTTP status and Salesforce error
 * code.
 */
public class SalesforceCallException extends RuntimeException {

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
}
