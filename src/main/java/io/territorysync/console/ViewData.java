package io.territorysync.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/** Reading the services' report maps for the pages, and writing Chart.js configurations. */
final class ViewData {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ViewData() {}

  /** A Chart.js configuration (or any value) as JSON for a {@code data-chart} attribute. */
  static String json(Object config) {
    try {
      return JSON.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A list from a report map (empty when absent). */
  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }

  /** A number from a report map as a double (0 when absent). */
  static double dbl(Object o) {
    return o instanceof Number n ? n.doubleValue() : 0;
  }
}
