package io.territorysync.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * The Drools baseline's fact: an account with its text fields already in lower case (the engine
 * under test lower-cases them once per account too) and its postal code's leading five digits.
 */
public final class DroolsAccount {

  private static final double EARTH_RADIUS_KM = 6371.0088;

  private final String id;
  private final String name;
  private final String country;
  private final String state;
  private final String industry;
  private final long postal5;
  private final double revenue;
  private final double employees;
  private final double lat;
  private final double lon;
  private int[] matched = new int[4];
  private int matches;

  DroolsAccount(Map<String, Object> a) {
    id = (String) a.get("Id");
    name = (String) a.get("Name");
    country = lower(a.get("BillingCountry"));
    state = lower(a.get("BillingState"));
    industry = lower(a.get("Industry"));
    postal5 = postal5((String) a.get("BillingPostalCode"));
    revenue = ((Number) a.get("AnnualRevenue")).doubleValue();
    employees = ((Number) a.get("NumberOfEmployees")).doubleValue();
    lat = ((Number) a.get("BillingLatitude")).doubleValue();
    lon = ((Number) a.get("BillingLongitude")).doubleValue();
  }

  private static String lower(Object v) {
    return v == null ? null : v.toString().trim().toLowerCase(Locale.ROOT);
  }

  private static long postal5(String postal) {
    if (postal == null) {
      return -1;
    }
    long n = 0;
    int seen = 0;
    for (int i = 0; i < postal.length() && seen < 5; i++) {
      char ch = postal.charAt(i);
      if (ch >= '0' && ch <= '9') {
        n = n * 10 + (ch - '0');
        seen++;
      }
    }
    return seen == 5 ? n : -1;
  }

  public String getId() {
    return id;
  }

  public String getName() {
    return name;
  }

  public String getCountry() {
    return country;
  }

  public String getState() {
    return state;
  }

  public String getIndustry() {
    return industry;
  }

  public long getPostal5() {
    return postal5;
  }

  public double getRevenue() {
    return revenue;
  }

  public double getEmployees() {
    return employees;
  }

  /** Whether the billing address lies within {@code km} of the point (haversine). */
  public boolean within(double pointLat, double pointLon, double km) {
    double dLat = Math.toRadians(pointLat - lat);
    double dLon = Math.toRadians(pointLon - lon);
    double h =
        Math.sin(dLat / 2) * Math.sin(dLat / 2)
            + Math.cos(Math.toRadians(lat))
                * Math.cos(Math.toRadians(pointLat))
                * Math.sin(dLon / 2)
                * Math.sin(dLon / 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h))) <= km;
  }

  /** Called by a rule's consequence. */
  public void matched(int territory) {
    if (matches == matched.length) {
      matched = Arrays.copyOf(matched, matches * 2);
    }
    matched[matches++] = territory;
  }

  /** The territories matched since the last reset, sorted. */
  int[] territories() {
    int[] out = Arrays.copyOf(matched, matches);
    Arrays.sort(out);
    return out;
  }

  void reset() {
    matches = 0;
  }
}
