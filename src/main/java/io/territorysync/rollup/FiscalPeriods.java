package io.territorysync.rollup;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The current fiscal year and quarter. A fiscal year starting in month M of year Y is named {@code
 * FY<Y>} (Salesforce's default, "based on the starting month"); its quarters are {@code FY<Y>-Q1}
 * to {@code -Q4}, three months each from M.
 */
public final class FiscalPeriods {

  /** A named date range, both ends included. */
  public record Period(String label, LocalDate start, LocalDate end) {}

  private FiscalPeriods() {}

  /** The fiscal year and the fiscal quarter that contain {@code today}. */
  public static List<Period> current(LocalDate today, int startMonth) {
    if (startMonth < 1 || startMonth > 12) {
      throw new IllegalArgumentException(
          "territory.rollups.fiscal-year-start-month must be 1..12, not " + startMonth);
    }
    int year = today.getMonthValue() >= startMonth ? today.getYear() : today.getYear() - 1;
    LocalDate yearStart = LocalDate.of(year, startMonth, 1);
    LocalDate yearEnd = yearStart.plusYears(1).minusDays(1);
    int monthsIn = (int) ChronoUnit.MONTHS.between(yearStart, today.withDayOfMonth(1));
    int quarter = monthsIn / 3 + 1;
    LocalDate quarterStart = yearStart.plusMonths((quarter - 1) * 3L);
    LocalDate quarterEnd = quarterStart.plusMonths(3).minusDays(1);
    return List.of(
        new Period("FY" + year, yearStart, yearEnd),
        new Period("FY" + year + "-Q" + quarter, quarterStart, quarterEnd));
  }
}
