package dev.statekeeper.documents;

import java.util.List;

/**
 * PostgreSQL: a change locks the document's row ({@code FOR UPDATE}); metadata is {@code jsonb};
 * search is the generated {@code text_tsv} column of the chunks ({@code english}) with its GIN
 * index, ranked by {@code ts_rank}; a list of ids is an array.
 */
final class PostgresDocumentSql implements DocumentSql {

  static final DocumentSql INSTANCE = new PostgresDocumentSql();

  @Override
  public String lockVersion() {
    return "SELECT version FROM documents WHERE tenant = ? AND id = ? FOR UPDATE";
  }

  @Override
  public String insert() {
    return "INSERT INTO documents (tenant, id, version, title, source, metadata, text, chunks, created_at, updated_at,"
        + " written_by) VALUES (?, ?, 1, ?, ?, CAST(? AS jsonb), ?, ?, sk_now(), sk_now(), ?)"
        + " ON CONFLICT (tenant, id) DO NOTHING RETURNING " + COLUMNS;
  }

  @Override
  public String update() {
    return "UPDATE documents SET version = version + 1, title = ?, source = ?, metadata = CAST(? AS jsonb),"
        + " text = ?, chunks = ?, updated_at = sk_now(), written_by = ?"
        + " WHERE tenant = ? AND id = ? AND version = ? RETURNING " + COLUMNS;
  }

  /** Each term a quoted tsquery operand ({@code 'term'}), joined with {@code |}. */
  @Override
  public String matchQuery(List<String> terms) {
    return String.join(" | ", terms.stream().map(t -> "'" + t + "'").toList());
  }

  @Override
  public String search() {
    return """
        SELECT k.document_id, k.chunk, k.text, ts_rank(k.text_tsv, q.query) AS score, doc.title, doc.source
        FROM document_chunks k JOIN documents doc ON doc.tenant = k.tenant AND doc.id = k.document_id,
             to_tsquery('english', ?) AS q(query)
        WHERE k.text_tsv @@ q.query AND k.tenant = ?
          AND (CAST(? AS TEXT) IS NULL OR k.source = ?)
          AND (? OR k.document_id = ANY(?))
        ORDER BY score DESC, k.document_id, k.chunk LIMIT ?""";
  }
}
