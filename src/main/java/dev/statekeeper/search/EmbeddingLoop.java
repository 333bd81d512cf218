package dev.statekeeper.search;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A background embedding worker (memory's and documents' share it), on a {@link BackgroundLoop}:
 * runs {@link #runOnce} again at once while there is work; counts failures and successes for the
 * health check; backs off exponentially; and once an hour runs {@link #housekeeping} (purging old
 * removals from the change log).
 *
 * <p>A subclass's {@link #runOnce} handles one batch and reports an embedder failure with {@link
 * #embeddingFailed} (after postponing the batch with {@link #backoffMillis}) and a stored batch
 * with {@link #embeddingSucceeded}; anything it throws counts as a failure of the store.
 *
 * <p>Concurrency: one platform thread runs the loop; other threads call {@link #wake} and read
 * the volatile figures; {@link #drain} runs batches on the calling thread (tests, tools) and
 * relies on the queue's claims to keep the two apart.
 */
public abstract class EmbeddingLoop extends BackgroundLoop {

  /** Failures in a row after which the {@code embeddings} health check says DEGRADED. */
  public static final int DEGRADED_AFTER = 3;

  private static final long MAX_BACKOFF_MILLIS = 300_000;
  private static final Duration HOUSEKEEPING_EVERY = Duration.ofHours(1);

  private volatile int failuresInARow;
  private volatile Instant lastSuccess;
  private volatile String lastError;
  private long lastHousekeeping = System.nanoTime(); // loop thread only

  /** {@code name}: the thread's name and how logs call this worker ("memory embeddings"). */
  protected EmbeddingLoop(String name, Duration interval) {
    super("statekeeper-" + name.replace(' ', '-'), "the " + name + " worker", interval, Duration.ofSeconds(10));
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

  @Override
  protected final boolean pass() {
    beforePass();
    boolean more = runOnce() > 0 && failuresInARow == 0; // a batch: there may be more due right now
    if (System.nanoTime() - lastHousekeeping > HOUSEKEEPING_EVERY.toNanos()) {
      lastHousekeeping = System.nanoTime();
      housekeeping();
    }
    return more;
  }

  @Override
  protected final void onFailure(Throwable t) {
    embeddingFailed(t);
  }

  /** The embedder failed on a batch that was postponed (or a pass failed). */
  protected final void embeddingFailed(Throwable e) {
    countFailure();
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

  public int failuresInARow() {
    return failuresInARow;
  }

  public Instant lastSuccess() {
    return lastSuccess;
  }

  public String lastError() {
    return lastError;
  }
}
