package io.territorysync.rules;

import io.agroal.api.AgroalDataSource;
import io.territorysync.mirror.MirrorColumn;
import io.territorysync.mirror.MirrorObject;
import io.territorysync.rules.engine.AccountRecord;
import io.territorysync.rules.engine.FieldSlots;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads mirrored accounts as the engine wants them: only the fields the rules use, streamed in
 * batches.
 */
@ApplicationScoped
public class AccountSource {

  private static final int FETCH = 10_000;
  private static final String[] NONE = new String[0];

  @Inject AgroalDataSource dataSource;

  /** Streams every mirrored account to {@code batch}, {@code batchSize} at a time. */
  public long stream(FieldSlots slots, int batchSize, Consumer<List<AccountRecord>> batch)
      throws SQLException {
    return read(slots, null, batchSize, batch);
  }

  /**
   * Streams the mirrored accounts among {@code ids} (every account when null) to {@code batch},
   * {@code batchSize} at a time.
   */
  public long stream(
      FieldSlots slots, Collection<String> ids, int batchSize, Consumer<List<AccountRecord>> batch)
      throws SQLException {
    return read(slots, ids, batchSize, batch);
  }

  /**
   * One account of the mirror with what the rules in force want for it ({@code
   * desired_assignment}), or an account that only the last run's assignments still name (no longer
   * in the mirror: {@code account} null).
   */
  public record WithDesired(
      String accountId,
      AccountRecord account,
      BigDecimal annualRevenue,
      String[] desired,
      long desiredRun) {}

  /**
   * Streams every mirrored account with its territories in {@code desired_assignment}, and the
   * accounts only {@code desired_assignment} names, {@code batchSize} at a time: one pass over both
   * tables joined in PostgreSQL. Returns the number of mirrored accounts.
   */
  public long streamWithDesired(FieldSlots slots, int batchSize, Consumer<List<WithDesired>> batch)
      throws SQLException {
    String sql =
        select(slots, "a.")
            + ", a.annual_revenue, d.account_id, d.territories, d.run_id FROM sf_account a"
            + " FULL JOIN (SELECT account_id, array_agg(territory_id) AS territories,"
            + " max(run_id) AS run_id FROM desired_assignment GROUP BY account_id) d"
            + " ON d.account_id = a.id";
    int revenue = 3 + slots.size();
    return batches(
        sql,
        null,
        batchSize,
        rs -> {
          AccountRecord account = rs.getString(1) == null ? null : record(rs, slots);
          java.sql.Array d = rs.getArray(revenue + 2);
          return new WithDesired(
              account != null ? account.id() : rs.getString(revenue + 1),
              account,
              rs.getBigDecimal(revenue),
              d == null ? NONE : (String[]) d.getArray(),
              rs.getLong(revenue + 3));
        },
        w -> w.account() != null,
        batch);
  }

  /** The mirrored accounts among {@code ids}. */
  public List<AccountRecord> load(FieldSlots slots, Collection<String> ids) throws SQLException {
    List<AccountRecord> out = new ArrayList<>();
    read(slots, ids, Integer.MAX_VALUE, out::addAll);
    return out;
  }

  private long read(
      FieldSlots slots, Collection<String> ids, int batchSize, Consumer<List<AccountRecord>> batch)
      throws SQLException {
    StringBuilder sql = new StringBuilder(select(slots, "")).append(" FROM sf_account");
    if (ids != null) {
      sql.append(" WHERE id = ANY(?)");
    }
    return batches(sql.toString(), ids, batchSize, rs -> record(rs, slots), r -> true, batch);
  }

  /** Reads one row of a result set. */
  @FunctionalInterface
  private interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /**
   * Streams the rows of {@code sql} (with {@code ids} as its one parameter when not null) to {@code
   * batch}, {@code batchSize} at a time, through a cursor; returns how many rows {@code counted}.
   */
  private <T> long batches(
      String sql,
      Collection<String> ids,
      int batchSize,
      Row<T> row,
      java.util.function.Predicate<T> counted,
      Consumer<List<T>> batch)
      throws SQLException {
    long n = 0;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setFetchSize(FETCH);
        if (ids != null) {
          ps.setArray(1, c.createArrayOf("text", ids.toArray()));
        }
        try (ResultSet rs = ps.executeQuery()) {
          List<T> current = new ArrayList<>(Math.min(batchSize, FETCH));
          while (rs.next()) {
            T t = row.read(rs);
            current.add(t);
            if (counted.test(t)) {
              n++;
            }
            if (current.size() >= batchSize) {
              batch.accept(current);
              current = new ArrayList<>(Math.min(batchSize, FETCH));
            }
          }
          if (!current.isEmpty()) {
            batch.accept(current);
          }
        }
      }
      c.commit();
    }
    return n;
  }

  /** The select list of an account: id, the realign exclusion, then each slot's field as text. */
  private static String select(FieldSlots slots, String alias) {
    MirrorObject account = MirrorObject.byName("Account").orElseThrow();
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(alias)
            .append("id, ")
            .append(alias)
            .append("is_excluded_from_realign");
    for (int i = 0; i < slots.size(); i++) {
      String f = slots.name(i);
      if (f.equalsIgnoreCase("Id")) {
        sql.append(", ").append(alias).append("id");
        continue;
      }
      MirrorColumn col = account.column(f).orElse(null);
      sql.append(", ")
          .append(alias)
          .append(col != null ? col.column() + "::text" : "extra->>'" + f.replace("'", "''") + "'");
    }
    return sql.toString();
  }

  private static AccountRecord record(ResultSet rs, FieldSlots slots) throws SQLException {
    Object[] values = new Object[slots.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = AccountRecord.convert(rs.getString(3 + i), slots.kind(i));
    }
    return new AccountRecord(rs.getString(1), values, rs.getBoolean(2), slots);
  }
}
