package dev.statekeeper.search;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread of a background embedding worker (memory's and documents' share it): runs {@link
 * #runOnce} again at once while there is work, else waits {@code interval} or until {@link #wake};
 * counts failures and successes for the health check; backs off exponentially; and once an hour
 * runs {@link #housekeeping} (purging old removals from the change log).
 *
 * <p>A subclass's {@link #runOnce} handles one batch and reports an embedder failure with {@link
 * #embeddingFailed} (after postponing the batch with {@link #backoffMillis}) and a stored batch
 * with {@link #embeddingSucceeded}; anything it throws counts as a failure of the store.
 *
 * <p>Concurrency: one platform thread runs the loop; other threads call {@link #wake} and read
 * the volatile and atomic figures; {@link #drain} runs batches on the calling thread (tests,
 * tools) and relies on the queue's claims to keep the two apart.
 */
public abstract class EmbeddingLoop implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddingLoop.class);

  /** Failures in a row after which the {@code embeddings} health check says DEGRADED. */
  public static final int DEGRADED_AFTER = 3;

  private static final long MAX_BACKOFF_MILLIS = 300_000;
  private static final Duration HOUSEKEEPING_EVERY = Duration.ofHours(1);

  private final String name;
  private final Duration interval;
  private final Semaphore wake = new Semaphore(0);
  private final AtomicLong failures = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile int failuresInARow;
  private volatile Instant lastSuccess;
  private volatile String lastError;
  private long lastHousekeeping = System.nanoTime(); // loop thread only

  /** {@code name}: the thread's name and how logs call this worker ("memory embeddings"). */
  protected EmbeddingLoop(String name, Duration interval) {
    this.name = name;
    this.interval = interval;
    this.thread = Thread.ofPlatform().daemon().name("statekeeper-" + name.replace(' ', '-')).unstarted(this::loop);
  }

  public void start() {
    thread.start();
  }

  /** New work was queued: look now rather than at the next interval. */
  public void wake() {
    wake.release();
  }

  /**
   * Claims and handles one batch; returns how many queue rows it claimed (0: nothing due). Throws
   * only when the store fails; an embedder failure postpones the batch.
   */
  public abstract int runOnce();

  /** Runs before every pass of the loop (a follower may refresh an index here). */
  protected void beforePass() {}

  /** Runs about once an hour on the loop's thread. */
  protected void housekeeping() {}

  /** The embedder failed on a batch that was postponed. */
  protected final void embeddingFailed(Throwable e) {
    failures.incrementAndGet();
    failuresInARow++;
    lastError = e.toString();
  }

  /** A batch was embedded and stored. */
  protected final void embeddingSucceeded() {
    failuresInARow = 0;
    lastSuccess = Instant.now();
  }

  /** 1 s doubling per attempt up to 5 minutes, then jittered down by up to half. */
  public static long backoffMillis(int attempts) {
    long base = Math.min(MAX_BACKOFF_MILLIS, 1000L << Math.min(20, Math.max(0, attempts - 1)));
    return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }

  /**
   * Runs batches on the calling thread until {@code backlog} reads 0 (rows the background thread
   * holds are done when they leave the queue), the embedder fails, or two minutes pass; for tests
   * and tools.
   */
  public void drain(LongSupplier backlog) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (true) {
      while (runOnce() > 0 && failuresInARow == 0) {}
      if (backlog.getAsLong() == 0 || failuresInARow > 0 || System.nanoTime() > deadline) return;
      java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
    }
  }

  private void loop() {
    while (running) {
      boolean more = false;
      try {
        beforePass();
        more = runOnce() > 0 && failuresInARow == 0;
        if (System.nanoTime() - lastHousekeeping > HOUSEKEEPING_EVERY.toNanos()) {
          lastHousekeeping = System.nanoTime();
          housekeeping();
        }
      } catch (Throwable t) {
        embeddingFailed(t);
        log.warn("the {} worker failed; will try again in {}: {}", name, interval, t.toString());
      }
      if (more) {
        continue; // a full or partial batch: there may be more due right now
      }
      try {
        wake.tryAcquire(interval.toMillis(), TimeUnit.MILLISECONDS);
        wake.drainPermits();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  public long failures() {
    return failures.get();
  }

  public int failuresInARow() {
    return failuresInARow;
  }

  public Instant lastSuccess() {
    return lastSuccess;
  }

  public String lastError() {
    return lastError;
  }

  @Override
  public void close() {
    running = false;
    wake.release(); // not an interrupt: that could break a JDBC call in flight
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
