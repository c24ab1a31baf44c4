package io.territorysync.emulator.demo;

import java.util.List;

/** Countries, states, postal-code ranges and cities the demo org is drawn from. */
final class Geography {

  /** A state or province with its postal range (numeric prefix bounds) and a city. */
  record State(
      String code,
      String name,
      int postalFrom,
      int postalTo,
      String city,
      double lat,
      double lon) {}

  /**
   * A country: the names accounts use for it (the first is canonical, the rest are the messy
   * variants real data has), its region, weight among accounts, postal format and states.
   */
  record Country(
      String code,
      List<String> names,
      String region,
      int weight,
      PostalFormat postal,
      List<State> states) {
    String canonicalName() {
      return names.get(0);
    }
  }

  /** How a country writes postal codes. */
  enum PostalFormat {
    /** Numeric, {@code digits} long; state ranges are prefixes of {@code prefixDigits}. */
    US(5, 3),
    DE(5, 2),
    FR(5, 2),
    ES(5, 2),
    IT(5, 2),
    MX(5, 2),
    AU(4, 1),
    IN(6, 2),
    SG(6, 2),
    JP(7, 3),
    BR(8, 2),
    /** Letter-digit-letter digit-letter-digit. */
    CA(6, 0),
    /** Outward code + inward code. */
    GB(0, 0),
    /** Four digits and two letters. */
    NL(4, 2);

    final int digits;
    final int prefixDigits;

    PostalFormat(int digits, int prefixDigits) {
      this.digits = digits;
      this.prefixDigits = prefixDigits;
    }
  }

  static final List<State> US_STATES =
      List.of(
          new State("AL", "Alabama", 350, 369, "Birmingham", 33.52, -86.80),
          new State("AK", "Alaska", 995, 999, "Anchorage", 61.22, -149.90),
          new State("AZ", "Arizona", 850, 865, "Phoenix", 33.45, -112.07),
          new State("AR", "Arkansas", 716, 729, "Little Rock", 34.75, -92.29),
          new State("CA", "California", 900, 961, "San Francisco", 37.77, -122.42),
          new State("CO", "Colorado", 800, 816, "Denver", 39.74, -104.99),
          new State("CT", "Connecticut", 60, 69, "Hartford", 41.76, -72.68),
          new State("DE", "Delaware", 197, 199, "Wilmington", 39.74, -75.55),
          new State("FL", "Florida", 320, 349, "Miami", 25.76, -80.19),
          new State("GA", "Georgia", 300, 319, "Atlanta", 33.75, -84.39),
          new State("HI", "Hawaii", 967, 968, "Honolulu", 21.31, -157.86),
          new State("ID", "Idaho", 832, 838, "Boise", 43.62, -116.20),
          new State("IL", "Illinois", 600, 629, "Chicago", 41.88, -87.63),
          new State("IN", "Indiana", 460, 479, "Indianapolis", 39.77, -86.16),
          new State("IA", "Iowa", 500, 528, "Des Moines", 41.59, -93.62),
          new State("KS", "Kansas", 660, 679, "Wichita", 37.69, -97.34),
          new State("KY", "Kentucky", 400, 427, "Louisville", 38.25, -85.76),
          new State("LA", "Louisiana", 700, 714, "New Orleans", 29.95, -90.07),
          new State("ME", "Maine", 39, 49, "Portland", 43.66, -70.26),
          new State("MD", "Maryland", 206, 219, "Baltimore", 39.29, -76.61),
          new State("MA", "Massachusetts", 10, 27, "Boston", 42.36, -71.06),
          new State("MI", "Michigan", 480, 499, "Detroit", 42.33, -83.05),
          new State("MN", "Minnesota", 550, 567, "Minneapolis", 44.98, -93.27),
          new State("MS", "Mississippi", 386, 397, "Jackson", 32.30, -90.18),
          new State("MO", "Missouri", 630, 658, "St. Louis", 38.63, -90.20),
          new State("MT", "Montana", 590, 599, "Billings", 45.78, -108.50),
          new State("NE", "Nebraska", 680, 693, "Omaha", 41.26, -95.93),
          new State("NV", "Nevada", 889, 898, "Las Vegas", 36.17, -115.14),
          new State("NH", "New Hampshire", 30, 38, "Manchester", 42.99, -71.46),
          new State("NJ", "New Jersey", 70, 89, "Newark", 40.74, -74.17),
          new State("NM", "New Mexico", 870, 884, "Albuquerque", 35.08, -106.65),
          new State("NY", "New York", 100, 149, "New York", 40.71, -74.01),
          new State("NC", "North Carolina", 270, 289, "Charlotte", 35.23, -80.84),
          new State("ND", "North Dakota", 580, 588, "Fargo", 46.88, -96.79),
          new State("OH", "Ohio", 430, 458, "Columbus", 39.96, -83.00),
          new State("OK", "Oklahoma", 730, 749, "Oklahoma City", 35.47, -97.52),
          new State("OR", "Oregon", 970, 979, "Portland", 45.52, -122.68),
          new State("PA", "Pennsylvania", 150, 196, "Philadelphia", 39.95, -75.17),
          new State("RI", "Rhode Island", 28, 29, "Providence", 41.82, -71.41),
          new State("SC", "South Carolina", 290, 299, "Charleston", 32.78, -79.93),
          new State("SD", "South Dakota", 570, 577, "Sioux Falls", 43.54, -96.73),
          new State("TN", "Tennessee", 370, 385, "Nashville", 36.16, -86.78),
          new State("TX", "Texas", 750, 799, "Austin", 30.27, -97.74),
          new State("UT", "Utah", 840, 847, "Salt Lake City", 40.76, -111.89),
          new State("VT", "Vermont", 50, 59, "Burlington", 44.48, -73.21),
          new State("VA", "Virginia", 220, 246, "Richmond", 37.54, -77.44),
          new State("WA", "Washington", 980, 994, "Seattle", 47.61, -122.33),
          new State("WV", "West Virginia", 247, 268, "Charleston", 38.35, -81.63),
          new State("WI", "Wisconsin", 530, 549, "Milwaukee", 43.04, -87.91),
          new State("WY", "Wyoming", 820, 831, "Cheyenne", 41.14, -104.82));

  /** The four US sales areas and the states in each. */
  static final List<List<String>> US_AREAS =
      List.of(
          List.of(
              "West", "WA", "OR", "CA", "NV", "AZ", "UT", "ID", "MT", "WY", "CO", "NM", "AK", "HI"),
          List.of(
              "Central", "ND", "SD", "NE", "KS", "OK", "MN", "IA", "MO", "WI", "IL", "IN", "MI",
              "OH"),
          List.of(
              "East", "ME", "NH", "VT", "MA", "RI", "CT", "NY", "NJ", "PA", "DE", "MD", "VA", "WV"),
          List.of("South", "TX", "AR", "LA", "MS", "AL", "TN", "KY", "GA", "FL", "SC", "NC"));

  static final List<Country> COUNTRIES =
      List.of(
          new Country(
              "US", List.of("United States", "USA", "US"), "NA", 440, PostalFormat.US, US_STATES),
          new Country(
              "CA",
              List.of("Canada"),
              "NA",
              50,
              PostalFormat.CA,
              List.of(
                  new State("ON", "Ontario", 0, 0, "Toronto", 43.65, -79.38),
                  new State("QC", "Quebec", 0, 0, "Montreal", 45.50, -73.57),
                  new State("BC", "British Columbia", 0, 0, "Vancouver", 49.28, -123.12),
                  new State("AB", "Alberta", 0, 0, "Calgary", 51.05, -114.07))),
          new Country(
              "GB",
              List.of("United Kingdom", "UK", "Great Britain"),
              "EMEA",
              80,
              PostalFormat.GB,
              List.of(
                  new State(null, "England", 0, 0, "London", 51.51, -0.13),
                  new State(null, "England", 0, 0, "Manchester", 53.48, -2.24),
                  new State(null, "Scotland", 0, 0, "Edinburgh", 55.95, -3.19))),
          new Country(
              "DE",
              List.of("Germany", "Deutschland"),
              "EMEA",
              70,
              PostalFormat.DE,
              List.of(
                  new State("BE", "Berlin", 10, 14, "Berlin", 52.52, 13.40),
                  new State("BY", "Bavaria", 80, 87, "Munich", 48.14, 11.58),
                  new State("HH", "Hamburg", 20, 22, "Hamburg", 53.55, 9.99),
                  new State("HE", "Hesse", 60, 65, "Frankfurt", 50.11, 8.68))),
          new Country(
              "FR",
              List.of("France"),
              "EMEA",
              55,
              PostalFormat.FR,
              List.of(
                  new State(null, "Ile-de-France", 75, 78, "Paris", 48.86, 2.35),
                  new State(null, "Auvergne-Rhone-Alpes", 69, 69, "Lyon", 45.76, 4.84),
                  new State(null, "Provence", 13, 13, "Marseille", 43.30, 5.37))),
          new Country(
              "NL",
              List.of("Netherlands", "The Netherlands"),
              "EMEA",
              25,
              PostalFormat.NL,
              List.of(
                  new State(null, "North Holland", 10, 19, "Amsterdam", 52.37, 4.90),
                  new State(null, "South Holland", 25, 33, "Rotterdam", 51.92, 4.48))),
          new Country(
              "ES",
              List.of("Spain"),
              "EMEA",
              25,
              PostalFormat.ES,
              List.of(
                  new State(null, "Madrid", 28, 28, "Madrid", 40.42, -3.70),
                  new State(null, "Catalonia", 8, 8, "Barcelona", 41.39, 2.17))),
          new Country(
              "IT",
              List.of("Italy"),
              "EMEA",
              25,
              PostalFormat.IT,
              List.of(
                  new State(null, "Lombardy", 20, 27, "Milan", 45.46, 9.19),
                  new State(null, "Lazio", 0, 4, "Rome", 41.90, 12.50))),
          new Country(
              "JP",
              List.of("Japan"),
              "APAC",
              45,
              PostalFormat.JP,
              List.of(
                  new State(null, "Tokyo", 100, 208, "Tokyo", 35.68, 139.69),
                  new State(null, "Osaka", 530, 599, "Osaka", 34.69, 135.50))),
          new Country(
              "AU",
              List.of("Australia"),
              "APAC",
              40,
              PostalFormat.AU,
              List.of(
                  new State("NSW", "New South Wales", 2, 2, "Sydney", -33.87, 151.21),
                  new State("VIC", "Victoria", 3, 3, "Melbourne", -37.81, 144.96),
                  new State("QLD", "Queensland", 4, 4, "Brisbane", -27.47, 153.03))),
          new Country(
              "IN",
              List.of("India"),
              "APAC",
              40,
              PostalFormat.IN,
              List.of(
                  new State("KA", "Karnataka", 56, 59, "Bengaluru", 12.97, 77.59),
                  new State("MH", "Maharashtra", 40, 44, "Mumbai", 19.08, 72.88))),
          new Country(
              "SG",
              List.of("Singapore"),
              "APAC",
              20,
              PostalFormat.SG,
              List.of(new State(null, "Singapore", 1, 82, "Singapore", 1.35, 103.82))),
          new Country(
              "BR",
              List.of("Brazil", "Brasil"),
              "LATAM",
              35,
              PostalFormat.BR,
              List.of(
                  new State("SP", "Sao Paulo", 1, 19, "Sao Paulo", -23.55, -46.63),
                  new State("RJ", "Rio de Janeiro", 20, 28, "Rio de Janeiro", -22.91, -43.17))),
          new Country(
              "MX",
              List.of("Mexico", "México"),
              "LATAM",
              30,
              PostalFormat.MX,
              List.of(
                  new State("CMX", "Mexico City", 1, 16, "Mexico City", 19.43, -99.13),
                  new State("NLE", "Nuevo Leon", 64, 67, "Monterrey", 25.69, -100.32))));

  static final List<String> REGIONS = List.of("NA", "EMEA", "APAC", "LATAM");

  private Geography() {}

  static State usState(String code) {
    return US_STATES.stream().filter(s -> s.code().equals(code)).findFirst().orElseThrow();
  }
}
