package dev.statekeeper.memory;

import static dev.statekeeper.store.Schema.column;

import dev.statekeeper.store.Schema;
import dev.statekeeper.store.Schema.Derived;
import dev.statekeeper.store.Schema.Invariant;
import dev.statekeeper.store.Schema.Table;
import dev.statekeeper.store.Schema.Type;
import java.util.List;

/** The tables of memory (entries, history, vectors), for backups and verify. */
public final class MemorySchema {

  private MemorySchema() {}

  public static final Schema SCHEMA = new Schema(
      List.of(
          // Not carried: SQLite's id (the full-text index's rowid) and PostgreSQL's generated
          // text_tsv; both stores rebuild their search index from text as rows are restored.
          new Table("memory_entries", List.of(
                  column("tenant", Type.TEXT), column("namespace", Type.TEXT), column("key", Type.TEXT),
                  column("current_version", Type.INTEGER), column("deleted", Type.INTEGER), column("type", Type.TEXT),
                  column("value", Type.JSON), column("text", Type.TEXT), column("metadata", Type.JSON),
                  column("created_at", Type.TIME), column("updated_at", Type.TIME), column("written_by", Type.TEXT),
                  column("ttl_seconds", Type.INTEGER), column("expires_at", Type.TIME)),
              List.of("tenant", "namespace", "key"), null),
          new Table("memory_versions", List.of(
                  column("tenant", Type.TEXT), column("namespace", Type.TEXT), column("key", Type.TEXT),
                  column("version", Type.INTEGER), column("deleted", Type.INTEGER), column("type", Type.TEXT),
                  column("value", Type.JSON), column("text", Type.TEXT), column("metadata", Type.JSON),
                  column("created_at", Type.TIME), column("updated_at", Type.TIME), column("written_by", Type.TEXT),
                  column("ttl_seconds", Type.INTEGER), column("expires_at", Type.TIME)),
              List.of("tenant", "namespace", "key", "version"), null),
          // The embeddings, so a restored store searches semantically at once instead of
          // re-embedding everything (minutes per 100k entries). A vector of an older version, or of
          // another model, is re-embedded at start like any other that is missing.
          new Table("memory_vectors", List.of(
                  column("tenant", Type.TEXT), column("namespace", Type.TEXT), column("key", Type.TEXT),
                  column("version", Type.INTEGER), column("type", Type.TEXT), column("model", Type.TEXT),
                  column("vector", Type.BYTES), column("seq", Type.INTEGER), column("updated_at", Type.TIME)),
              List.of("tenant", "namespace", "key"), null)),
      List.of(
          new Derived("embedding_outbox", "a work queue derived from memory_entries; refilled at start", true),
          new Derived("memory_fts", "SQLite's full-text index of memory_entries, rebuilt as rows are restored", false)),
      List.of(
          new Invariant("memory entries whose current version is missing from their history",
              "SELECT COUNT(*) FROM memory_entries e WHERE NOT EXISTS (SELECT 1 FROM memory_versions v WHERE "
                  + "v.tenant = e.tenant AND v.namespace = e.namespace AND v.key = e.key AND v.version = e.current_version)"),
          new Invariant("memory versions without their entry, or newer than its current version",
              "SELECT COUNT(*) FROM memory_versions v WHERE NOT EXISTS (SELECT 1 FROM memory_entries e WHERE "
                  + "e.tenant = v.tenant AND e.namespace = v.namespace AND e.key = v.key AND e.current_version >= v.version)")));
}
