package dev.statekeeper.documents;

import dev.statekeeper.Authorizer;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.JsonColumns;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Writes and reads of documents, running the statements of {@link DocumentSql}.
 */
final class DocumentRepository {

  /** A validated document, as stored. */
  record Content(String title, String text, String source, String metadataJson, List<String> chunks) {}

  /**
   * What a write runs inside its transaction besides the document's own rows, so that a check
   * and the change it allows cannot be separated by another writer.
   */
  interface Guard {
    /** The caller may change or delete the document that exists now (locked); throws when not. */
    void mayChange();

    /** Grants the creator gets on a document this transaction creates. */
    Authorizer.GrantChange created(Connection c) throws SQLException;

    /** Removes the grants on a document this transaction deletes. */
    Authorizer.GrantChange deleted(Connection c) throws SQLException;
  }

  /** The result of a write: the document, whether it did not exist before, the grant change to announce. */
  record Written(Document document, boolean created, Authorizer.GrantChange grants) {}

  private final Store store;
  private final Dialect d;
  private final DocumentSql sql;

  DocumentRepository(Store store) {
    this.store = store;
    this.d = store.dialect();
    this.sql = DocumentSql.of(d);
  }

  /** Creates version 1; empty when the id is taken. */
  Optional<Written> create(String tenant, String id, Content content, String actor, Guard guard) {
    return store.write(
        "creating document " + id,
        c -> {
          Optional<Document> made = insert(c, tenant, id, content, actor);
          if (made.isEmpty()) {
            return Optional.<Written>empty();
          }
          insertChunks(c, tenant, id, content);
          DocumentVectors.enqueue(c, d, tenant, id, 1);
          return Optional.of(new Written(made.get(), true, guard.created(c)));
        });
  }

  /**
   * Replaces the document (a new version) after {@link Guard#mayChange} allowed it on the locked
   * row, or creates it (version 1).
   */
  Written replace(String tenant, String id, Content content, String actor, Guard guard) {
    return store.write(
        "replacing document " + id,
        c -> {
          Long current = lockedVersion(c, tenant, id);
          if (current == null) {
            Document made = insert(c, tenant, id, content, actor)
                .orElseThrow(() -> new StatekeeperException.Conflict(
                    "document_exists", "document " + id + " was created concurrently; retry"));
            insertChunks(c, tenant, id, content);
            DocumentVectors.enqueue(c, d, tenant, id, 1);
            return new Written(made, true, guard.created(c));
          }
          guard.mayChange();
          deleteChunks(c, tenant, id);
          Document written = one(c, sql.update(), nullable(content.title()), nullable(content.source()), content.metadataJson(),
                  content.text(), content.chunks().size(), actor, tenant, id, current)
              .orElseThrow(() -> new IllegalStateException(
                  "replacing the locked document " + id + " changed no row, which indicates a bug"));
          insertChunks(c, tenant, id, content);
          DocumentVectors.enqueue(c, d, tenant, id, written.version());
          return new Written(written, false, Authorizer.GrantChange.NONE);
        });
  }

  private Optional<Document> insert(Connection c, String tenant, String id, Content content, String actor)
      throws SQLException {
    return one(c, sql.insert(), tenant, id, nullable(content.title()), nullable(content.source()),
        content.metadataJson(), content.text(), content.chunks().size(), actor);
  }

  /** The version of the document, locked until the transaction ends (SQLite: the single writer); null when none. */
  private Long lockedVersion(Connection c, String tenant, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.lockVersion())) {
      SqlArgs.bind(ps, d, tenant, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  Optional<Document> get(String tenant, String id) {
    return store.read(
        "reading document " + id,
        c -> one(c, sql.get(), tenant, id));
  }

  /** Ids and texts of the documents of {@code tenant} whose source starts with {@code prefix}. */
  java.util.Map<String, String> textsBySourcePrefix(String tenant, String prefix) {
    return store.read(
        "listing documents by source",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.textsBySource())) {
            SqlArgs.bind(ps, d, tenant, prefix, prefix + '\uffff');
            try (ResultSet rs = ps.executeQuery()) {
              java.util.Map<String, String> out = new java.util.HashMap<>();
              while (rs.next()) out.put(rs.getString(1), rs.getString(2));
              return out;
            }
          }
        });
  }

  /**
   * Deletes the document, its chunks and the grants on it after {@link Guard#mayChange} allowed
   * it on the locked row; empty when there was none.
   */
  Optional<Authorizer.GrantChange> delete(String tenant, String id, Guard guard) {
    return store.write(
        "deleting document " + id,
        c -> {
          Long version = lockedVersion(c, tenant, id);
          if (version == null) {
            return Optional.<Authorizer.GrantChange>empty();
          }
          guard.mayChange();
          deleteChunks(c, tenant, id);
          try (PreparedStatement ps = c.prepareStatement(sql.delete())) {
            SqlArgs.bind(ps, d, tenant, id);
            if (ps.executeUpdate() != 1) {
              throw new IllegalStateException("deleting the locked document " + id + " changed no row, which indicates a bug");
            }
          }
          DocumentVectors.enqueue(c, d, tenant, id, version);
          return Optional.of(guard.deleted(c));
        });
  }

  /**
   * Chunks matching any of {@code terms}, best first; within the documents {@code ids} (null:
   * all; empty: none) and of {@code source} (null: any).
   */
  List<DocumentHit> search(String tenant, List<String> terms, List<String> ids, String source, int limit) {
    if (ids != null && ids.isEmpty()) return List.of();
    List<Object> args = new ArrayList<>();
    args.add(sql.matchQuery(terms));
    args.add(tenant);
    args.add(source);
    args.add(source);
    args.add(ids == null);
    args.add(SqlArgs.list(ids == null ? List.of() : ids));
    args.add(limit);
    return store.read(
        "searching documents",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.search())) {
            SqlArgs.bind(ps, d, args);
            try (ResultSet rs = ps.executeQuery()) {
              List<DocumentHit> out = new ArrayList<>();
              while (rs.next()) {
                out.add(new DocumentHit(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getDouble(4), rs.getString(5), rs.getString(6)));
              }
              return out;
            }
          }
        });
  }

  private void insertChunks(Connection c, String tenant, String id, Content content) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.insertChunk())) {
      for (int i = 0; i < content.chunks().size(); i++) {
        SqlArgs.bind(ps, d, tenant, id, i, nullable(content.source()), content.chunks().get(i));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private void deleteChunks(Connection c, String tenant, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.deleteChunks())) {
      SqlArgs.bind(ps, d, tenant, id);
      ps.executeUpdate();
    }
  }

  private Optional<Document> one(Connection c, String statement, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(statement)) {
      SqlArgs.bind(ps, d, args);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) return Optional.empty();
        return Optional.of(
            new Document(
                rs.getString("id"), rs.getLong("version"), rs.getInt("chunks"), rs.getString("title"),
                rs.getString("source"), JsonColumns.read(rs.getString("metadata")), rs.getString("text"),
                d.getInstant(rs, "created_at"), d.getInstant(rs, "updated_at"), rs.getString("written_by")));
      }
    }
  }

  private static Object nullable(String s) {
    return s == null ? SqlArgs.nullOf(java.sql.Types.VARCHAR) : s;
  }
}
