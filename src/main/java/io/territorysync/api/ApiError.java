package io.territorysync.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** JSON error answers of the admin API: {@code {"error": "..."}}. */
public final class ApiError {

  private ApiError() {}

  public static Response of(Response.Status status, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(Map.of("error", message))
        .build();
  }
}
