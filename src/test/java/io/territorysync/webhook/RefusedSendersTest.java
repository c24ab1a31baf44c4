package io.territorysync.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a refused sender is logged: its first refusal, then at most once a minute with a count. */
class RefusedSendersTest {

  private long now;
  private final RefusedSenders senders = new RefusedSenders(() -> now);

  private List<Long> refuse(String sender, int times) {
    List<Long> lines = new ArrayList<>();
    for (int i = 0; i < times; i++) {
      long due = senders.refused(sender);
      if (due >= 0) {
        lines.add(due);
      }
    }
    return lines;
  }

  @Test
  void aSenderIsLoggedFirstThenOnceAMinuteWithTheRefusalsSince() {
    long second = 1_000_000_000L;
    assertEquals(List.of(0L), refuse("203.0.113.7", 50), "one line for the first minute's 50");
    now += 59 * second;
    assertEquals(List.of(), refuse("203.0.113.7", 10), "still within the minute");
    now += second;
    // the 49 after the first line, the 10 within the minute and this one
    assertEquals(List.of(60L), refuse("203.0.113.7", 1));
    assertEquals(List.of(), refuse("203.0.113.7", 29));
    now += 60 * second;
    assertEquals(List.of(30L), refuse("203.0.113.7", 1), "counted since the last line only");
    // another sender has its own first line
    assertEquals(List.of(0L), refuse("198.51.100.1", 5));
  }
}
