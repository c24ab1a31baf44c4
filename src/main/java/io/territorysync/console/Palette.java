package io.territorysync.console;

import java.util.List;

/**
 * Territory colours that stay distinct for colour-blind readers: Paul Tol's "muted" scheme. The
 * same list is in console.css as {@code --territory-0} … {@code --territory-8} (and {@code
 * .territory-N} classes) for scripts and styles; a test keeps the two equal.
 */
public final class Palette {

  /** The colours, in order. */
  public static final List<String> COLOURS =
      List.of(
          "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255",
          "#AA4499");

  /** For "no territory". */
  public static final String NONE = "#DDDDDD";

  private Palette() {}

  /** The colour of the {@code index}-th territory (colours repeat after nine). */
  public static String colour(int index) {
    return COLOURS.get(Math.floorMod(index, COLOURS.size()));
  }

  /** A colour that stays the same for the same key (a territory id) on every page. */
  public static int indexOf(String key) {
    return key == null ? -1 : Math.floorMod(key.hashCode(), COLOURS.size());
  }

  /** The colour that stays the same for the same key; {@link #NONE} for none. */
  public static String colourOf(String key) {
    return key == null ? NONE : colour(indexOf(key));
  }
}
