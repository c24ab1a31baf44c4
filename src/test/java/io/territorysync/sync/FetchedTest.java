package io.territorysync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The newest SystemModstamp of a read, whatever form the org writes it in. */
class FetchedTest {

  static final DateTimeFormatter REST =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx").withZone(ZoneOffset.UTC);
  static final DateTimeFormatter BULK =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  static final DateTimeFormatter PARIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx").withZone(ZoneOffset.ofHours(1));
  static final DateTimeFormatter NO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssX").withZone(ZoneOffset.UTC);

  @Test
  void theNewestIsTheLatestInstantOverThousandsOfValuesInEveryFormMixed() {
    Random random = new Random(7);
    DateTimeFormatter[] forms = {REST, BULK, PARIS, NO_MILLIS};
    for (int read = 0; read < 50; read++) {
      ObjectSync.Fetched fetched = new ObjectSync.Fetched();
      Instant expected = null;
      // most reads use one form, as the org's do; some mix them
      boolean mixed = read % 5 == 0;
      DateTimeFormatter form = forms[read % forms.length];
      for (int i = 0; i < 2_000; i++) {
        Instant t =
            Instant.parse("2026-01-01T00:00:00Z")
                .plusMillis(Math.floorMod(random.nextLong(), 400L * 24 * 3600 * 1000));
        DateTimeFormatter f = mixed ? forms[random.nextInt(forms.length)] : form;
        if (f == NO_MILLIS) {
          t = t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        }
        fetched.saw(f.format(t));
        expected = expected == null || t.isAfter(expected) ? t : expected;
      }
      assertEquals(expected, fetched.maxModstamp(), "read " + read + (mixed ? " (mixed)" : ""));
    }
  }

  @Test
  void aLaterValueInAnotherOffsetWinsOverAGreaterLookingOne() {
    ObjectSync.Fetched fetched = new ObjectSync.Fetched();
    fetched.saw("2026-03-01T10:30:00.000+0000");
    // 10:00 in UTC-1 is 11:00 UTC: later, though the text is smaller
    fetched.saw("2026-03-01T10:00:00.000-0100");
    fetched.saw("2026-03-01T10:45:00.000+0100");
    fetched.saw("");
    fetched.saw(null);
    assertEquals(Instant.parse("2026-03-01T11:00:00Z"), fetched.maxModstamp());
  }

  @Test
  void aReadWithoutModstampsHasNone() {
    ObjectSync.Fetched fetched = new ObjectSync.Fetched();
    fetched.saw(null);
    assertNull(fetched.maxModstamp());
  }
}
