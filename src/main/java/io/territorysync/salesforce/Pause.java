package io.territorysync.salesforce;

import java.time.Duration;

/** Waiting between retry rounds; an interrupt stops the run instead of being swallowed. */
public final class Pause {

  private Pause() {}

  public static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to retry", e);
    }
  }
}
