package io.territorysync.rules;

import io.agroal.api.AgroalDataSource;
import io.territorysync.mirror.MirrorColumn;
import io.territorysync.mirror.MirrorObject;
import io.territorysync.rules.engine.AccountRecord;
import io.territorysync.rules.engine.FieldSlots;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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

  /** The mirrored accounts among {@code ids}. */
  public List<AccountRecord> load(FieldSlots slots, Collection<String> ids) throws SQLException {
    List<AccountRecord> out = new ArrayList<>();
    read(slots, ids, Integer.MAX_VALUE, out::addAll);
    return out;
  }

  private long read(
      FieldSlots slots, Collection<String> ids, int batchSize, Consumer<List<AccountRecord>> batch)
      throws SQLException {
    MirrorObject account = MirrorObject.byName("Account").orElseThrow();
    StringBuilder sql = new StringBuilder("SELECT id, is_excluded_from_realign");
    for (int i = 0; i < slots.size(); i++) {
      String f = slots.name(i);
      if (f.equalsIgnoreCase("Id")) {
        sql.append(", id");
        continue;
      }
      MirrorColumn col = account.column(f).orElse(null);
      sql.append(", ")
          .append(col != null ? col.column() + "::text" : "extra->>'" + f.replace("'", "''") + "'");
    }
    sql.append(" FROM sf_account");
    if (ids != null) {
      sql.append(" WHERE id = ANY(?)");
    }
    long n = 0;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        ps.setFetchSize(FETCH);
        if (ids != null) {
          ps.setArray(1, c.createArrayOf("text", ids.toArray()));
        }
        try (ResultSet rs = ps.executeQuery()) {
          List<AccountRecord> current = new ArrayList<>(Math.min(batchSize, FETCH));
          while (rs.next()) {
            Object[] values = new Object[slots.size()];
            for (int i = 0; i < values.length; i++) {
              values[i] = AccountRecord.convert(rs.getString(3 + i), slots.kind(i));
            }
            current.add(new AccountRecord(rs.getString(1), values, rs.getBoolean(2), slots));
            n++;
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
}
