package dev.statekeeper.documents;

import dev.statekeeper.documents.DocumentVectors.Change;
import dev.statekeeper.documents.DocumentVectors.Current;
import dev.statekeeper.documents.DocumentVectors.DocId;
import dev.statekeeper.documents.DocumentVectors.VectorWrite;
import dev.statekeeper.search.EmbeddingLoop;
import dev.statekeeper.search.EmbeddingQueue.Claimed;
import dev.statekeeper.search.Embedder;
import dev.statekeeper.search.Vectors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
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
 * <p>Concurrency: one platform thread runs the worker and refreshes the index; searches read the
 * concurrent maps; {@code refreshLock} guards {@code lastSeq} and lets one refresh run at a time.
 */
final class DocumentEmbeddings extends EmbeddingLoop {

  private static final Logger log = LoggerFactory.getLogger(DocumentEmbeddings.class);
  private static final int BATCH = 8;
  private static final long LEASE_MILLIS = 600_000; // a long document takes a while
  private static final Duration POLL = Duration.ofMillis(500);

  /** One document's vectors. */
  record Item(String documentId, long version, String source, float[][] chunks) {}

  /** A chunk candidate. */
  record Candidate(String documentId, int chunk, long version, float score) {}

  private final DocumentVectors sql;
  private final Embedder embedder;
  private final Map<String, Map<String, Item>> tenants = new ConcurrentHashMap<>();
  private final ReentrantLock refreshLock = new ReentrantLock();
  private long lastSeq; // guarded by refreshLock

  DocumentEmbeddings(DocumentVectors sql, Embedder embedder) {
    super("document embeddings", POLL);
    this.sql = sql;
    this.embedder = embedder;
  }

  @Override
  public void start() {
    try {
      sql.reconcile(embedder.model());
    } catch (RuntimeException e) {
      log.warn("could not queue documents that lack embeddings: {}", e.toString());
    }
    super.start();
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
      embeddingFailed(e);
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
          if (c.vectors() == null) {
            Map<String, Item> docs = tenants.get(c.doc().tenant());
            if (docs != null) docs.remove(c.doc().id());
          } else {
            tenants.computeIfAbsent(c.doc().tenant(), t -> new ConcurrentHashMap<>())
                .put(c.doc().id(), new Item(c.doc().id(), c.version(), c.source(), c.vectors()));
          }
          lastSeq = c.seq();
        }
        if (changes.size() < 500) return;
      }
    } finally {
      refreshLock.unlock();
    }
  }

  /** The {@code k} chunks most similar to {@code query} among {@code ids} (null: all) of {@code source} (null: any). */
  List<Candidate> search(String tenant, float[] query, Set<String> ids, String source, int k) {
    Map<String, Item> docs = tenants.get(tenant);
    if (docs == null) return List.of();
    PriorityQueue<Candidate> best = new PriorityQueue<>(k + 1, Comparator.comparingDouble(Candidate::score));
    for (Item item : docs.values()) {
      if ((ids != null && !ids.contains(item.documentId())) || (source != null && !source.equals(item.source()))) continue;
      for (int i = 0; i < item.chunks().length; i++) {
        if (item.chunks()[i].length != query.length) break; // another model's vectors, until re-embedded
        float score = Vectors.dot(query, item.chunks()[i]);
        if (best.size() < k) {
          best.add(new Candidate(item.documentId(), i, item.version(), score));
        } else if (score > best.peek().score()) {
          best.poll();
          best.add(new Candidate(item.documentId(), i, item.version(), score));
        }
      }
    }
    List<Candidate> out = new ArrayList<>(best);
    out.sort(Comparator.comparingDouble(Candidate::score).reversed());
    return out;
  }
}
