package io.territorysync.mirror;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Per object: where the incremental sync resumes, when it last ran, which fields it fetched. */
@ApplicationScoped
public class Watermarks {

  /** One object's sync state. */
  public record Watermark(
      String object,
      Instant watermark,
      Instant lastSyncAt,
      Instant lastFullSyncAt,
      List<String> fields) {}

  @Inject AgroalDataSource dataSource;

  public Optional<Watermark> get(String object) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT watermark, last_sync_at, last_full_sync_at, fields FROM sync_watermark WHERE object = ?")) {
      ps.setString(1, object);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        Array fields = rs.getArray(4);
        return Optional.of(
            new Watermark(
                object,
                instant(rs.getTimestamp(1)),
                instant(rs.getTimestamp(2)),
                instant(rs.getTimestamp(3)),
                fields == null ? List.of() : List.of((String[]) fields.getArray())));
      }
    }
  }

  /** Saves a completed sync of {@code object}. */
  public void save(Watermark w) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO sync_watermark (object, watermark, last_sync_at, last_full_sync_at, fields) VALUES (?, ?, ?, ?, ?)"
                    + " ON CONFLICT (object) DO UPDATE SET watermark = EXCLUDED.watermark, last_sync_at = EXCLUDED.last_sync_at,"
                    + " last_full_sync_at = EXCLUDED.last_full_sync_at, fields = EXCLUDED.fields")) {
      ps.setString(1, w.object());
      ps.setTimestamp(2, timestamp(w.watermark()));
      ps.setTimestamp(3, timestamp(w.lastSyncAt()));
      ps.setTimestamp(4, timestamp(w.lastFullSyncAt()));
      ps.setArray(5, c.createArrayOf("text", w.fields().toArray()));
      ps.executeUpdate();
    }
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }

  private static Timestamp timestamp(Instant i) {
    return i == null ? null : Timestamp.from(i);
  }
}
