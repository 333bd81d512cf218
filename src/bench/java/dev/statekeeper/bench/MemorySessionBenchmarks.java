package dev.statekeeper.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.bench.BenchHarness.Client;
import dev.statekeeper.http.HttpServer;
import dev.statekeeper.keys.CreatedKey;
import dev.statekeeper.memory.MemoryWrite;
import dev.statekeeper.memory.Precondition;
import dev.statekeeper.sessions.NewEvent;
import dev.statekeeper.sessions.NewSession;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The memory and session benchmarks of docs/BENCHMARKS.md, run by {@code scripts/bench-memory}.
 * Each run opens its own store (a fresh SQLite directory, or the given PostgreSQL database) and
 * its own server on a free port; clients run in the same JVM on virtual threads, closed-loop
 * (each waits for its reply), so latencies are service times as a client sees them over HTTP.
 *
 * <p>Data: {@code --entries} memory entries (default 100,000), {@code --per-prefix} (1,000) under
 * each {@code user:u<n>} prefix spread over ten sub-namespaces, each with a short text drawn from
 * a 2,000-word vocabulary (Zipf-like, so some words are common and most rare); {@code --sessions}
 * sessions (1,000) of {@code --events} events (100). Loading goes through the embedded API with
 * {@code --loaders} threads and is reported as write throughput.
 *
 * <p>Measured over HTTP with {@code --clients} concurrent clients ({@code --samples} requests
 * each): memory get (current version), listing one prefix of {@code --per-prefix} entries in one
 * page, session read, reading a session's events, event append (one event per request, each
 * client on sessions of its own), keyword search (1-2 words, limit 10); and {@code --burst}
 * (1,000) session reads sent at once, timed from the first send to the last answer.
 */
public final class MemorySessionBenchmarks {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int VOCABULARY = 2_000;
  private static final int TOPICS = 10;

  public static void main(String[] args) throws Exception {
    Map<String, String> o = BenchHarness.options(args);
    int entries = Integer.parseInt(o.getOrDefault("entries", "100000"));
    int perPrefix = Integer.parseInt(o.getOrDefault("per-prefix", "1000"));
    int sessions = Integer.parseInt(o.getOrDefault("sessions", "1000"));
    int events = Integer.parseInt(o.getOrDefault("events", "100"));
    int loaders = Integer.parseInt(o.getOrDefault("loaders", "16"));
    int clients = Integer.parseInt(o.getOrDefault("clients", "8"));
    int samples = Integer.parseInt(o.getOrDefault("samples", "20000"));
    int burst = Integer.parseInt(o.getOrDefault("burst", "1000"));
    try (Statekeeper sk = Statekeeper.open(BenchHarness.config(o, Files.createTempDirectory("sk-bench")).build())) {
      sk.bootstrapRootKey();
      System.out.printf(Locale.ROOT, "store=%s %s%n", BenchHarness.describeStore(o, sk), o);
      String tenant = "bench-" + UUID.randomUUID();
      Caller me = new Caller(tenant, "agent:bench", Role.ADMIN);
      int prefixes = Math.max(1, entries / perPrefix);

      // ------------------------------------------------------------ load
      long t0 = System.nanoTime();
      AtomicLong next = new AtomicLong();
      BenchHarness.runWorkers(loaders, w -> {
        SplittableRandom random = new SplittableRandom(w);
        for (long i; (i = next.getAndIncrement()) < entries; ) {
          String ns = namespace(i, perPrefix, prefixes);
          sk.memory().put(me, ns, "k" + i, MemoryWrite.of(JSON.valueToTree(Map.of("i", i))).withText(text(random)), Precondition.NONE);
        }
      });
      report("load: memory put (embedded, " + loaders + " threads)", entries, System.nanoTime() - t0, "entries");

      List<String> sessionIds = new ArrayList<>(sessions);
      for (int s = 0; s < sessions; s++) {
        sessionIds.add(sk.sessions().create(me, new NewSession("s" + s, "agent:bench", null, JSON.readTree("{\"step\":0}"))).id());
      }
      long t1 = System.nanoTime();
      AtomicLong nextSession = new AtomicLong();
      BenchHarness.runWorkers(loaders, w -> {
        for (long s; (s = nextSession.getAndIncrement()) < sessions; ) {
          for (int e = 0; e < events; e++) {
            sk.sessions().append(me, sessionIds.get((int) s), NewEvent.of("message", JSON.valueToTree(Map.of("n", e, "text", "event text " + e))));
          }
        }
      });
      report("load: event append (embedded, one event per call, " + loaders + " threads)", (long) sessions * events, System.nanoTime() - t1, "events");

      // ------------------------------------------------------------ over HTTP
      try (HttpServer server = HttpServer.start(sk)) {
        String base = "http://127.0.0.1:" + server.port();
        CreatedKey key = sk.keys().create(new Caller("default", "user:bench", Role.ROOT), tenant, "agent:bench", Role.ADMIN);
        Client c = new Client(base, key.key());
        int warm = Math.min(2_000, samples);
        measure("warm-up (not reported)", clients, warm, (r, w, i) -> {
          long k = r.nextLong(entries);
          c.get("/v1/memory/" + namespace(k, perPrefix, prefixes) + "/k" + k);
        }, false);

        measure("memory get (current version)", clients, samples, (r, w, i) -> {
          long k = r.nextLong(entries);
          c.expect(c.get("/v1/memory/" + namespace(k, perPrefix, prefixes) + "/k" + k), 200);
        }, true);
        measure("memory list: one prefix of " + perPrefix + " entries, one page", clients, Math.max(20, samples / 100), (r, w, i) ->
            c.expect(c.get("/v1/memory?prefix=user:u" + r.nextInt(prefixes) + "&limit=" + Math.min(1000, perPrefix)), 200), true);
        measure("session read (GET /v1/sessions/{id})", clients, samples, (r, w, i) ->
            c.expect(c.get("/v1/sessions/" + sessionIds.get(r.nextInt(sessions))), 200), true);
        measure("session events read (" + Math.min(events, 1000) + " events)", clients, Math.max(50, samples / 10), (r, w, i) ->
            c.expect(c.get("/v1/sessions/" + sessionIds.get(r.nextInt(sessions)) + "/events?limit=" + Math.min(events, 1000)), 200), true);
        measure("keyword search (1-2 words drawn uniformly from the vocabulary, limit 10)", clients, Math.max(50, samples / 10), (r, w, i) -> {
          String q = queryWord(r) + (r.nextBoolean() ? " " + queryWord(r) : "");
          c.expect(c.post("/v1/memory/search", "{\"query\":\"" + q + "\",\"mode\":\"keyword\"}"), 200);
        }, true);
        int appenders = Math.min(clients, sessions);
        long appendT0 = System.nanoTime();
        Histogram appendLat = measure("event append (one event per request, " + appenders + " clients on their own sessions)", appenders, Math.max(1, samples / appenders), (r, w, i) -> {
          // client w uses sessions w, w + appenders, …: appenders never share a session
          String id = sessionIds.get((w + appenders * r.nextInt(Math.max(1, sessions / appenders))) % sessions);
          c.expect(c.post("/v1/sessions/" + id + "/events", "{\"type\":\"message\",\"data\":{\"n\":" + i + "}}"), 201);
        }, true);
        double secs = (System.nanoTime() - appendT0) / 1e9;
        System.out.printf(Locale.ROOT, "%-78s %,10.0f events/s%n", "  event append throughput", appendLat.getTotalCount() / secs);

        // ------------------------------------------------------------ burst
        for (int round = 0; round < 3; round++) {
          CountDownLatch go = new CountDownLatch(1);
          AtomicLong failures = new AtomicLong();
          long[] start = new long[1];
          long elapsed;
          try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
              String id = sessionIds.get(i % sessions);
              fs.add(pool.submit(() -> {
                go.await();
                if (c.get("/v1/sessions/" + id).statusCode() != 200) failures.incrementAndGet();
                return null;
              }));
            }
            start[0] = System.nanoTime();
            go.countDown();
            for (Future<?> f : fs) f.get();
            elapsed = System.nanoTime() - start[0];
          }
          System.out.printf(Locale.ROOT, "%-78s %8.0f ms%s%n",
              burst + " concurrent session reads, all answered (round " + (round + 1) + (round == 0 ? ", cold connections" : "") + ")",
              elapsed / 1e6, failures.get() == 0 ? "" : "  (" + failures.get() + " not 200!)");
        }
      }
    }
  }

  // ---------------------------------------------------------------- data

  /** Entry i's namespace: prefix user:u<n> (perPrefix entries each), one of ten topics below it. */
  static String namespace(long i, int perPrefix, int prefixes) {
    long prefix = (i / perPrefix) % prefixes;
    return "user:u" + prefix + ":t" + (i % TOPICS);
  }

  /** 8-16 words; word w is chosen with weight about 1/(w+1) (Zipf-like). */
  static String text(SplittableRandom r) {
    int n = 8 + r.nextInt(9);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) b.append(i == 0 ? "" : " ").append(word(r));
    return b.toString();
  }

  static String word(SplittableRandom r) {
    int w = (int) Math.floor(Math.pow(VOCABULARY + 1, r.nextDouble())) - 1; // log-uniform: Zipf-like
    return wordNumber(Math.min(w, VOCABULARY - 1));
  }

  /**
   * A query word: any word of the vocabulary, equally likely — so most queries look for words few
   * entries hold, and about 1% for one of the 20 words most entries hold (the tail of the p99).
   */
  static String queryWord(SplittableRandom r) {
    return wordNumber(r.nextInt(VOCABULARY));
  }

  private static String wordNumber(int w) {
    return "w" + Integer.toString(w, 36) + "x";
  }

  // ---------------------------------------------------------------- measuring

  interface Request {
    /** The {@code i}-th request of client {@code client}. */
    void send(SplittableRandom random, int client, int i) throws Exception;
  }

  /** {@code clients} closed-loop clients, {@code each} requests apiece; prints and returns the latencies (µs). */
  static Histogram measure(String what, int clients, int each, Request request, boolean print) throws Exception {
    List<Histogram> parts = new ArrayList<>();
    for (int w = 0; w < clients; w++) parts.add(new Histogram(60_000_000L, 3));
    long t0 = System.nanoTime();
    BenchHarness.runWorkers(clients, w -> {
      SplittableRandom r = new SplittableRandom(31L * w + what.hashCode());
      Histogram h = parts.get(w);
      for (int i = 0; i < each; i++) {
        long s = System.nanoTime();
        request.send(r, w, i);
        h.recordValue(Math.max(1, (System.nanoTime() - s) / 1000));
      }
    });
    double secs = (System.nanoTime() - t0) / 1e9;
    Histogram all = new Histogram(60_000_000L, 3);
    parts.forEach(all::add);
    if (print) {
      System.out.printf(Locale.ROOT,
          "%-78s p50 %6.2f ms  p99 %6.2f ms  p99.9 %6.2f ms  max %6.2f ms  (%,d requests, %,.0f/s, %d clients)%n",
          what, all.getValueAtPercentile(50) / 1000.0, all.getValueAtPercentile(99) / 1000.0,
          all.getValueAtPercentile(99.9) / 1000.0, all.getMaxValue() / 1000.0, all.getTotalCount(), all.getTotalCount() / secs, clients);
    }
    return all;
  }

  private static void report(String what, long n, long nanos, String unit) {
    System.out.printf(Locale.ROOT, "%-78s %,9d %s in %6.2fs = %,8.0f/s%n", what, n, unit, nanos / 1e9, n / (nanos / 1e9));
  }
}
