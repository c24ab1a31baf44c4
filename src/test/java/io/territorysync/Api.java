package io.territorysync;

import static io.restassured.RestAssured.given;

import io.restassured.specification.RequestSpecification;

/** Admin API requests with the test profile's keys. */
public final class Api {

  public static final String ADMIN_KEY = "test-admin-key";
  public static final String VIEWER_KEY = "test-viewer-key";

  private Api() {}

  public static RequestSpecification viewer() {
    return given().header("Authorization", "Bearer " + VIEWER_KEY);
  }

  public static RequestSpecification admin() {
    return given().header("Authorization", "Bearer " + ADMIN_KEY);
  }
}
