package io.territorysync.console;

import io.quarkus.qute.TemplateExtension;

/**
 * How the Rules and Realignment pages name sources, publication actions and balance statuses:
 * {@code {v.source.sourceLabel}}, {@code {p.action.actionLabel}}, {@code {s.balanceClass}}.
 */
@TemplateExtension
public final class RulesFormat {

  private RulesFormat() {}

  /** A rules source in a few words: a file by its name, the org's rules as "the org". */
  public static String sourceLabel(String source) {
    if (source == null || source.isBlank()) {
      return "–";
    }
    if (source.startsWith("org")) {
      return "the org's rules";
    }
    int slash = Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\'));
    return "file " + source.substring(slash + 1);
  }

  /** A publication log action as a heading: "Published by", "Rolled back by". */
  public static String actionLabel(String action) {
    return switch (action == null ? "" : action) {
      case "publish" -> "Published by";
      case "rollback" -> "Rolled back by";
      case "follow-source" -> "Source restored by";
      default -> action;
    };
  }

  /** The status class of a balance status: Within is ok, Over and Under a warning. */
  public static String balanceClass(String status) {
    return "Within".equals(status) ? "ok" : "warning";
  }

  /** A percentage (0..100) rounded down to the meter's 5 % steps: 0, 5, … 100. */
  public static int step5(Integer percent) {
    int p = percent == null ? 0 : Math.max(0, Math.min(100, percent));
    return p / 5 * 5;
  }
}
