package dev.statekeeper.bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * Sends operations at a fixed rate, whatever the answers do, and measures each from the time it
 * was <em>scheduled</em> — not from when it could be sent. A server that stalls for a second is
 * charged a second (and less for each request after) for every request scheduled in that
 * second, which is what its users would have waited: no coordinated omission. When more than
 * {@code maxInFlight} requests are outstanding the client itself is the limit; further
 * operations are counted as errors (status -1) rather than silently delayed.
 */
final class OpenLoop {

  private OpenLoop() {}

  /** Runs {@code op} {@code rate} times a second for {@code duration}; {@code op} reports its status. */
  static void run(double rate, Duration duration, int maxInFlight, OpStats stats, Supplier<CompletableFuture<Integer>> op) {
    run(rate, duration, maxInFlight, stats, (LongFunction<CompletableFuture<Integer>>) intended -> op.get());
  }

  /**
   * As {@link #run(double, Duration, int, OpStats, Supplier)}; {@code op} is given the {@link
   * System#nanoTime()} its operation was scheduled for, so that it can charge per-kind figures
   * from the same start (without coordinated omission).
   */
  static void run(double rate, Duration duration, int maxInFlight, OpStats stats, LongFunction<CompletableFuture<Integer>> op) {
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    double interval = 1e9 / rate;
    AtomicInteger inFlight = new AtomicInteger();
    for (long k = 0; ; k++) {
      long intended = start + (long) (k * interval);
      if (intended >= end) break;
      long wait;
      while ((wait = intended - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      if (inFlight.get() >= maxInFlight) {
        stats.record((System.nanoTime() - intended) / 1000, -1);
        continue;
      }
      inFlight.incrementAndGet();
      CompletableFuture<Integer> f;
      try {
        f = op.apply(intended);
      } catch (RuntimeException e) {
        inFlight.decrementAndGet();
        stats.record((System.nanoTime() - intended) / 1000, 0);
        continue;
      }
      f.whenComplete((status, error) -> {
        inFlight.decrementAndGet();
        stats.record((System.nanoTime() - intended) / 1000, error != null ? 0 : status);
      });
    }
    // wait for what is still outstanding (bounded)
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
    }
  }
}
