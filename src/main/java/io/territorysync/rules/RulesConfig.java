package io.territorysync.rules;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Where the rules in force come from. */
@ConfigMapping(prefix = "territory.rules")
public interface RulesConfig {

  /** {@code file}: the rules file; {@code org}: the org's own assignment rules, run as they are. */
  @WithDefault("file")
  String source();

  /**
   * The rules file: a path, or {@code classpath:…}. Read again at every run; an invalid file keeps
   * the previous rules.
   */
  Optional<String> file();

  /** With {@code source=org}: the model whose rules run (default: the Active model). */
  Optional<String> model();
}
