package io.territorysync.preflight;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * One preflight check: what was checked, its status, what was found and how to fix it.
 *
 * @param id stable identifier ({@code login}, {@code field-access}…), for scripts and the console
 * @param name what is checked, in words
 * @param status ok, warning or failing
 * @param found what the check saw
 * @param fix what to do about it (empty when ok)
 */
public record Check(String id, String name, Status status, String found, String fix) {

  /** How a check came out; failing stops runs, warning is worth a look. */
  public enum Status {
    OK,
    WARNING,
    FAILING;

    @JsonValue
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static Check ok(String id, String name, String found) {
    return new Check(id, name, Status.OK, found, "");
  }

  static Check warning(String id, String name, String found, String fix) {
    return new Check(id, name, Status.WARNING, found, fix);
  }

  static Check failing(String id, String name, String found, String fix) {
    return new Check(id, name, Status.FAILING, found, fix);
  }
}
