package io.territorysync.rules;

import java.util.List;

/**
 * A set of territory assignment rules as a file (or the org) states them, before compilation.
 *
 * @param source where it came from (a file path, or {@code org})
 * @param model target Territory2Model DeveloperName
 * @param mode {@code multi} (native: every matching territory) or {@code exclusive}
 * @param exclusivePer in exclusive mode, one territory per {@code type} or per {@code model}
 * @param territories rules per territory
 * @param overrides named accounts pinned to territories
 * @param modelPos where the model is named
 * @param modelPos where the model is named
 */
public record RuleSet(
    String source,
    String model,
    Mode mode,
    ExclusivePer exclusivePer,
    List<TerritoryRules> territories,
    List<Override> overrides,
    Pos modelPos) {

  /** Assignment mode. */
  public enum Mode {
    MULTI,
    EXCLUSIVE
  }

  /** What "exclusive" is exclusive within. */
  public enum ExclusivePer {
    TYPE,
    MODEL
  }

  /**
   * One territory's part.
   *
   * @param developerName Territory2 DeveloperName
   * @param priority explicit priority for exclusive tie-breaks (higher wins), after the type's
   * @param rules rules local to the territory; an account must match all of them (and the inherited
   *     ones)
   * @param exclude account ids never assigned to it
   * @param users users who work it
   */
  public record TerritoryRules(
      String developerName,
      int priority,
      List<Rule> rules,
      List<String> exclude,
      List<Member> users,
      Pos pos) {}

  /**
   * One rule: criteria combined by a boolean filter.
   *
   * @param filter like {@code (1 AND 2) OR 3} over criterion numbers; null means all of them
   * @param inherited also applies to the territory's descendants
   */
  public record Rule(
      String name,
      String filter,
      List<Criterion> criteria,
      boolean inherited,
      Pos pos,
      Pos filterPos) {}

  /**
   * One criterion.
   *
   * @param field Account field API name (ignored for geographic operations)
   * @param values the operands, one per list item (a Salesforce comma list is split)
   * @param caseSensitive text comparisons honour case
   */
  public record Criterion(
      String field,
      Operation operation,
      List<String> values,
      boolean caseSensitive,
      Pos pos,
      Pos fieldPos,
      Pos valuePos) {}

  /** A user working a territory. */
  public record Member(String user, String role, Pos pos) {}

  /** A named account pinned to a territory. */
  public record Override(String accountId, String territory, Pos pos) {}
}
