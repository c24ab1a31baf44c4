package io.territorysync.rules;

/** There are no valid rules to run; the message lists the problems. */
public class RulesException extends RuntimeException {

  public RulesException(String message) {
    super(message);
  }
}
