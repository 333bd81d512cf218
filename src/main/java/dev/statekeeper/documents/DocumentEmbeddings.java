package dev.statekeeper.documents;

import dev.statekeeper.documents.DocumentVectors.Change;
import dev.statekeeper.documents.DocumentVectors.Current;
import dev.statekeeper.documents.DocumentVectors.DocId;
import dev.statekeeper.documents.DocumentVectors.VectorWrite;
import dev.statekeeper.search.EmbeddingLoop;
import dev.statekeeper.search.EmbeddingQueue.Claimed;
import dev.statekeeper.search.Embedder;
import dev.statekeeper.search.VectorSlab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeddings of document chunks: the background worker (outbox → vectors, one document at a time
 * within a batch; {@link EmbeddingLoop} runs the thread, retries and backoff, as for memory) and
 * this node's in-memory index of every chunk vector, following the {@code seq} change log, which
 * the worker's thread refreshes before every pass. The index is kept apart from memory's {@code
 * VectorIndex} because the unit here is a document of many chunks.
 *
 * <p>The index keeps each tenant's chunk vectors in a {@link VectorSlab}, as memory does (an item
 * per chunk, keyed {@code <document id> NUL <chunk number>}).
 *
 * <p>Concurrency: one platform thread runs the worker and refreshes the index (tests may drain on
 * theirs); searches read the slabs under their own locks; {@code refreshLock} guards {@code
 * lastSeq} and {@code chunkCounts} and lets one refresh run at a time.
 */
final class DocumentEmbeddings extends EmbeddingLoop {

  private static final Logger log = LoggerFactory.getLogger(DocumentEmbeddings.class);
  private static final int BATCH = 8;
  private static final long LEASE_MILLIS = 600_000; // a long document takes a while
  private static final Duration POLL = Duration.ofMillis(500);

  /** One chunk's vector: which document, which chunk, the version it was made from, the source. */
  record Chunk(String documentId, int chunk, long version, String source) {}

  /** A chunk candidate. */
  record Candidate(String documentId, int chunk, long version, float score) {}

  private final DocumentVectors sql;
  private final Embedder embedder;
  /** Each tenant's chunk vectors; written by {@link #refresh} only. */
  private final Map<String, VectorSlab<Chunk>> tenants = new ConcurrentHashMap<>();
  /** How many chunks each document of each tenant has in the slab; guarded by refreshLock. */
  private final Map<String, Map<String, Integer>> chunkCounts = new HashMap<>();
  private final ReentrantLock refreshLock = new ReentrantLock();
  private long lastSeq; // guarded by refreshLock

  DocumentEmbeddings(DocumentVectors sql, Embedder embedder) {
    super("document_embeddings", "the document embeddings worker", POLL);
    this.sql = sql;
    this.embedder = embedder;
  }

  /** Queues the documents that lack vectors of the current model (old data, restores); before the worker starts. */
  void reconcile() {
    try {
      sql.reconcile(embedder.model());
    } catch (RuntimeException e) {
      log.warn("could not queue documents that lack embeddings: {}", e.toString());
    }
  }

  /** Handles one batch of due outbox rows; returns how many it claimed. */
  @Override
  public int runOnce() {
    List<Claimed> claimed = sql.queue.claim(BATCH, LEASE_MILLIS);
    if (claimed.isEmpty()) return 0;
    Map<DocId, Long> versions = new LinkedHashMap<>();
    int attempts = 0;
    for (Claimed c : claimed) {
      versions.merge(new DocId(c.tenant(), c.key().get(0)), c.version(), Math::max);
      attempts = Math.max(attempts, c.attempts());
    }
    List<Long> ids = claimed.stream().map(Claimed::id).toList();
    List<VectorWrite> writes = new ArrayList<>();
    try {
      for (var e : versions.entrySet()) {
        Current cur = sql.current(e.getKey());
        if (cur == null) {
          writes.add(new VectorWrite(e.getKey(), e.getValue(), null, null));
        } else {
          List<float[]> v = embedder.embed(cur.chunks());
          writes.add(new VectorWrite(e.getKey(), cur.version(), cur.source(), v.toArray(new float[0][])));
        }
      }
    } catch (RuntimeException | Error e) {
      embedderFailed(e);
      long backoff = backoffMillis(attempts);
      log.warn("embedding documents failed (attempt {}); trying again in {} ms: {}", attempts, backoff, e.toString());
      sql.queue.retryLater(ids, backoff, e.toString());
      return claimed.size();
    }
    sql.finish(ids, writes, embedder.model());
    embeddingSucceeded();
    refresh();
    return claimed.size();
  }

  @Override
  protected void beforePass() {
    refresh();
  }

  @Override
  protected void housekeeping() {
    int purged = sql.purgeRemovals();
    if (purged > 0) {
      log.info("purged {} removed document vectors older than a day from the change log", purged);
    }
  }

  /** Applies every change of the vectors after the last one seen. */
  void refresh() {
    refreshLock.lock();
    try {
      while (true) {
        List<Change> changes = sql.changesAfter(lastSeq, 500, embedder.model(), embedder.dimensions());
        for (Change c : changes) {
          apply(c);
          lastSeq = c.seq();
        }
        if (changes.size() < 500) return;
      }
    } finally {
      refreshLock.unlock();
    }
  }

  /** Puts a document's chunk vectors in its tenant's slab, removing chunks it no longer has. */
  private void apply(Change c) {
    String tenant = c.doc().tenant();
    String id = c.doc().id();
    VectorSlab<Chunk> slab = tenants.computeIfAbsent(tenant, t -> new VectorSlab<>());
    Map<String, Integer> counts = chunkCounts.computeIfAbsent(tenant, t -> new HashMap<>());
    int before = counts.getOrDefault(id, 0);
    int now = c.vectors() == null ? 0 : c.vectors().length;
    for (int i = 0; i < now; i++) {
      slab.put(id + '\u0000' + i, new Chunk(id, i, c.version(), c.source()), c.vectors()[i]);
    }
    for (int i = now; i < before; i++) {
      slab.remove(id + '\u0000' + i);
    }
    if (now == 0) counts.remove(id); else counts.put(id, now);
  }

  /** Chunk vectors this node holds for {@code tenant}. */
  int indexedChunks(String tenant) {
    VectorSlab<Chunk> slab = tenants.get(tenant);
    return slab == null ? 0 : slab.size();
  }

  /** The {@code k} chunks most similar to {@code query} among {@code ids} (null: all) of {@code source} (null: any). */
  List<Candidate> search(String tenant, float[] query, Set<String> ids, String source, int k) {
    VectorSlab<Chunk> slab = tenants.get(tenant);
    if (slab == null) return List.of();
    java.util.function.Predicate<Chunk> filter =
        ids == null && source == null
            ? null
            : chunk -> (ids == null || ids.contains(chunk.documentId())) && (source == null || source.equals(chunk.source()));
    List<Candidate> out = new ArrayList<>();
    for (VectorSlab.Hit<Chunk> h : slab.search(query, filter, k)) {
      out.add(new Candidate(h.item().documentId(), h.item().chunk(), h.item().version(), h.score()));
    }
    return out;
  }
}
