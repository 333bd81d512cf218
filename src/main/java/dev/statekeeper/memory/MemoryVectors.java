package dev.statekeeper.memory;

import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import dev.statekeeper.search.EmbeddingQueue;
import dev.statekeeper.search.VectorLog;
import dev.statekeeper.search.Vectors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
 * <p>The outbox is an {@link EmbeddingQueue} and {@code seq} a {@link VectorLog}, as for documents.
 */
final class MemoryVectors {

  /** The advisory lock key that serializes changes of {@code memory_vectors} on PostgreSQL. */
  static final long SEQ_LOCK = 0x5354_4B50_0008L;

  /** An entry, by tenant, namespace and key. */
  record EntryId(String tenant, String namespace, String key) {}

  /**
   * What to store for an entry: its vector at {@code version} with {@code type}, or (vector null)
   * that it has none any more.
   */
  record VectorWrite(EntryId id, long version, MemoryType type, float[] vector) {}

  /** One row of the change log: vector null when the entry no longer has one. */
  record Change(long seq, EntryId id, long version, MemoryType type, float[] vector) {}

  static final String OUTBOX = "embedding_outbox";
  static final List<String> OUTBOX_KEY = List.of("namespace", "key");

  private final Store store;
  private final Dialect d;
  final EmbeddingQueue queue;

  MemoryVectors(Store store) {
    this.store = store;
    this.d = store.dialect();
    this.queue = new EmbeddingQueue(store, OUTBOX, "memory embedding work", OUTBOX_KEY);
  }

  /** Puts one entry's change in the outbox; runs inside the write's transaction. */
  static void enqueue(Connection c, Dialect d, String tenant, String namespace, String key, long version)
      throws SQLException {
    EmbeddingQueue.enqueue(c, d, OUTBOX, OUTBOX_KEY, tenant, List.of(namespace, key), version);
  }

  /**
   * Stores {@code writes} (a newer version already stored wins; a removal only touches a row that
   * has a vector) and deletes the outbox rows {@code done}, in one transaction.
   */
  void finish(Collection<Long> done, List<VectorWrite> writes, String model) {
    String upsert = MemorySql.of(d).storeVector();
    String remove =
        "UPDATE memory_vectors SET vector = NULL, version = ?, seq = ?, updated_at = sk_now()"
            + " WHERE tenant = ? AND namespace = ? AND key = ? AND version <= ? AND vector IS NOT NULL";
    store.write(
        "storing embeddings",
        c -> {
          long seq = VectorLog.lastSeq(c, d, "memory_vectors", SEQ_LOCK);
          try (PreparedStatement up = c.prepareStatement(upsert);
              PreparedStatement rm = c.prepareStatement(remove)) {
            for (VectorWrite w : writes) {
              seq++;
              EntryId id = w.id();
              if (w.vector() != null) {
                SqlArgs.bind(
                    up, d, id.tenant(), id.namespace(), id.key(), w.version(), w.type().wireName(), model,
                    Vectors.toBytes(w.vector()), seq, id.tenant(), id.namespace(), id.key());
                up.executeUpdate();
              } else {
                SqlArgs.bind(rm, d, w.version(), seq, id.tenant(), id.namespace(), id.key(), w.version());
                rm.executeUpdate();
              }
            }
          }
          queue.delete(c, done);
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
    String sql = liveSql(ids.size());
    return store.read(
        "reading memory entries for search",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            SqlArgs.bind(ps, d, args);
            try (ResultSet rs = ps.executeQuery()) {
              Map<EntryId, MemoryEntry> out = new HashMap<>();
              for (MemoryEntry e : MemoryRows.entries(rs, d)) {
                if (!e.deleted()) out.put(new EntryId(tenant, e.namespace(), e.key()), e);
              }
              return out;
            }
          }
        });
  }

  /**
   * The rows of {@code n} entries (tenant, namespace, key bound per entry), tombstones included.
   * No {@code deleted = 0} here: it would make the partial index {@code memory_live_by_type
   * (tenant, type, ...)} usable, and a plan cached while the tenant was small then walks the
   * tenant's whole range of it once it is large (PostgreSQL: 115 ms at 100k entries).
   */
  static String liveSql(int n) {
    return SqlArgs.eachOf(
        "SELECT " + MemorySql.ENTRY_COLUMNS + " FROM memory_entries WHERE tenant = ? AND namespace = ? AND key = ?", n);
  }

  /** Deletes removals older than {@link VectorLog#KEEP_REMOVALS} from the change log. */
  int purgeRemovals() {
    return VectorLog.purgeRemovals(store, "memory_vectors", "vector", VectorLog.KEEP_REMOVALS);
  }

  /**
   * Puts in the outbox every live entry with text that has no vector of its current version by
   * {@code model} and no outbox row yet: entries written before this feature, restored from a
   * backup (which does not carry vectors), or embedded by another model. Returns how many.
   */
  int reconcile(String model) {
    String dml =
        "INSERT INTO embedding_outbox (tenant, namespace, key, version, attempts, next_attempt_at, created_at)"
            + " SELECT e.tenant, e.namespace, e.key, e.current_version, 0, sk_now(), sk_now()"
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
