package dev.statekeeper.memory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.statekeeper.store.JsonColumns;
import dev.statekeeper.store.SqlArgs;
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
    return "SELECT current_version, deleted, CASE WHEN expires_at <= sk_now() THEN 1 ELSE 0 END AS expired FROM memory_entries WHERE tenant = ? AND namespace = ? AND key = ? FOR UPDATE";
  }

  /** Several nodes' sweepers skip each other's rows rather than wait for them. */
  @Override
  public String expired() {
    return "SELECT tenant, namespace, key FROM memory_entries WHERE expires_at <= sk_now() ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED";
  }

  @Override
  public String insertFirst() {
    return "INSERT INTO memory_entries (tenant, namespace, key, current_version, deleted, type, value, text,"
        + " metadata, created_at, updated_at, written_by, ttl_seconds, expires_at)"
        + " VALUES (?, ?, ?, 1, 0, ?, CAST(? AS jsonb), ?, CAST(? AS jsonb), sk_now(), sk_now(), ?, ?, sk_now_plus(? * 1000))"
        + " ON CONFLICT (tenant, namespace, key) DO NOTHING RETURNING " + ENTRY_COLUMNS;
  }

  @Override
  public String update() {
    return "UPDATE memory_entries SET current_version = current_version + 1, deleted = 0, type = ?,"
        + " value = CAST(? AS jsonb), text = ?, metadata = CAST(? AS jsonb),"
        + " created_at = CASE WHEN deleted = 1 OR expires_at <= sk_now() THEN sk_now() ELSE created_at END,"
        + " updated_at = sk_now(), written_by = ?, ttl_seconds = ?, expires_at = sk_now_plus(? * 1000)"
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
        + " WHERE e.text_tsv @@ q.query AND e.tenant = ? AND " + LIVE + conditions
        + " ORDER BY score DESC, e.namespace, e.key LIMIT ?";
  }

  /**
   * Equality is containment ({@code metadata @> '{"a":{"b":1}}'}), which the GIN index {@code
   * memory_metadata} answers; ranges compare a field only with values of its own JSON type
   * ({@code jsonb_typeof}), numbers as {@code numeric} and strings in byte order.
   */
  @Override
  public String condition(MemoryFilter.Condition c, List<Object> args) {
    String col = "e." + c.field().column;
    return switch (c.op()) {
      case EQ -> contains(col, c.path(), c.operands().get(0), args);
      case NE -> "NOT " + contains(col, c.path(), c.operands().get(0), args);
      case IN -> "(" + String.join(" OR ", c.operands().stream().map(v -> contains(col, c.path(), v, args)).toList()) + ")";
      case GT, GTE, LT, LTE -> {
        JsonNode v = c.operands().get(0);
        args.add(SqlArgs.list(c.path()));
        args.add(SqlArgs.list(c.path()));
        if (v.isNumber()) {
          args.add(v.decimalValue().toPlainString());
          yield "CASE WHEN jsonb_typeof(" + col + " #> CAST(? AS text[])) = 'number'"
              + " THEN CAST(" + col + " #> CAST(? AS text[]) AS numeric) " + c.op().sql() + " CAST(? AS numeric) ELSE false END";
        }
        args.add(v.textValue());
        yield "CASE WHEN jsonb_typeof(" + col + " #> CAST(? AS text[])) = 'string'"
            + " THEN (" + col + " #>> CAST(? AS text[])) COLLATE \"C\" " + c.op().sql() + " ? ELSE false END";
      }
    };
  }

  /**
   * {@code col @> {path: value}}, bare so that the GIN index applies; never null on a live row,
   * whose value and metadata are never null (tombstones, where they are, are left out first).
   */
  private static String contains(String col, List<String> path, JsonNode value, List<Object> args) {
    JsonNode doc = value;
    for (int i = path.size() - 1; i >= 0; i--) {
      doc = JsonNodeFactory.instance.objectNode().set(path.get(i), doc);
    }
    args.add(JsonColumns.write(doc));
    return col + " @> CAST(? AS jsonb)";
  }

  @Override
  public String storeVector() {
    return """
        INSERT INTO memory_vectors (tenant, namespace, key, version, type, model, vector, seq, updated_at)
        SELECT ?, ?, ?, ?, ?, ?, ?, ?, sk_now()
        WHERE EXISTS (SELECT 1 FROM memory_entries e WHERE e.tenant = ? AND e.namespace = ? AND e.key = ? FOR SHARE)
        ON CONFLICT (tenant, namespace, key) DO UPDATE SET version = excluded.version, type = excluded.type,
          model = excluded.model, vector = excluded.vector, seq = excluded.seq, updated_at = excluded.updated_at
        WHERE memory_vectors.version <= excluded.version""";
  }
}
