package io.territorysync.rules.engine;

/** Distances and polygons on Billing coordinates. */
final class Geo {

  private static final double EARTH_RADIUS_KM = 6371.0088;

  private Geo() {}

  /** Great-circle distance (haversine) in km. */
  static double distanceKm(double lat1, double lon1, double lat2, double lon2) {
    double dLat = Math.toRadians(lat2 - lat1);
    double dLon = Math.toRadians(lon2 - lon1);
    double a =
        Math.sin(dLat / 2) * Math.sin(dLat / 2)
            + Math.cos(Math.toRadians(lat1))
                * Math.cos(Math.toRadians(lat2))
                * Math.sin(dLon / 2)
                * Math.sin(dLon / 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  /**
   * A box around every point within {@code km} of (lat, lon): {latMin, latMax, lonSpan} in degrees,
   * where lonSpan is the largest longitude difference (180 when the circle reaches a pole).
   * Slightly generous, never too small.
   */
  static double[] box(double lat, double lon, double km) {
    double angular = km / EARTH_RADIUS_KM; // radians
    double dLat = Math.toDegrees(angular) * (1 + 1e-9) + 1e-9;
    double latMin = Math.max(-90, lat - dLat);
    double latMax = Math.min(90, lat + dLat);
    double lonSpan = 180;
    double phi = Math.toRadians(lat);
    if (angular < Math.PI / 2 - Math.abs(phi) - 1e-9) {
      double s = Math.sin(angular) / Math.cos(phi);
      if (s < 1) {
        lonSpan = Math.min(180, Math.toDegrees(Math.asin(s)) * (1 + 1e-9) + 1e-9);
      }
    }
    return new double[] {latMin, latMax, lonSpan};
  }

  /** Whether (lat, lon) lies inside the polygon (ray casting; edges count as inside). */
  static boolean inPolygon(double lat, double lon, double[] lats, double[] lons) {
    boolean inside = false;
    for (int i = 0, j = lats.length - 1; i < lats.length; j = i++) {
      if ((lats[i] > lat) != (lats[j] > lat)) {
        double crossLon = lons[i] + (lat - lats[i]) * (lons[j] - lons[i]) / (lats[j] - lats[i]);
        if (lon < crossLon) {
          inside = !inside;
        } else if (lon == crossLon) {
          return true;
        }
      }
    }
    return inside;
  }
}
