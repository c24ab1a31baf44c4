package io.territorysync.console;

import io.quarkus.qute.TemplateExtension;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;

/**
 * Short amounts for dense tables: {@code {n.compact}} gives 12,345 below 100,000, then 123.4 k,
 * 12.3 M, 1,143.9 B (thousands separators kept); the exact figure goes in a title beside it.
 */
@TemplateExtension
public final class TerritoryFormat {

  private TerritoryFormat() {}

  /** A number shortened with k, M or B. */
  public static String compact(Number n) {
    if (n == null) {
      return "–";
    }
    double v = n.doubleValue();
    double a = Math.abs(v);
    DecimalFormat f = new DecimalFormat("#,##0.#", DecimalFormatSymbols.getInstance(Locale.US));
    if (a < 100_000) {
      return f.format(n);
    }
    if (a < 1e6) {
      return f.format(v / 1e3) + " k";
    }
    if (a < 1e9) {
      return f.format(v / 1e6) + " M";
    }
    return f.format(v / 1e9) + " B";
  }
}
