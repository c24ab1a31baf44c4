package io.territorysync.console;

import io.territorysync.api.ApiKeys;

/**
 * Who is signed in to the console: a display name, the role (viewer or admin), how they signed in
 * ({@code api-key} or {@code salesforce}) and the CSRF token every form of their session carries.
 */
public record ConsoleUser(
    String name, ApiKeys.Role role, String method, String salesforceUserId, String csrfToken) {

  /** Whether this user may start runs, retry events, publish rules. */
  public boolean admin() {
    return role == ApiKeys.Role.ADMIN;
  }

  /** The role as shown and configured: {@code viewer} or {@code admin}. */
  public String roleLabel() {
    return role.label();
  }
}
