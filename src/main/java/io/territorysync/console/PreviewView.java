package io.territorysync.console;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rules preview ({@link io.territorysync.rules.RulesPreview}) as the console shows it: the
 * counts, the territories that gain or lose accounts first, a before/after chart of them, and a
 * sample of the accounts that move.
 */
public record PreviewView(
    boolean valid,
    List<RulesPage.Problem> problems,
    long accountsEvaluated,
    Long basedOnRun,
    long added,
    long removed,
    long changed,
    long leavingAll,
    List<TerritoryRow> territories,
    int moreTerritories,
    int unchangedTerritories,
    Double spreadBefore,
    Double spreadAfter,
    List<SampleRow> sample,
    String chart,
    long millis) {

  /** The potential spread before and after: "0.41 → 0.38". */
  public String spread() {
    return two(spreadBefore) + " → " + two(spreadAfter);
  }

  private static String two(Double d) {
    return d == null ? "–" : String.format(java.util.Locale.ROOT, "%.2f", d);
  }

  /** Territories listed (those with movement first); the rest are counted. */
  static final int ROWS = 50;

  /** Territories drawn in the chart. */
  static final int CHARTED = 24;

  /** One territory before and after. */
  public record TerritoryRow(
      String territory,
      String id,
      long accountsBefore,
      long accountsAfter,
      long in,
      long out,
      BigDecimal potentialBefore,
      BigDecimal potentialAfter) {

    public boolean moves() {
      return in != 0 || out != 0;
    }

    /** Accounts after minus before, signed: +12, −3, 0. */
    public String delta() {
      long d = accountsAfter - accountsBefore;
      return d > 0 ? "+" + ConsoleFormat.fmt(d) : d < 0 ? "−" + ConsoleFormat.fmt(-d) : "0";
    }
  }

  /** An account whose territories change. */
  public record SampleRow(String accountId, String name, List<Object> before, List<Object> after) {}

  static PreviewView invalid(List<RulesPage.Problem> problems) {
    return new PreviewView(
        false, problems, 0, null, 0, 0, 0, 0, List.of(), 0, 0, null, null, List.of(), null, 0);
  }

  /** Reads the map {@code RulesPreview.preview} returns. */
  static PreviewView of(Map<String, Object> p, long millis) {
    Map<String, Object> diff = RunsPage.map(p.get("diff"));
    Map<String, Object> balance = RunsPage.map(p.get("balance"));
    List<TerritoryRow> all = new ArrayList<>();
    for (Object o : ViewData.list(balance.get("territories"))) {
      Map<String, Object> t = RunsPage.map(o);
      all.add(
          new TerritoryRow(
              (String) t.get("territory"),
              (String) t.get("id"),
              RunsPage.num(t.get("accountsBefore")),
              RunsPage.num(t.get("accountsAfter")),
              RunsPage.num(t.get("accountsIn")),
              RunsPage.num(t.get("accountsOut")),
              decimal(t.get("potentialBefore")),
              decimal(t.get("potentialAfter"))));
    }
    List<TerritoryRow> moving =
        all.stream()
            .filter(TerritoryRow::moves)
            .sorted(
                Comparator.comparingLong((TerritoryRow t) -> -(t.in() + t.out()))
                    .thenComparing(TerritoryRow::territory))
            .toList();
    List<TerritoryRow> shown = new ArrayList<>(moving.subList(0, Math.min(ROWS, moving.size())));
    if (moving.isEmpty()) {
      shown.addAll(all.subList(0, Math.min(ROWS, all.size())));
    }
    List<SampleRow> sample = new ArrayList<>();
    for (Object o : ViewData.list(diff.get("sample"))) {
      Map<String, Object> s = RunsPage.map(o);
      sample.add(
          new SampleRow(
              (String) s.get("accountId"),
              (String) s.get("name"),
              ViewData.list(s.get("before")),
              ViewData.list(s.get("after"))));
    }
    return new PreviewView(
        true,
        List.of(),
        RunsPage.num(p.get("accountsEvaluated")),
        p.get("basedOnRun") instanceof Number n && n.longValue() > 0 ? n.longValue() : null,
        RunsPage.num(diff.get("associationsAdded")),
        RunsPage.num(diff.get("associationsRemoved")),
        RunsPage.num(diff.get("accountsChanged")),
        RunsPage.num(diff.get("accountsLeavingAllTerritories")),
        shown,
        moving.isEmpty() ? Math.max(0, all.size() - shown.size()) : moving.size() - shown.size(),
        all.size() - moving.size(),
        balance.get("potentialSpreadBefore") instanceof Number n ? n.doubleValue() : null,
        balance.get("potentialSpreadAfter") instanceof Number n ? n.doubleValue() : null,
        sample.subList(0, Math.min(20, sample.size())),
        chart(moving.subList(0, Math.min(CHARTED, moving.size()))),
        millis);
  }

  /** Grouped bars: accounts per territory before and after (territories that change only). */
  private static String chart(List<TerritoryRow> rows) {
    if (rows.isEmpty()) {
      return null;
    }
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("type", "bar");
    config.put(
        "data",
        Map.of(
            "labels",
            rows.stream().map(TerritoryRow::territory).toList(),
            "datasets",
            List.of(
                Map.of(
                    "label",
                    "accounts before",
                    "data",
                    rows.stream().map(TerritoryRow::accountsBefore).toList(),
                    "backgroundColor",
                    "#B9C0CF",
                    "maxBarThickness",
                    56),
                Map.of(
                    "label",
                    "accounts after",
                    "data",
                    rows.stream().map(TerritoryRow::accountsAfter).toList(),
                    "backgroundColor",
                    "#2456C7",
                    "maxBarThickness",
                    56))));
    config.put(
        "options",
        Map.of(
            "plugins",
            Map.of("legend", Map.of("position", "bottom")),
            "scales",
            Map.of(
                "y",
                Map.of("beginAtZero", true, "title", Map.of("display", true, "text", "accounts")),
                "x",
                Map.of("ticks", Map.of("autoSkip", false, "maxRotation", 60)))));
    return ViewData.json(config);
  }

  private static BigDecimal decimal(Object o) {
    return o instanceof BigDecimal b
        ? b
        : o instanceof Number n ? BigDecimal.valueOf(n.doubleValue()) : BigDecimal.ZERO;
  }
}
