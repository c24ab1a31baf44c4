package io.territorysync.trigger;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The nightly run: {@code territory.schedule.*}. See docs/operations.md#schedule. */
@ConfigMapping(prefix = "territory.schedule")
public interface ScheduleConfig {

  /** Whether the service runs on a schedule. */
  @WithDefault("true")
  boolean enabled();

  /** Quartz cron expression (seconds first): default 02:00 every night. */
  @WithDefault("0 0 2 * * ?")
  String cron();

  /** Time zone of the cron expression (an IANA id such as Europe/Berlin). */
  @WithDefault("UTC")
  String timeZone();

  /** Scheduled runs read every object whole instead of incrementally. */
  @WithDefault("false")
  boolean full();

  /** When the scheduled time passed while no replica was up, run once after start-up. */
  @WithDefault("true")
  boolean catchUp();
}
