package io.territorysync.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.territorysync.Api;
import io.territorysync.TestSql;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The console's guard: sign-in, session cookie, CSRF, roles, and secrets kept out of logs. */
@QuarkusTest
class ConsoleSecurityTest {

  static final List<String> PATHS =
      List.of(
          "/console/",
          "/console/runs",
          "/console/runs/1",
          "/console/runs/1/live",
          "/console/runs/1/changes.csv",
          "/console/territories",
          "/console/map",
          "/console/map/data?west=-180&south=-60&east=180&north=75&zoom=2",
          "/console/map/hulls",
          "/console/map/accounts/001000000000001AAA",
          "/console/territories/0MI000000000001AAA/detail",
          "/console/rules",
          "/console/realignment",
          "/console/accounts?q=acme",
          "/console/accounts/001000000000001AAA",
          "/console/webhooks",
          "/console/no-such-page");

  @Inject AgroalDataSource dataSource;

  @Test
  void everyConsolePathSendsAStrangerToSignInAndComesBackAfterwards() {
    given()
        .redirects()
        .follow(false)
        .get("/")
        .then()
        .statusCode(303)
        .header("Location", endsWith("/console/"));
    for (String path : PATHS) {
      given()
          .redirects()
          .follow(false)
          .get(path)
          .then()
          .statusCode(303)
          .header("Location", containsString("/console/sign-in"));
    }
    given()
        .redirects()
        .follow(false)
        .get("/console/runs?status=failed")
        .then()
        .header("Location", endsWith("/console/sign-in?next=%2Fconsole%2Fruns%3Fstatus%3Dfailed"));
    // htmx asks for a fragment: it is told where to go instead of swapping a page into the fragment
    given()
        .redirects()
        .follow(false)
        .header("HX-Request", "true")
        .get("/console/runs/1/live")
        .then()
        .statusCode(401)
        .header("HX-Redirect", startsWith("/console/sign-in"));
    given()
        .redirects()
        .follow(false)
        .cookie(ConsoleFilter.COOKIE, "forged")
        .get("/console/")
        .then()
        .statusCode(303);
    // the API still wants its key, not a console session
    ConsoleSession admin = ConsoleSession.signIn(Api.ADMIN_KEY);
    admin.request().get("/api/runs").then().statusCode(401);
  }

  @Test
  void theSessionCookieIsHttpOnlyStrictAndSecureBehindAnHttpsProxy() {
    Response form = given().get("/console/sign-in");
    String token = ConsoleSession.token(form.asString());
    Response plain = signIn(form, token, null);
    String cookie =
        plain.getHeaders().getValues("Set-Cookie").stream()
            .filter(c -> c.startsWith(ConsoleFilter.COOKIE + "="))
            .findFirst()
            .orElseThrow();
    assertTrue(cookie.contains("HttpOnly"), cookie);
    assertTrue(cookie.contains("SameSite=Strict"), cookie);
    assertTrue(cookie.contains("Max-Age=28800"), cookie);
    assertFalse(cookie.contains("Secure"), cookie);
    Response proxied = signIn(form, token, "https");
    String secure =
        proxied.getHeaders().getValues("Set-Cookie").stream()
            .filter(c -> c.startsWith(ConsoleFilter.COOKIE + "="))
            .findFirst()
            .orElseThrow();
    assertTrue(secure.contains("Secure"), secure);
  }

  private static Response signIn(Response form, String token, String forwardedProto) {
    var request =
        given()
            .redirects()
            .follow(false)
            .cookie(SignInResource.SIGN_IN_COOKIE, form.getCookie(SignInResource.SIGN_IN_COOKIE))
            .formParam("key", Api.VIEWER_KEY)
            .formParam("csrf-token", token)
            .formParam("next", "/console/runs");
    if (forwardedProto != null) {
      request = request.header("X-Forwarded-Proto", forwardedProto);
    }
    Response r = request.post("/console/sign-in");
    assertEquals(303, r.statusCode());
    assertTrue(r.header("Location").endsWith("/console/runs"), r.header("Location"));
    return r;
  }

  @Test
  void theSignInFormItselfWantsItsToken() {
    Response form = given().get("/console/sign-in");
    given()
        .redirects()
        .follow(false)
        .cookie(SignInResource.SIGN_IN_COOKIE, form.getCookie(SignInResource.SIGN_IN_COOKIE))
        .formParam("key", Api.ADMIN_KEY)
        .formParam("csrf-token", "forged")
        .post("/console/sign-in")
        .then()
        .statusCode(403)
        .body(containsString("expired"));
  }

  @Test
  void aFormWithoutTheCsrfTokenIsRefusedAndAViewerCannotPostAnAdminForm() throws Exception {
    TestSql.wipe(dataSource);
    long before = TestSql.count(dataSource, "SELECT count(*) FROM run WHERE trigger = 'console'");
    ConsoleSession admin = ConsoleSession.signIn(Api.ADMIN_KEY);
    admin
        .request()
        .formParam("dryRun", "true")
        .post("/console/runs")
        .then()
        .statusCode(403)
        .body(containsString("did not come from the console"));
    admin
        .request()
        .formParam("dryRun", "true")
        .formParam("csrf-token", "x" + admin.csrf())
        .post("/console/runs")
        .then()
        .statusCode(403);
    // another session's token is no good either
    ConsoleSession viewer = ConsoleSession.signIn(Api.VIEWER_KEY);
    admin
        .request()
        .formParam("dryRun", "true")
        .formParam("csrf-token", viewer.csrf())
        .post("/console/runs")
        .then()
        .statusCode(403);
    viewer
        .request()
        .formParam("dryRun", "true")
        .formParam("csrf-token", viewer.csrf())
        .post("/console/runs")
        .then()
        .statusCode(403)
        .body(containsString("admin role"));
    viewer
        .request()
        .header("X-CSRF-Token", viewer.csrf())
        .formParam("id", "1")
        .post("/console/webhooks/retry")
        .then()
        .statusCode(403);
    assertEquals(
        before,
        TestSql.count(dataSource, "SELECT count(*) FROM run WHERE trigger = 'console'"),
        "nothing was queued");
    // the admin's own token, as a form field or as htmx's header, is accepted
    admin
        .request()
        .formParam("dryRun", "true")
        .formParam("csrf-token", admin.csrf())
        .post("/console/runs")
        .then()
        .statusCode(303)
        .header("Location", containsString("/console/runs/"));
    assertEquals(
        before + 1,
        TestSql.count(dataSource, "SELECT count(*) FROM run WHERE trigger = 'console'"));
    admin
        .request()
        .header("X-CSRF-Token", admin.csrf())
        .formParam("id", "0")
        .post("/console/webhooks/retry")
        .then()
        .statusCode(303);
    TestSql.wipe(dataSource);
  }

  @Test
  void signOutEndsTheSessionOnTheServerAndNothingSecretIsLogged() {
    List<String> logged = new ArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            logged.add(
                String.valueOf(record.getMessage())
                    + " "
                    + java.util.Arrays.toString(record.getParameters()));
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger root = Logger.getLogger("");
    root.addHandler(capture);
    try {
      ConsoleSession viewer = ConsoleSession.signIn(Api.VIEWER_KEY);
      viewer.request().get("/console/runs").then().statusCode(200);
      viewer
          .request()
          .formParam("csrf-token", viewer.csrf())
          .post("/console/sign-out")
          .then()
          .statusCode(303)
          .header("Location", containsString("signed-out"));
      viewer.request().get("/console/runs").then().statusCode(303);
      given()
          .redirects()
          .follow(false)
          .formParam("key", Api.ADMIN_KEY)
          .post("/console/sign-in")
          .then()
          .statusCode(403);
      assertFalse(logged.isEmpty(), "sign-in and refusals are logged");
      for (String line : logged) {
        assertFalse(line.contains(Api.VIEWER_KEY) || line.contains(Api.ADMIN_KEY), line);
        assertFalse(line.contains(viewer.cookie()) || line.contains(viewer.csrf()), line);
      }
    } finally {
      root.removeHandler(capture);
    }
  }

  private static org.hamcrest.Matcher<String> endsWith(String suffix) {
    return org.hamcrest.Matchers.endsWith(suffix);
  }

  @Test
  void consolePagesAreNeitherCachedNorFramedAndRunNoInlineScript() {
    ConsoleSession viewer = ConsoleSession.signIn(Api.VIEWER_KEY);
    viewer
        .request()
        .get("/console/runs")
        .then()
        .statusCode(200)
        .header("Cache-Control", equalTo("no-store"))
        .header("X-Frame-Options", equalTo("DENY"))
        .header("Content-Security-Policy", containsString("script-src 'self'"));
  }
}
