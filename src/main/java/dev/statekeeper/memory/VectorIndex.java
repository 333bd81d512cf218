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
 * tenant. A tenant's vectors sit one after another in one {@code float[]} ({@link Slab}), so the
 * scan reads memory in order instead of chasing a pointer per entry. An approximate index (HNSW)
 * belongs above the size where that stops being fast enough; see docs/BENCHMARKS.md for the
 * command that measures it.
 *
 * <p>Concurrency: each tenant's slab has a read-write lock (searches read, the follower writes a
 * batch of changes at a time); {@code tenants} is a concurrent map; {@code refreshLock} lets one
 * refresh run at a time and guards {@code lastSeq}.
 */
final class VectorIndex implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(VectorIndex.class);
  private static final int PAGE = 2000;

  /** One vector's entry: which one, and the version it was made from (the vector is in the slab). */
  record Item(String namespace, String key, long version, MemoryType type) {}

  /** A search candidate, best first. */
  record Candidate(Item item, float score) {}

  private final MemoryVectors sql;
  private final String model;
  private final Duration interval;
  private final Map<String, Slab> tenants = new ConcurrentHashMap<>();
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
      Slab slab = tenants.get(id.tenant());
      if (slab != null) slab.remove(k);
    } else {
      tenants
          .computeIfAbsent(id.tenant(), t -> new Slab())
          .put(k, new Item(id.namespace(), id.key(), c.version(), c.type()), c.vector());
    }
  }

  /**
   * One tenant's vectors, contiguous: slot {@code i} holds {@code items[i]} and its vector at
   * {@code data[i * dims .. (i + 1) * dims)}. A removal moves the last slot into the hole, so the
   * slots stay dense. Vectors of another length than the first one stored (another model's) are
   * not kept.
   */
  static final class Slab {
    /** Vectors scored per call of {@link Vectors#dots}: 4 KB of scores, which stay in the L1 cache. */
    private static final int RUN = 1024;

    private final java.util.concurrent.locks.ReentrantReadWriteLock lock = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private final Map<String, Integer> slots = new java.util.HashMap<>(); // guarded by lock
    private Item[] items = new Item[64]; // guarded by lock
    private String[] keys = new String[64]; // guarded by lock
    private float[] data = new float[0]; // guarded by lock
    private int dims = -1; // guarded by lock
    private int size; // guarded by lock

    void put(String key, Item item, float[] vector) {
      lock.writeLock().lock();
      try {
        if (dims < 0) dims = vector.length;
        if (vector.length != dims) {
          removeLocked(key);
          return;
        }
        Integer slot = slots.get(key);
        if (slot == null) {
          slot = size++;
          if (slot == items.length) {
            items = java.util.Arrays.copyOf(items, items.length * 2);
            keys = java.util.Arrays.copyOf(keys, keys.length * 2);
          }
          if ((long) size * dims > data.length) {
            data = java.util.Arrays.copyOf(data, Math.max(dims * 64, data.length * 2));
          }
          slots.put(key, slot);
          keys[slot] = key;
        }
        items[slot] = item;
        System.arraycopy(vector, 0, data, slot * dims, dims);
      } finally {
        lock.writeLock().unlock();
      }
    }

    void remove(String key) {
      lock.writeLock().lock();
      try {
        removeLocked(key);
      } finally {
        lock.writeLock().unlock();
      }
    }

    private void removeLocked(String key) {
      Integer slot = slots.remove(key);
      if (slot == null) return;
      int last = --size;
      if (slot != last) {
        items[slot] = items[last];
        keys[slot] = keys[last];
        System.arraycopy(data, last * dims, data, slot * dims, dims);
        slots.put(keys[slot], slot);
      }
      items[last] = null;
      keys[last] = null;
    }

    int size() {
      lock.readLock().lock();
      try {
        return size;
      } finally {
        lock.readLock().unlock();
      }
    }

    /** The {@code k} best by dot product with {@code query} that pass the filters, best first. */
    List<Candidate> search(float[] query, List<String> prefixes, MemoryType type, int k) {
      PriorityQueue<Candidate> best = new PriorityQueue<>(k + 1, Comparator.comparingDouble(Candidate::score));
      lock.readLock().lock();
      try {
        if (query.length != dims) {
          return List.of(); // another model's query, or nothing stored yet
        }
        float floor = Float.NEGATIVE_INFINITY;
        float[] scores = new float[Math.min(size, RUN)];
        for (int first = 0; first < size; first += RUN) {
          int count = Math.min(RUN, size - first);
          Vectors.dots(query, data, first, count, scores);
          for (int j = 0; j < count; j++) {
            float score = scores[j];
            if (best.size() >= k && score <= floor) continue; // cheaper than the filters
            Item item = items[first + j];
            if ((type != null && item.type() != type) || !within(item.namespace(), prefixes)) continue;
            best.add(new Candidate(item, score));
            if (best.size() > k) best.poll();
            if (best.size() >= k) floor = best.peek().score();
          }
        }
      } finally {
        lock.readLock().unlock();
      }
      List<Candidate> out = new ArrayList<>(best);
      out.sort(Comparator.comparingDouble(Candidate::score).reversed());
      return out;
    }
  }

  /**
   * The {@code k} vectors of {@code tenant} most similar to {@code query}, best first, within the
   * subtrees of {@code prefixes} (null: everywhere; whole segments) and of {@code type} (null: any).
   */
  List<Candidate> search(String tenant, float[] query, List<String> prefixes, MemoryType type, int k) {
    Slab slab = tenants.get(tenant);
    if (slab == null || k <= 0) {
      return List.of();
    }
    return slab.search(query, prefixes, type, k);
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
    for (Slab slab : tenants.values()) n += slab.size();
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
