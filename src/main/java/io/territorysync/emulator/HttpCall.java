package io.territorysync.emulator;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP request to the emulator, independent of the server that received it.
 *
 * @param method upper-case method
 * @param path path without query string
 * @param query decoded query parameters (first value of each)
 * @param headers request headers, lower-case names
 * @param body raw body
 * @param baseUrl scheme, host and port the client used ({@code http://localhost:8089})
 */
public record HttpCall(
    String method,
    String path,
    Map<String, String> query,
    Map<String, String> headers,
    byte[] body,
    String baseUrl) {

  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  public String bodyText() {
    return body == null ? "" : new String(body, StandardCharsets.UTF_8);
  }
}
