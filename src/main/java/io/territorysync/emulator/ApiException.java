package io.territorysync.emulator;

import java.util.List;

/** A request that fails as a whole: an HTTP status and Salesforce's JSON error array. */
public class ApiException extends RuntimeException {

  private final int status;
  private final String errorCode;
  private final List<String> fields;

  public ApiException(int status, String errorCode, String message, String... fields) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.fields = List.of(fields);
  }

  public int status() {
    return status;
  }

  public String errorCode() {
    return errorCode;
  }

  public List<String> fields() {
    return fields;
  }

  public static ApiException malformedQuery(String message) {
    return new ApiException(400, "MALFORMED_QUERY", message);
  }

  public static ApiException invalidField(String message) {
    return new ApiException(400, "INVALID_FIELD", message);
  }

  public static ApiException invalidType(String object) {
    return new ApiException(
        400,
        "INVALID_TYPE",
        "sObject type '"
            + object
            + "' is not supported. If you are attempting to use a custom"
            + " object, be sure to append the '__c' after the entity name. Please reference your"
            + " WSDL or the describe call for the appropriate names.");
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, "NOT_FOUND", message);
  }

  public static ApiException badRequest(String errorCode, String message) {
    return new ApiException(400, errorCode, message);
  }
}
