package io.territorysync.preflight;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of one preflight: every check, the Salesforce API calls it spent and when it ran.
 *
 * @param checks the checks, in the order an admin fixes them
 * @param apiCalls API calls counted against the org's daily limit (the OAuth login is not one)
 * @param checkedAt when the checks ran
 */
public record PreflightReport(List<Check> checks, int apiCalls, Instant checkedAt) {

  /** The worst status of any check. */
  public Check.Status status() {
    return checks.stream().map(Check::status).max(Enum::compareTo).orElse(Check.Status.OK);
  }

  /** The {@code doctor} command's exit code: 0 all ok, 1 something failing, 2 warnings only. */
  public int exitCode() {
    return switch (status()) {
      case OK -> 0;
      case FAILING -> 1;
      case WARNING -> 2;
    };
  }

  /** The check with {@code id}. */
  public Check check(String id) {
    return checks.stream()
        .filter(c -> c.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no check " + id));
  }

  /** How many checks have {@code status}. */
  public long count(Check.Status status) {
    return checks.stream().filter(c -> c.status() == status).count();
  }
}
