package io.territorysync.rules;

/** A position in a rules file: 1-based line and column. */
public record Pos(int line, int column) {

  public static final Pos NONE = new Pos(0, 0);

  @Override
  public String toString() {
    return line + ":" + column;
  }
}
