package io.territorysync.webhook;

/** A webhook refused before anything was stored: HTTP status and the reason given back. */
public class WebhookRejectedException extends RuntimeException {

  private final int status;

  public WebhookRejectedException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
