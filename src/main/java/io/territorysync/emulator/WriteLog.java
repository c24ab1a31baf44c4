package io.territorysync.emulator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every record write a client asked the org for (create, update, delete, by REST, Collections or
 * Bulk), in order, with its outcome: the org's own account of what was written, independent of what
 * the client says it did. Keeps the newest {@link #CAPACITY} entries.
 */
public final class WriteLog {

  /** Entries kept; older ones are dropped (and counted) so a big benchmark stays in memory. */
  public static final int CAPACITY = 200_000;

  /**
   * One record write.
   *
   * @param seq position in the log, from 1
   * @param operation {@code create}, {@code update} or {@code delete}
   * @param type the object
   * @param id the record's id (null when a create failed)
   * @param fields the fields sent (empty for a delete)
   * @param error the Salesforce status code when the record failed, else null
   */
  public record Write(
      long seq,
      String operation,
      String type,
      String id,
      Map<String, Object> fields,
      String error) {

    public boolean succeeded() {
      return error == null;
    }

    /** A field sent, as text (empty when not sent). */
    public String field(String name) {
      Object v = fields.get(name);
      return v == null ? "" : v.toString();
    }

    Map<String, Object> describe() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("seq", seq);
      m.put("operation", operation);
      m.put("type", type);
      m.put("id", id);
      m.put("fields", fields);
      m.put("error", error);
      return m;
    }
  }

  private final ArrayDeque<Write> entries = new ArrayDeque<>();
  private long seq;
  private long dropped;

  synchronized void add(
      String operation, String type, String id, Map<String, Object> fields, String error) {
    if (entries.size() == CAPACITY) {
      entries.removeFirst();
      dropped++;
    }
    entries.addLast(new Write(++seq, operation, type, id, Map.copyOf(withoutNulls(fields)), error));
  }

  private static Map<String, Object> withoutNulls(Map<String, Object> fields) {
    Map<String, Object> out = new LinkedHashMap<>();
    fields.forEach(
        (k, v) -> {
          if (k != null && v != null) {
            out.put(k, v);
          }
        });
    return out;
  }

  /** The position of the newest entry (0: none yet); pass it to {@link #after} later. */
  public synchronized long mark() {
    return seq;
  }

  /**
   * The entries written after position {@code mark}.
   *
   * @throws IllegalStateException when some of them were already dropped
   */
  public synchronized List<Write> after(long mark) {
    Write first = entries.peekFirst();
    if (first != null && first.seq() > mark + 1) {
      throw new IllegalStateException(
          "the write log dropped entries after " + mark + " (it keeps " + CAPACITY + ")");
    }
    List<Write> out = new ArrayList<>();
    for (Write w : entries) {
      if (w.seq() > mark) {
        out.add(w);
      }
    }
    return out;
  }

  /** Entries dropped to stay within {@link #CAPACITY}. */
  public synchronized long dropped() {
    return dropped;
  }

  /** What the admin API answers: the entries after {@code mark}, at most {@code limit}. */
  synchronized Map<String, Object> describe(long mark, int limit) {
    List<Map<String, Object>> out = new ArrayList<>();
    long first = entries.isEmpty() ? seq + 1 : entries.peekFirst().seq();
    for (Write w : entries) {
      if (w.seq() > mark && out.size() < limit) {
        out.add(w.describe());
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mark", seq);
    m.put("complete", first <= mark + 1);
    m.put("writes", out);
    return m;
  }
}
