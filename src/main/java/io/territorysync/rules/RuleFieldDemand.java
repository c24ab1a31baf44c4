package io.territorysync.rules;

import io.territorysync.mirror.MirrorObject;
import io.territorysync.sync.FieldDemand;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashSet;
import java.util.Set;

/** The account fields the configured rules read beyond the typed mirror columns. */
@ApplicationScoped
public class RuleFieldDemand implements FieldDemand {

  @Inject RulesService rules;

  @Override
  public Set<String> fields(String object) {
    if (!object.equals("Account")) {
      return Set.of();
    }
    MirrorObject account = MirrorObject.byName("Account").orElseThrow();
    Set<String> out = new LinkedHashSet<>();
    for (String f : rules.referencedAccountFields()) {
      if (!f.equalsIgnoreCase("Id") && account.column(f).isEmpty()) {
        out.add(f);
      }
    }
    return out;
  }
}
