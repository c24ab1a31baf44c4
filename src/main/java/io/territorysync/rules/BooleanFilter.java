package io.territorysync.rules;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * A rule's boolean filter such as {@code (1 AND 2) OR NOT 3}: criterion numbers (1-based) combined
 * with AND, OR, NOT and parentheses; AND binds tighter than OR.
 */
public sealed interface BooleanFilter {

  /** Whether the filter holds given each criterion's outcome (index 0 is criterion 1). */
  boolean test(boolean[] outcomes);

  /** Criterion numbers (1-based) the filter mentions. */
  BitSet references();

  /** The criteria any of {@code parts} refers to. */
  private static BitSet referencesOf(List<BooleanFilter> parts) {
    BitSet b = new BitSet();
    parts.forEach(p -> b.or(p.references()));
    return b;
  }

  /** A criterion by number. */
  record Ref(int number) implements BooleanFilter {
    public boolean test(boolean[] o) {
      return o[number - 1];
    }

    public BitSet references() {
      BitSet b = new BitSet();
      b.set(number);
      return b;
    }

    @Override
    public String toString() {
      return Integer.toString(number);
    }
  }

  /** All parts hold. */
  record And(List<BooleanFilter> parts) implements BooleanFilter {
    public boolean test(boolean[] o) {
      for (BooleanFilter p : parts) {
        if (!p.test(o)) {
          return false;
        }
      }
      return true;
    }

    public BitSet references() {
      return referencesOf(parts);
    }

    @Override
    public String toString() {
      return "(" + String.join(" AND ", parts.stream().map(Object::toString).toList()) + ")";
    }
  }

  /** Any part holds. */
  record Or(List<BooleanFilter> parts) implements BooleanFilter {
    public boolean test(boolean[] o) {
      for (BooleanFilter p : parts) {
        if (p.test(o)) {
          return true;
        }
      }
      return false;
    }

    public BitSet references() {
      return referencesOf(parts);
    }

    @Override
    public String toString() {
      return "(" + String.join(" OR ", parts.stream().map(Object::toString).toList()) + ")";
    }
  }

  /** The part does not hold. */
  record Not(BooleanFilter part) implements BooleanFilter {
    public boolean test(boolean[] o) {
      return !part.test(o);
    }

    public BitSet references() {
      return part.references();
    }

    @Override
    public String toString() {
      return "NOT " + part;
    }
  }

  /**
   * A filter that cannot be parsed; {@code offset} is the 0-based character where it went wrong.
   */
  final class SyntaxError extends Exception {
    private final int offset;

    SyntaxError(String message, int offset) {
      super(message, null, false, false);
      this.offset = offset;
    }

    public int offset() {
      return offset;
    }
  }

  /** The filter that ANDs criteria 1..n. */
  static BooleanFilter allOf(int n) {
    List<BooleanFilter> refs = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      refs.add(new Ref(i));
    }
    return refs.size() == 1 ? refs.get(0) : new And(refs);
  }

  /** Parses {@code text}; criterion numbers must be between 1 and {@code criteria}. */
  static BooleanFilter parse(String text, int criteria) throws SyntaxError {
    Parser p = new Parser(text, criteria);
    BooleanFilter f = p.expression();
    p.skipSpace();
    if (p.pos < text.length()) {
      throw new SyntaxError("unexpected '" + text.charAt(p.pos) + "'", p.pos);
    }
    return f;
  }

  /**
   * Deepest nesting of parentheses and NOTs: the parser and the filter recurse, so a filter of a
   * million '(' would otherwise overflow the stack.
   */
  int MAX_DEPTH = 50;

  /** Recursive-descent parser, refusing nesting deeper than {@link #MAX_DEPTH}. */
  final class Parser {
    private final String text;
    private final int criteria;
    private int pos;
    private int depth;

    private Parser(String text, int criteria) {
      this.text = text;
      this.criteria = criteria;
    }

    BooleanFilter expression() throws SyntaxError {
      List<BooleanFilter> parts = new ArrayList<>(List.of(term()));
      while (keyword("OR")) {
        parts.add(term());
      }
      return parts.size() == 1 ? parts.get(0) : new Or(parts);
    }

    BooleanFilter term() throws SyntaxError {
      List<BooleanFilter> parts = new ArrayList<>(List.of(factor()));
      while (keyword("AND")) {
        parts.add(factor());
      }
      return parts.size() == 1 ? parts.get(0) : new And(parts);
    }

    BooleanFilter factor() throws SyntaxError {
      skipSpace();
      int start = pos;
      if (keyword("NOT")) {
        deeper(start);
        BooleanFilter negated = new Not(factor());
        depth--;
        return negated;
      }
      if (pos < text.length() && text.charAt(pos) == '(') {
        deeper(pos);
        pos++;
        BooleanFilter inner = expression();
        skipSpace();
        if (pos >= text.length() || text.charAt(pos) != ')') {
          throw new SyntaxError("missing ')'", pos);
        }
        pos++;
        depth--;
        return inner;
      }
      while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
        pos++;
      }
      if (start == pos) {
        throw new SyntaxError(
            pos < text.length()
                ? "expected a criterion number, '(' or NOT at '" + text.charAt(pos) + "'"
                : "expected a criterion number at the end",
            start);
      }
      if (pos - start > 9) {
        throw new SyntaxError(
            "criterion "
                + text.substring(start, start + 9)
                + "… does not exist (the rule has "
                + criteria
                + ")",
            start);
      }
      int n = Integer.parseInt(text.substring(start, pos));
      if (n < 1 || n > criteria) {
        throw new SyntaxError(
            "criterion " + n + " does not exist (the rule has " + criteria + ")", start);
      }
      return new Ref(n);
    }

    private void deeper(int at) throws SyntaxError {
      if (++depth > MAX_DEPTH) {
        throw new SyntaxError(
            "parentheses and NOTs are nested more than " + MAX_DEPTH + " deep", at);
      }
    }

    boolean keyword(String word) {
      skipSpace();
      int end = pos + word.length();
      if (end <= text.length()
          && text.substring(pos, end).toUpperCase(Locale.ROOT).equals(word)
          && (end == text.length() || !Character.isLetterOrDigit(text.charAt(end)))) {
        pos = end;
        return true;
      }
      return false;
    }

    void skipSpace() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
    }
  }
}
