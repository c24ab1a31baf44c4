package io.territorysync.emulator;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The emulator's answer: status, content type, headers and body. */
public final class HttpReply {

  private final int status;
  private final String contentType;
  private final byte[] body;
  private final Map<String, String> headers = new LinkedHashMap<>();

  public HttpReply(int status, String contentType, byte[] body) {
    this.status = status;
    this.contentType = contentType;
    this.body = body == null ? new byte[0] : body;
  }

  public static HttpReply json(int status, byte[] body) {
    return new HttpReply(status, "application/json;charset=UTF-8", body);
  }

  public static HttpReply text(int status, String contentType, String body) {
    return new HttpReply(status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  public static HttpReply empty(int status) {
    return new HttpReply(status, null, new byte[0]);
  }

  /**
   * No answer at all: the server closes the connection, as when a response is lost or times out
   * (whatever the request changed stays changed).
   */
  public static HttpReply lost() {
    HttpReply r = new HttpReply(0, null, new byte[0]);
    r.lost = true;
    return r;
  }

  private boolean lost;

  /** Whether the answer is lost: the connection closes without one. */
  public boolean isLost() {
    return lost;
  }

  public HttpReply header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  public int status() {
    return status;
  }

  public String contentType() {
    return contentType;
  }

  public byte[] body() {
    return body;
  }

  public Map<String, String> headers() {
    return headers;
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
