package dev.statekeeper.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The histogram and the coordinated-omission correction against a stub server with known
 * delays: what the open loop reports must be what was injected, within the histogram's
 * precision and the scheduling noise of a small machine.
 */
class OpenLoopTest {

  HttpServer stub;
  final AtomicLong fixedDelayMs = new AtomicLong();
  volatile long stallUntilNanos;

  @BeforeEach
  void start() throws Exception {
    stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
    stub.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    stub.createContext("/stub", exchange -> {
      try {
        // A slow server, in real time: the open loop under test schedules by System.nanoTime,
        // and measuring latency from when a request was due is what this test checks.
        long stall = stallUntilNanos - System.nanoTime();
        if (stall > 0) Thread.sleep(stall / 1_000_000, (int) (stall % 1_000_000));
        if (fixedDelayMs.get() > 0) Thread.sleep(fixedDelayMs.get()); // the same, a constant service time
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    stub.start();
  }

  @AfterEach
  void stop() {
    stub.stop(0);
  }

  private BenchClient client() {
    return new BenchClient("http://127.0.0.1:" + stub.getAddress().getPort(), null, 256);
  }

  @Test
  void aFixedDelay_isReportedAsThatDelay() {
    fixedDelayMs.set(40);
    OpStats stats = new OpStats("stub");
    try (BenchClient c = client()) {
      OpenLoop.run(100, Duration.ofSeconds(1), 10_000, new OpStats("warm-up"), () -> c.send("GET", "/stub", null).thenApply(BenchClient.Reply::status));
      OpenLoop.run(100, Duration.ofSeconds(3), 10_000, stats, () -> c.send("GET", "/stub", null).thenApply(BenchClient.Reply::status));
    }
    stats.sample(3, "all");
    Histogram h = stats.total();
    assertThat(h.getTotalCount()).isEqualTo(300);
    // over a real network on a small shared machine: the injected 40 ms plus a little
    assertThat(OpStats.ms(h, 50)).isBetween(40.0, 60.0);
    assertThat(OpStats.ms(h, 90)).isBetween(40.0, 100.0);
    assertThat(stats.statuses()).containsOnlyKeys(200);
  }

  /**
   * A server stub without a network, so that the only delays are the injected ones: it answers
   * 1 ms after a request arrives, except that nothing is answered while it stalls.
   */
  private static final class StallingStub {
    final java.util.concurrent.ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    volatile long stallFrom = Long.MAX_VALUE;
    volatile long stallTo = Long.MAX_VALUE;

    java.util.concurrent.CompletableFuture<Integer> request() {
      long now = System.nanoTime();
      long answerAt = (now >= stallFrom && now < stallTo ? stallTo : now) + 1_000_000;
      var f = new java.util.concurrent.CompletableFuture<Integer>();
      timer.schedule(() -> f.complete(200), answerAt - now, java.util.concurrent.TimeUnit.NANOSECONDS);
      return f;
    }
  }

  @Test
  void aStall_isChargedToEveryRequestScheduledDuringIt_notHiddenByWaiting() throws Exception {
    // 200 requests/s for 3 s; at 1 s the stub stalls for 500 ms. 100 of 600 requests were due
    // during the stall and wait from 500 ms down to 0: the top 10 % start near 200 ms, the top
    // 1 % near 470 ms.
    StallingStub stub = new StallingStub();
    stub.stallFrom = System.nanoTime() + 1_000_000_000L;
    stub.stallTo = stub.stallFrom + 500_000_000L;
    OpStats open = new OpStats("open");
    OpenLoop.run(200, Duration.ofSeconds(3), 10_000, open, stub::request);
    open.sample(3, "all");
    Histogram h = open.total();
    assertThat(h.getTotalCount()).isEqualTo(600);
    assertThat(OpStats.ms(h, 50)).isLessThan(20.0);
    assertThat(OpStats.ms(h, 90)).isBetween(170.0, 240.0);
    assertThat(OpStats.ms(h, 99)).isBetween(440.0, 520.0);
    assertThat(h.getMaxValue() / 1000.0).isBetween(490.0, 560.0);

    // The same stall measured the usual way (wait for each reply, then send the next): the stall
    // is one slow sample among hundreds and the tail looks healthy.
    stub.stallFrom = System.nanoTime() + 1_000_000_000L;
    stub.stallTo = stub.stallFrom + 500_000_000L;
    OpStats closed = new OpStats("closed");
    long end = System.nanoTime() + 3_000_000_000L;
    while (System.nanoTime() < end) {
      long s = System.nanoTime();
      int status = stub.request().join();
      closed.record((System.nanoTime() - s) / 1000, status);
      Thread.sleep(4); // a closed-loop client's think time, in the real time the stall is measured in
    }
    closed.sample(3, "all");
    assertThat(OpStats.ms(closed.total(), 99)).as("coordinated omission hides the stall").isLessThan(50.0);
    stub.timer.shutdownNow();
  }
}
