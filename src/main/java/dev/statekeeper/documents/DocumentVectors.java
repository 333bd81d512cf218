package dev.statekeeper.documents;

import dev.statekeeper.search.EmbeddingQueue;
import dev.statekeeper.search.VectorLog;
import dev.statekeeper.search.Vectors;
import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The SQL of semantic search over documents, shaped like memory's ({@code MemoryVectors}): the
 * outbox {@code document_embedding_outbox} (an {@link EmbeddingQueue}) and {@code
 * document_vectors}, one row per document with all its chunk vectors, whose {@code seq} is a
 * {@link VectorLog}.
 */
final class DocumentVectors {

  static final long SEQ_LOCK = 0x5354_4B50_0009L;

  record DocId(String tenant, String id) {}

  /** A document's current version, source and chunk texts (in order). */
  record Current(DocId doc, long version, String source, List<String> chunks) {}

  /** What to store: every chunk's vector of {@code version}, or (vectors null) none any more. */
  record VectorWrite(DocId doc, long version, String source, float[][] vectors) {}

  record Change(long seq, DocId doc, long version, String source, float[][] vectors) {}

  /** A chunk as search returns it: current version, text, title and source. */
  record Chunk(String documentId, int chunk, long version, String text, String title, String source) {}

  static final String OUTBOX = "document_embedding_outbox";
  static final List<String> OUTBOX_KEY = List.of("document_id");

  private final Store store;
  private final Dialect d;
  final EmbeddingQueue queue;

  DocumentVectors(Store store) {
    this.store = store;
    this.d = store.dialect();
    this.queue = new EmbeddingQueue(store, OUTBOX, "document embedding work", OUTBOX_KEY);
  }

  static void enqueue(Connection c, Dialect d, String tenant, String documentId, long version) throws SQLException {
    EmbeddingQueue.enqueue(c, d, OUTBOX, OUTBOX_KEY, tenant, List.of(documentId), version);
  }

  /** The document as it is now, or null when it is gone; one statement, so version and chunks agree. */
  Current current(DocId doc) {
    String sql =
        "SELECT doc.version, doc.source, k.text FROM documents doc JOIN document_chunks k"
            + " ON k.tenant = doc.tenant AND k.document_id = doc.id WHERE doc.tenant = ? AND doc.id = ? ORDER BY k.chunk";
    return store.read("reading a document to embed", c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        SqlArgs.bind(ps, d, doc.tenant(), doc.id());
        try (ResultSet rs = ps.executeQuery()) {
          long version = 0;
          String source = null;
          List<String> chunks = new ArrayList<>();
          while (rs.next()) {
            version = rs.getLong(1);
            source = rs.getString(2);
            chunks.add(rs.getString(3));
          }
          return chunks.isEmpty() ? null : new Current(doc, version, source, chunks);
        }
      }
    });
  }

  void finish(Collection<Long> done, List<VectorWrite> writes, String model) {
    String upsert =
        "INSERT INTO document_vectors (tenant, document_id, version, source, model, vectors, seq, updated_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, sk_now())"
            + " ON CONFLICT (tenant, document_id) DO UPDATE SET version = excluded.version, source = excluded.source,"
            + " model = excluded.model, vectors = excluded.vectors, seq = excluded.seq, updated_at = excluded.updated_at"
            + " WHERE document_vectors.version <= excluded.version";
    String remove =
        "UPDATE document_vectors SET vectors = NULL, version = ?, seq = ?, updated_at = sk_now()"
            + " WHERE tenant = ? AND document_id = ? AND version <= ? AND vectors IS NOT NULL";
    store.write("storing document embeddings", c -> {
      long seq = VectorLog.lastSeq(c, d, "document_vectors", SEQ_LOCK);
      try (PreparedStatement up = c.prepareStatement(upsert);
          PreparedStatement rm = c.prepareStatement(remove)) {
        for (VectorWrite w : writes) {
          seq++;
          if (w.vectors() != null) {
            SqlArgs.bind(up, d, w.doc().tenant(), w.doc().id(), w.version(), w.source() == null ? SqlArgs.nullOf(java.sql.Types.VARCHAR) : w.source(),
                model, concat(w.vectors()), seq);
            up.executeUpdate();
          } else {
            SqlArgs.bind(rm, d, w.version(), seq, w.doc().tenant(), w.doc().id(), w.version());
            rm.executeUpdate();
          }
        }
      }
      queue.delete(c, done);
      return null;
    });
  }

  /** Changes after {@code afterSeq}; vectors of another model than {@code model} read as absent. */
  List<Change> changesAfter(long afterSeq, int limit, String model, int dimensions) {
    String sql = "SELECT seq, tenant, document_id, version, source, vectors, model FROM document_vectors WHERE seq > ? ORDER BY seq LIMIT ?";
    return store.read("reading document vector changes", c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        SqlArgs.bind(ps, d, afterSeq, limit);
        try (ResultSet rs = ps.executeQuery()) {
          List<Change> out = new ArrayList<>();
          while (rs.next()) {
            byte[] bytes = model.equals(rs.getString(7)) ? rs.getBytes(6) : null;
            out.add(new Change(rs.getLong(1), new DocId(rs.getString(2), rs.getString(3)), rs.getLong(4), rs.getString(5),
                bytes == null || bytes.length % (dimensions * Float.BYTES) != 0
                    ? null // none, or another model's vectors: treated as absent until re-embedded
                    : split(Vectors.fromBytes(bytes), dimensions)));
          }
          return out;
        }
      }
    });
  }

  /** The chunks named (document id, chunk number) of {@code tenant}, as they are now. */
  List<Chunk> chunks(String tenant, List<String> documentIds, List<Integer> chunkNumbers) {
    if (documentIds.isEmpty()) return List.of();
    List<Object> args = new ArrayList<>();
    for (int i = 0; i < documentIds.size(); i++) {
      args.add(tenant);
      args.add(documentIds.get(i));
      args.add(chunkNumbers.get(i));
    }
    String sql =
        SqlArgs.eachOf(
            "SELECT k.document_id, k.chunk, doc.version, k.text, doc.title, doc.source FROM document_chunks k"
                + " JOIN documents doc ON doc.tenant = k.tenant AND doc.id = k.document_id"
                + " WHERE k.tenant = ? AND k.document_id = ? AND k.chunk = ?",
            documentIds.size());
    return store.read("reading document chunks for search", c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        SqlArgs.bind(ps, d, args);
        try (ResultSet rs = ps.executeQuery()) {
          List<Chunk> out = new ArrayList<>();
          while (rs.next()) {
            out.add(new Chunk(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getString(6)));
          }
          return out;
        }
      }
    });
  }

  long backlog() {
    return queue.backlog().rows();
  }

  /** Deletes removals older than {@link VectorLog#KEEP_REMOVALS} from the change log. */
  int purgeRemovals() {
    return VectorLog.purgeRemovals(store, "document_vectors", "vectors", VectorLog.KEEP_REMOVALS);
  }

  /** Queues documents without vectors of their current version by {@code model} (restores, old data). */
  int reconcile(String model) {
    String dml =
        "INSERT INTO document_embedding_outbox (tenant, document_id, version, attempts, next_attempt_at, created_at)"
            + " SELECT doc.tenant, doc.id, doc.version, 0, sk_now(), sk_now() FROM documents doc"
            + " WHERE NOT EXISTS (SELECT 1 FROM document_vectors v WHERE v.tenant = doc.tenant AND v.document_id = doc.id"
            + " AND v.version = doc.version AND v.model = ? AND v.vectors IS NOT NULL)"
            + " AND NOT EXISTS (SELECT 1 FROM document_embedding_outbox o WHERE o.tenant = doc.tenant AND o.document_id = doc.id)";
    return store.write("queueing documents that lack embeddings", c -> {
      try (PreparedStatement ps = c.prepareStatement(dml)) {
        SqlArgs.bind(ps, d, model);
        return ps.executeUpdate();
      }
    });
  }

  static byte[] concat(float[][] vectors) {
    int dims = vectors.length == 0 ? 0 : vectors[0].length;
    float[] all = new float[vectors.length * dims];
    for (int i = 0; i < vectors.length; i++) System.arraycopy(vectors[i], 0, all, i * dims, dims);
    return Vectors.toBytes(all);
  }

  static float[][] split(float[] all, int dims) {
    float[][] out = new float[all.length / dims][];
    for (int i = 0; i < out.length; i++) out[i] = java.util.Arrays.copyOfRange(all, i * dims, (i + 1) * dims);
    return out;
  }

}
