package io.territorysync.salesforce;

/** The org refused a call with REQUEST_LIMIT_EXCEEDED: its daily API allocation is spent. */
public class RequestLimitExceededException extends SalesforceCallException {

  public RequestLimitExceededException(String message, Throwable cause) {
    super(message, 403, "REQUEST_LIMIT_EXCEEDED", cause);
  }
}
