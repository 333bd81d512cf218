package dev.statekeeper.bench;

import dev.statekeeper.http.HttpSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.bench.BenchHarness.Client;
import dev.statekeeper.http.HttpServer;
import dev.statekeeper.keys.CreatedKey;
import dev.statekeeper.tasks.ClaimRequest;
import dev.statekeeper.tasks.NewTask;
import dev.statekeeper.tasks.Task;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;

/**
 * The task benchmarks of docs/BENCHMARKS.md, run by {@code scripts/bench-tasks}. Each run opens
 * its own store (a fresh SQLite directory, or the given PostgreSQL database) and, for the HTTP
 * scenarios, its own server on a free port; clients run in the same JVM on virtual threads.
 *
 * <p>Until {@code statekeeper bench} exists (its own issue), this is where the figures come
 * from. Closed-loop only: each client waits for its reply, so latencies are service times.
 */
public final class TaskBenchmarks {

  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    Map<String, String> o = BenchHarness.options(args);
    String scenario = o.getOrDefault("scenario", "drain-embedded");
    String db = o.getOrDefault("db", "sqlite");
    StatekeeperConfig.Builder b = BenchHarness.config(o,
        o.containsKey("data-dir") ? java.nio.file.Path.of(o.get("data-dir")) : Files.createTempDirectory("sk-bench"));
    // the cost of metrics: --metrics=off takes every meter off the hot path; request logs stay as given
    if (o.containsKey("metrics")) b.set(dev.statekeeper.ops.OpsSettings.METRICS, !o.get("metrics").equals("off"));
    if (o.containsKey("request-log")) b.set(dev.statekeeper.http.HttpSettings.REQUEST_LOG, !o.get("request-log").equals("off"));
    if (o.containsKey("metrics-refresh")) b.set(dev.statekeeper.tasks.TaskSettings.METRICS_REFRESH, dev.statekeeper.config.Setting.parseDuration("metrics-refresh", o.get("metrics-refresh")));
    // benchmarks measure throughput, not the per-key budget
    for (var limit : List.of(HttpSettings.RATE_LIMIT_ROOT, HttpSettings.RATE_LIMIT_ADMIN, HttpSettings.RATE_LIMIT_AGENT,
        HttpSettings.RATE_LIMIT_READER)) {
      b.set(limit, null);
    }
    try (Statekeeper sk = Statekeeper.open(b.build())) {
      sk.bootstrapRootKey();
      System.out.printf(Locale.ROOT, "scenario=%s store=%s %s%n", scenario, BenchHarness.describeStore(o, sk), o);
      switch (scenario) {
        case "drain-embedded" -> drainEmbedded(sk, o);
        case "populate" -> populate(sk, o);
        case "http-lifecycle" -> withServer(sk, url -> httpLifecycle(url, sk, o));
        case "claim-latency" -> withServer(sk, url -> claimLatency(url, sk, db, o));
        case "critical-pickup" -> withServer(sk, url -> criticalPickup(url, sk, o));
        case "metrics-scrape" -> withServer(sk, url -> metricsScrape(url, sk, db, o));
        default -> throw new IllegalArgumentException("unknown scenario " + scenario);
      }
    }
  }

  interface UrlBody {
    void run(String url) throws Exception;
  }

  private static void withServer(Statekeeper sk, UrlBody body) throws Exception {
    try (HttpServer server = HttpServer.start(sk)) {
      body.run("http://127.0.0.1:" + server.port());
    }
  }

  // ---------------------------------------------------------------- embedded drain

  static void drainEmbedded(Statekeeper sk, Map<String, String> o) throws Exception {
    int n = Integer.parseInt(o.getOrDefault("tasks", "50000"));
    int workers = Integer.parseInt(o.getOrDefault("workers", "16"));
    int batch = Integer.parseInt(o.getOrDefault("claim-batch", "10"));
    Caller me = new Caller("bench-" + UUID.randomUUID(), "user:bench", Role.ADMIN);
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i += 1000) {
      List<NewTask> chunk = new ArrayList<>();
      for (int j = 0; j < Math.min(1000, n - i); j++) chunk.add(NewTask.of("work"));
      sk.tasks().createBatch(me, chunk);
    }
    report("create (embedded, batches of 1000)", n, System.nanoTime() - t0, null);
    AtomicLong done = new AtomicLong();
    long t1 = System.nanoTime();
    BenchHarness.runWorkers(workers, w -> {
      String agent = "w" + w;
      while (true) {
        List<Task> got = sk.tasks().claim(me, ClaimRequest.of(agent).withLimit(batch));
        if (got.isEmpty()) return;
        for (Task t : got) {
          sk.tasks().complete(me, t.id(), agent, t.attempt(), null);
          done.incrementAndGet();
        }
      }
    });
    report("drain (embedded, claim " + batch + ", complete 1 by 1, " + workers + " workers)", done.get(), System.nanoTime() - t1, null);
  }

  /** Fills a store for the backup benchmarks: --tasks N, a third of them completed. */
  static void populate(Statekeeper sk, Map<String, String> o) throws Exception {
    int n = Integer.parseInt(o.getOrDefault("tasks", "100000"));
    Caller me = new Caller("bench", "user:bench", Role.ADMIN);
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i += 1000) {
      List<NewTask> chunk = new ArrayList<>();
      for (int j = 0; j < Math.min(1000, n - i); j++) {
        chunk.add(NewTask.of("work").withPayload(JSON.readTree("{\"doc\":\"docs/" + (i + j) + ".md\",\"words\":" + (i + j) % 977 + "}")));
      }
      sk.tasks().createBatch(me, chunk);
      if (i % 3000 == 0) {
        for (Task t : sk.tasks().claim(me, ClaimRequest.of("filler").withLimit(100))) {
          sk.tasks().complete(me, t.id(), "filler", t.attempt(), null);
        }
      }
    }
    report("populate", n, System.nanoTime() - t0, null);
  }

  // ---------------------------------------------------------------- HTTP lifecycle

  /** Creates (single or batched) then, separately, drains; and the full lifecycle with both at once. */
  static void httpLifecycle(String url, Statekeeper sk, Map<String, String> o) throws Exception {
    int n = Integer.parseInt(o.getOrDefault("tasks", "20000"));
    int workers = Integer.parseInt(o.getOrDefault("workers", "16"));
    int claimBatch = Integer.parseInt(o.getOrDefault("claim-batch", "10"));
    int createBatch = Integer.parseInt(o.getOrDefault("create-batch", "1"));
    Client c = new Client(url, adminKey(sk));

    Histogram createLat = new Histogram(3_600_000_000L, 3);
    AtomicLong created = new AtomicLong();
    long t0 = System.nanoTime();
    BenchHarness.runWorkers(workers, w -> {
      while (true) {
        long start = created.getAndAdd(createBatch);
        if (start >= n) return;
        int k = (int) Math.min(createBatch, n - start);
        long s = System.nanoTime();
        if (createBatch == 1) {
          c.post("/v1/tasks", "{\"type\":\"work\",\"payload\":{\"i\":" + start + "}}", 201);
        } else {
          StringBuilder body = new StringBuilder("{\"tasks\":[");
          for (int i = 0; i < k; i++) body.append(i == 0 ? "" : ",").append("{\"type\":\"work\"}");
          c.post("/v1/tasks/batch", body.append("]}").toString(), 201);
        }
        synchronized (createLat) {
          createLat.recordValue((System.nanoTime() - s) / 1000);
        }
      }
    });
    report("create over HTTP (" + (createBatch == 1 ? "single" : "batches of " + createBatch) + ")", n, System.nanoTime() - t0, createLat);

    Histogram claimLat = new Histogram(3_600_000_000L, 3);
    Histogram completeLat = new Histogram(3_600_000_000L, 3);
    AtomicLong done = new AtomicLong();
    long t1 = System.nanoTime();
    BenchHarness.runWorkers(workers, w -> drainLoop(c, "w" + w, claimBatch, done, claimLat, completeLat, () -> true));
    report("drain over HTTP (claim " + claimBatch + ", complete 1 by 1)", done.get(), System.nanoTime() - t1, completeLat);
    printLatency("  claim latency", claimLat);

    // full lifecycle: producers and consumers at once
    int producers = Math.max(1, workers / 4);
    AtomicLong made = new AtomicLong();
    AtomicLong finished = new AtomicLong();
    AtomicBoolean producing = new AtomicBoolean(true);
    long t2 = System.nanoTime();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> fs = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        fs.add(pool.submit(() -> {
          while (true) {
            long start = made.getAndAdd(createBatch);
            if (start >= n) break;
            int k = (int) Math.min(createBatch, n - start);
            if (createBatch == 1) {
              c.post("/v1/tasks", "{\"type\":\"work\"}", 201);
            } else {
              StringBuilder body = new StringBuilder("{\"tasks\":[");
              for (int i = 0; i < k; i++) body.append(i == 0 ? "" : ",").append("{\"type\":\"work\"}");
              c.post("/v1/tasks/batch", body.append("]}").toString(), 201);
            }
          }
          return null;
        }));
      }
      List<Future<?>> consumers = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        String agent = "l" + w;
        consumers.add(pool.submit(() -> {
          drainLoop(c, agent, claimBatch, finished, new Histogram(3_600_000_000L, 3), new Histogram(3_600_000_000L, 3),
              () -> producing.get() || finished.get() < n);
          return null;
        }));
      }
      for (Future<?> f : fs) f.get();
      producing.set(false);
      for (Future<?> f : consumers) f.get();
    }
    report("full lifecycle over HTTP (" + producers + " producers, " + workers + " workers, create "
        + (createBatch == 1 ? "single" : "batch " + createBatch) + ", claim " + claimBatch + ")", finished.get(), System.nanoTime() - t2, null);
  }

  interface Condition {
    boolean holds();
  }

  private static void drainLoop(Client c, String agent, int claimBatch, AtomicLong done, Histogram claimLat,
      Histogram completeLat, Condition keepGoing) throws Exception {
    int empty = 0;
    while (true) {
      long s = System.nanoTime();
      JsonNode items = c.post("/v1/tasks/claim", "{\"agent\":\"" + agent + "\",\"limit\":" + claimBatch + "}", 200).get("items");
      synchronized (claimLat) {
        claimLat.recordValue((System.nanoTime() - s) / 1000);
      }
      if (items.isEmpty()) {
        if (!keepGoing.holds() || ++empty > 200) return;
        Thread.sleep(5);
        continue;
      }
      empty = 0;
      for (JsonNode t : items) {
        long s2 = System.nanoTime();
        c.post("/v1/tasks/" + t.get("id").asText() + "/complete",
            "{\"agent\":\"" + agent + "\",\"attempt\":" + t.get("attempt").asInt() + "}", 200);
        synchronized (completeLat) {
          completeLat.recordValue((System.nanoTime() - s2) / 1000);
        }
        done.incrementAndGet();
      }
    }
  }

  // ---------------------------------------------------------------- claim latency vs finished rows

  static void claimLatency(String url, Statekeeper sk, String db, Map<String, String> o) throws Exception {
    int finished = Integer.parseInt(o.getOrDefault("completed", "0"));
    int samples = Integer.parseInt(o.getOrDefault("samples", "3000"));
    String tenant = "lat-" + UUID.randomUUID();
    Client c = new Client(url, sk.keys().create(new Caller("default", "user:bench", Role.ROOT), tenant, "user:bench", Role.ADMIN).key());
    if (finished > 0) {
      long t0 = System.nanoTime();
      preloadCompleted(sk, db, tenant, finished);
      System.out.printf(Locale.ROOT, "preloaded %,d completed tasks in the same tenant and queue in %.1fs%n", finished, (System.nanoTime() - t0) / 1e9);
    }
    Histogram claimLat = new Histogram(3_600_000_000L, 3);
    for (int i = 0; i < samples + 200; i++) {
      c.post("/v1/tasks", "{\"type\":\"probe\"}", 201);
      long s = System.nanoTime();
      JsonNode t = c.post("/v1/tasks/claim", "{\"agent\":\"probe\"}", 200).get("items").get(0);
      long us = (System.nanoTime() - s) / 1000;
      if (i >= 200) claimLat.recordValue(us); // after warm-up
      c.post("/v1/tasks/" + t.get("id").asText() + "/complete", "{\"agent\":\"probe\",\"attempt\":1}", 200);
    }
    printLatency(String.format(Locale.ROOT, "claim latency over HTTP with %,d completed rows", finished), claimLat);
  }

  private static void preloadCompleted(Statekeeper sk, String db, String tenant, int n) throws Exception {
    if (db.equals("sqlite")) {
      try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + sk.config().store().sqliteFile().toAbsolutePath());
          Statement st = conn.createStatement()) {
        st.execute("PRAGMA busy_timeout = 10000");
        st.execute("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < " + n + ") "
            + "INSERT INTO tasks (tenant, id, queue, type, payload, priority, status, attempt, max_attempts, version, created_at, updated_at, run_after, claimed_by, sla_status) "
            + "SELECT '" + tenant + "', printf('00000000-0000-7000-8000-%012d', i), 'default', 'old', '{}', 2, 'completed', 1, 3, 3, 0, 0, 0, 'old', 'none' FROM s");
      }
    } else {
      try (Connection conn = DriverManager.getConnection(db); Statement st = conn.createStatement()) {
        st.execute("INSERT INTO tasks (tenant, id, queue, type, payload, priority, status, attempt, max_attempts, version, created_at, updated_at, run_after, claimed_by, sla_status) "
            + "SELECT '" + tenant + "', '00000000-0000-7000-8000-' || lpad(i::text, 12, '0'), 'default', 'old', '{}', 2, 'completed', 1, 3, 3, now(), now(), now(), 'old', 'none' FROM generate_series(1, " + n + ") i");
        st.execute("VACUUM ANALYZE tasks");
      }
    }
  }

  // ---------------------------------------------------------------- /metrics with many tasks

  /**
   * Scrape time of {@code /metrics} with {@code --tasks} (default 1,000,000) finished tasks in the
   * table: the census behind the task gauges (a full scan, timed on its own), the first scrape
   * (which waits for the first census), then {@code --samples} scrapes every 50 ms while the
   * census refreshes in the background every {@code --metrics-refresh}.
   */
  static void metricsScrape(String url, Statekeeper sk, String db, Map<String, String> o) throws Exception {
    int n = Integer.parseInt(o.getOrDefault("tasks", "1000000"));
    int samples = Integer.parseInt(o.getOrDefault("samples", "200"));
    long t0 = System.nanoTime();
    preloadCompleted(sk, db, "bench-" + UUID.randomUUID(), n);
    System.out.printf(Locale.ROOT, "preloaded %,d completed tasks in %.1fs%n", n, (System.nanoTime() - t0) / 1e9);
    Histogram census = new Histogram(3_600_000_000L, 3);
    for (int i = 0; i < 5; i++) {
      long s = System.nanoTime();
      sk.tasks().census();
      census.recordValue((System.nanoTime() - s) / 1000);
    }
    printLatency(String.format(Locale.ROOT, "task census (full scan, %,d rows), 5 runs", n), census);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest get = HttpRequest.newBuilder(URI.create(url + "/metrics")).timeout(Duration.ofSeconds(120)).build();
    long s0 = System.nanoTime();
    HttpResponse<byte[]> first = http.send(get, HttpResponse.BodyHandlers.ofByteArray());
    System.out.printf(Locale.ROOT, "%-80s %.2f ms (%,d bytes, status %d)%n", "first scrape (waits for the first census)",
        (System.nanoTime() - s0) / 1e6, first.body().length, first.statusCode());
    Histogram scrape = new Histogram(3_600_000_000L, 3);
    for (int i = 0; i < samples; i++) {
      long s = System.nanoTime();
      HttpResponse<byte[]> r = http.send(get, HttpResponse.BodyHandlers.ofByteArray());
      scrape.recordValue((System.nanoTime() - s) / 1000);
      if (r.statusCode() != 200) throw new IllegalStateException("/metrics answered " + r.statusCode());
      Thread.sleep(50);
    }
    printLatency("scrape of /metrics, every 50 ms, census refreshing every " + dev.statekeeper.config.Setting.format(sk.config().tasks().metricsRefresh()), scrape);
  }

  // ---------------------------------------------------------------- CRITICAL pickup under load

  /**
   * Workers drain a queue that receives {@code rate} NORMAL tasks per second (type "bulk"); an
   * on-call agent waits on the same queue for CRITICAL pages (type "page", wait_seconds 30).
   * Every 100 ms a page is created; its pickup latency is the time from sending the create to
   * the on-call agent's claim returning it. Claim order among priorities in one claim is the
   * conformance suite's business; this measures the wake-up path under load.
   */
  static void criticalPickup(String url, Statekeeper sk, Map<String, String> o) throws Exception {
    int rate = Integer.parseInt(o.getOrDefault("rate", "1000"));
    int seconds = Integer.parseInt(o.getOrDefault("seconds", "30"));
    int workers = Integer.parseInt(o.getOrDefault("workers", "4"));
    boolean http = !"embedded".equals(o.get("on-call")); // --on-call=embedded: pages without HTTP
    String tenant = "pickup-" + UUID.randomUUID();
    Caller root = new Caller("default", "user:bench", Role.ROOT);
    Client c = new Client(url, sk.keys().create(root, tenant, "user:bench", Role.ADMIN).key());
    // The NORMAL flow goes through the embedded API of the same server (same store, same
    // queue): an in-process HTTP client could not sustain 1,000 completions/s on 2 cores beside
    // the server, and it is the store and the wake-up path that this measures.
    Caller me = new Caller(tenant, "user:bench", Role.ADMIN);
    Recorder pickups = new Recorder(3);
    Object lock = new Object();
    Map<String, Long> sentAt = new java.util.HashMap<>(); // guarded by lock
    Map<String, Long> pickedAt = new java.util.HashMap<>(); // guarded by lock
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong normalCreated = new AtomicLong();
    AtomicLong normalDone = new AtomicLong();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> fs = new ArrayList<>();
      fs.add(pool.submit(() -> { // NORMAL producer: rate/100 tasks every 10 ms
        int perTick = Math.max(1, rate / 100);
        long next = System.nanoTime();
        while (running.get()) {
          List<NewTask> batch = new ArrayList<>();
          for (int i = 0; i < perTick; i++) batch.add(NewTask.of("bulk"));
          sk.tasks().createBatch(me, batch);
          normalCreated.addAndGet(perTick);
          next += 10_000_000L;
          long sleep = next - System.nanoTime();
          if (sleep > 0) Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        }
        return null;
      }));
      for (int w = 0; w < workers; w++) {
        String agent = "cw" + w;
        fs.add(pool.submit(() -> {
          while (running.get()) {
            ClaimRequest r = ClaimRequest.of(agent).withTypes(List.of("bulk")).withLimit(10).withMaxWait(Duration.ofSeconds(1));
            for (Task t : sk.tasks().claim(me, r)) {
              sk.tasks().complete(me, t.id(), agent, t.attempt(), null);
              normalDone.incrementAndGet();
            }
          }
          return null;
        }));
      }
      fs.add(pool.submit(() -> { // the on-call agent
        while (running.get()) {
          List<String> ids = new ArrayList<>();
          if (http) {
            c.post("/v1/tasks/claim", "{\"agent\":\"on-call\",\"types\":[\"page\"],\"wait_seconds\":2}", 200)
                .get("items").forEach(t -> ids.add(t.get("id").asText()));
          } else {
            sk.tasks().claim(me, ClaimRequest.of("on-call").withTypes(List.of("page")).withMaxWait(Duration.ofSeconds(2)))
                .forEach(t -> ids.add(t.id()));
          }
          long now = System.nanoTime();
          for (String id : ids) {
            synchronized (lock) {
              Long sent = sentAt.remove(id);
              if (sent != null) pickups.recordValue((now - sent) / 1000);
              else pickedAt.put(id, now); // picked before its creator saw the reply
            }
            if (http) c.post("/v1/tasks/" + id + "/complete", "{\"agent\":\"on-call\",\"attempt\":1}", 200);
            else sk.tasks().complete(me, id, "on-call", 1, null);
          }
        }
        return null;
      }));
      Thread.sleep(3_000); // warm-up
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      long doneBefore = normalDone.get();
      long t0 = System.nanoTime();
      pickups.getIntervalHistogram();
      int pages = 0;
      while (System.nanoTime() < end) {
        long s = System.nanoTime();
        String id = http
            ? c.post("/v1/tasks", "{\"type\":\"page\",\"priority\":\"CRITICAL\"}", 201).get("id").asText()
            : sk.tasks().create(me, NewTask.of("page").withPriority(dev.statekeeper.tasks.Priority.CRITICAL), null).task().id();
        synchronized (lock) {
          Long picked = pickedAt.remove(id);
          if (picked != null) pickups.recordValue((picked - s) / 1000);
          else sentAt.put(id, s);
        }
        pages++;
        Thread.sleep(100);
      }
      double window = (System.nanoTime() - t0) / 1e9;
      long flowed = normalDone.get() - doneBefore;
      Thread.sleep(3_000);
      running.set(false);
      for (Future<?> f : fs) f.get();
      synchronized (lock) {
        System.out.printf(Locale.ROOT, "NORMAL flow: %,d completed in the %.0fs window (%.0f/s); CRITICAL pages sent %d, not picked up %d%n",
            flowed, window, flowed / window, pages, sentAt.size());
      }
    }
    printLatency("CRITICAL pickup by the waiting agent " + (http ? "over HTTP" : "in-process") + " (create sent → claim returned)",
        pickups.getIntervalHistogram());
  }

  // ---------------------------------------------------------------- helpers

  private static String adminKey(Statekeeper sk) {
    CreatedKey k = sk.keys().create(new Caller("default", "user:bench", Role.ROOT), "bench-" + UUID.randomUUID(), "user:bench", Role.ADMIN);
    return k.key();
  }

  private static void report(String what, long n, long nanos, Histogram latencyUs) {
    System.out.printf(Locale.ROOT, "%-80s %,9d tasks in %6.2fs = %,8.0f tasks/s%n", what, n, nanos / 1e9, n / (nanos / 1e9));
    if (latencyUs != null) printLatency("  request latency", latencyUs);
  }

  private static void printLatency(String what, Histogram h) {
    System.out.printf(Locale.ROOT, "%-80s p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  max %.2f ms  (n=%,d)%n", what,
        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
        h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0, h.getTotalCount());
  }
}
