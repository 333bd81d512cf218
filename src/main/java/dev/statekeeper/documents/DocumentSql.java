package dev.statekeeper.documents;

import dev.statekeeper.store.Dialect;
import java.util.List;

/**
 * The SQL of documents, each statement written out whole: those both stores run as they are here,
 * those that differ in {@link PostgresDocumentSql} (row locks, {@code jsonb}, {@code tsvector}
 * search) and {@link SqliteDocumentSql} (one writer, JSON as text, FTS5). {@code documents} holds
 * one row per document, whole text included; {@code document_chunks} is what search reads. A
 * write changes both in one transaction.
 */
interface DocumentSql {

  static DocumentSql of(Dialect d) {
    return d == Dialect.POSTGRES ? PostgresDocumentSql.INSTANCE : SqliteDocumentSql.INSTANCE;
  }

  String COLUMNS = "id, version, chunks, title, source, metadata, text, created_at, updated_at, written_by";

  /** tenant, id: the version, locked until the transaction ends */
  String lockVersion();

  /** tenant, id, title, source, metadata (JSON), text, chunk count, written by */
  String insert();

  /** title, source, metadata (JSON), text, chunk count, written by, tenant, id, expected version */
  String update();

  /** The search query for {@code terms} (letters, digits and marks only, so nothing in them is query syntax). */
  String matchQuery(List<String> terms);

  /**
   * Chunks whose text matches the query, best first: document id, chunk, text, score (higher is
   * better), title, source. Arguments: the query, tenant, source or null (twice), whether every
   * document is searched, the document ids to search otherwise (a list), limit.
   */
  String search();

  /** tenant, id */
  default String get() {
    return "SELECT " + COLUMNS + " FROM documents WHERE tenant = ? AND id = ?";
  }

  /** tenant, from, to: ids and texts of the documents whose source is in [from, to) */
  default String textsBySource() {
    return "SELECT id, text FROM documents WHERE tenant = ? AND source >= ? AND source < ?";
  }

  /** tenant, id */
  default String delete() {
    return "DELETE FROM documents WHERE tenant = ? AND id = ?";
  }

  /** tenant, document id, chunk, source, text */
  default String insertChunk() {
    return "INSERT INTO document_chunks (tenant, document_id, chunk, source, text) VALUES (?, ?, ?, ?, ?)";
  }

  /** tenant, document id */
  default String deleteChunks() {
    return "DELETE FROM document_chunks WHERE tenant = ? AND document_id = ?";
  }
}
