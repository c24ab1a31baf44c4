package io.territorysync.console;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The console's map of accounts ({@code /console/map}). */
@ConfigMapping(prefix = "territory.map")
public interface MapConfig {

  /**
   * A tile server's URL template ({@code https://tile.example.org/{z}/{x}/{y}.png}) drawn under the
   * accounts. None by default: the map shows the country and US state outlines that ship with the
   * app, so it works without internet. The server's origin is added to the console's
   * Content-Security-Policy for images.
   */
  Optional<String> tileUrl();

  /** The attribution the tile server's terms ask for, shown in the map's corner. */
  Optional<String> tileAttribution();

  /**
   * The map shows accounts one by one when the visible area holds at most this many of them, and
   * counts per grid cell above that.
   */
  @WithDefault("1500")
  int pointsBelow();

  /** Size in screen pixels of a grid cell when accounts are counted per cell. */
  @WithDefault("44")
  int cellPixels();

  /**
   * The map reads the accounts' coordinates and territories from the mirror into memory once and
   * reads them again when a run has finished since, or at the latest after this long (webhooks
   * change the mirror between runs).
   */
  @WithDefault("5m")
  Duration maxAge();

  /** Read the map in the background after the service starts, so the first map opens at once. */
  @WithDefault("true")
  boolean preload();
}
