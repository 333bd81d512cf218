package dev.statekeeper.memory;

import java.util.List;

/**
 * PostgreSQL: a change locks the entry's row ({@code FOR UPDATE}) for the compare-and-set; JSON is
 * bound as text and cast to {@code jsonb}; keyword search is the generated {@code text_tsv} column
 * ({@code english} configuration) with its GIN index, ranked by {@code ts_rank}.
 */
final class PostgresMemorySql implements MemorySql {

  static final MemorySql INSTANCE = new PostgresMemorySql();

  @Override
  public String lockCurrent() {
    return "SELECT current_version, deleted FROM memory_entries WHERE tenant = ? AND namespace = ? AND key = ? FOR UPDATE";
  }

  @Override
  public String insertFirst() {
    return "INSERT INTO memory_entries (tenant, namespace, key, current_version, deleted, type, value, text,"
        + " metadata, created_at, updated_at, written_by)"
        + " VALUES (?, ?, ?, 1, 0, ?, CAST(? AS jsonb), ?, CAST(? AS jsonb), sk_now(), sk_now(), ?)"
        + " ON CONFLICT (tenant, namespace, key) DO NOTHING RETURNING " + ENTRY_COLUMNS;
  }

  @Override
  public String update() {
    return "UPDATE memory_entries SET current_version = current_version + 1, deleted = 0, type = ?,"
        + " value = CAST(? AS jsonb), text = ?, metadata = CAST(? AS jsonb),"
        + " created_at = CASE WHEN deleted = 1 THEN sk_now() ELSE created_at END,"
        + " updated_at = sk_now(), written_by = ?"
        + " WHERE tenant = ? AND namespace = ? AND key = ? AND current_version = ?"
        + " RETURNING " + ENTRY_COLUMNS;
  }

  /** Each term a quoted tsquery operand ({@code 'term'}), joined with {@code |}. */
  @Override
  public String matchQuery(List<String> terms) {
    return String.join(" | ", terms.stream().map(t -> "'" + t + "'").toList());
  }

  @Override
  public String search(String conditions) {
    return "SELECT " + E_COLUMNS + ", ts_rank(e.text_tsv, q.query) AS score"
        + " FROM memory_entries e, to_tsquery('english', ?) AS q(query)"
        + " WHERE e.text_tsv @@ q.query AND e.tenant = ? AND e.deleted = 0" + conditions
        + " ORDER BY score DESC, e.namespace, e.key LIMIT ?";
  }
}
