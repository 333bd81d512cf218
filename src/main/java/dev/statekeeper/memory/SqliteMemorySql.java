package dev.statekeeper.memory;

import com.fasterxml.jackson.databind.JsonNode;
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
    return "SELECT current_version, deleted, CASE WHEN expires_at <= sk_now() THEN 1 ELSE 0 END AS expired FROM memory_entries WHERE tenant = ? AND namespace = ? AND key = ?";
  }

  /** The single writer: nothing to lock. */
  @Override
  public String expired() {
    return "SELECT tenant, namespace, key FROM memory_entries WHERE expires_at <= sk_now() ORDER BY expires_at LIMIT ?";
  }

  @Override
  public String insertFirst() {
    return "INSERT INTO memory_entries (tenant, namespace, key, current_version, deleted, type, value, text,"
        + " metadata, created_at, updated_at, written_by, ttl_seconds, expires_at)"
        + " VALUES (?, ?, ?, 1, 0, ?, ?, ?, ?, sk_now(), sk_now(), ?, ?, sk_now_plus(? * 1000))"
        + " ON CONFLICT (tenant, namespace, key) DO NOTHING RETURNING " + ENTRY_COLUMNS;
  }

  @Override
  public String update() {
    return "UPDATE memory_entries SET current_version = current_version + 1, deleted = 0, type = ?,"
        + " value = ?, text = ?, metadata = ?,"
        + " created_at = CASE WHEN deleted = 1 OR expires_at <= sk_now() THEN sk_now() ELSE created_at END,"
        + " updated_at = sk_now(), written_by = ?, ttl_seconds = ?, expires_at = sk_now_plus(? * 1000)"
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
        + " WHERE memory_fts MATCH ? AND e.tenant = ? AND " + LIVE + conditions
        + " ORDER BY score DESC, e.namespace, e.key LIMIT ?";
  }

  /**
   * No JSON index: each condition is evaluated on the rows the listing's range reads. A field is
   * compared only with values of its own JSON type ({@code json_type}), so {@code true} is not
   * {@code 1} (SQLite's {@code json_extract} returns both as 1); strings compare in byte order.
   */
  @Override
  public String condition(MemoryFilter.Condition c, List<Object> args) {
    String col = "e." + c.field().column;
    String path = "$" + String.join("", c.path().stream().map(s -> ".\"" + s + "\"").toList());
    return switch (c.op()) {
      case EQ -> equals(col, path, c.operands().get(0), args);
      case NE -> "NOT " + equals(col, path, c.operands().get(0), args);
      case IN -> "(" + String.join(" OR ", c.operands().stream().map(v -> equals(col, path, v, args)).toList()) + ")";
      case GT, GTE, LT, LTE -> compared(col, path, c.op().sql(), c.operands().get(0), args);
    };
  }

  private static String equals(String col, String path, JsonNode v, List<Object> args) {
    if (v.isNull() || v.isBoolean()) {
      args.add(path);
      return "COALESCE(json_type(" + col + ", ?) = '" + (v.isNull() ? "null" : v.booleanValue() ? "true" : "false") + "', 0)";
    }
    return compared(col, path, "=", v, args);
  }

  private static String compared(String col, String path, String op, JsonNode v, List<Object> args) {
    args.add(path);
    args.add(path);
    String types;
    if (v.isNumber()) {
      args.add(v.isIntegralNumber() && v.canConvertToLong() ? (Object) v.longValue() : (Object) v.doubleValue());
      types = "IN ('integer', 'real')";
    } else {
      args.add(v.textValue());
      types = "= 'text'";
    }
    return "COALESCE(json_type(" + col + ", ?) " + types + " AND json_extract(" + col + ", ?) " + op + " ?, 0)";
  }

  @Override
  public String storeVector() {
    return """
        INSERT INTO memory_vectors (tenant, namespace, key, version, type, model, vector, seq, updated_at)
        SELECT ?, ?, ?, ?, ?, ?, ?, ?, sk_now()
        WHERE EXISTS (SELECT 1 FROM memory_entries e WHERE e.tenant = ? AND e.namespace = ? AND e.key = ?)
        ON CONFLICT (tenant, namespace, key) DO UPDATE SET version = excluded.version, type = excluded.type,
          model = excluded.model, vector = excluded.vector, seq = excluded.seq, updated_at = excluded.updated_at
        WHERE memory_vectors.version <= excluded.version""";
  }
}
