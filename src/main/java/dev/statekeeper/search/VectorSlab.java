package dev.statekeeper.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * Vectors held contiguously for an exact nearest-neighbour scan: slot {@code i} holds a key, an
 * item (what a hit returns) and its vector at {@code data[i * dims .. (i + 1) * dims)}. A removal
 * moves the last slot into the hole, so the slots stay dense and a scan reads memory in order.
 * Vectors of another length than the first one stored (another model's) are not kept. Memory keeps
 * one slab per tenant (an item per entry), documents one per tenant (an item per chunk).
 *
 * <p>A search scores runs of {@link #RUN} vectors with {@link Vectors#dots} (the Vector API when
 * available), then applies the caller's filter only to vectors that would enter the current top
 * {@code k} — so a filter costs nothing for the bulk of the scan.
 *
 * <p>Concurrency: a read-write lock; searches share it, changes take it alone.
 */
public final class VectorSlab<T> {

  /** A search hit, best first. */
  public record Hit<T>(T item, float score) {}

  /** Vectors scored per call of {@link Vectors#dots}: 4 KB of scores, which stay in the L1 cache. */
  static final int RUN = 1024;

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<String, Integer> slots = new HashMap<>(); // guarded by lock
  private Object[] items = new Object[64]; // guarded by lock
  private String[] keys = new String[64]; // guarded by lock
  private float[] data = new float[0]; // guarded by lock
  private int dims = -1; // guarded by lock
  private int size; // guarded by lock

  /** Stores or replaces the vector of {@code key}. */
  public void put(String key, T item, float[] vector) {
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
          items = Arrays.copyOf(items, items.length * 2);
          keys = Arrays.copyOf(keys, keys.length * 2);
        }
        if ((long) size * dims > data.length) {
          data = Arrays.copyOf(data, Math.max(dims * 64, data.length * 2));
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

  public void remove(String key) {
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

  public int size() {
    lock.readLock().lock();
    try {
      return size;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The {@code k} items most similar to {@code query} (dot product; the vectors are normalised,
   * so cosine) among those {@code filter} accepts (null: all), best first. A query of another
   * length than the stored vectors (another model's) finds nothing.
   */
  @SuppressWarnings("unchecked")
  public List<Hit<T>> search(float[] query, Predicate<? super T> filter, int k) {
    if (k <= 0) return List.of();
    PriorityQueue<Hit<T>> best = new PriorityQueue<>(k + 1, Comparator.comparingDouble(Hit::score));
    lock.readLock().lock();
    try {
      if (query.length != dims) {
        return List.of();
      }
      float floor = Float.NEGATIVE_INFINITY;
      float[] scores = new float[Math.min(size, RUN)];
      for (int first = 0; first < size; first += RUN) {
        int count = Math.min(RUN, size - first);
        Vectors.dots(query, data, first, count, scores);
        for (int j = 0; j < count; j++) {
          float score = scores[j];
          if (best.size() >= k && score <= floor) continue; // cheaper than the filter
          T item = (T) items[first + j];
          if (filter != null && !filter.test(item)) continue;
          best.add(new Hit<>(item, score));
          if (best.size() > k) best.poll();
          if (best.size() >= k) floor = best.peek().score();
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    List<Hit<T>> out = new ArrayList<>(best);
    out.sort(Comparator.comparingDouble((Hit<T> h) -> h.score()).reversed());
    return out;
  }
}
