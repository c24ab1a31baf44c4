package io.territorysync.emulator;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The standard Opportunity stages with their default probability and closed/won flags. */
public final class Stages {

  /** One stage. */
  public record Stage(
      String name, int probability, boolean closed, boolean won, String forecastCategory) {}

  public static final List<Stage> ALL =
      List.of(
          new Stage("Prospecting", 10, false, false, "Pipeline"),
          new Stage("Qualification", 10, false, false, "Pipeline"),
          new Stage("Needs Analysis", 20, false, false, "Pipeline"),
          new Stage("Value Proposition", 50, false, false, "Pipeline"),
          new Stage("Id. Decision Makers", 60, false, false, "Pipeline"),
          new Stage("Perception Analysis", 70, false, false, "Pipeline"),
          new Stage("Proposal/Price Quote", 75, false, false, "Pipeline"),
          new Stage("Negotiation/Review", 90, false, false, "Commit"),
          new Stage("Closed Won", 100, true, true, "Closed"),
          new Stage("Closed Lost", 0, true, false, "Omitted"));

  public static final List<String> NAMES = ALL.stream().map(Stage::name).toList();

  private static final Map<String, Stage> BY_NAME =
      ALL.stream()
          .collect(Collectors.toMap(s -> s.name().toLowerCase(Locale.ROOT), Function.identity()));

  private Stages() {}

  /** The stage named {@code name}; an unknown stage counts as open with no forecast. */
  public static Stage of(String name) {
    Stage s = name == null ? null : BY_NAME.get(name.toLowerCase(Locale.ROOT));
    return s != null ? s : new Stage(name, 0, false, false, "Pipeline");
  }
}
