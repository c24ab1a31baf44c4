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
