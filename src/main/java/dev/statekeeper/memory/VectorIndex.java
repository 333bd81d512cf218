package dev.statekeeper.memory;

import dev.statekeeper.memory.MemoryVectors.Change;
import dev.statekeeper.memory.MemoryVectors.EntryId;
import dev.statekeeper.search.Vectors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's in-memory copy of the memory vectors, searched by exact cosine similarity (the
 * vectors are normalised, so a dot product) over every vector of the caller's tenant that passes
 * the filters. It follows the {@code seq} change log of {@code memory_vectors}: loaded whole at
 * start, then every {@code interval} (or at once when this node's worker stored vectors), so
 * several nodes on one PostgreSQL stay current.
 *
 * <p>A search is a linear scan: about 400 multiply-adds per entry, so ~40 M for 100k entries of one
 * tenant. An approximate index (HNSW) belongs above the size where that stops being fast enough;
 * see docs/BENCHMARKS.md for the command that measures it.
 *
 * <p>Concurrency: the maps are concurrent (searches read while the follower applies changes);
 * {@code refreshLock} lets one refresh run at a time and guards {@code lastSeq}.
 */
final class VectorIndex implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(VectorIndex.class);
  private static final int PAGE = 2000;

  /** One vector: the entry it belongs to and the version it was made from. */
  record Item(String namespace, String key, long version, MemoryType type, float[] vector) {}

  /** A search candidate, best first. */
  record Candidate(Item item, float score) {}

  private final MemoryVectors sql;
  private final String model;
  private final Duration interval;
  private final Map<String, Map<String, Item>> tenants = new ConcurrentHashMap<>();
  private final ReentrantLock refreshLock = new ReentrantLock();
  private final Semaphore wake = new Semaphore(0);
  private final AtomicLong failures = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long lastSeq;

  VectorIndex(MemoryVectors sql, String model, Duration interval) {
    this.sql = sql;
    this.model = model;
    this.interval = interval;
    this.thread = Thread.ofPlatform().daemon().name("statekeeper-vector-index").unstarted(this::loop);
  }

  /** Starts following the change log (the first refresh loads everything). */
  void start() {
    thread.start();
  }

  /** Asks for a refresh now rather than at the next interval. */
  void wake() {
    wake.release();
  }

  /** Applies every change after the last one seen; returns how many. Throws when the store fails. */
  int refresh() {
    refreshLock.lock();
    try {
      int applied = 0;
      while (true) {
        List<Change> changes = sql.changesAfter(lastSeq, PAGE, model);
        for (Change c : changes) {
          apply(c);
          lastSeq = c.seq();
        }
        applied += changes.size();
        if (changes.size() < PAGE) {
          return applied;
        }
      }
    } finally {
      refreshLock.unlock();
    }
  }

  private void apply(Change c) {
    EntryId id = c.id();
    String k = id.namespace() + '\u0000' + id.key();
    if (c.vector() == null) {
      Map<String, Item> items = tenants.get(id.tenant());
      if (items != null) items.remove(k);
    } else {
      tenants
          .computeIfAbsent(id.tenant(), t -> new ConcurrentHashMap<>())
          .put(k, new Item(id.namespace(), id.key(), c.version(), c.type(), c.vector()));
    }
  }

  /**
   * The {@code k} vectors of {@code tenant} most similar to {@code query}, best first, within the
   * subtrees of {@code prefixes} (null: everywhere; whole segments) and of {@code type} (null: any).
   */
  List<Candidate> search(String tenant, float[] query, List<String> prefixes, MemoryType type, int k) {
    Map<String, Item> items = tenants.get(tenant);
    if (items == null || k <= 0) {
      return List.of();
    }
    PriorityQueue<Candidate> best = new PriorityQueue<>(k + 1, Comparator.comparingDouble(Candidate::score));
    for (Item item : items.values()) {
      if ((type != null && item.type() != type) || !within(item.namespace(), prefixes)
          || item.vector().length != query.length) { // another model's vector, until it is re-embedded
        continue;
      }
      float score = Vectors.dot(query, item.vector());
      if (best.size() < k) {
        best.add(new Candidate(item, score));
      } else if (score > best.peek().score()) {
        best.poll();
        best.add(new Candidate(item, score));
      }
    }
    List<Candidate> out = new ArrayList<>(best);
    out.sort(Comparator.comparingDouble(Candidate::score).reversed());
    return out;
  }

  static boolean within(String namespace, List<String> prefixes) {
    if (prefixes == null) return true;
    for (String p : prefixes) {
      if (namespace.equals(p) || (namespace.startsWith(p) && namespace.length() > p.length() && namespace.charAt(p.length()) == ':')) {
        return true;
      }
    }
    return false;
  }

  /** Vectors held (all tenants). */
  long size() {
    long n = 0;
    for (Map<String, Item> m : tenants.values()) n += m.size();
    return n;
  }

  long lastSeq() {
    return lastSeq;
  }

  long failures() {
    return failures.get();
  }

  private void loop() {
    while (running) {
      try {
        refresh();
      } catch (Throwable t) {
        failures.incrementAndGet();
        log.warn("refreshing the vector index failed; will try again in {}: {}", interval, t.toString());
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

  @Override
  public void close() {
    running = false;
    wake.release(); // not an interrupt: that could break a JDBC call in flight
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
