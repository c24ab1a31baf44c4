package io.territorysync.rules.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The literal start of a regular expression, which lets the index skip most accounts. */
class LiteralPrefixTest {

  @Test
  void leadingPlainCharactersInLowerCase() {
    assertEquals("acme ", CriterionCompiler.literalPrefix("Acme .*(Inc|Corp)"));
    assertEquals("zen", CriterionCompiler.literalPrefix("^Zen.*"));
    assertEquals("north", CriterionCompiler.literalPrefix("North\\b.*"));
    assertEquals("prime", CriterionCompiler.literalPrefix("prime+"));
  }

  @Test
  void anOptionalOrRepeatedLastCharacterIsNotPartOfIt() {
    assertEquals("del", CriterionCompiler.literalPrefix("delt?a.*"));
    assertEquals("ab", CriterionCompiler.literalPrefix("abc*"));
    assertEquals("x", CriterionCompiler.literalPrefix("xy{0,2}z"));
  }

  @Test
  void noneWhenThePatternAlternatesOrStartsWithAGroupClassOrFlag() {
    assertEquals("", CriterionCompiler.literalPrefix("acme|zen.*"));
    assertEquals("", CriterionCompiler.literalPrefix("(?i)acme.*"));
    assertEquals("", CriterionCompiler.literalPrefix("(?:blue|north) .*"));
    assertEquals("", CriterionCompiler.literalPrefix("[a-z]+ co"));
    assertEquals("", CriterionCompiler.literalPrefix(".*acme"));
    assertEquals("", CriterionCompiler.literalPrefix("a(b|c)|d"));
    assertEquals("a", CriterionCompiler.literalPrefix("a(b|c)d"));
  }
}
