package io.territorysync.console;

import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * The signed-in user of the current console request. Java code injects it; templates read it as
 * {@code {inject:console.user.name}}, {@code {inject:console.admin}} (hide admin-only buttons) and
 * {@code {inject:console.csrfToken}} (every form and htmx POST carries it).
 */
@RequestScoped
@Named("console")
public class ConsoleRequest {

  /** Routing-context key under which the console filter leaves the signed-in user. */
  static final String USER = "territory.console.user";

  @Inject RoutingContext routing;

  /** The signed-in user; the console filter guarantees one on every console page. */
  public ConsoleUser user() {
    ConsoleUser user = routing.get(USER);
    if (user == null) {
      throw new IllegalStateException("no console user: the path is not guarded");
    }
    return user;
  }

  /** Whether someone is signed in (false only on the sign-in page). */
  public boolean signedIn() {
    return routing.get(USER) != null;
  }

  /** Whether the signed-in user has the admin role. */
  public boolean admin() {
    ConsoleUser user = routing.get(USER);
    return user != null && user.admin();
  }

  /** The session's CSRF token (empty on pages shown before sign-in). */
  public String csrfToken() {
    ConsoleUser user = routing.get(USER);
    return user == null ? "" : user.csrfToken();
  }
}
