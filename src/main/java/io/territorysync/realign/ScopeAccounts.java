package io.territorysync.realign;

import io.territorysync.mirror.MirrorColumn;
import io.territorysync.mirror.MirrorObject;
import io.territorysync.rules.BooleanFilter;
import io.territorysync.rules.RuleSet;
import io.territorysync.rules.engine.CompiledCriterion;
import io.territorysync.rules.engine.CompiledRules;
import io.territorysync.rules.engine.FieldSlots;
import io.territorysync.salesforce.SalesforceId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The SQL that finds the accounts a scoped plan can need, so that it reads those and not the whole
 * mirror: accounts associated with a scope territory, accounts pinned to one by an override, and
 * accounts whose fields could satisfy a scope territory's effective rules.
 *
 * <p>The condition is a superset, never a subset: each rule criterion becomes the SQL form of its
 * candidate-index keys (the keys an account satisfying the criterion must hit), criteria that have
 * no such form are left out (taken as true), and the accounts still go through the compiled rules
 * in full. Text is compared the way the engine does (trimmed, lower case) for printable ASCII
 * values; any value with another character is let through for the engine to decide. When some scope
 * territory's rules give no condition at all, there is no filter and the plan reads every account.
 */
final class ScopeAccounts {

  /** The query of the scope's account ids, with its parameters (String or String[]). */
  record Filter(String sql, List<Object> params) {}

  private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final String LOWER = UPPER.toLowerCase(Locale.ROOT);

  /** Not printable ASCII: such a value is left to the engine. */
  private static final String OTHER = "'[^ -~]'";

  private final CompiledRules compiled;
  private final FieldSlots slots;
  private final MirrorObject account = MirrorObject.byName("Account").orElseThrow();

  /** Derived expressions, computed once per row in the inner query: expression → alias. */
  private final Map<String, String> derived = new LinkedHashMap<>();

  private final List<Object> params = new ArrayList<>();

  private ScopeAccounts(CompiledRules compiled) {
    this.compiled = compiled;
    this.slots = compiled.slots();
  }

  /**
   * The condition for the accounts of {@code territoryIds} under {@code compiled}; empty when some
   * territory's rules cannot be narrowed down in SQL.
   */
  static Optional<Filter> of(CompiledRules compiled, Collection<String> territoryIds) {
    return new ScopeAccounts(compiled).build(territoryIds);
  }

  private Optional<Filter> build(Collection<String> territoryIds) {
    Set<String> scope = new HashSet<>(territoryIds);
    List<String> ruleParts = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (CompiledRules.Territory t : compiled.territories()) {
      if (t.id() == null || !scope.contains(t.id())) {
        continue;
      }
      names.add(t.developerName().toLowerCase(Locale.ROOT));
      int[] rules = compiled.effectiveRules(t.index());
      if (rules.length == 0) {
        continue; // only overrides and associations bring it accounts
      }
      List<String> all = new ArrayList<>();
      for (int r : rules) {
        String sql = rule(compiled.rule(r));
        if (sql != null) {
          all.add(sql);
        }
      }
      if (all.isEmpty()) {
        return Optional.empty();
      }
      ruleParts.add(String.join(" AND ", all));
    }
    List<String> pinned = new ArrayList<>();
    for (RuleSet.Override o : compiled.source().overrides()) {
      if (names.contains(o.territory().toLowerCase(Locale.ROOT))) {
        SalesforceId.normalize(o.accountId()).ifPresent(pinned::add);
      }
    }
    List<Object> outer = new ArrayList<>();
    StringBuilder where =
        new StringBuilder(
            "id IN (SELECT object_id FROM sf_object_territory2_association"
                + " WHERE territory2_id = ANY(?)) OR id = ANY(?)");
    outer.add(scope.toArray(String[]::new));
    outer.add(pinned.toArray(String[]::new));
    for (String part : ruleParts) {
      where.append(" OR (").append(part).append(')');
    }
    StringBuilder sql = new StringBuilder("SELECT id FROM (SELECT id");
    derived.forEach((expr, alias) -> sql.append(", ").append(expr).append(" AS ").append(alias));
    // OFFSET 0 keeps the inner query apart, so each derived value is computed once per row
    sql.append(" FROM sf_account OFFSET 0) s WHERE ").append(where);
    // the derived expressions take no parameters: the outer query's come in their order
    List<Object> ordered = new ArrayList<>(outer);
    ordered.addAll(params);
    return Optional.of(new Filter(sql.toString(), ordered));
  }

  /** A rule: its filter over its criteria (null: no condition can be given). */
  private String rule(CompiledRules.Rule rule) {
    return filter(rule.filter(), rule.criteria());
  }

  private String filter(BooleanFilter f, CompiledCriterion[] criteria) {
    if (f instanceof BooleanFilter.Ref ref) {
      return criterion(criteria[ref.number() - 1]);
    }
    if (f instanceof BooleanFilter.And and) {
      List<String> parts = new ArrayList<>();
      for (BooleanFilter p : and.parts()) {
        String s = filter(p, criteria);
        if (s != null) {
          parts.add(s);
        }
      }
      return parts.isEmpty() ? null : "(" + String.join(" AND ", parts) + ")";
    }
    if (f instanceof BooleanFilter.Or or) {
      List<String> parts = new ArrayList<>();
      for (BooleanFilter p : or.parts()) {
        String s = filter(p, criteria);
        if (s == null) {
          return null; // one side unconstrained: the whole OR is
        }
        parts.add(s);
      }
      return "(" + String.join(" OR ", parts) + ")";
    }
    return null; // NOT: a superset of its complement is not a condition
  }

  /** The criterion as the OR of its index keys (null: it has none we can write). */
  private String criterion(CompiledCriterion c) {
    if (c.keys() == null || c.keys().isEmpty()) {
      return null;
    }
    List<String> exact = new ArrayList<>();
    int exactSlot = -1;
    List<String> parts = new ArrayList<>();
    for (CompiledCriterion.IndexKey k : c.keys()) {
      if (k instanceof CompiledCriterion.Exact x) {
        if (!slots.kind(x.slot()).textual() || exactSlot >= 0 && exactSlot != x.slot()) {
          return null;
        }
        exactSlot = x.slot();
        exact.add(x.value());
      } else if (k instanceof CompiledCriterion.Prefix p) {
        if (!slots.kind(p.slot()).textual()) {
          return null;
        }
        String expr =
            p.postal()
                ? derive(
                    "translate(regexp_replace("
                        + column(p.slot())
                        + ", '[^A-Za-z0-9]', '', 'g'),"
                        + " '"
                        + LOWER
                        + "', '"
                        + UPPER
                        + "')")
                : lower(p.slot());
        parts.add("(" + expr + " LIKE ? ESCAPE '\\' OR " + other(p.slot()) + ")");
        params.add(like(p.prefix()));
      } else if (k instanceof CompiledCriterion.Postal p) {
        // a number's text in the engine ("98101.0") is not the column's: text fields only
        if (p.digits() > 18 || !slots.kind(p.slot()).textual()) {
          return null;
        }
        String digits =
            derive(
                "left(regexp_replace("
                    + column(p.slot())
                    + ", '[^0-9]', '', 'g'), "
                    + p.digits()
                    + ")");
        parts.add(
            "(length("
                + digits
                + ") = "
                + p.digits()
                + " AND "
                + digits
                + " COLLATE \"C\" BETWEEN ? AND ?)");
        params.add(pad(p.from(), p.digits()));
        params.add(pad(p.to(), p.digits()));
      } else {
        return null; // numeric ranges: the engine's number parsing is not SQL's
      }
    }
    if (!exact.isEmpty()) {
      parts.add("(" + lower(exactSlot) + " = ANY(?) OR " + other(exactSlot) + ")");
      params.add(exact.toArray(String[]::new));
    }
    return "(" + String.join(" OR ", parts) + ")";
  }

  /** The slot's text as the engine compares it, for printable ASCII: trimmed, lower case. */
  private String lower(int slot) {
    return derive("translate(btrim(" + column(slot) + "), '" + UPPER + "', '" + LOWER + "')");
  }

  /** Whether the slot's text has a character other than printable ASCII. */
  private String other(int slot) {
    return derive("coalesce(" + column(slot) + " ~ " + OTHER + ", false)");
  }

  private String derive(String expr) {
    return derived.computeIfAbsent(expr, e -> "d" + derived.size());
  }

  private String column(int slot) {
    String f = slots.name(slot);
    if (f.equalsIgnoreCase("Id")) {
      return "id";
    }
    MirrorColumn col = account.column(f).orElse(null);
    return col != null ? col.column() + "::text" : "(extra->>'" + f.replace("'", "''") + "')";
  }

  private static String like(String prefix) {
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
  }

  private static String pad(long n, int digits) {
    String s = Long.toString(n);
    return "0".repeat(Math.max(0, digits - s.length())) + s;
  }
}
