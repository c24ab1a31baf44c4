package io.territorysync.sync;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/** Lets a test name account fields the mirror must hold, as an active rule would. */
@ApplicationScoped
public class TestFieldDemand implements FieldDemand {

  private volatile Set<String> accountFields = Set.of();

  public void accountFields(Set<String> fields) {
    this.accountFields = Set.copyOf(fields);
  }

  @Override
  public Set<String> fields(String object) {
    return object.equals("Account") ? accountFields : Set.of();
  }
}
