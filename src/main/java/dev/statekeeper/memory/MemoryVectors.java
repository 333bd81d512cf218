package dev.statekeeper.memory;

import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import dev.statekeeper.search.Vectors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The SQL of semantic search over memory: the embedding outbox ({@code embedding_outbox}, filled by
 * every write in the write's transaction) and the stored vectors ({@code memory_vectors}, one row
 * per entry, with the {@code seq} change log that every node's {@link VectorIndex} follows).
 *
 * <p>Ordering of {@code seq}: a change takes {@code max(seq) + 1}. On SQLite the single writer
 * serializes that; on PostgreSQL the transaction first takes an advisory lock, so no transaction
 * can commit a smaller {@code seq} after a follower has read a larger one.
 */
final class MemoryVectors {

  /** The advisory lock key that serializes changes of {@code memory_vectors} on PostgreSQL. */
  static final long SEQ_LOCK = 0x5354_4B50_0008L;

  /** A claimed outbox row. */
  record Claimed(long id, String tenant, String namespace, String key, long version, int attempts) {}

  /** An entry, by tenant, namespace and key. */
  record EntryId(String tenant, String namespace, String key) {}

  /**
   * What to store for an entry: its vector at {@code version} with {@code type}, or (vector null)
   * that it has none any more.
   */
  record VectorWrite(EntryId id, long version, MemoryType type, float[] vector) {}

  /** One row of the change log: vector null when the entry no longer has one. */
  record Change(long seq, EntryId id, long version, MemoryType type, float[] vector) {}

  /** The outbox: rows waiting, when the oldest was written (null when none), most attempts. */
  record Backlog(long rows, Instant oldest, int maxAttempts) {}

  private final Store store;
  private final Dialect d;
  private final String now;

  MemoryVectors(Store store) {
    this.store = store;
    this.d = store.dialect();
    this.now = d.now();
  }

  /** Puts one entry's change in the outbox; runs inside the write's transaction. */
  static void enqueue(Connection c, Dialect d, String tenant, String namespace, String key, long version)
      throws SQLException {
    String dml =
        "INSERT INTO embedding_outbox (tenant, namespace, key, version, attempts, next_attempt_at, created_at)"
            + " VALUES (?, ?, ?, ?, 0, " + d.now() + ", " + d.now() + ")";
    try (PreparedStatement ps = c.prepareStatement(dml)) {
      SqlArgs.bind(ps, d, tenant, namespace, key, version);
      ps.executeUpdate();
    }
  }

  /**
   * Claims up to {@code limit} due outbox rows, oldest first: each gets one more attempt and is not
   * due again for {@code leaseMillis} (so a worker that dies leaves it to another later).
   */
  List<Claimed> claim(int limit, long leaseMillis) {
    String dml =
        "UPDATE embedding_outbox SET attempts = attempts + 1, next_attempt_at = " + d.nowPlusMillis("?")
            + " WHERE id IN (SELECT id FROM embedding_outbox WHERE next_attempt_at <= " + now
            + " ORDER BY next_attempt_at, id LIMIT ?" + (d == Dialect.POSTGRES ? " FOR UPDATE SKIP LOCKED" : "")
            + ") RETURNING id, tenant, namespace, key, version, attempts";
    return store.write(
        "claiming embedding work",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(dml)) {
            SqlArgs.bind(ps, d, leaseMillis, limit);
            try (ResultSet rs = ps.executeQuery()) {
              List<Claimed> out = new ArrayList<>();
              while (rs.next()) {
                out.add(
                    new Claimed(
                        rs.getLong("id"), rs.getString("tenant"), rs.getString("namespace"), rs.getString("key"),
                        rs.getLong("version"), rs.getInt("attempts")));
              }
              return out;
            }
          }
        });
  }

  /** Leaves claimed rows for later: due again in {@code delayMillis}, with the error that stopped them. */
  void retryLater(Collection<Long> ids, long delayMillis, String error) {
    if (ids.isEmpty()) return;
    String dml =
        "UPDATE embedding_outbox SET next_attempt_at = " + d.nowPlusMillis("?") + ", last_error = ? WHERE id IN ("
            + SqlArgs.marks(ids.size()) + ")";
    List<Object> args = new ArrayList<>();
    args.add(delayMillis);
    args.add(error.length() > 1000 ? error.substring(0, 1000) : error);
    args.addAll(ids);
    store.write(
        "postponing embedding work",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(dml)) {
            SqlArgs.bind(ps, d, args);
            return ps.executeUpdate();
          }
        });
  }

  /**
   * Stores {@code writes} (a newer version already stored wins; a removal only touches a row that
   * has a vector) and deletes the outbox rows {@code done}, in one transaction.
   */
  void finish(Collection<Long> done, List<VectorWrite> writes, String model) {
    String upsert =
        "INSERT INTO memory_vectors (tenant, namespace, key, version, type, model, vector, seq, updated_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, " + now + ")"
            + " ON CONFLICT (tenant, namespace, key) DO UPDATE SET version = excluded.version,"
            + " type = excluded.type, model = excluded.model, vector = excluded.vector, seq = excluded.seq,"
            + " updated_at = excluded.updated_at WHERE memory_vectors.version <= excluded.version";
    String remove =
        "UPDATE memory_vectors SET vector = NULL, version = ?, seq = ?, updated_at = " + now
            + " WHERE tenant = ? AND namespace = ? AND key = ? AND version <= ? AND vector IS NOT NULL";
    store.write(
        "storing embeddings",
        c -> {
          if (d == Dialect.POSTGRES) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
              SqlArgs.bind(ps, d, SEQ_LOCK);
              ps.executeQuery().close();
            }
          }
          long seq;
          try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM memory_vectors");
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            seq = rs.getLong(1);
          }
          try (PreparedStatement up = c.prepareStatement(upsert);
              PreparedStatement rm = c.prepareStatement(remove)) {
            for (VectorWrite w : writes) {
              seq++;
              EntryId id = w.id();
              if (w.vector() != null) {
                SqlArgs.bind(
                    up, d, id.tenant(), id.namespace(), id.key(), w.version(), w.type().wireName(), model,
                    Vectors.toBytes(w.vector()), seq);
                up.executeUpdate();
              } else {
                SqlArgs.bind(rm, d, w.version(), seq, id.tenant(), id.namespace(), id.key(), w.version());
                rm.executeUpdate();
              }
            }
          }
          if (!done.isEmpty()) {
            try (PreparedStatement ps =
                c.prepareStatement("DELETE FROM embedding_outbox WHERE id IN (" + SqlArgs.marks(done.size()) + ")")) {
              SqlArgs.bind(ps, d, List.copyOf(done));
              ps.executeUpdate();
            }
          }
          return null;
        });
  }

  /**
   * Changes of the vectors after {@code afterSeq}, in {@code seq} order, at most {@code limit}; a
   * vector made by another model than {@code model} reads as absent (it is re-embedded soon).
   */
  List<Change> changesAfter(long afterSeq, int limit, String model) {
    String sql =
        "SELECT seq, tenant, namespace, key, version, type, model, vector FROM memory_vectors WHERE seq > ?"
            + " ORDER BY seq LIMIT ?";
    return store.read(
        "reading vector changes",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            SqlArgs.bind(ps, d, afterSeq, limit);
            try (ResultSet rs = ps.executeQuery()) {
              List<Change> out = new ArrayList<>();
              while (rs.next()) {
                byte[] bytes = model.equals(rs.getString("model")) ? rs.getBytes("vector") : null;
                out.add(
                    new Change(
                        rs.getLong("seq"),
                        new EntryId(rs.getString("tenant"), rs.getString("namespace"), rs.getString("key")),
                        rs.getLong("version"), MemoryType.parse(rs.getString("type")),
                        bytes == null ? null : Vectors.fromBytes(bytes)));
              }
              return out;
            }
          }
        });
  }

  /**
   * The current, live entries among {@code ids} (all of {@code tenant}) — content included, for
   * search results and for the text to embed.
   */
  Map<EntryId, MemoryEntry> live(String tenant, Collection<EntryId> ids) {
    if (ids.isEmpty()) return Map.of();
    List<Object> args = new ArrayList<>();
    for (EntryId id : ids) {
      args.add(tenant);
      args.add(id.namespace());
      args.add(id.key());
    }
    String sql =
        SqlArgs.eachOf(
            "SELECT " + MemoryRows.ENTRY_COLUMNS + " FROM memory_entries WHERE tenant = ? AND namespace = ? AND key = ?"
                + " AND deleted = 0",
            ids.size());
    return store.read(
        "reading memory entries for search",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            SqlArgs.bind(ps, d, args);
            try (ResultSet rs = ps.executeQuery()) {
              Map<EntryId, MemoryEntry> out = new HashMap<>();
              for (MemoryEntry e : MemoryRows.entries(rs, d)) {
                out.put(new EntryId(tenant, e.namespace(), e.key()), e);
              }
              return out;
            }
          }
        });
  }

  /** What waits in the outbox. */
  Backlog backlog() {
    String sql = "SELECT COUNT(*) AS n, MIN(created_at) AS oldest, MAX(attempts) AS attempts FROM embedding_outbox";
    return store.read(
        "reading the embedding backlog",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql);
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Backlog(rs.getLong("n"), d.getInstant(rs, "oldest"), rs.getInt("attempts"));
          }
        });
  }

  /**
   * Puts in the outbox every live entry with text that has no vector of its current version by
   * {@code model} and no outbox row yet: entries written before this feature, restored from a
   * backup (which does not carry vectors), or embedded by another model. Returns how many.
   */
  int reconcile(String model) {
    String dml =
        "INSERT INTO embedding_outbox (tenant, namespace, key, version, attempts, next_attempt_at, created_at)"
            + " SELECT e.tenant, e.namespace, e.key, e.current_version, 0, " + now + ", " + now
            + " FROM memory_entries e WHERE e.deleted = 0 AND e.text IS NOT NULL"
            + " AND NOT EXISTS (SELECT 1 FROM memory_vectors v WHERE v.tenant = e.tenant AND v.namespace = e.namespace"
            + " AND v.key = e.key AND v.version = e.current_version AND v.model = ? AND v.vector IS NOT NULL)"
            + " AND NOT EXISTS (SELECT 1 FROM embedding_outbox o WHERE o.tenant = e.tenant"
            + " AND o.namespace = e.namespace AND o.key = e.key)";
    return store.write(
        "queueing entries that lack embeddings",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(dml)) {
            SqlArgs.bind(ps, d, model);
            return ps.executeUpdate();
          }
        });
  }

}
