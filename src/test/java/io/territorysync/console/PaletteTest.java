package io.territorysync.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The territory palette: more than a handful of distinct colours, the same in console.css as in
 * Palette, and handed out in the model's level order so that siblings, and every territory of one
 * level under an ancestor (what a filtered map shows), get different colours.
 */
class PaletteTest {

  static final Path CSS =
      Path.of("src/main/resources/META-INF/resources/console/static/console.css");

  @AfterEach
  void forgetTheOrder() {
    Palette.order(List.of());
  }

  @Test
  void theStylesheetHasEveryColourOfThePaletteAndItsClass() throws Exception {
    String css = Files.readString(CSS);
    Matcher m = Pattern.compile("--territory-(\\d+): (#[0-9A-Fa-f]{6});").matcher(css);
    List<String> vars = new ArrayList<>();
    while (m.find()) {
      assertEquals(vars.size(), Integer.parseInt(m.group(1)), "in order");
      vars.add(m.group(2).toUpperCase(Locale.ROOT));
    }
    assertEquals(Palette.COLOURS, vars);
    for (int i = 0; i < vars.size(); i++) {
      assertTrue(
          css.contains(".territory-" + i + " { --territory: var(--territory-" + i + "); }"),
          "class territory-" + i);
    }
  }

  @Test
  void twentyDistinctColoursThatDoNotRepeatAfterNine() {
    assertEquals(20, Palette.COLOURS.size());
    assertEquals(20, new HashSet<>(Palette.COLOURS).size());
    // each differs clearly from every other (distance in RGB, a rough but safe floor)
    for (int i = 0; i < 20; i++) {
      for (int j = i + 1; j < 20; j++) {
        assertTrue(
            distance(Palette.COLOURS.get(i), Palette.COLOURS.get(j)) > 40,
            Palette.COLOURS.get(i) + " and " + Palette.COLOURS.get(j));
      }
    }
  }

  @Test
  void siblingsAndOneLevelUnderAnAncestorTakeDifferentColours() {
    // Global > 3 regions > 4 countries each > 3 segments each: 36 segments, 12 under each region
    List<MapIndex.Territory> ts = new ArrayList<>();
    ts.add(new MapIndex.Territory(0, "global", "Global", "Global", -1, 0));
    for (int r = 0; r < 3; r++) {
      int region = ts.size();
      ts.add(new MapIndex.Territory(region, "r" + r, "R" + r, "R" + r, 0, 1));
      for (int c = 0; c < 4; c++) {
        int country = ts.size();
        ts.add(new MapIndex.Territory(country, "r" + r + "c" + c, "C", "C", region, 2));
        for (int s = 0; s < 3; s++) {
          ts.add(
              new MapIndex.Territory(ts.size(), "r" + r + "c" + c + "s" + s, "S", "S", country, 3));
        }
      }
    }
    List<String> order = MapIndex.levelOrder(ts);
    assertEquals(ts.size(), order.size());
    assertEquals("global", order.get(0));
    Palette.order(order);
    for (int r = 0; r < 3; r++) {
      Set<String> colours = new HashSet<>();
      for (int c = 0; c < 4; c++) {
        for (int s = 0; s < 3; s++) {
          colours.add(Palette.colourOf("r" + r + "c" + c + "s" + s));
        }
      }
      assertEquals(12, colours.size(), "the 12 segments of region " + r);
    }
    Set<String> regions = new HashSet<>();
    for (int r = 0; r < 3; r++) {
      regions.add(Palette.colourOf("r" + r));
    }
    assertEquals(3, regions.size());
    assertNotEquals(Palette.colourOf("r0c0s0"), Palette.colourOf("r0c0s1"));
    // a territory the order does not know still has a colour
    assertTrue(Palette.COLOURS.contains(Palette.colourOf("unknown")));
  }

  private static double distance(String a, String b) {
    int x = Integer.parseInt(a.substring(1), 16);
    int y = Integer.parseInt(b.substring(1), 16);
    double dr = ((x >> 16) & 255) - ((y >> 16) & 255);
    double dg = ((x >> 8) & 255) - ((y >> 8) & 255);
    double db = (x & 255) - (y & 255);
    return Math.sqrt(dr * dr + dg * dg + db * db);
  }
}
