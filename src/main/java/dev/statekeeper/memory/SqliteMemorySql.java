package dev.statekeeper.memory;

import java.util.List;

/**
 * SQLite: the store's single writer runs one change at a time, so a change reads the entry
 * without a row lock; JSON is stored as the text given; keyword search is FTS5 ({@code
 * memory_fts}, kept in step with {@code memory_entries} by triggers) ranked by BM25.
 */
final class SqliteMemorySql implements MemorySql {

  static final MemorySql INSTANCE = new SqliteMemorySql();

  @Override
  public String lockCurrent() {
    return "SELECT current_version, deleted FROM memory_entries WHERE tenant = ? AND namespace = ? AND key = ?";
  }

  @Override
  public String insertFirst() {
    return "INSERT INTO memory_entries (tenant, namespace, key, current_version, deleted, type, value, text,"
        + " metadata, created_at, updated_at, written_by)"
        + " VALUES (?, ?, ?, 1, 0, ?, ?, ?, ?, sk_now(), sk_now(), ?)"
        + " ON CONFLICT (tenant, namespace, key) DO NOTHING RETURNING " + ENTRY_COLUMNS;
  }

  @Override
  public String update() {
    return "UPDATE memory_entries SET current_version = current_version + 1, deleted = 0, type = ?,"
        + " value = ?, text = ?, metadata = ?,"
        + " created_at = CASE WHEN deleted = 1 THEN sk_now() ELSE created_at END,"
        + " updated_at = sk_now(), written_by = ?"
        + " WHERE tenant = ? AND namespace = ? AND key = ? AND current_version = ?"
        + " RETURNING " + ENTRY_COLUMNS;
  }

  /** Each term an FTS5 string ({@code "term"}), joined with {@code OR}. */
  @Override
  public String matchQuery(List<String> terms) {
    return String.join(" OR ", terms.stream().map(t -> '"' + t + '"').toList());
  }

  /** {@code bm25()} is lower for better matches; its negation is the score. */
  @Override
  public String search(String conditions) {
    return "SELECT " + E_COLUMNS + ", -bm25(memory_fts) AS score FROM memory_fts"
        + " JOIN memory_entries e ON e.id = memory_fts.rowid"
        + " WHERE memory_fts MATCH ? AND e.tenant = ? AND e.deleted = 0" + conditions
        + " ORDER BY score DESC, e.namespace, e.key LIMIT ?";
  }
}
