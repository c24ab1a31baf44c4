package io.territorysync.realign;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;

/** Settings of the realignment planner ({@code territory.realign.*}). */
@ConfigMapping(prefix = "territory.realign")
public interface RealignConfig {

  /** Balance measure when a request names none: accounts, potential, pipeline or workload. */
  @WithDefault("accounts")
  String measure();

  /** Allowed deviation from the sibling mean when a request names none (0.10 = ±10%). */
  @WithDefault("0.10")
  double tolerance();

  /** Largest share of the scope's accounts a plan may move when a request names none. */
  @WithDefault("0.05")
  double maxMoved();

  /** Whether a unit may move only next to a unit the receiving territory keeps. */
  @WithDefault("false")
  boolean contiguity();

  /** Value units (states, cities) are neighbours when their account centroids are this close. */
  @WithDefault("400")
  double neighbourKm();

  /** Leading postal digits of a unit cut from postal ranges (3: ZIP3 blocks in the US). */
  @WithDefault("3")
  int postalBlockDigits();

  /** Account fields whose criteria are geography that may be traded between siblings. */
  @WithDefault("BillingPostalCode,BillingState,BillingCity,BillingCountry")
  List<String> geographyFields();

  /**
   * How many plans (with their proposals) the database keeps, newest first; older ones are deleted
   * when a plan starts.
   */
  @WithDefault("20")
  int keep();

  /** How long the solver searches at most. */
  @WithDefault("20s")
  Duration timeLimit();

  /** Workload weights: accounts, potential and pipeline, each relative to its mean. */
  Workload workload();

  /** Weights of the workload measure. */
  interface Workload {
    /** Weight of the account count. */
    @WithDefault("0.5")
    double accounts();

    /** Weight of the potential. */
    @WithDefault("0.25")
    double potential();

    /** Weight of the open pipeline. */
    @WithDefault("0.25")
    double pipeline();
  }
}
