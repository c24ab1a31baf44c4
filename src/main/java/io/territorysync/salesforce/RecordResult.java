package io.territorysync.salesforce;

/**
 * What became of one record of a {@link CollectionWrite}: {@code DONE} (with the record id); {@code
 * REJECTED}, Salesforce refused this record (its error code says why: a duplicate, a deleted
 * record, a bad value); {@code RETRY}, a transient failure (row lock, 5xx) another attempt may not
 * get; {@code FAILED}, the call failed for good before Salesforce judged the record.
 */
public record RecordResult(Status status, String id, String errorCode, String message) {

  /** The kinds of result. */
  public enum Status {
    DONE,
    REJECTED,
    RETRY,
    FAILED
  }

  static RecordResult done(String id) {
    return new RecordResult(Status.DONE, id, null, null);
  }

  /** A failure of this record or of its whole request; transient codes and 5xx become RETRY. */
  static RecordResult error(String code, String message, boolean transientFailure) {
    return new RecordResult(
        transientFailure || SalesforceCallException.isTransientCode(code)
            ? Status.RETRY
            : Status.REJECTED,
        null,
        code,
        message);
  }

  /** {@code CODE: message}, or null when the record was written. */
  public String error() {
    if (status == Status.DONE) {
      return null;
    }
    return errorCode == null ? message : errorCode + ": " + message;
  }
}
