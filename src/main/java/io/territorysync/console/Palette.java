package io.territorysync.console;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Territory colours: 20 colours 137.5° apart in hue (the golden angle: any run of consecutive
 * colours is spread round the wheel) at three lightness levels, so that neighbouring colours also
 * differ in lightness for colour-blind readers. The same list is in console.css as {@code
 * --territory-0} … {@code --territory-19} (and {@code .territory-N} classes); PaletteTest keeps the
 * two equal.
 *
 * <p>A territory's colour follows its place in the model, level by level (its level's territories
 * grouped by parent, parents in the same order, siblings by name): siblings, and the territories of
 * one level under any ancestor (what a map filtered by that ancestor shows), take consecutive
 * colours, all different up to 20 of them. The map index sets that order whenever it reads the
 * model ({@link #order}); a territory it has not seen yet gets a colour from its id.
 */
public final class Palette {

  /** The colours, in order. */
  public static final List<String> COLOURS =
      List.of(
          "#5F6CC0", "#EA9258", "#005F5A", "#9C569B", "#B7AF41", "#005283", "#B45054", "#59C38A",
          "#523E82", "#A26500", "#00C0D8", "#763058", "#63811A", "#7EAAFD", "#7D3317", "#008C74",
          "#CA91E3", "#624A00", "#0080B1", "#EF869C");

  /** For "no territory". */
  public static final String NONE = "#DDDDDD";

  private static volatile Map<String, Integer> positions = Map.of();

  private Palette() {}

  /** The colour of the {@code index}-th territory (colours repeat after twenty). */
  public static String colour(int index) {
    return COLOURS.get(Math.floorMod(index, COLOURS.size()));
  }

  /**
   * Sets the territories' order: {@code ids} level by level, each level grouped by parent in the
   * order of the level above, siblings by name.
   */
  public static void order(List<String> ids) {
    Map<String, Integer> p = new HashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      p.putIfAbsent(ids.get(i), i);
    }
    positions = Map.copyOf(p);
  }

  /** The palette index of a territory (by id): its place in the model, else from its id. */
  public static int indexOf(String key) {
    if (key == null) {
      return -1;
    }
    Integer p = positions.get(key);
    return Math.floorMod(p != null ? p : key.hashCode(), COLOURS.size());
  }

  /** The colour of a territory (by id), the same on every page; {@link #NONE} for none. */
  public static String colourOf(String key) {
    return key == null ? NONE : colour(indexOf(key));
  }
}
