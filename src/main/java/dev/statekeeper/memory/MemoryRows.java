package dev.statekeeper.memory;

import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.JsonColumns;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Maps rows of {@code memory_entries} and {@code memory_versions} to records. */
final class MemoryRows {

  private MemoryRows() {}

  static MemoryEntry entry(ResultSet rs, Dialect d) throws SQLException {
    return new MemoryEntry(
        rs.getString("namespace"),
        rs.getString("key"),
        rs.getLong("version"),
        MemoryType.parse(rs.getString("type")),
        JsonColumns.read(rs.getString("value")),
        rs.getString("text"),
        JsonColumns.read(rs.getString("metadata")),
        rs.getInt("deleted") == 1,
        d.getInstant(rs, "created_at"),
        d.getInstant(rs, "updated_at"),
        rs.getString("written_by"),
        ttl(rs),
        d.getInstant(rs, "expires_at"));
  }

  private static Long ttl(ResultSet rs) throws SQLException {
    long ttl = rs.getLong("ttl_seconds");
    return rs.wasNull() ? null : ttl;
  }

  static List<MemoryEntry> entries(ResultSet rs, Dialect d) throws SQLException {
    List<MemoryEntry> out = new ArrayList<>();
    while (rs.next()) {
      out.add(entry(rs, d));
    }
    return out;
  }
}
