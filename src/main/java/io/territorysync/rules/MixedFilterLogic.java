package io.territorysync.rules;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * Salesforce refuses filter logic that mixes AND and OR at one level without parentheses ("must use
 * parentheses around successive AND and OR expressions"), so {@code 1 AND 2 OR 3} is an error, not
 * something read with AND binding tighter.
 */
public final class MixedFilterLogic {

  /** What the rules file is told. */
  public static final String MESSAGE =
      "AND and OR are mixed without parentheses; Salesforce requires parentheses around"
          + " successive AND and OR expressions: write (1 AND 2) OR 3 or 1 AND (2 OR 3)";

  private MixedFilterLogic() {}

  /**
   * The 0-based offset of the first AND or OR that joins a level already joined by the other
   * operator, or -1 when every level uses one of them only.
   */
  public static int offset(String filter) {
    Deque<int[]> levels = new ArrayDeque<>(); // {sawAnd, sawOr}
    levels.push(new int[2]);
    String upper = filter.toUpperCase(Locale.ROOT);
    for (int i = 0; i < upper.length(); i++) {
      char ch = upper.charAt(i);
      if (ch == '(') {
        levels.push(new int[2]);
      } else if (ch == ')') {
        if (levels.size() > 1) {
          levels.pop();
        }
      } else if (Character.isLetter(ch)
          && (i == 0 || !Character.isLetterOrDigit(upper.charAt(i - 1)))) {
        int end = i;
        while (end < upper.length() && Character.isLetterOrDigit(upper.charAt(end))) {
          end++;
        }
        String word = upper.substring(i, end);
        int[] level = levels.peek();
        if (word.equals("AND")) {
          level[0] = 1;
        } else if (word.equals("OR")) {
          level[1] = 1;
        }
        if (level[0] == 1 && level[1] == 1) {
          return i;
        }
        i = end - 1;
      }
    }
    return -1;
  }
}
