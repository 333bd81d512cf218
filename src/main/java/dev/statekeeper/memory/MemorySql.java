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
      "namespace, key, current_version AS version, deleted, type, value, text, metadata, created_at, updated_at,"
          + " written_by, ttl_seconds, expires_at";

  /** The same columns qualified by the alias {@code e}, for joins. */
  String E_COLUMNS =
      "e.namespace, e.key, e.current_version AS version, e.deleted, e.type, e.value, e.text, e.metadata, "
          + "e.created_at, e.updated_at, e.written_by, e.ttl_seconds, e.expires_at";

  String VERSION_COLUMNS =
      "namespace, key, version, deleted, type, value, text, metadata, created_at, updated_at, written_by,"
          + " ttl_seconds, expires_at";

  /** tenant, namespace, key: the current version and whether it is a tombstone, locked for a change */
  String lockCurrent();

  /** tenant, namespace, key, type, value (JSON), text, metadata (JSON), written by, ttl seconds (twice) or null */
  String insertFirst();

  /**
   * type, value (JSON), text, metadata (JSON), written by, ttl seconds (twice) or null, tenant,
   * namespace, key, expected version. An expired entry is written as a new one (created now).
   */
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
        + " text = NULL, metadata = NULL, ttl_seconds = NULL, expires_at = NULL, updated_at = sk_now(), written_by = ?"
        + " WHERE tenant = ? AND namespace = ? AND key = ? AND current_version = ?"
        + " RETURNING " + ENTRY_COLUMNS;
  }

  /** tenant, namespace, key: appends the entry's (new) current version to its history */
  default String copyToHistory() {
    return """
        INSERT INTO memory_versions (tenant, namespace, key, version, deleted, type, value, text, metadata,
                                     created_at, updated_at, written_by, ttl_seconds, expires_at)
        SELECT tenant, namespace, key, current_version, deleted, type, value, text, metadata,
               created_at, updated_at, written_by, ttl_seconds, expires_at
        FROM memory_entries WHERE tenant = ? AND namespace = ? AND key = ?""";
  }

  /** tenant, namespace, key: the current version, tombstones included */
  default String current() {
    return "SELECT " + ENTRY_COLUMNS + " FROM memory_entries WHERE tenant = ? AND namespace = ? AND key = ?";
  }

  /** tenant, namespace, key: the current version when it is not a tombstone */
  default String live() {
    return current() + " AND deleted = 0 AND (expires_at IS NULL OR expires_at > sk_now())";
  }

  /** tenant, namespace, key: a row when the entry was written (tombstones included) and has not expired */
  default String exists() {
    return "SELECT 1 FROM memory_entries WHERE tenant = ? AND namespace = ? AND key = ?"
        + " AND (expires_at IS NULL OR expires_at > sk_now())";
  }

  /**
   * The condition on {@code memory_versions} rows that their entry has not expired: an expired
   * entry's versions read as absent too, until the sweeper purges them.
   */
  String NOT_EXPIRED = " AND NOT EXISTS (SELECT 1 FROM memory_entries x WHERE x.tenant = memory_versions.tenant"
      + " AND x.namespace = memory_versions.namespace AND x.key = memory_versions.key AND x.expires_at <= sk_now())";

  /** tenant, namespace, key: a row when the entry has expired (and the sweeper has not purged it yet) */
  default String hasExpired() {
    return "SELECT 1 FROM memory_entries WHERE tenant = ? AND namespace = ? AND key = ? AND expires_at <= sk_now()";
  }

  /** tenant, namespace, key, version */
  default String version() {
    return "SELECT " + VERSION_COLUMNS + " FROM memory_versions WHERE tenant = ? AND namespace = ? AND key = ? AND version = ?"
        + NOT_EXPIRED;
  }

  /** tenant, namespace, key, after version, limit: oldest first */
  default String history() {
    return "SELECT " + VERSION_COLUMNS + " FROM memory_versions"
        + " WHERE tenant = ? AND namespace = ? AND key = ? AND version > ?" + NOT_EXPIRED + " ORDER BY version LIMIT ?";
  }

  /**
   * What makes a row readable: not a tombstone, not expired. An expired entry reads as absent
   * everywhere from the moment it expires, before the sweeper removes it.
   *
   * <p>Spelt {@code deleted <> 1}, not {@code deleted = 0} (the same, by the column's check):
   * {@code = 0} would make the partial index {@code memory_live_by_type (tenant, type, namespace,
   * key) WHERE deleted = 0} usable for a listing of one namespace, and PostgreSQL, without
   * statistics or in a generic plan kept by a pooled connection, then walks the tenant's whole
   * range of it (7 ms for the newest of 10 entries beside 100,000 others, instead of 0.05 ms).
   * Listings by type add {@link #LIVE_BY_TYPE} so that they may use it.
   */
  String LIVE = "e.deleted <> 1 AND (e.expires_at IS NULL OR e.expires_at > sk_now())";

  /** What a listing by type adds to {@link #LIVE}: the predicate of {@code memory_live_by_type}. */
  String LIVE_BY_TYPE = " AND e.deleted = 0";

  /**
   * The shape of one listing statement: which optional conditions it has, its order, and the
   * SQL of its filter ({@link #filter}).
   */
  record Listing(boolean byType, boolean descending, boolean startAfter, boolean endBefore, boolean resume, String filter) {
    String cmp() {
      return descending ? "<" : ">";
    }

    String dir() {
      return descending ? " DESC" : "";
    }
  }

  /**
   * Live entries of one namespace in key order: one range of the (tenant, namespace, key) index,
   * read forwards or backwards. Arguments: tenant, [type], namespace, [start after], [end
   * before], [resume after key], the filter's, limit.
   */
  default String namespace(Listing l) {
    return "SELECT " + E_COLUMNS + " FROM memory_entries e WHERE e.tenant = ?"
        + (l.byType() ? " AND e.type = ?" : "") + " AND e.namespace = ? AND " + LIVE + (l.byType() ? LIVE_BY_TYPE : "")
        + (l.startAfter() ? " AND e.key > ?" : "") + (l.endBefore() ? " AND e.key < ?" : "")
        + (l.resume() ? " AND e.key " + l.cmp() + " ?" : "") + l.filter()
        + " ORDER BY e.key" + l.dir() + " LIMIT ?";
  }

  /**
   * Live entries of a namespace range (every namespace when not {@code bounded}) in (namespace,
   * key) order. Arguments: tenant, [type], [from, to], [resume after namespace, namespace, key],
   * [start after], [end before], the filter's, limit.
   */
  default String range(Listing l, boolean bounded) {
    return "SELECT " + E_COLUMNS + " FROM memory_entries e WHERE e.tenant = ?"
        + (l.byType() ? " AND e.type = ?" : "")
        + (bounded ? " AND e.namespace >= ? AND e.namespace < ?" : "")
        + (l.resume() ? " AND (e.namespace " + l.cmp() + " ? OR (e.namespace = ? AND e.key " + l.cmp() + " ?))" : "")
        + (l.startAfter() ? " AND e.key > ?" : "") + (l.endBefore() ? " AND e.key < ?" : "")
        + " AND " + LIVE + (l.byType() ? LIVE_BY_TYPE : "") + l.filter()
        + " ORDER BY e.namespace" + l.dir() + ", e.key" + l.dir() + " LIMIT ?";
  }

  /**
   * Live entries, most recently updated first: a search without a query. Arguments: tenant, then
   * {@code conditions}' own, then limit.
   */
  default String browse(String conditions) {
    return "SELECT " + E_COLUMNS + ", NULL AS score FROM memory_entries e WHERE e.tenant = ? AND " + LIVE + conditions
        + " ORDER BY e.updated_at DESC, e.namespace, e.key LIMIT ?";
  }

  /** Which of some entries (tenant, namespace, key, then the filter's per entry) the filter keeps. */
  default String matching(int entries, String filter) {
    return dev.statekeeper.store.SqlArgs.eachOf(
        "SELECT e.namespace, e.key FROM memory_entries e WHERE e.tenant = ? AND e.namespace = ? AND e.key = ?" + filter,
        entries);
  }

  /** tenant, [subtree's arguments], limit: the namespaces holding live entries, in order */
  default String namespaces(String conditions) {
    return "SELECT DISTINCT e.namespace FROM memory_entries e WHERE e.tenant = ? AND " + LIVE + conditions
        + " ORDER BY e.namespace LIMIT ?";
  }

  /** {@code " AND <condition>"} for each condition of {@code f}, adding their arguments. */
  default String filter(MemoryFilter f, List<Object> args) {
    StringBuilder sql = new StringBuilder();
    for (MemoryFilter.Condition c : f.conditions()) {
      sql.append(" AND ").append(condition(c, args));
    }
    return sql.toString();
  }

  /** One condition of a filter, as SQL that is true or false (never null), adding its arguments. */
  String condition(MemoryFilter.Condition c, List<Object> args);

  // ---------------------------------------------------------------- TTL and purge

  /** ttl seconds, tenant, namespace, key: moves expires_at ahead for a live entry with a TTL */
  default String refreshTtl() {
    return "UPDATE memory_entries SET expires_at = sk_now_plus(ttl_seconds * 1000)"
        + " WHERE tenant = ? AND namespace = ? AND key = ? AND deleted = 0 AND ttl_seconds IS NOT NULL"
        + " AND expires_at > sk_now()";
  }

  /**
   * limit: entries whose TTL has passed, oldest expiry first, locked for their purge in the same
   * transaction (a writer renewing one waits, then finds it gone and creates it anew)
   */
  String expired();

  /** tenant, namespace, key: the entry (ahead of its history, vectors and queued work) */
  default String purgeEntry() {
    return "DELETE FROM memory_entries WHERE tenant = ? AND namespace = ? AND key = ?";
  }

  /** tenant, namespace, key */
  default String purgeVersions() {
    return "DELETE FROM memory_versions WHERE tenant = ? AND namespace = ? AND key = ?";
  }

  /** tenant, namespace, key */
  default String purgeOutbox() {
    return "DELETE FROM embedding_outbox WHERE tenant = ? AND namespace = ? AND key = ?";
  }

  /**
   * seq, tenant, namespace, key: the entry's vector becomes a removal, which every node's index
   * follows; at version 1, so that the first version of a later entry with the same key wins
   * over it (a vector row is only ever replaced by the same or a newer version).
   */
  /**
   * tenant, namespace, key, version, type, model, vector, seq, then tenant, namespace, key again:
   * stores an embedding unless a newer version's is stored already, and only while the entry
   * exists, so an embedding computed while the entry was purged never lands (the existence check
   * waits for a purge in flight on PostgreSQL; SQLite's single writer orders them anyway).
   */
  String storeVector();

  default String purgeVector() {
    return "UPDATE memory_vectors SET vector = NULL, version = 1, seq = ?, updated_at = sk_now()"
        + " WHERE tenant = ? AND namespace = ? AND key = ?";
  }

  /** tenant, then a subtree's arguments: every entry key in it, tombstones included */
  default String keysIn(String subtree) {
    return "SELECT namespace, key FROM memory_entries WHERE tenant = ? AND " + subtree + " ORDER BY namespace, key";
  }

  /** tenant, namespace, key: the entry's vector row, if any, and whether it holds a vector (1) or a removal (0) */
  default String vectorRow() {
    return "SELECT CASE WHEN vector IS NULL THEN 0 ELSE 1 END FROM memory_vectors WHERE tenant = ? AND namespace = ? AND key = ?";
  }

}
