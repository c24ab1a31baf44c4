package io.territorysync.rules;

/** An error (or warning) in a rules file, with its position. */
public record RuleProblem(Pos pos, String message, boolean warning) {

  public static RuleProblem error(Pos pos, String message) {
    return new RuleProblem(pos, message, false);
  }

  public static RuleProblem warning(Pos pos, String message) {
    return new RuleProblem(pos, message, true);
  }

  /** {@code file:line:column: error: message}. */
  public String format(String file) {
    return file + ":" + pos + ": " + (warning ? "warning" : "error") + ": " + message;
  }
}
