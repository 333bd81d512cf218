package dev.statekeeper.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.memory.Memory;
import dev.statekeeper.memory.MemoryBatch;
import dev.statekeeper.memory.MemoryPage;
import dev.statekeeper.memory.MemoryQuery;
import dev.statekeeper.memory.MemoryWrite;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * What a checkpointer's reads cost as a thread's history grows (docs/BENCHMARKS.md, "Memory
 * listings"), run by {@code scripts/bench-java MemoryListingBenchmarks}: the newest entry of a
 * namespace ({@code order=desc, limit=1}), the 10 entries before a key ({@code end_before}) and
 * filtered listings, each in a namespace of {@code --small} (10) and of {@code --large} (100,000)
 * entries of one store, through the embedded API on one thread ({@code --samples} reads each,
 * 20,000, after as many for warm-up). Entries are checkpoint-like: keys {@code ck-000001…},
 * metadata {@code {"step": i, "source": "loop"|"input", "tag": "t<i % 1000>"}} and a value of
 * about 1 KiB, loaded with the batch API (500 puts per batch); on PostgreSQL the table is then
 * analyzed, as autovacuum would.
 */
public final class MemoryListingBenchmarks {

  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    Map<String, String> o = BenchHarness.options(args);
    int small = Integer.parseInt(o.getOrDefault("small", "10"));
    int large = Integer.parseInt(o.getOrDefault("large", "100000"));
    int samples = Integer.parseInt(o.getOrDefault("samples", "20000"));
    try (Statekeeper sk = Statekeeper.open(BenchHarness.config(o, Files.createTempDirectory("sk-bench")).build())) {
      Memory memory = sk.memory();
      Caller me = new Caller("bench", "user:bench", Role.ADMIN);
      long t0 = System.nanoTime();
      load(memory, me, "thread:small", small);
      load(memory, me, "thread:large", large);
      if (sk.store().dialect() == dev.statekeeper.store.Dialect.POSTGRES) {
        // as autovacuum does after a table grows (it is off on the test machines): without
        // statistics a metadata filter walks the namespace instead of reading the GIN index
        sk.store().write("analyzing", c -> {
          try (var st = c.createStatement()) {
            st.execute("ANALYZE memory_entries");
          }
          return null;
        });
      }
      System.out.printf(Locale.ROOT, "store %s: loaded %,d + %,d entries in %.1f s%n",
          BenchHarness.describeStore(o, sk), small, large, (System.nanoTime() - t0) / 1e9);

      for (String ns : List.of("thread:small", "thread:large")) {
        int n = ns.endsWith("small") ? small : large;
        measure(ns + " newest entry (order=desc, limit=1)", samples,
            i -> memory.list(me, query(ns, true, null, null, 1)));
        measure(ns + " 10 before a random key (order=desc, end_before)", samples,
            i -> memory.list(me, query(ns, true, key(1 + (i * 7919) % n), null, 10)));
        measure(ns + " filter metadata.tag = one in 1,000 (limit 10)", samples,
            i -> memory.list(me, query(ns, false, null, "{\"metadata\":{\"tag\":\"t" + (i % 1000) + "\"}}", 10)));
        measure(ns + " filter metadata.step >= n-50 (limit 10)", samples,
            i -> memory.list(me, query(ns, true, null, "{\"metadata\":{\"step\":{\"$gte\":" + (n - 50) + "}}}", 10)));
        measure(ns + " filter value.kind = rare (none match, limit 10)", Math.max(50, samples / 100),
            i -> memory.list(me, query(ns, false, null, "{\"value\":{\"kind\":\"none\"}}", 10)));
      }
    }
  }

  private static MemoryQuery query(String ns, boolean desc, String endBefore, String filter, int limit) {
    return new MemoryQuery(null, ns, null, desc ? "desc" : "asc", null, endBefore, filter, limit, null);
  }

  private static String key(int i) {
    return String.format(Locale.ROOT, "ck-%06d", i);
  }

  private static void load(Memory memory, Caller me, String ns, int n) {
    SplittableRandom random = new SplittableRandom(42);
    String filler = "x".repeat(900);
    List<MemoryBatch.Op> ops = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      JsonNode value = JSON.createObjectNode().put("kind", "checkpoint").put("step", i).put("blob", filler + random.nextInt());
      JsonNode metadata = JSON.createObjectNode().put("step", i).put("source", i % 2 == 0 ? "loop" : "input").put("tag", "t" + (i % 1000));
      ops.add(MemoryBatch.Op.put(ns, key(i), MemoryWrite.of(value).withMetadata(metadata)));
      if (ops.size() == MemoryBatch.MAX_OPS || i == n) {
        memory.batch(me, new MemoryBatch(ops));
        ops = new ArrayList<>();
      }
    }
  }

  private static void measure(String what, int samples, IntFunction<MemoryPage> read) {
    for (int i = 0; i < samples; i++) read.apply(i); // warm-up: JIT, caches, plans
    Histogram h = new Histogram(3_600_000_000L, 3);
    long t0 = System.nanoTime();
    long rows = 0;
    for (int i = 0; i < samples; i++) {
      long s = System.nanoTime();
      rows += read.apply(i + samples).items().size();
      h.recordValue(Math.max(1, (System.nanoTime() - s) / 1000));
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "%-70s p50 %6.3f ms  p99 %6.3f ms  max %7.3f ms  %,8.0f reads/s  %.1f rows/read%n",
        what, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0,
        samples / secs, (double) rows / samples);
  }
}
