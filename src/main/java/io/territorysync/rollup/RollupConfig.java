package io.territorysync.rollup;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Per-territory performance rollups and territory balance. */
@ConfigMapping(prefix = "territory.rollups")
public interface RollupConfig {

  /** Whether runs compute rollups at all. */
  @WithDefault("true")
  boolean enabled();

  /** The month (1–12) the fiscal year starts in; the year is named after its start. */
  @WithDefault("1")
  int fiscalYearStartMonth();

  /** The Account number field whose sum is a territory's potential. */
  @WithDefault("AnnualRevenue")
  String potentialField();

  /** Balance tolerance: a territory outside mean × (1 ± tolerance) of its siblings is flagged. */
  @WithDefault("0.15")
  double balanceTolerance();

  /** A CSV of quotas: {@code territory,period,quota} (DeveloperName, FY2026 or FY2026-Q4). */
  Optional<String> quotasFile();

  /** Whether rollups are written to Territory_Performance__c in the org. */
  @WithDefault("true")
  boolean writeBack();

  /** The custom object the rollups are written to. */
  @WithDefault("Territory_Performance__c")
  String object();
}
