package io.territorysync.emulator.soql;

import com.fasterxml.jackson.core.JsonGenerator;
import io.territorysync.emulator.ApiException;
import io.territorysync.emulator.FieldDef;
import io.territorysync.emulator.FieldType;
import io.territorysync.emulator.ObjectDef;
import io.territorysync.emulator.OrgData;
import io.territorysync.emulator.Values;
import io.territorysync.emulator.soql.SoqlQuery.Comparison;
import io.territorysync.emulator.soql.SoqlQuery.Condition;
import io.territorysync.emulator.soql.SoqlQuery.Literal;
import io.territorysync.emulator.soql.SoqlQuery.Operator;
import io.territorysync.salesforce.SalesforceId;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** A SOQL query resolved against the org's schema: filter, order and rendering of rows. */
public final class CompiledQuery {

  private final OrgData org;
  private final ObjectDef root;
  private final SoqlQuery query;
  private final Node select;
  private final List<Column> columns = new ArrayList<>();
  private final Predicate<Object[]> where;
  private final Comparator<Object[]> order;

  /** A resolved field path: canonical name and how to read it from a root row. */
  private record Column(String name, FieldDef field, Function<Object[], Object> read) {}

  /** The SELECT list as a tree: fields of an object and its parent relationships. */
  private static final class Node {
    final ObjectDef def;
    final Map<String, Object> children = new LinkedHashMap<>();

    Node(ObjectDef def) {
      this.def = def;
    }
  }

  private record Parent(String name, int refIndex, Node node) {}

  private CompiledQuery(OrgData org, SoqlQuery query) {
    this.org = org;
    this.query = query;
    this.root =
        org.schema()
            .object(query.object())
            .filter(d -> org.access().canSee(d.name()))
            .orElseThrow(() -> ApiException.invalidType(query.object()));
    this.select = new Node(root);
    for (List<String> path : query.fields()) {
      columns.add(resolve(path, true));
    }
    this.where = query.where() == null ? r -> true : condition(query.where());
    this.order = comparator(query.orderBy());
    if (query.where() != null) {
      lookup(query.where());
    }
  }

  /** A field the condition requires to be one of a few ids, looked up instead of scanned. */
  private int lookupField = -1;

  private List<Object> lookupValues;

  private void lookup(Condition c) {
    List<Condition> parts = c instanceof SoqlQuery.And and ? and.parts() : List.of(c);
    for (Condition part : parts) {
      if (!(part instanceof Comparison cmp)
          || cmp.path().size() != 1
          || (cmp.op() != Operator.IN && cmp.op() != Operator.EQ)) {
        continue;
      }
      int index = root.indexOf(cmp.path().get(0));
      if (index < 0
          || (root.field(index).type() != FieldType.ID
              && root.field(index).type() != FieldType.REFERENCE)) {
        continue;
      }
      List<Literal> literals =
          cmp.value() instanceof SoqlQuery.ListValue list ? list.values() : List.of(cmp.value());
      List<Object> values = new ArrayList<>();
      for (Literal l : literals) {
        if (!(l instanceof SoqlQuery.Str str)) {
          values = null;
          break;
        }
        java.util.Optional<String> id = SalesforceId.normalize(str.value());
        if (id.isEmpty()) {
          values = null;
          break;
        }
        values.add(id.get());
      }
      if (values != null) {
        lookupField = index;
        lookupValues = values;
        return;
      }
    }
  }

  /** Resolves {@code query} against {@code org}'s schema; errors are Salesforce's. */
  public static CompiledQuery compile(OrgData org, SoqlQuery query) {
    return new CompiledQuery(org, query);
  }

  public ObjectDef object() {
    return root;
  }

  public boolean isCount() {
    return query.count();
  }

  /** Matching rows in order, after OFFSET and LIMIT. Call under {@link OrgData#read}. */
  public List<Object[]> execute(boolean includeDeleted) {
    List<Object[]> rows =
        lookupField >= 0
            ? org.rowsWhere(root, includeDeleted, lookupField, lookupValues, where)
            : org.rows(root, includeDeleted, where);
    if (order != null) {
      rows.sort(order);
    }
    int from = query.offset() == null ? 0 : Math.min(query.offset(), rows.size());
    int to = query.limit() == null ? rows.size() : Math.min(rows.size(), from + query.limit());
    return from == 0 && to == rows.size() ? rows : new ArrayList<>(rows.subList(from, to));
  }

  /** Whether the query answers aggregate rows ({@link #aggregate}). */
  public boolean isAggregate() {
    return query.aggregate();
  }

  /**
   * The aggregate rows of {@code rows} (matching rows from {@link #execute}): per value of the
   * GROUP BY field (one row without one), that value and the count of non-null values of the
   * counted field, in Salesforce's JSON shape. Call under {@link OrgData#read}.
   */
  public List<Map<String, Object>> aggregate(List<Object[]> rows) {
    Column counted = resolve(query.countOf(), false);
    Column group = query.groupBy() == null ? null : resolve(query.groupBy(), false);
    Map<Object, long[]> counts = new LinkedHashMap<>();
    for (Object[] r : rows) {
      Object key = group == null ? "" : group.read().apply(r);
      long[] n = counts.computeIfAbsent(key == null ? NULL_GROUP : key, k -> new long[1]);
      if (counted.read().apply(r) != null) {
        n[0]++;
      }
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map.Entry<Object, long[]> e : counts.entrySet()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("attributes", Map.of("type", "AggregateResult"));
      if (group != null) {
        row.put(group.field().name(), e.getKey() == NULL_GROUP ? null : Values.json(e.getKey()));
      }
      row.put(query.countAlias(), e.getValue()[0]);
      out.add(row);
    }
    return out;
  }

  private static final Object NULL_GROUP = new Object();

  /** Column names as Bulk API results head them ({@code Territory2.Territory2Type.Priority}). */
  public List<String> columnNames() {
    return columns.stream().map(Column::name).toList();
  }

  /** The CSV values of {@code row}, one per column. */
  public List<String> csv(Object[] row) {
    List<String> out = new ArrayList<>(columns.size());
    for (Column c : columns) {
      out.add(Values.text(c.read().apply(row)));
    }
    return out;
  }

  /** Writes {@code row} as a query record: attributes, fields, nested parents. */
  public void writeJson(JsonGenerator g, Object[] row, String version) throws IOException {
    writeNode(g, select, row, version);
  }

  private void writeNode(JsonGenerator g, Node node, Object[] row, String version)
      throws IOException {
    g.writeStartObject();
    g.writeObjectFieldStart("attributes");
    g.writeStringField("type", node.def.name());
    g.writeStringField(
        "url",
        "/services/data/" + version + "/sobjects/" + node.def.name() + "/" + row[ObjectDef.ID]);
    g.writeEndObject();
    for (Map.Entry<String, Object> child : node.children.entrySet()) {
      if (child.getValue() instanceof Integer index) {
        g.writeFieldName(child.getKey());
        writeValue(g, ObjectDef.get(row, index));
      } else {
        Parent p = (Parent) child.getValue();
        g.writeFieldName(p.name());
        Object[] parent = parentRow(row, p.refIndex());
        if (parent == null) {
          g.writeNull();
        } else {
          writeNode(g, p.node(), parent, version);
        }
      }
    }
    g.writeEndObject();
  }

  private static void writeValue(JsonGenerator g, Object v) throws IOException {
    Object json = Values.json(v);
    if (json == null) {
      g.writeNull();
    } else if (json instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (json instanceof Integer i) {
      g.writeNumber(i);
    } else if (json instanceof Double d) {
      g.writeNumber(d);
    } else {
      g.writeString(json.toString());
    }
  }

  private Object[] parentRow(Object[] row, int refIndex) {
    Object id = ObjectDef.get(row, refIndex);
    if (id == null) {
      return null;
    }
    Object[] parent = org.row((String) id).orElse(null);
    return parent == null || Boolean.TRUE.equals(parent[ObjectDef.IS_DELETED]) ? null : parent;
  }

  // ----------------------------------------------------------------------------- resolution

  private Column resolve(List<String> rawPath, boolean selected) {
    List<String> path = rawPath;
    if (path.size() > 1
        && path.get(0).equalsIgnoreCase(root.name())
        && root.relationshipIndex(path.get(0)) < 0) {
      path = path.subList(1, path.size());
    }
    ObjectDef def = root;
    Node node = select;
    Function<Object[], Object[]> walk = r -> r;
    StringBuilder name = new StringBuilder();
    for (int i = 0; i < path.size() - 1; i++) {
      String rel = path.get(i);
      int refIndex = def.relationshipIndex(rel);
      if (refIndex < 0
          || org.access().hidden(def.name(), def.field(refIndex).name())
          || !org.access().canSee(def.field(refIndex).referenceTo().get(0))) {
        throw ApiException.invalidField(
            "Didn't understand relationship '"
                + rel
                + "' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.");
      }
      FieldDef ref = def.field(refIndex);
      ObjectDef target = org.schema().object(ref.referenceTo().get(0)).orElseThrow();
      name.append(ref.relationshipName()).append('.');
      Function<Object[], Object[]> previous = walk;
      walk =
          r -> {
            Object[] current = previous.apply(r);
            return current == null ? null : parentRow(current, refIndex);
          };
      if (selected) {
        Object existing = node.children.get(ref.relationshipName());
        if (existing instanceof Parent p) {
          node = p.node();
        } else {
          Parent p = new Parent(ref.relationshipName(), refIndex, new Node(target));
          node.children.put(ref.relationshipName(), p);
          node = p.node();
        }
      }
      def = target;
    }
    String fieldName = path.get(path.size() - 1);
    int index = def.indexOf(fieldName);
    if (index < 0 || org.access().hidden(def.name(), fieldName)) {
      throw ApiException.invalidField(
          "No such column '"
              + fieldName
              + "' on entity '"
              + def.name()
              + "'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.");
    }
    FieldDef field = def.field(index);
    name.append(field.name());
    if (selected) {
      node.children.putIfAbsent(field.name(), index);
    }
    Function<Object[], Object[]> rows = walk;
    return new Column(
        name.toString(),
        field,
        r -> {
          Object[] row = rows.apply(r);
          return row == null ? null : ObjectDef.get(row, index);
        });
  }

  // ------------------------------------------------------------------------------- filters

  private Predicate<Object[]> condition(Condition c) {
    if (c instanceof SoqlQuery.And and) {
      List<Predicate<Object[]>> parts = and.parts().stream().map(this::condition).toList();
      return r -> {
        for (Predicate<Object[]> p : parts) {
          if (!p.test(r)) {
            return false;
          }
        }
        return true;
      };
    }
    if (c instanceof SoqlQuery.Or or) {
      List<Predicate<Object[]>> parts = or.parts().stream().map(this::condition).toList();
      return r -> {
        for (Predicate<Object[]> p : parts) {
          if (p.test(r)) {
            return true;
          }
        }
        return false;
      };
    }
    if (c instanceof SoqlQuery.Not not) {
      return condition(not.part()).negate();
    }
    return comparison((Comparison) c);
  }

  private Predicate<Object[]> comparison(Comparison c) {
    Column col = resolve(c.path(), false);
    FieldDef f = col.field();
    Function<Object[], Object> read = col.read();
    Operator op = c.op();
    if (c.value() instanceof SoqlQuery.Null) {
      return switch (op) {
        case EQ -> r -> read.apply(r) == null;
        case NE -> r -> read.apply(r) != null;
        default ->
            throw ApiException.malformedQuery(
                "null can only be compared with = or !=: " + col.name());
      };
    }
    if (op == Operator.IN || op == Operator.NOT_IN) {
      List<Object> values = new ArrayList<>();
      boolean nullListed = false;
      for (Literal l : ((SoqlQuery.ListValue) c.value()).values()) {
        if (l instanceof SoqlQuery.Null) {
          nullListed = true;
        } else {
          values.add(comparable(f, typed(f, l, op)));
        }
      }
      java.util.Set<Object> set = new java.util.HashSet<>(values);
      boolean nulls = nullListed;
      Predicate<Object[]> in =
          r -> {
            Object v = read.apply(r);
            return v == null ? nulls : set.contains(comparable(f, v));
          };
      return op == Operator.IN ? in : in.negate();
    }
    if (op == Operator.INCLUDES || op == Operator.EXCLUDES) {
      if (!f.type().textual()) {
        throw ApiException.malformedQuery(
            "INCLUDES and EXCLUDES need a multi-select picklist: " + col.name());
      }
      List<java.util.Set<String>> groups = new ArrayList<>();
      for (Literal l : ((SoqlQuery.ListValue) c.value()).values()) {
        groups.add(splitValues(((String) typed(f, l, op))));
      }
      Predicate<Object[]> includes =
          r -> {
            Object v = read.apply(r);
            if (v == null) {
              return false;
            }
            java.util.Set<String> have = splitValues((String) v);
            return groups.stream().anyMatch(have::containsAll);
          };
      return op == Operator.INCLUDES ? includes : includes.negate();
    }
    if (c.value() instanceof SoqlQuery.DateRange range) {
      if (f.type() != FieldType.DATE && f.type() != FieldType.DATETIME) {
        throw ApiException.invalidField(
            "value of filter criterion for field '"
                + col.name()
                + "' must be of type "
                + f.type().describeName()
                + " and should not be a date literal");
      }
      long from = epochDay(range.from());
      long to = epochDay(range.to());
      return r -> {
        Object v = read.apply(r);
        if (v == null) {
          return op == Operator.NE;
        }
        long day =
            v instanceof LocalDate d
                ? d.toEpochDay()
                : ((Instant) v).atZone(ZoneOffset.UTC).toLocalDate().toEpochDay();
        return switch (op) {
          case EQ -> day >= from && day < to;
          case NE -> day < from || day >= to;
          case LT -> day < from;
          case LE -> day < to;
          case GT -> day >= to;
          case GE -> day >= from;
          default -> throw ApiException.malformedQuery(op.text + " is not valid for date literals");
        };
      };
    }
    Object literal = typed(f, c.value(), op);
    if (op == Operator.LIKE) {
      if (!f.type().textual()) {
        throw ApiException.invalidField(
            "invalid operator on " + f.type().describeName() + " field: LIKE on " + col.name());
      }
      Pattern pattern = like((String) literal);
      return r -> {
        Object v = read.apply(r);
        return v != null && pattern.matcher(v.toString()).matches();
      };
    }
    if (f.type() == FieldType.BOOLEAN && op != Operator.EQ && op != Operator.NE) {
      throw ApiException.malformedQuery(
          "invalid operator on boolean field " + col.name() + ": " + op.text);
    }
    Comparable<Object> key = comparable(f, literal);
    return r -> {
      Object v = read.apply(r);
      if (v == null) {
        return op == Operator.NE;
      }
      int cmp = comparable(f, v).compareTo(key);
      return switch (op) {
        case EQ -> cmp == 0;
        case NE -> cmp != 0;
        case LT -> cmp < 0;
        case LE -> cmp <= 0;
        case GT -> cmp > 0;
        case GE -> cmp >= 0;
        default -> throw new IllegalStateException(op.name());
      };
    };
  }

  /**
   * Converts a literal to the stored type of {@code f}, with Salesforce's errors for mismatches.
   */
  private static Object typed(FieldDef f, Literal l, Operator op) {
    String field = f.name();
    switch (f.type()) {
      case STRING, TEXTAREA, PICKLIST:
        if (l instanceof SoqlQuery.Str s) {
          return s.value();
        }
        throw ApiException.invalidField(
            "value of filter criterion for field '"
                + field
                + "' must be of type string and should be enclosed in quotes");
      case ID, REFERENCE:
        if (l instanceof SoqlQuery.Str s) {
          if (op == Operator.LIKE) {
            return s.value();
          }
          return SalesforceId.normalize(s.value())
              .orElseThrow(
                  () ->
                      new ApiException(
                          400, "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: " + s.value()));
        }
        throw ApiException.invalidField(
            "value of filter criterion for field '"
                + field
                + "' must be of type id and should be enclosed in quotes");
      case BOOLEAN:
        if (l instanceof SoqlQuery.Bool b) {
          return b.value();
        }
        throw ApiException.invalidField(
            "value of filter criterion for field '"
                + field
                + "' must be of type boolean and should not be enclosed in quotes");
      case INT, DOUBLE, CURRENCY, PERCENT:
        if (l instanceof SoqlQuery.Num n) {
          return n.value().doubleValue();
        }
        throw ApiException.invalidField(
            "value of filter criterion for field '"
                + field
                + "' must be of type "
                + f.type().describeName()
                + " and should not be enclosed in quotes");
      case DATE:
        if (l instanceof SoqlQuery.DateValue d) {
          return d.value();
        }
        throw ApiException.invalidField(
            "value of filter criterion for field '"
                + field
                + "' must be of type date and should not be enclosed in quotes");
      case DATETIME:
        if (l instanceof SoqlQuery.DateTimeValue d) {
          return d.value();
        }
        throw ApiException.invalidField(
            "value of filter criterion for field '"
                + field
                + "' must be of type dateTime and should not be enclosed in quotes");
      default:
        throw ApiException.malformedQuery("cannot filter on " + field);
    }
  }

  @SuppressWarnings("unchecked")
  private static Comparable<Object> comparable(FieldDef f, Object v) {
    if (f.type().numeric()) {
      return (Comparable<Object>) (Comparable<?>) ((Number) v).doubleValue();
    }
    if (v instanceof String s) {
      if (f.type() == FieldType.ID || f.type() == FieldType.REFERENCE) {
        return (Comparable<Object>) (Comparable<?>) SalesforceId.normalize(s).orElse(s);
      }
      return (Comparable<Object>) (Comparable<?>) s.toLowerCase(Locale.ROOT);
    }
    return (Comparable<Object>) v;
  }

  private static long epochDay(LocalDate d) {
    return d.toEpochDay();
  }

  private static java.util.Set<String> splitValues(String v) {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (String part : v.split(";")) {
      if (!part.isBlank()) {
        out.add(part.trim().toLowerCase(Locale.ROOT));
      }
    }
    return out;
  }

  /** SOQL LIKE: % any run, _ one character, backslash escapes; case-insensitive. */
  static Pattern like(String pattern) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\' && i + 1 < pattern.length()) {
        re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (c == '%') {
        re.append(".*");
      } else if (c == '_') {
        re.append('.');
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(
        re.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
  }

  private Comparator<Object[]> comparator(List<SoqlQuery.Order> orders) {
    if (orders.isEmpty()) {
      return null;
    }
    Comparator<Object[]> result = null;
    for (SoqlQuery.Order o : orders) {
      Column col = resolve(o.path(), false);
      FieldDef f = col.field();
      Comparator<Object> values = (a, b) -> comparable(f, a).compareTo(comparable(f, b));
      if (o.descending()) {
        values = values.reversed();
      }
      Comparator<Object> withNulls =
          o.nullsFirst() ? Comparator.nullsFirst(values) : Comparator.nullsLast(values);
      Comparator<Object[]> c = Comparator.comparing(col.read(), withNulls);
      result = result == null ? c : result.thenComparing(c);
    }
    return result;
  }
}
