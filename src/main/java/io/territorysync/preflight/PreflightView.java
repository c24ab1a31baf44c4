package io.territorysync.preflight;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** How a preflight report is shown: JSON for scripts and the API, text for the terminal. */
public final class PreflightView {

  private PreflightView() {}

  /**
   * {@code {"status","exitCode","apiCalls","checkedAt","checks":[{"id","name","status","found",
   * "fix"}]}}.
   */
  public static Map<String, Object> of(PreflightReport report) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", report.status().label());
    m.put("exitCode", report.exitCode());
    m.put("apiCalls", report.apiCalls());
    m.put("checkedAt", report.checkedAt().toString());
    m.put("checks", report.checks());
    return m;
  }

  /** One line per check, and its fix under it when it is not ok. */
  public static String text(PreflightReport report) {
    StringBuilder sb = new StringBuilder();
    sb.append("Territory Sync preflight: ")
        .append(report.count(Check.Status.FAILING))
        .append(" failing, ")
        .append(report.count(Check.Status.WARNING))
        .append(" warning(s), ")
        .append(report.count(Check.Status.OK))
        .append(" ok (")
        .append(report.apiCalls())
        .append(" API call(s))\n");
    for (Check c : report.checks()) {
      String status =
          c.status() == Check.Status.OK ? "ok" : c.status().label().toUpperCase(Locale.ROOT);
      sb.append(String.format(Locale.ROOT, "  %-8s %-45s %s%n", status, c.name(), c.found()));
      if (!c.fix().isEmpty()) {
        sb.append(String.format(Locale.ROOT, "  %-8s %-45s fix: %s%n", "", "", c.fix()));
      }
    }
    return sb.toString();
  }
}
