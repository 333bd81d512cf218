package dev.statekeeper.memory;

import dev.statekeeper.memory.MemoryVectors.EntryId;
import dev.statekeeper.memory.MemoryVectors.VectorWrite;
import dev.statekeeper.search.Embedder;
import dev.statekeeper.search.EmbeddingLoop;
import dev.statekeeper.search.EmbeddingQueue.Claimed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background worker that turns memory's embedding outbox into vectors: it claims a batch of
 * due rows, reads the current text of their entries, embeds it in one call, stores the vectors (or
 * removes them for deleted entries and entries without text) and deletes the rows — then asks the
 * index to refresh. When the embedder fails, the batch is postponed with exponential backoff and
 * the failure is counted ({@link EmbeddingLoop} runs the thread, the backoff and the figures).
 *
 * <p>Several nodes may run workers on one PostgreSQL: claims skip rows another worker holds, and a
 * newer stored version is never overwritten by an older one.
 */
final class EmbeddingWorker extends EmbeddingLoop {

  private static final Logger log = LoggerFactory.getLogger(EmbeddingWorker.class);
  private static final long LEASE_MILLIS = 60_000;

  private final MemoryVectors sql;
  private final Embedder embedder;
  private final Runnable stored;
  private final int batch;
  private final AtomicLong embedded = new AtomicLong();

  /** {@code stored} runs after vectors were stored (the index refreshes). */
  EmbeddingWorker(MemoryVectors sql, Embedder embedder, Runnable stored, int batch, Duration interval) {
    super("embeddings", "the memory embeddings worker", interval);
    this.sql = sql;
    this.embedder = embedder;
    this.stored = stored;
    this.batch = batch;
  }

  @Override
  public int runOnce() {
    List<Claimed> claimed = sql.queue.claim(batch, LEASE_MILLIS);
    if (claimed.isEmpty()) {
      return 0;
    }
    // the newest claimed version of each entry; its current row decides what to store
    Map<EntryId, Long> versions = new LinkedHashMap<>();
    Map<String, List<EntryId>> byTenant = new LinkedHashMap<>();
    int attempts = 0;
    for (Claimed c : claimed) {
      versions.merge(new EntryId(c.tenant(), c.key().get(0), c.key().get(1)), c.version(), Math::max);
      attempts = Math.max(attempts, c.attempts());
    }
    for (EntryId id : versions.keySet()) {
      byTenant.computeIfAbsent(id.tenant(), t -> new ArrayList<>()).add(id);
    }
    List<EntryId> toEmbed = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    List<VectorWrite> writes = new ArrayList<>();
    Map<EntryId, MemoryEntry> live = new LinkedHashMap<>();
    byTenant.forEach((tenant, ids) -> live.putAll(sql.live(tenant, ids)));
    for (EntryId id : versions.keySet()) {
      MemoryEntry e = live.get(id);
      if (e != null && e.text() != null && !e.text().isBlank()) {
        toEmbed.add(id);
        texts.add(e.text());
      } else {
        // deleted, or its current version has no text: whatever vector it had goes
        long version = e != null ? e.version() : versions.get(id);
        writes.add(new VectorWrite(id, version, null, null));
      }
    }
    List<Long> ids = claimed.stream().map(Claimed::id).toList();
    List<float[]> vectors;
    try {
      vectors = embedder.embed(texts);
      if (vectors.size() != texts.size()) {
        throw new IllegalStateException("the embedder returned " + vectors.size() + " vectors for " + texts.size() + " texts");
      }
    } catch (RuntimeException | Error e) {
      embedderFailed(e);
      long backoff = backoffMillis(attempts);
      log.warn("embedding {} memory entries failed (attempt {}); trying again in {} ms: {}", texts.size(), attempts, backoff, e.toString());
      sql.queue.retryLater(ids, backoff, e.toString());
      return claimed.size();
    }
    for (int i = 0; i < toEmbed.size(); i++) {
      MemoryEntry e = live.get(toEmbed.get(i));
      writes.add(new VectorWrite(toEmbed.get(i), e.version(), e.type(), vectors.get(i)));
    }
    sql.finish(ids, writes, embedder.model());
    embedded.addAndGet(toEmbed.size());
    embeddingSucceeded();
    stored.run();
    return claimed.size();
  }

  @Override
  protected void housekeeping() {
    int purged = sql.purgeRemovals();
    if (purged > 0) {
      log.info("purged {} removed memory vectors older than a day from the change log", purged);
    }
  }

  long embedded() {
    return embedded.get();
  }
}
