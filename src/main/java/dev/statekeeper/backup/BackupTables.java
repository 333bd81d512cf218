package dev.statekeeper.backup;

import java.util.List;

/**
 * The tables a backup carries, in restore order, with each column's portable type. A table
 * added by a migration is added here too (the backup test fails on a table that is missing).
 */
final class BackupTables {

  private BackupTables() {}

  /** How a column travels in JSON Lines, whatever the store. */
  enum Type {
    /** a string */
    TEXT,
    /** a whole number */
    INTEGER,
    /** an RFC 3339 UTC time (timestamptz on PostgreSQL, epoch milliseconds on SQLite) */
    TIME,
    /** nested JSON (jsonb on PostgreSQL, TEXT on SQLite) */
    JSON,
    /** base64 (bytea / BLOB) */
    BYTES
  }

  record Column(String name, Type type) {}

  /**
   * @param order columns that order the rows (the primary key), so that a backup of the same
   *     data is byte for byte the same from either store
   * @param identity a PostgreSQL identity column whose sequence must follow restored values
   */
  record Table(String name, List<Column> columns, List<String> order, String identity) {
    String columnList() {
      return String.join(", ", columns.stream().map(Column::name).toList());
    }
  }

  private static Column c(String name, Type type) {
    return new Column(name, type);
  }

  static final List<Table> ALL =
      List.of(
          new Table(
              "api_keys",
              List.of(
                  c("id", Type.TEXT), c("tenant", Type.TEXT), c("subject", Type.TEXT), c("role", Type.TEXT),
                  c("secret_hash", Type.BYTES), c("created_at", Type.TIME), c("revoked_at", Type.TIME)),
              List.of("id"),
              null),
          new Table(
              "tasks",
              List.of(
                  c("tenant", Type.TEXT), c("id", Type.TEXT), c("queue", Type.TEXT), c("type", Type.TEXT),
                  c("payload", Type.JSON), c("priority", Type.INTEGER), c("status", Type.TEXT),
                  c("attempt", Type.INTEGER), c("max_attempts", Type.INTEGER), c("version", Type.INTEGER),
                  c("created_at", Type.TIME), c("updated_at", Type.TIME), c("run_after", Type.TIME),
                  c("claimed_by", Type.TEXT), c("claimed_subject", Type.TEXT), c("lease_expires_at", Type.TIME), c("deadline", Type.TIME),
                  c("sla_status", Type.TEXT), c("result", Type.JSON), c("error", Type.TEXT)),
              List.of("tenant", "id"),
              null),
          new Table(
              "task_events",
              List.of(
                  c("tenant", Type.TEXT), c("task_id", Type.TEXT), c("seq", Type.INTEGER), c("at", Type.TIME),
                  c("actor", Type.TEXT), c("action", Type.TEXT), c("from_status", Type.TEXT),
                  c("to_status", Type.TEXT), c("attempt", Type.INTEGER), c("detail", Type.JSON)),
              List.of("seq"),
              "seq"),
          new Table(
              "task_idempotency_keys",
              List.of(
                  c("tenant", Type.TEXT), c("key", Type.TEXT), c("request_hash", Type.TEXT),
                  c("task_id", Type.TEXT), c("created_at", Type.TIME)),
              List.of("tenant", "key"),
              null),
          new Table(
              "sessions",
              List.of(
                  c("tenant", Type.TEXT), c("id", Type.TEXT), c("status", Type.TEXT), c("agent", Type.TEXT),
                  c("user_id", Type.TEXT), c("state", Type.JSON), c("version", Type.INTEGER),
                  c("event_count", Type.INTEGER), c("created_at", Type.TIME), c("updated_at", Type.TIME)),
              List.of("tenant", "id"),
              null),
          new Table(
              "session_events",
              List.of(
                  c("tenant", Type.TEXT), c("session_id", Type.TEXT), c("seq", Type.INTEGER), c("type", Type.TEXT),
                  c("data", Type.JSON), c("created_at", Type.TIME)),
              List.of("tenant", "session_id", "seq"),
              null),
          // Not carried: SQLite's id (the full-text index's rowid) and PostgreSQL's generated
          // text_tsv; both stores rebuild their search index from text as rows are restored.
          new Table(
              "memory_entries",
              List.of(
                  c("tenant", Type.TEXT), c("namespace", Type.TEXT), c("key", Type.TEXT),
                  c("current_version", Type.INTEGER), c("deleted", Type.INTEGER), c("type", Type.TEXT),
                  c("value", Type.JSON), c("text", Type.TEXT), c("metadata", Type.JSON), c("created_at", Type.TIME),
                  c("updated_at", Type.TIME), c("written_by", Type.TEXT)),
              List.of("tenant", "namespace", "key"),
              null),
          new Table(
              "memory_versions",
              List.of(
                  c("tenant", Type.TEXT), c("namespace", Type.TEXT), c("key", Type.TEXT), c("version", Type.INTEGER),
                  c("deleted", Type.INTEGER), c("type", Type.TEXT), c("value", Type.JSON), c("text", Type.TEXT),
                  c("metadata", Type.JSON), c("created_at", Type.TIME), c("updated_at", Type.TIME),
                  c("written_by", Type.TEXT)),
              List.of("tenant", "namespace", "key", "version"),
              null),
          // The embeddings, so a restored store searches semantically at once instead of
          // re-embedding everything (minutes per 100k entries). A vector of an older version, or of
          // another model, is re-embedded at start like any other that is missing.
          new Table(
              "memory_vectors",
              List.of(
                  c("tenant", Type.TEXT), c("namespace", Type.TEXT), c("key", Type.TEXT), c("version", Type.INTEGER),
                  c("type", Type.TEXT), c("model", Type.TEXT), c("vector", Type.BYTES), c("seq", Type.INTEGER),
                  c("updated_at", Type.TIME)),
              List.of("tenant", "namespace", "key"),
              null),
          new Table(
              "documents",
              List.of(
                  c("tenant", Type.TEXT), c("id", Type.TEXT), c("version", Type.INTEGER), c("title", Type.TEXT),
                  c("source", Type.TEXT), c("metadata", Type.JSON), c("text", Type.TEXT), c("chunks", Type.INTEGER),
                  c("created_at", Type.TIME), c("updated_at", Type.TIME), c("written_by", Type.TEXT)),
              List.of("tenant", "id"),
              null),
          // Not carried, as for memory: SQLite's id (the full-text index's rowid) and PostgreSQL's
          // generated text_tsv.
          new Table(
              "document_chunks",
              List.of(
                  c("tenant", Type.TEXT), c("document_id", Type.TEXT), c("chunk", Type.INTEGER), c("source", Type.TEXT),
                  c("text", Type.TEXT)),
              List.of("tenant", "document_id", "chunk"),
              null),
          new Table(
              "document_vectors",
              List.of(
                  c("tenant", Type.TEXT), c("document_id", Type.TEXT), c("version", Type.INTEGER), c("source", Type.TEXT),
                  c("model", Type.TEXT), c("vectors", Type.BYTES), c("seq", Type.INTEGER), c("updated_at", Type.TIME)),
              List.of("tenant", "document_id"),
              null),
          // Grants and the epoch every grant change bumps: without them an agent loses access to
          // what it owns after a restore, and a forced restore would keep the replaced store's
          // grants over the restored rows.
          new Table(
              "access_grants",
              List.of(
                  c("tenant", Type.TEXT), c("resource", Type.TEXT), c("relation", Type.TEXT), c("subject", Type.TEXT),
                  c("created_at", Type.TIME)),
              List.of("tenant", "resource", "relation", "subject"),
              null),
          new Table(
              "access_epochs",
              List.of(c("tenant", Type.TEXT), c("epoch", Type.INTEGER)),
              List.of("tenant"),
              null));

  /**
   * Work queues derived from the tables above, not carried: a forced restore empties them with
   * the rest (their rows name entries of the replaced data), and the store queues again at start
   * whatever lacks an embedding of its current version.
   */
  static final List<String> QUEUES = List.of("embedding_outbox", "document_embedding_outbox");

  /**
   * Tables of the schema a backup deliberately does not carry, each with its reason; every other
   * table must be in {@link #ALL} (a test compares this with the migrated schema of both stores).
   */
  static final java.util.Map<String, String> NOT_CARRIED =
      java.util.Map.of(
          "embedding_outbox", "a work queue derived from memory_entries; refilled at start",
          "document_embedding_outbox", "a work queue derived from documents; refilled at start",
          "store_identity", "names this store, not its data; a restore gives the store a new one",
          "flyway_schema_history", "the migrations applied; the manifest records the schema version",
          "memory_fts", "SQLite's full-text index of memory_entries, rebuilt as rows are restored",
          "document_chunks_fts", "SQLite's full-text index of document_chunks, rebuilt as rows are restored");

  static Table named(String name) {
    return ALL.stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no table " + name + " in this version's backups"));
  }
}
