package dev.statekeeper.bench;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.memory.MemoryWrite;
import dev.statekeeper.memory.Precondition;
import dev.statekeeper.memory.SearchRequest;
import dev.statekeeper.search.Embedder;
import dev.statekeeper.search.Vectors;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The semantic search benchmarks of docs/BENCHMARKS.md, run by {@code scripts/bench-semantic}:
 *
 * <ol>
 *   <li>embedding throughput of the local model, one thread, batches of 32 and one text at a time;
 *   <li>semantic and hybrid search p50/p99 (embedded API, one client) at each size of {@code
 *       --sizes} (default 10000,100000), with heap used by the vectors (after a GC);
 *   <li>time from write to semantically searchable at {@code --rate} writes/s (100) for {@code
 *       --seconds} (20).
 * </ol>
 *
 * Loading 100k entries through the local model takes minutes; {@code --load-embedder=hashed}
 * loads with a fast stand-in (hashed words) so that search latency, which does not depend on
 * what the stored vectors mean, can be measured quickly; queries always go through the model.
 */
public final class SemanticSearchBenchmarks {

  private static final String[] WORDS = {
    "project", "deadline", "customer", "invoice", "meeting", "coffee", "travel", "flight", "hotel", "budget",
    "release", "server", "database", "backup", "password", "laptop", "printer", "garden", "birthday", "doctor",
    "school", "train", "weather", "music", "movie", "recipe", "dinner", "allergy", "holiday", "contract",
    "report", "review", "sprint", "design", "bug", "feature", "support", "ticket", "family", "weekend"
  };

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    for (String a : args) {
      String[] kv = a.replaceFirst("^--", "").split("=", 2);
      o.put(kv[0], kv.length > 1 ? kv[1] : "true");
    }
    String db = o.getOrDefault("db", "sqlite");
    List<Integer> sizes = new ArrayList<>();
    for (String s : o.getOrDefault("sizes", "10000,100000").split(",")) sizes.add(Integer.parseInt(s));
    int queries = Integer.parseInt(o.getOrDefault("queries", "500"));
    int rate = Integer.parseInt(o.getOrDefault("rate", "100"));
    int seconds = Integer.parseInt(o.getOrDefault("seconds", "20"));
    boolean hashedLoad = o.getOrDefault("load-embedder", "local").equals("hashed");

    Embedder local = Embedder.localMiniLm();
    long t0 = System.nanoTime();
    local.embed(List.of("warm up"));
    System.out.printf(Locale.ROOT, "model load + first text: %.0f ms%n", (System.nanoTime() - t0) / 1e6);
    SplittableRandom rnd = new SplittableRandom(8);
    List<String> sample = new ArrayList<>();
    for (int i = 0; i < 2000; i++) sample.add(sentence(rnd));
    t0 = System.nanoTime();
    for (int i = 0; i < sample.size(); i += 32) local.embed(sample.subList(i, Math.min(sample.size(), i + 32)));
    System.out.printf(Locale.ROOT, "embedding, batches of 32: %.0f texts/s%n", sample.size() / ((System.nanoTime() - t0) / 1e9));
    t0 = System.nanoTime();
    for (int i = 0; i < 500; i++) local.embed(List.of(sample.get(i)));
    System.out.printf(Locale.ROOT, "embedding, one at a time: %.0f texts/s%n", 500 / ((System.nanoTime() - t0) / 1e9));

    Embedder switching = new Switching(local, hashedLoad);
    StatekeeperConfig.Builder b =
        StatekeeperConfig.builder().dataDir(Files.createTempDirectory("sk-bench-semantic")).set(dev.statekeeper.http.HttpSettings.PORT, 0)
            .set(dev.statekeeper.keys.KeySettings.BOOTSTRAP_KEY, "bench-root-key-0123456789abcdef");
    if (!db.equals("sqlite")) b.databaseUrl(db);
    try (Statekeeper sk = Statekeeper.open(b.build(), switching)) {
      Caller me = new Caller("bench-" + UUID.randomUUID(), "agent:bench", Role.ADMIN);
      int loaded = 0;
      for (int size : sizes) {
        ((Switching) switching).loadHashed = hashedLoad;
        long heapBefore = usedHeap(loaded == 0);
        t0 = System.nanoTime();
        for (; loaded < size; loaded++) {
          sk.memory().put(me, "user:u" + (loaded % 100), "k" + loaded,
              MemoryWrite.of(IntNode.valueOf(loaded)).withText(sentence(rnd)), Precondition.NONE);
        }
        while (sk.memory().embeddingStatus().backlog() > 0 || sk.memory().embeddingStatus().indexed() < loaded) {
          Thread.sleep(200);
        }
        System.out.printf(Locale.ROOT, "%n== %d entries (store=%s, loaded with %s embedder in %.1f s; heap +%.1f MiB since the previous size)%n",
            size, db, hashedLoad ? "hashed" : "local", (System.nanoTime() - t0) / 1e9, (usedHeap(true) - heapBefore) / 1048576.0);
        ((Switching) switching).loadHashed = false; // queries always go through the model
        for (String mode : List.of("semantic", "hybrid", "keyword")) {
          Histogram h = new Histogram(3);
          for (int q = 0; q < queries; q++) {
            String query = sentence(rnd);
            long s = System.nanoTime();
            sk.memory().search(me, new SearchRequest(query, null, null, mode, 10));
            h.recordValue((System.nanoTime() - s) / 1000);
          }
          System.out.printf(Locale.ROOT, "%-8s p50 %.2f ms  p99 %.2f ms  max %.2f ms%n", mode,
              h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
        }
      }

      // write -> semantically searchable, at `rate` writes/s, in a tenant of its own
      Caller fresh = new Caller("fresh-" + UUID.randomUUID(), "agent:bench", Role.ADMIN);
      Map<String, Long> written = new ConcurrentHashMap<>();
      Histogram delay = new Histogram(3);
      ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
      int total = rate * seconds;
      int[] n = {0};
      writer.scheduleAtFixedRate(() -> {
        if (n[0] >= total) return;
        String key = "w" + n[0]++;
        written.put(key, System.nanoTime());
        sk.memory().put(fresh, "fresh", key, MemoryWrite.of(IntNode.valueOf(1)).withText("note " + key + " " + sentence(rnd)), Precondition.NONE);
      }, 0, 1_000_000 / rate, TimeUnit.MICROSECONDS);
      long deadline = System.nanoTime() + (seconds + 60) * 1_000_000_000L;
      while ((n[0] < total || !written.isEmpty()) && System.nanoTime() < deadline) {
        // what the index holds for this tenant: a semantic search with a limit as large as allowed
        for (var hit : sk.memory().search(fresh, new SearchRequest("note", "fresh", null, "semantic", 100))) {
          Long at = written.remove(hit.key());
          if (at != null) delay.recordValue((System.nanoTime() - at) / 1000);
        }
        Thread.sleep(20);
      }
      writer.shutdownNow();
      System.out.printf(Locale.ROOT, "%nwrite -> semantically searchable at %d writes/s for %d s: p50 %.0f ms  p99 %.0f ms  max %.0f ms  (%d of %d seen%s)%n",
          rate, seconds, delay.getValueAtPercentile(50) / 1000.0, delay.getValueAtPercentile(99) / 1000.0,
          delay.getMaxValue() / 1000.0, delay.getTotalCount(), total,
          ", note: seen only while among the 100 nearest to \"note\"; raise the limit or lower the rate if many are missing");
    }
  }

  static String sentence(SplittableRandom rnd) {
    StringBuilder sb = new StringBuilder();
    int len = 6 + rnd.nextInt(8);
    for (int i = 0; i < len; i++) sb.append(i == 0 ? "" : " ").append(WORDS[rnd.nextInt(WORDS.length)]);
    return sb.toString();
  }

  static long usedHeap(boolean gc) {
    if (gc) {
      System.gc();
    }
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  /** The local model, or hashed words for the bulk load (and queries) when asked. */
  static final class Switching implements Embedder {
    final Embedder local;
    volatile boolean loadHashed;

    Switching(Embedder local, boolean loadHashed) {
      this.local = local;
      this.loadHashed = loadHashed;
    }

    @Override
    public String model() {
      return local.model();
    }

    @Override
    public int dimensions() {
      return local.dimensions();
    }

    @Override
    public List<float[]> embed(List<String> texts) {
      if (!loadHashed) return local.embed(texts);
      List<float[]> out = new ArrayList<>();
      for (String t : texts) {
        float[] v = new float[local.dimensions()];
        for (String w : t.split(" ")) v[Math.floorMod(w.hashCode() * 31 + w.length(), v.length)] += 1;
        out.add(Vectors.normalised(v));
      }
      return out;
    }
  }
}
