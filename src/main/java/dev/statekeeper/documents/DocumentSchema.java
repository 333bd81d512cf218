package dev.statekeeper.documents;

import static dev.statekeeper.store.Schema.column;

import dev.statekeeper.store.Schema;
import dev.statekeeper.store.Schema.Derived;
import dev.statekeeper.store.Schema.Table;
import dev.statekeeper.store.Schema.Type;
import java.util.List;

/** The tables of documents (text, chunks, vectors), for backups and verify. */
public final class DocumentSchema {

  private DocumentSchema() {}

  public static final Schema SCHEMA = new Schema(
      List.of(
          new Table("documents", List.of(
                  column("tenant", Type.TEXT), column("id", Type.TEXT), column("version", Type.INTEGER),
                  column("title", Type.TEXT), column("source", Type.TEXT), column("metadata", Type.JSON),
                  column("text", Type.TEXT), column("chunks", Type.INTEGER), column("created_at", Type.TIME),
                  column("updated_at", Type.TIME), column("written_by", Type.TEXT)),
              List.of("tenant", "id"), null),
          // Not carried, as for memory: SQLite's id (the full-text index's rowid) and PostgreSQL's
          // generated text_tsv.
          new Table("document_chunks", List.of(
                  column("tenant", Type.TEXT), column("document_id", Type.TEXT), column("chunk", Type.INTEGER),
                  column("source", Type.TEXT), column("text", Type.TEXT)),
              List.of("tenant", "document_id", "chunk"), null),
          new Table("document_vectors", List.of(
                  column("tenant", Type.TEXT), column("document_id", Type.TEXT), column("version", Type.INTEGER),
                  column("source", Type.TEXT), column("model", Type.TEXT), column("vectors", Type.BYTES),
                  column("seq", Type.INTEGER), column("updated_at", Type.TIME)),
              List.of("tenant", "document_id"), null)),
      List.of(
          new Derived("document_embedding_outbox", "a work queue derived from documents; refilled at start", true),
          new Derived("document_chunks_fts", "SQLite's full-text index of document_chunks, rebuilt as rows are restored", false)),
      List.of());
}
