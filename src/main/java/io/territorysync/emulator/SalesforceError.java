package io.territorysync.emulator;

import java.util.List;

/** One error in Salesforce's shape: status code, message and the fields concerned. */
public record SalesforceError(String statusCode, String message, List<String> fields) {

  public static SalesforceError of(String statusCode, String message, String... fields) {
    return new SalesforceError(statusCode, message, List.of(fields));
  }
}
