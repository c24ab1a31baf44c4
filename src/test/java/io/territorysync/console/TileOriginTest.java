package io.territorysync.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The map's optional tile server is allowed in the Content-Security-Policy by its origin only. */
class TileOriginTest {

  @Test
  void aTileUrlIsAllowedByItsOriginWithSubdomainsAsAWildcard() {
    assertEquals(
        " https://*.tile.example.org",
        ConsoleFilter.tileOrigin("https://{s}.tile.example.org/{z}/{x}/{y}.png"));
    assertEquals(
        " http://tiles.local:8080",
        ConsoleFilter.tileOrigin("http://tiles.local:8080/{z}/{x}/{y}"));
  }

  @Test
  void noTileUrlOrAnythingButPlainHttpAddsNothing() {
    assertEquals("", ConsoleFilter.tileOrigin(null));
    assertEquals("", ConsoleFilter.tileOrigin(""));
    assertEquals("", ConsoleFilter.tileOrigin("javascript:alert(1)"));
    assertEquals("", ConsoleFilter.tileOrigin("https://evil.example.org; script-src *"));
    assertEquals("", ConsoleFilter.tileOrigin("https://{x}.example.org/t.png"));
  }
}
