package dev.statekeeper.bench;

import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.http.HttpServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * {@code statekeeper bench}: load, stress and emergency scenarios against one server (or a load
 * balancer) — or an embedded one — measured without coordinated omission, with the invariants
 * checked after every run. Every scenario stops by itself; traffic goes only to the given URL.
 */
public final class Bench {

  /**
   * Everything a run needs. {@code url}/{@code key} for a running server; otherwise an embedded
   * one on {@code embedded}. {@code beforeInvariants} is a test hook (embedded runs only).
   */
  public record Options(
      String scenario, String url, String key, StatekeeperConfig embedded, double rate, Duration duration,
      int tasks, int threads, int consumers, int claimBatch, double p99LimitMs, double maxErrorRate, int eventLimit,
      Path json, Path report, Consumer<Statekeeper> beforeInvariants) {}

  /** The outcome: figures per operation and phase, the invariants, and whether all held. */
  public record Result(
      String scenario, String target, Map<String, Object> figures, List<Invariants.Check> invariants, boolean passed,
      Map<String, OpStats> stats, String knee) {}

  private Bench() {}

  public static Result run(Options o, PrintStream out) throws Exception {
    Scenario scenario = Scenario.parse(o.scenario());
    Duration duration = o.duration() == null ? scenario.defaultDuration() : o.duration();
    Statekeeper sk = null;
    HttpServer server = null;
    String url = o.url();
    String key = o.key();
    try {
      if (url == null) {
        sk = Statekeeper.open(o.embedded());
        sk.bootstrapRootKey();
        server = HttpServer.start(sk);
        url = "http://127.0.0.1:" + server.port();
        key = sk.keys().create(new Caller("default", "service:bench", Role.ROOT), "bench", "service:bench", Role.ADMIN).key();
      }
      try (BenchClient client = new BenchClient(url, key, Math.max(64, o.consumers() * 2 + 16))) {
        BenchClient.Reply probe = client.call("GET", "/v1/tasks/stats", null);
        if (!probe.ok()) {
          throw new IllegalArgumentException("the server at " + url + " answered " + probe.status() + " to the key; bench needs an admin key");
        }
        out.printf(Locale.ROOT, "statekeeper bench %s against %s (%s)%n", scenario.wireName(), url, scenario.description);
        Map<String, OpStats> stats = new java.util.concurrent.ConcurrentSkipListMap<>();
        AtomicReference<String> phase = new AtomicReference<>("setup");
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().factory());
        long t0 = System.nanoTime();
        sampler.scheduleAtFixedRate(() -> sample(stats, phase.get(), t0, out), 1, 1, TimeUnit.SECONDS);
        List<Invariants.Check> checks;
        String knee = null;
        try {
          if (scenario == Scenario.AUTH) {
            checks = Auth.run(client, o, duration, stats, phase);
          } else if (scenario == Scenario.MEMORY) {
            Statekeeper embedded = sk;
            checks = MemoryLoad.run(client, o, duration, stats, phase,
                o.beforeInvariants() == null || embedded == null ? null : () -> o.beforeInvariants().accept(embedded));
          } else {
            TaskLoad load = new TaskLoad(client, "bench-" + UUID.randomUUID().toString().substring(0, 8), stats);
            try {
              knee = tasks(scenario, o, duration, load, stats, phase);
              phase.set("drain");
              boolean drained = load.drain(Duration.ofSeconds(Math.max(30, duration.toSeconds())));
              load.stopConsumers();
              if (!drained) out.println("the run ended before every task was completed");
              if (o.beforeInvariants() != null && sk != null) o.beforeInvariants().accept(sk);
              phase.set("invariants");
              checks = Invariants.tasks(client, load, o.eventLimit());
            } finally {
              load.close();
            }
          }
        } finally {
          sampler.shutdownNow();
          sampler.awaitTermination(2, TimeUnit.SECONDS);
          sample(stats, phase.get(), t0, null);
          if (out != null) out.println();
        }
        boolean passed = checks.stream().allMatch(Invariants.Check::pass);
        Result r = new Result(scenario.wireName(), url, BenchReport.figures(stats, o, duration), checks, passed, stats, knee);
        BenchReport.printSummary(r, out);
        if (o.json() != null) BenchReport.writeJson(r, o.json());
        if (o.report() != null) BenchReport.writeHtml(r, o.report());
        return r;
      }
    } finally {
      if (server != null) server.close();
      if (sk != null) sk.close();
    }
  }

  /** Runs the task traffic of a scenario; returns the knee for STRESS. */
  private static String tasks(Scenario s, Options o, Duration duration, TaskLoad load, Map<String, OpStats> stats,
      AtomicReference<String> phase) throws Exception {
    if (s == Scenario.LOAD) {
      phase.set("create");
      runClosed(o.threads(), o.tasks(), load::createBlocking);
      phase.set("drain");
      load.startConsumers(o.threads(), o.claimBatch(), null);
      return null;
    }
    if (s == Scenario.EMERGENCY) {
      load.startConsumers(o.consumers(), o.claimBatch(), "bench");
      load.startOnCall();
      ExecutorService pager = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().factory());
      long end = System.nanoTime() + duration.toNanos();
      Future<?> pages = pager.submit(() -> {
        while (System.nanoTime() < end) {
          load.createOne("page", "CRITICAL").join();
          Thread.sleep(100);
        }
        return null;
      });
      phase.set("steady");
      OpenLoop.run(o.rate(), duration, 10_000, load.create, () -> load.createOne("bench", "NORMAL"));
      pages.get();
      pager.shutdown();
      return null;
    }
    load.startConsumers(o.consumers(), o.claimBatch(), null);
    if (s == Scenario.STRESS) {
      double rate = o.rate();
      Duration step = duration.dividedBy(6).compareTo(Duration.ofSeconds(2)) < 0 ? Duration.ofSeconds(2) : duration.dividedBy(6);
      String knee = "none: the limits held up to " + rate + " tasks/s";
      double lastGood = 0;
      for (int i = 0; i < 12; i++) {
        String name = String.format(Locale.ROOT, "step-%02d@%.0f/s", i, rate);
        phase.set(name);
        OpStats stepStats = new OpStats(name);
        OpenLoop.run(rate, step, 10_000, stepStats, () -> load.createOne("bench", "NORMAL"));
        stepStats.sample(i, name);
        Histogram h = stepStats.total();
        double p99 = OpStats.ms(h, 99);
        double errorRate = h.getTotalCount() == 0 ? 1 : (double) stepStats.errors() / h.getTotalCount();
        stats.put(name, stepStats);
        if (p99 > o.p99LimitMs() || errorRate > o.maxErrorRate()) {
          knee = lastGood == 0
              ? String.format(Locale.ROOT, "below %.0f tasks/s: the first step already broke the limits (p99 %.1f ms, errors %.2f %%);"
                  + " start lower with --rate", rate, p99, errorRate * 100)
              : String.format(Locale.ROOT, "%.0f tasks/s (at %.0f/s: p99 %.1f ms, errors %.2f %%)", lastGood, rate, p99, errorRate * 100);
          break;
        }
        lastGood = rate;
        knee = String.format(Locale.ROOT, "above %.0f tasks/s (no step broke the limits)", rate);
        rate *= 1.5;
      }
      return knee;
    }
    for (Scenario.Phase p : s.phases(o.rate(), duration)) {
      phase.set(p.name());
      OpenLoop.run(p.rate(), p.duration(), 10_000, load.create, () -> load.createOne("bench", "NORMAL"));
    }
    return null;
  }

  static void runClosed(int threads, int total, Runnable op) throws Exception {
    java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(total);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        fs.add(pool.submit(() -> {
          while (left.getAndDecrement() > 0) op.run();
          return null;
        }));
      }
      for (Future<?> f : fs) f.get();
    }
  }

  private static final boolean TERMINAL = System.console() != null && System.getenv("TERM") != null;

  private static void sample(Map<String, OpStats> stats, String phase, long t0, PrintStream out) {
    double second = (System.nanoTime() - t0) / 1e9;
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "[%5.0fs] %-14s", second, phase));
    for (OpStats s : new ArrayList<>(stats.values())) {
      if (s.name.startsWith("step-")) continue;
      s.sample(second, phase);
      List<OpStats.Point> series = s.series();
      OpStats.Point last = series.get(series.size() - 1);
      if (last.count() > 0) line.append(String.format(Locale.ROOT, " %s %d/s p99 %.1fms", s.name, last.count(), last.p99Ms()));
    }
    if (out != null && TERMINAL) {
      // one line, redrawn every second (cut to a terminal's width)
      out.print("\r" + (line.length() > 160 ? line.substring(0, 160) : String.format("%-160s", line)));
      out.flush();
    } else if (out != null && Math.round(second) % 5 == 0) {
      out.println(line); // not a terminal: a plain line every 5 seconds
    }
  }
}
