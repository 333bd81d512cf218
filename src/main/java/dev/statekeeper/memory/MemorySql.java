package dev.statekeeper.memory;

import dev.statekeeper.store.Dialect;
import java.util.List;

/**
 * The SQL of memory entries and their versions, each statement written out whole: those both
 * stores run as they are here, those that differ in {@link PostgresMemorySql} (row locks, {@code
 * jsonb}, {@code tsvector} search) and {@link SqliteMemorySql} (no row locks — one writer — JSON as
 * text, FTS5 search). {@code memory_entries} holds the current version of every entry (content
 * included), {@code memory_versions} every version; a write changes both in one transaction.
 *
 * <p>Listings are composed from a few optional conditions (a type, a resume point) because each
 * combination must be one range of one index; {@code MemoryQueryPlanContract} checks each plan.
 */
interface MemorySql {

  static MemorySql of(Dialect d) {
    return d == Dialect.POSTGRES ? PostgresMemorySql.INSTANCE : SqliteMemorySql.INSTANCE;
  }

  /** The columns of an entry's current version, named as in {@code memory_versions}. */
  String ENTRY_COLUMNS =
      "namespace, key, current_version AS version, deleted, type, value, text, metadata, created_at, updated_at, written_by";

  /** The same columns qualified by the alias {@code e}, for joins. */
  String E_COLUMNS =
      "e.namespace, e.key, e.current_version AS version, e.deleted, e.type, e.value, e.text, e.metadata, "
          + "e.created_at, e.updated_at, e.written_by";

  String VERSION_COLUMNS =
      "namespace, key, version, deleted, type, value, text, metadata, created_at, updated_at, written_by";

  /** tenant, namespace, key: the current version and whether it is a tombstone, locked for a change */
  String lockCurrent();

  /** tenant, namespace, key, type, value (JSON), text, metadata (JSON), written by */
  String insertFirst();

  /** type, value (JSON), text, metadata (JSON), written by, tenant, namespace, key, expected version */
  String update();

  /**
   * The search query for {@code terms} (letters, digits and marks only, so nothing in them is
   * query syntax): entries with more, and rarer, of the words rank first.
   */
  String matchQuery(List<String> terms);

  /**
   * Live entries whose text matches the query, best first, as {@link #E_COLUMNS} and {@code score}
   * (higher is better). Arguments: the query, tenant, then {@code conditions}' own, then limit.
   */
  String search(String conditions);

  /** written by, tenant, namespace, key, expected version */
  default String tombstone() {
    return "UPDATE memory_entries SET current_version = current_version + 1, deleted = 1, value = NULL,"
        + " text = NULL, metadata = NULL, updated_at = sk_now(), written_by = ?"
        + " WHERE tenant = ? AND namespace = ? AND key = ? AND current_version = ?"
        + " RETURNING " + ENTRY_COLUMNS;
  }

  /** tenant, namespace, key: appends the entry's (new) current version to its history */
  default String copyToHistory() {
    return """
        INSERT INTO memory_versions (tenant, namespace, key, version, deleted, type, value, text, metadata,
                                     created_at, updated_at, written_by)
        SELECT tenant, namespace, key, current_version, deleted, type, value, text, metadata,
               created_at, updated_at, written_by
        FROM memory_entries WHERE tenant = ? AND namespace = ? AND key = ?""";
  }

  /** tenant, namespace, key: the current version, tombstones included */
  default String current() {
    return "SELECT " + ENTRY_COLUMNS + " FROM memory_entries WHERE tenant = ? AND namespace = ? AND key = ?";
  }

  /** tenant, namespace, key: the current version when it is not a tombstone */
  default String live() {
    return current() + " AND deleted = 0";
  }

  /** tenant, namespace, key */
  default String exists() {
    return "SELECT 1 FROM memory_entries WHERE tenant = ? AND namespace = ? AND key = ?";
  }

  /** tenant, namespace, key, version */
  default String version() {
    return "SELECT " + VERSION_COLUMNS + " FROM memory_versions WHERE tenant = ? AND namespace = ? AND key = ? AND version = ?";
  }

  /** tenant, namespace, key, after version, limit: oldest first */
  default String history() {
    return "SELECT " + VERSION_COLUMNS + " FROM memory_versions"
        + " WHERE tenant = ? AND namespace = ? AND key = ? AND version > ? ORDER BY version LIMIT ?";
  }

  /**
   * Live entries of one namespace in key order. Arguments: tenant, [type], namespace, [after
   * key], limit.
   */
  default String namespace(boolean byType, boolean afterKey) {
    return "SELECT " + ENTRY_COLUMNS + " FROM memory_entries WHERE tenant = ?"
        + (byType ? " AND type = ?" : "") + " AND namespace = ? AND deleted = 0"
        + (afterKey ? " AND key > ?" : "") + " ORDER BY key LIMIT ?";
  }

  /**
   * Live entries of a namespace range in (namespace, key) order. Arguments: tenant, [type],
   * [from, to], [after namespace, after namespace, after key], limit.
   */
  default String range(boolean byType, boolean bounded, boolean after) {
    return "SELECT " + ENTRY_COLUMNS + " FROM memory_entries WHERE tenant = ?"
        + (byType ? " AND type = ?" : "")
        + (bounded ? " AND namespace >= ? AND namespace < ?" : "")
        + (after ? " AND (namespace > ? OR (namespace = ? AND key > ?))" : "")
        + " AND deleted = 0 ORDER BY namespace, key LIMIT ?";
  }
}
