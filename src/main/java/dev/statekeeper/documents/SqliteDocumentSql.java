package dev.statekeeper.documents;

import java.util.List;

/**
 * SQLite: the single writer runs one change at a time, so the version is read without a row
 * lock; metadata is JSON text; search is FTS5 ({@code document_chunks_fts}, kept in step by
 * triggers) ranked by BM25; a list of ids is a JSON array read with {@code json_each}.
 */
final class SqliteDocumentSql implements DocumentSql {

  static final DocumentSql INSTANCE = new SqliteDocumentSql();

  @Override
  public String lockVersion() {
    return "SELECT version FROM documents WHERE tenant = ? AND id = ?";
  }

  @Override
  public String insert() {
    return "INSERT INTO documents (tenant, id, version, title, source, metadata, text, chunks, created_at, updated_at,"
        + " written_by) VALUES (?, ?, 1, ?, ?, ?, ?, ?, sk_now(), sk_now(), ?)"
        + " ON CONFLICT (tenant, id) DO NOTHING RETURNING " + COLUMNS;
  }

  @Override
  public String update() {
    return "UPDATE documents SET version = version + 1, title = ?, source = ?, metadata = ?,"
        + " text = ?, chunks = ?, updated_at = sk_now(), written_by = ?"
        + " WHERE tenant = ? AND id = ? AND version = ? RETURNING " + COLUMNS;
  }

  /** Each term an FTS5 string ({@code "term"}), joined with {@code OR}. */
  @Override
  public String matchQuery(List<String> terms) {
    return String.join(" OR ", terms.stream().map(t -> '"' + t + '"').toList());
  }

  /** {@code bm25()} is lower for better matches; its negation is the score. */
  @Override
  public String search() {
    return """
        SELECT k.document_id, k.chunk, k.text, -bm25(document_chunks_fts) AS score, doc.title, doc.source
        FROM document_chunks_fts JOIN document_chunks k ON k.id = document_chunks_fts.rowid
             JOIN documents doc ON doc.tenant = k.tenant AND doc.id = k.document_id
        WHERE document_chunks_fts MATCH ? AND k.tenant = ?
          AND (CAST(? AS TEXT) IS NULL OR k.source = ?)
          AND (? OR k.document_id IN (SELECT value FROM json_each(?)))
        ORDER BY score DESC, k.document_id, k.chunk LIMIT ?""";
  }
}
