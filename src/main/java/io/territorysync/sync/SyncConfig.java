package io.territorysync.sync;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** How the sync stage reads the org. */
@ConfigMapping(prefix = "territory.sync")
public interface SyncConfig {

  /** Above this many changed records an object is read with Bulk API 2.0 instead of REST paging. */
  @WithDefault("10000")
  int bulkThreshold();

  /** Records per REST query page (Sforce-Query-Options batchSize, 200 to 2,000). */
  @WithDefault("2000")
  int pageSize();

  /**
   * Records per Bulk API 2.0 results page (maxRecords); keep pages under camel-salesforce's
   * http-max-content-length.
   */
  @WithDefault("100000")
  int bulkPageSize();

  /**
   * How far before the last watermark an incremental sync starts again, for records committed late.
   */
  @WithDefault("5m")
  Duration overlap();

  /** How long an object's describe (its field list and types) is reused before asking again. */
  @WithDefault("24h")
  Duration describeTtl();

  /** A full sync runs anyway when the last one is older than this. */
  @WithDefault("7d")
  Duration fullSyncMaxAge();

  /**
   * Extra fields to mirror per object, beyond the built-in set and the fields the rules use, for
   * example {@code territory.sync.extra-fields.Account=Rating,Customer_Tier__c}.
   */
  Map<String, List<String>> extraFields();
}
