package dev.statekeeper.memory;

import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.JsonColumns;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Maps rows of {@code memory_entries} and {@code memory_versions} to records. */
final class MemoryRows {

  /** The columns of an entry's current version, named as in {@code memory_versions}. */
  static final String ENTRY_COLUMNS =
      "namespace, key, current_version AS version, deleted, type, value, text, metadata, created_at, updated_at, written_by";

  /** The same columns qualified by the alias {@code e}, for joins. */
  static final String E_COLUMNS =
      "e.namespace, e.key, e.current_version AS version, e.deleted, e.type, e.value, e.text, e.metadata, "
          + "e.created_at, e.updated_at, e.written_by";

  static final String VERSION_COLUMNS =
      "namespace, key, version, deleted, type, value, text, metadata, created_at, updated_at, written_by";

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
        rs.getString("written_by"));
  }

  static List<MemoryEntry> entries(ResultSet rs, Dialect d) throws SQLException {
    List<MemoryEntry> out = new ArrayList<>();
    while (rs.next()) {
      out.add(entry(rs, d));
    }
    return out;
  }
}
