package io.territorysync.console;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A console session opened over HTTP with an API key, for tests that need no browser. */
record ConsoleSession(String cookie, String csrf) {

  private static final Pattern CSRF =
      Pattern.compile("name=\"csrf-token\" value=\"([A-Za-z0-9_-]+)\"");

  /** Signs in with {@code key} the way the sign-in form does. */
  static ConsoleSession signIn(String key) {
    Response form = given().redirects().follow(false).get("/console/sign-in");
    String formToken = token(form.asString());
    Response signedIn =
        given()
            .redirects()
            .follow(false)
            .cookie(SignInResource.SIGN_IN_COOKIE, form.getCookie(SignInResource.SIGN_IN_COOKIE))
            .formParam("key", key)
            .formParam("csrf-token", formToken)
            .formParam("next", "/console/")
            .post("/console/sign-in");
    if (signedIn.statusCode() != 303) {
      throw new IllegalStateException("sign-in answered " + signedIn.statusCode());
    }
    String cookie = signedIn.getCookie(ConsoleFilter.COOKIE);
    String page = given().cookie(ConsoleFilter.COOKIE, cookie).get("/console/runs").asString();
    return new ConsoleSession(cookie, token(page));
  }

  /** A request carrying the session cookie. */
  RequestSpecification request() {
    return given().redirects().follow(false).cookie(ConsoleFilter.COOKIE, cookie);
  }

  static String token(String html) {
    Matcher m = CSRF.matcher(html);
    if (!m.find()) {
      throw new IllegalStateException("no CSRF token in the page");
    }
    return m.group(1);
  }
}
