package dev.statekeeper.memory;

import dev.statekeeper.memory.MemoryVectors.Change;
import dev.statekeeper.memory.MemoryVectors.EntryId;
import dev.statekeeper.jobs.Job;
import dev.statekeeper.search.VectorSlab;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * This node's in-memory copy of the memory vectors, searched by exact cosine similarity (the
 * vectors are normalised, so a dot product) over every vector of the caller's tenant that passes
 * the filters. It follows the {@code seq} change log of {@code memory_vectors}: loaded whole at
 * start, then every {@code interval} (or at once when this node's worker stored vectors), so
 * several nodes on one PostgreSQL stay current.
 *
 * <p>A search is a linear scan: about 400 multiply-adds per entry, so ~40 M for 100k entries of one
 * tenant. A tenant's vectors sit one after another in one {@code float[]} ({@link VectorSlab}), so
 * the scan reads memory in order instead of chasing a pointer per entry. An approximate index (HNSW)
 * belongs above the size where that stops being fast enough; see docs/BENCHMARKS.md for the
 * command that measures it.
 *
 * <p>Concurrency: each tenant's slab has a read-write lock (searches read, the follower writes); {@code tenants} is a concurrent map; {@code refreshLock} lets one
 * refresh run at a time and guards {@code lastSeq}.
 */
final class VectorIndex {

  private static final int PAGE = 2000;

  /** One vector's entry: which one, and the version it was made from (the vector is in the slab). */
  record Item(String namespace, String key, long version, MemoryType type) {}

  private final MemoryVectors sql;
  private final String model;
  private final Map<String, VectorSlab<Item>> tenants = new ConcurrentHashMap<>();
  private final ReentrantLock refreshLock = new ReentrantLock();
  private volatile long lastSeq;
  private final Job job;

  /** Follows the change log every {@code interval} once its job runs (the first refresh loads everything). */
  VectorIndex(MemoryVectors sql, String model, Duration interval) {
    this.sql = sql;
    this.model = model;
    this.job = Job.every("vector_index", interval, this::pass).describedAs("refreshing the vector index");
  }

  Job job() {
    return job;
  }

  /** New vectors were stored: refresh now rather than at the next interval. */
  void wake() {
    job.wake();
  }

  long failures() {
    return job.failures();
  }

  private boolean pass() {
    refresh(); // reads every page there is, so nothing is left for an immediate next pass
    return false;
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
      VectorSlab<Item> slab = tenants.get(id.tenant());
      if (slab != null) slab.remove(k);
    } else {
      tenants
          .computeIfAbsent(id.tenant(), t -> new VectorSlab<>())
          .put(k, new Item(id.namespace(), id.key(), c.version(), c.type()), c.vector());
    }
  }

  /**
   * The {@code k} vectors of {@code tenant} most similar to {@code query}, best first, within the
   * subtrees of {@code prefixes} (null: everywhere; whole segments) and of {@code type} (null: any).
   */
  List<VectorSlab.Hit<Item>> search(String tenant, float[] query, List<String> prefixes, MemoryType type, int k) {
    VectorSlab<Item> slab = tenants.get(tenant);
    if (slab == null) {
      return List.of();
    }
    return slab.search(query, filter(prefixes, type), k);
  }

  /** Items within the subtrees of {@code prefixes} (null: everywhere) and of {@code type} (null: any). */
  static java.util.function.Predicate<Item> filter(List<String> prefixes, MemoryType type) {
    if (prefixes == null && type == null) return null;
    return item -> (type == null || item.type() == type) && within(item.namespace(), prefixes);
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
    for (VectorSlab<Item> slab : tenants.values()) n += slab.size();
    return n;
  }

  long lastSeq() {
    return lastSeq;
  }
}
