package io.territorysync.events;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Territory change events: where they go and how hard delivery tries (docs/events.md). */
@ConfigMapping(prefix = "territory.events")
public interface EventsConfig {

  /**
   * Camel endpoint URIs that receive every change event as CloudEvents JSON, comma-separated
   * ({@code log:territory-events}, {@code http://host/hook}, {@code kafka:topic?brokers=...}).
   * Unset: no events are recorded at all.
   */
  Optional<List<String>> endpoints();

  /**
   * Whether this process publishes the outbox. One-shot commands ({@code run}) set it false: they
   * record events, and the service publishes them.
   */
  @WithDefault("true")
  boolean publish();

  /** The CloudEvents {@code source} attribute of every event. */
  @WithDefault("/territory-sync")
  String source();

  /** How often the outbox is polled for events to publish (a Camel duration: 1s, 500ms). */
  @WithDefault("1s")
  String pollInterval();

  /** Most events published per poll. */
  @WithDefault("500")
  int batchSize();

  /** How long published events are kept in the outbox before they are deleted. */
  @WithDefault("7d")
  Duration retention();

  /**
   * Smallest relative change (0.10: 10%) of a territory's account count, annual revenue, open
   * pipeline or closed-won amount in a period that records a rollup event.
   */
  @WithDefault("0.10")
  double rollupThreshold();

  /** Redelivery of an event an endpoint refused, before it becomes a dead letter. */
  Redelivery redelivery();

  /** The declared redelivery policy of the events route. */
  interface Redelivery {
    /** Redeliveries after the first attempt (0: the first failure is final). */
    @WithDefault("5")
    int maximumRedeliveries();

    /** Pause before the first redelivery, in milliseconds; doubled for each further one. */
    @WithDefault("1000")
    long delay();

    /** Longest pause between redeliveries, in milliseconds. */
    @WithDefault("60000")
    long maximumDelay();
  }
}
