package io.territorysync.console;

import java.util.List;

/**
 * A part of the readiness checklist of the Overview page: what must hold for Territory Sync to
 * work, each item with what was found and, when it fails, how to fix it. Every bean implementing
 * this is shown, in {@link #order()}: the preflight checks of the {@code doctor} command ({@link
 * PreflightChecklist}) and the service's readiness checks ({@link HealthChecklist}).
 */
public interface Checklist {

  /** How an item stands. */
  enum Status {
    OK,
    WARNING,
    FAILING;

    /** Lower case, as shown and used in CSS classes. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** One item: a name, its status, what was found, and the fix (null when nothing to fix). */
  record Item(String name, Status status, String found, String fix) {}

  /** The items, in the order to show them. */
  List<Item> items();

  /** Where this part goes: lower first. */
  default int order() {
    return 100;
  }
}
