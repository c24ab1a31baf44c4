package io.territorysync.mirror;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

/**
 * Optional fields the last sync could not read (field-level security hides them from the
 * integration user, or the org lacks them) and so left out of the mirror, for the health details.
 */
@ApplicationScoped
public class SkippedFields {

  /** What one sync skipped, and when. */
  public record Latest(Instant at, List<String> fields) {}

  private volatile Latest latest;

  /** Records what a sync skipped ({@code Object.Field}; empty: nothing). */
  public void record(List<String> fields) {
    latest = new Latest(Instant.now(), List.copyOf(fields));
  }

  /** What the last sync of this process skipped, or null before the first. */
  public Latest latest() {
    return latest;
  }
}
