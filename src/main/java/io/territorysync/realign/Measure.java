package io.territorysync.realign;

import java.util.Locale;
import java.util.Optional;

/** What a territory's balance is measured in. */
public enum Measure {
  /** Number of associated accounts. */
  ACCOUNTS,
  /** Sum of the potential field (territory.rollups.potential-field) of the accounts. */
  POTENTIAL,
  /** Open pipeline of the accounts' opportunities closing in the current fiscal year. */
  PIPELINE,
  /** Weighted mix of the three, each relative to its group mean (territory.realign.workload.*). */
  WORKLOAD;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Measure> parse(String s) {
    for (Measure m : values()) {
      if (m.label().equalsIgnoreCase(s == null ? "" : s.trim())) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }
}
