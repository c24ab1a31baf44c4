package io.territorysync.rules.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The radius pre-filter box never leaves out a point within the radius. */
class GeoTest {

  @Test
  void everyPointWithinTheRadiusIsInsideItsBox() {
    SplittableRandom r = new SplittableRandom(7);
    int inside = 0;
    for (int i = 0; i < 200_000; i++) {
      double lat =
          r.nextInt(10) == 0 ? (r.nextBoolean() ? 89.5 : -89.5) : -90 + 180 * r.nextDouble();
      double lon = r.nextInt(10) == 0 ? 179.9 : -180 + 360 * r.nextDouble();
      double km = r.nextInt(4) == 0 ? 1 + r.nextDouble() * 5000 : 1 + r.nextDouble() * 300;
      double[] box = Geo.box(lat, lon, km);
      // a point near the centre, sometimes across the date line or a pole
      double pLat = Math.max(-90, Math.min(90, lat + (r.nextDouble() - 0.5) * 2 * km / 100));
      double pLon = lon + (r.nextDouble() - 0.5) * 2 * km / 50;
      pLon = ((pLon + 540) % 360) - 180;
      if (Geo.distanceKm(pLat, pLon, lat, lon) > km) {
        continue;
      }
      inside++;
      double dLon = Math.abs(pLon - lon);
      if (dLon > 180) {
        dLon = 360 - dLon;
      }
      String where = "centre " + lat + "," + lon + " km " + km + " point " + pLat + "," + pLon;
      assertTrue(pLat >= box[0] && pLat <= box[1], "latitude out of box: " + where);
      assertTrue(dLon <= box[2], "longitude out of box: " + where);
    }
    assertTrue(inside > 20_000, "enough points fell within their radius: " + inside);
  }
}
