package dev.statekeeper.bench;

import dev.statekeeper.Action;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.access.Access;
import dev.statekeeper.access.Grant;
import dev.statekeeper.access.Relation;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Access-check benchmarks of docs/BENCHMARKS.md: in-process check latency and hit ratio under a
 * skewed workload, database loads per 1,000 checks, and the time from a revoke on one node to
 * the refusal on another (with and without Redis). Run by {@code scripts/bench-access}.
 */
public final class AccessBenchmarks {

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new java.util.LinkedHashMap<>();
    for (String a : args) {
      String[] kv = a.replaceFirst("^--", "").split("=", 2);
      o.put(kv[0], kv.length > 1 ? kv[1] : "true");
    }
    String db = o.getOrDefault("db", "sqlite");
    String redis = o.get("redis");
    StatekeeperConfig.Builder b = StatekeeperConfig.builder().dataDir(Files.createTempDirectory("sk-access")).set(dev.statekeeper.store.StoreSettings.REDIS_URL, redis);
    if (!db.equals("sqlite")) b.databaseUrl(db);
    StatekeeperConfig config = b.build();
    System.out.printf(Locale.ROOT, "store=%s redis=%s%n", db.equals("sqlite") ? "SQLite" : "PostgreSQL", redis == null ? "none" : redis);
    switch (o.getOrDefault("scenario", "checks")) {
      case "checks" -> checks(config, o);
      case "revoke" -> revoke(config, o);
      default -> throw new IllegalArgumentException("scenario is checks or revoke");
    }
  }

  /** 1,000 subjects × 200 resources, both skewed (a few hot subjects and documents); half of the documents readable. */
  static void checks(StatekeeperConfig config, Map<String, String> o) throws Exception {
    int n = Integer.parseInt(o.getOrDefault("checks", "200000"));
    int threads = Integer.parseInt(o.getOrDefault("threads", "8"));
    try (Statekeeper sk = Statekeeper.open(config)) {
      Access access = sk.access();
      Caller admin = Caller.admin("acl-" + UUID.randomUUID());
      for (int r = 0; r < 200; r += 2) {
        access.grant(admin, new Grant("memory:docs:d" + r, Relation.VIEWER, "team:t" + (r % 20) + "#member"));
      }
      for (int s = 0; s < 1000; s++) {
        access.grant(admin, new Grant("team:t" + (s % 20), Relation.MEMBER, "user:u" + s));
      }
      Recorder latency = new Recorder(3);
      run(access, admin, n, threads, latency); // warm-up: fills the caches (and the JIT), not reported
      latency.getIntervalHistogram();
      var before = access.status();
      long t0 = System.nanoTime();
      run(access, admin, n, threads, latency);
      double secs = (System.nanoTime() - t0) / 1e9;
      var after = access.status();
      long checks = (after.allowed() + after.denied()) - (before.allowed() + before.denied());
      long misses = after.l1Misses() - before.l1Misses();
      long loads = after.dbLoads() - before.dbLoads();
      Histogram h = latency.getIntervalHistogram();
      System.out.printf(Locale.ROOT, "%,d checks in %.2fs = %,.0f checks/s on %d threads (after a warm-up of as many)%n", checks, secs, checks / secs, threads);
      System.out.printf(Locale.ROOT, "in-process check latency: p50 %.1f µs, p99 %.1f µs, p99.9 %.1f µs, max %.1f ms%n",
          h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e6);
      System.out.printf(Locale.ROOT, "in-process hit ratio %.3f %%; Redis hits %,d; database loads %,d = %.2f per 1,000 checks%n",
          100.0 * (checks - misses) / checks, after.l2Hits() - before.l2Hits(), loads, 1000.0 * loads / checks);
    }
  }

  private static void run(Access access, Caller admin, int n, int threads, Recorder latency) throws Exception {
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          fs.add(pool.submit(() -> {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            for (int i = 0; i < n / threads; i++) {
              int subject = (int) Math.min(999, Math.floor(Math.pow(rnd.nextDouble(), 3) * 1000)); // skewed
              int resource = (int) Math.min(199, Math.floor(Math.pow(rnd.nextDouble(), 2) * 200)); // skewed too
              long s = System.nanoTime();
              access.check(admin, "user:u" + subject, Action.READ, "memory:docs:d" + resource + ":x");
              latency.recordValue(System.nanoTime() - s);
            }
            return null;
          }));
        }
        for (Future<?> f : fs) f.get();
      }
  }

  /** Two nodes on one PostgreSQL: time from a revoke on a to the first refusal on b, 30 times. */
  static void revoke(StatekeeperConfig config, Map<String, String> o) throws Exception {
    if (!config.store().usesPostgres()) throw new IllegalArgumentException("the revoke scenario needs --db=jdbc:postgresql:...");
    StatekeeperConfig second = config.toBuilder().dataDir(Files.createTempDirectory("sk-access-b")).build();
    try (Statekeeper a = Statekeeper.open(config); Statekeeper b = Statekeeper.open(second)) {
      Thread.sleep(1000); // subscriptions
      Caller admin = Caller.admin("rev-" + UUID.randomUUID());
      Histogram h = new Histogram(60_000_000_000L, 3);
      for (int i = 0; i < 30; i++) {
        Grant g = new Grant("memory:r" + i, Relation.VIEWER, "user:z");
        a.access().grant(admin, g);
        while (!b.access().check(admin, "user:z", Action.READ, "memory:r" + i).allowed()) Thread.sleep(1);
        long t0 = System.nanoTime();
        a.access().revoke(admin, g);
        while (b.access().check(admin, "user:z", Action.READ, "memory:r" + i).allowed()) Thread.sleep(0, 200_000);
        h.recordValue(System.nanoTime() - t0);
      }
      System.out.printf(Locale.ROOT, "revoke on node a → refused on node b: p50 %.1f ms, max %.1f ms (30 revocations)%n",
          h.getValueAtPercentile(50) / 1e6, h.getMaxValue() / 1e6);
    }
  }
}
