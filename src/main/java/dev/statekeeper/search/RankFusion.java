package dev.statekeeper.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reciprocal rank fusion (Cormack et al., 2009): an item's score is the sum over the rankings
 * that hold it of {@code 1 / (k + rank)}, rank counted from 1. It needs no calibration between
 * the rankings' own scores (BM25, {@code ts_rank} and cosine are on different scales).
 */
public final class RankFusion {

  /** The constant of the original paper, used by most search engines. */
  public static final int K = 60;

  private RankFusion() {}

  /** An item with its fused score. */
  public record Fused<T>(T item, double score) {}

  /**
   * Fuses {@code rankings} (each best first; items compared by {@code id}), best first; ties keep
   * the order in which items were first seen.
   */
  public static <T> List<Fused<T>> fuse(List<List<T>> rankings, java.util.function.Function<T, ?> id) {
    Map<Object, T> items = new LinkedHashMap<>();
    Map<Object, Double> scores = new LinkedHashMap<>();
    for (List<T> ranking : rankings) {
      for (int i = 0; i < ranking.size(); i++) {
        T item = ranking.get(i);
        Object key = id.apply(item);
        items.putIfAbsent(key, item);
        scores.merge(key, 1.0 / (K + i + 1), Double::sum);
      }
    }
    List<Fused<T>> out = new ArrayList<>(items.size());
    items.forEach((key, item) -> out.add(new Fused<>(item, scores.get(key))));
    out.sort(Comparator.comparingDouble((Fused<T> f) -> f.score()).reversed());
    return out;
  }
}
