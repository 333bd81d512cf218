package dev.statekeeper.memory;

import dev.statekeeper.memory.MemoryVectors.Claimed;
import dev.statekeeper.memory.MemoryVectors.EntryId;
import dev.statekeeper.memory.MemoryVectors.VectorWrite;
import dev.statekeeper.search.Embedder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background worker that turns the embedding outbox into vectors: it claims a batch of due
 * rows, reads the current text of their entries, embeds it in one call, stores the vectors (or
 * removes them for deleted entries and entries without text) and deletes the rows — then asks the
 * index to refresh. When the embedder fails, the batch is postponed with exponential backoff (1 s
 * doubling to 5 minutes, with jitter) and the failure is counted; after {@link
 * #DEGRADED_AFTER} failures in a row the {@code embeddings} health check says DEGRADED.
 *
 * <p>Concurrency: one platform thread runs {@link #runOnce}; other threads only {@link #wake} it
 * and read the volatile/atomic figures. Several nodes may run workers on one PostgreSQL: claims
 * skip rows another worker holds, and a newer stored version is never overwritten by an older one.
 */
final class EmbeddingWorker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddingWorker.class);
  static final int DEGRADED_AFTER = 3;
  private static final long LEASE_MILLIS = 60_000;
  private static final long MAX_BACKOFF_MILLIS = 300_000;

  private final MemoryVectors sql;
  private final Embedder embedder;
  private final Runnable stored;
  private final int batch;
  private final Duration interval;
  private final Semaphore wake = new Semaphore(0);
  private final AtomicLong embedded = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile int failuresInARow;
  private volatile Instant lastSuccess;
  private volatile String lastError;

  /** {@code stored} runs after vectors were stored (the index refreshes). */
  EmbeddingWorker(MemoryVectors sql, Embedder embedder, Runnable stored, int batch, Duration interval) {
    this.sql = sql;
    this.embedder = embedder;
    this.stored = stored;
    this.batch = batch;
    this.interval = interval;
    this.thread = Thread.ofPlatform().daemon().name("statekeeper-embeddings").unstarted(this::loop);
  }

  void start() {
    thread.start();
  }

  /** New work was queued: look now rather than at the next interval. */
  void wake() {
    wake.release();
  }

  /**
   * Claims and handles one batch; returns how many outbox rows it claimed (0: nothing due).
   * Throws only when the store fails; an embedder failure postpones the batch.
   */
  int runOnce() {
    List<Claimed> claimed = sql.claim(batch, LEASE_MILLIS);
    if (claimed.isEmpty()) {
      return 0;
    }
    // the newest claimed version of each entry; its current row decides what to store
    Map<EntryId, Long> versions = new LinkedHashMap<>();
    Map<String, List<EntryId>> byTenant = new LinkedHashMap<>();
    int attempts = 0;
    for (Claimed c : claimed) {
      versions.merge(new EntryId(c.tenant(), c.namespace(), c.key()), c.version(), Math::max);
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
      failures.incrementAndGet();
      failuresInARow++;
      lastError = e.toString();
      long backoff = backoffMillis(attempts);
      log.warn("embedding {} memory entries failed (attempt {}); trying again in {} ms: {}", texts.size(), attempts, backoff, e.toString());
      sql.retryLater(ids, backoff, e.toString());
      return claimed.size();
    }
    for (int i = 0; i < toEmbed.size(); i++) {
      MemoryEntry e = live.get(toEmbed.get(i));
      writes.add(new VectorWrite(toEmbed.get(i), e.version(), e.type(), vectors.get(i)));
    }
    sql.finish(ids, writes, embedder.model());
    embedded.addAndGet(toEmbed.size());
    failuresInARow = 0;
    lastSuccess = Instant.now();
    stored.run();
    return claimed.size();
  }

  static long backoffMillis(int attempts) {
    long base = Math.min(MAX_BACKOFF_MILLIS, 1000L << Math.min(20, Math.max(0, attempts - 1)));
    return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }

  private void loop() {
    while (running) {
      boolean more = false;
      try {
        more = runOnce() > 0 && failuresInARow == 0;
      } catch (Throwable t) {
        failures.incrementAndGet();
        failuresInARow++;
        lastError = t.toString();
        log.warn("the embedding worker failed; will try again in {}: {}", interval, t.toString());
      }
      if (more) {
        continue; // a full or partial batch: there may be more due right now
      }
      try {
        wake.tryAcquire(interval.toMillis(), TimeUnit.MILLISECONDS);
        wake.drainPermits();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  long embedded() {
    return embedded.get();
  }

  long failures() {
    return failures.get();
  }

  int failuresInARow() {
    return failuresInARow;
  }

  Instant lastSuccess() {
    return lastSuccess;
  }

  String lastError() {
    return lastError;
  }

  @Override
  public void close() {
    running = false;
    wake.release(); // not an interrupt: that could break a JDBC call in flight
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
