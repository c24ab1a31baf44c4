package io.territorysync.rules.engine;

import io.territorysync.rules.FieldKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The account fields a compiled rule set reads, each at a fixed slot of {@link AccountRecord}. */
public final class FieldSlots {

  private final List<String> names = new ArrayList<>();
  private final List<FieldKind> kinds = new ArrayList<>();
  private final Map<String, Integer> index = new HashMap<>();

  /** The slot of {@code name}, adding it when new. */
  public int slot(String name, FieldKind kind) {
    String key = name.toLowerCase(Locale.ROOT);
    Integer i = index.get(key);
    if (i != null) {
      return i;
    }
    names.add(name);
    kinds.add(kind);
    index.put(key, names.size() - 1);
    return names.size() - 1;
  }

  /** The slot of {@code name}, or -1. */
  public int find(String name) {
    Integer i = index.get(name.toLowerCase(Locale.ROOT));
    return i == null ? -1 : i;
  }

  public int size() {
    return names.size();
  }

  public String name(int slot) {
    return names.get(slot);
  }

  public FieldKind kind(int slot) {
    return kinds.get(slot);
  }

  public List<String> names() {
    return List.copyOf(names);
  }
}
