package io.territorysync.console;

import io.quarkus.qute.TemplateExtension;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * How the console writes numbers, durations and times, for every template: {@code {n.fmt}} gives
 * 1,234,567; {@code {share.percent}} 12.5 %; {@code {ms.duration}} 3 min 12 s; {@code {t.time}}
 * 2026-12-02 14:03 UTC; {@code {t.ago}} 5 min ago; {@code {id.territoryColour}} a palette colour.
 */
@TemplateExtension
public final class ConsoleFormat {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private ConsoleFormat() {}

  /** A number with thousands separators (and at most one decimal for fractions). */
  public static String fmt(Number n) {
    if (n == null) {
      return "–";
    }
    DecimalFormat f = new DecimalFormat("#,##0.#", DecimalFormatSymbols.getInstance(Locale.US));
    return f.format(n);
  }

  /** A share (0..1) as a percentage with one decimal. */
  public static String percent(Number share) {
    if (share == null) {
      return "–";
    }
    DecimalFormat f = new DecimalFormat("#,##0.0", DecimalFormatSymbols.getInstance(Locale.US));
    return f.format(share.doubleValue() * 100) + " %";
  }

  /** Milliseconds as a short duration: 850 ms, 12.3 s, 3 min 12 s, 2 h 5 min (negative: –). */
  public static String duration(Number millis) {
    if (millis == null || millis.longValue() < 0) {
      return "–";
    }
    long ms = millis.longValue();
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
    Duration d = Duration.ofMillis(ms);
    if (d.toHours() == 0) {
      return d.toMinutes() + " min " + d.toSecondsPart() + " s";
    }
    return d.toHours() + " h " + d.toMinutesPart() + " min";
  }

  /** A moment in UTC, to the second. */
  public static String time(Instant t) {
    return t == null ? "–" : TIME.format(t);
  }

  /** How long ago (or from now) a moment is, roughly. */
  public static String ago(Instant t) {
    if (t == null) {
      return "never";
    }
    long s = Duration.between(t, Instant.now()).getSeconds();
    boolean future = s < 0;
    s = Math.abs(s);
    String span =
        s < 60
            ? s + " s"
            : s < 3600
                ? (s / 60) + " min"
                : s < 172_800 ? (s / 3600) + " h" : (s / 86_400) + " days";
    return future ? "in " + span : span + " ago";
  }

  /** The palette index of a territory (by id), for the {@code .territory-N} classes. */
  public static String territoryIndex(String territoryId) {
    int i = Palette.indexOf(territoryId);
    return i < 0 ? "none" : Integer.toString(i);
  }

  /** The palette colour of a territory (by id), the same on every page. */
  public static String territoryColour(String territoryId) {
    return Palette.colourOf(territoryId);
  }
}
