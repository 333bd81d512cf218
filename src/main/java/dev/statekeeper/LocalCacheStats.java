package dev.statekeeper;

/**
 * One in-process cache of this node, for {@code /health}: entries it holds now (Caffeine's
 * estimate) and lookups since start.
 */
public record LocalCacheStats(long size, long hits, long misses) {

  /** Hits over lookups, from 0 to 1; NaN before the first lookup. */
  public double hitRatio() {
    long lookups = hits + misses;
    return lookups == 0 ? Double.NaN : (double) hits / lookups;
  }
}
