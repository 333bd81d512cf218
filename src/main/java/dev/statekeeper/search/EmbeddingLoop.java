package dev.statekeeper.search;

import dev.statekeeper.jobs.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A background embedding worker (memory's and documents' share it), a {@link Job}: runs {@link
 * #runOnce} again at once while there is work; counts failures and successes for the
 * health check; backs off exponentially; and once an hour runs {@link #housekeeping} (purging old
 * removals from the change log).
 *
 * <p>A subclass's {@link #runOnce} handles one batch and reports an embedder failure with {@link
 * #embedderFailed} (after postponing the batch with {@link #backoffMillis}) and a stored batch
 * with {@link #embeddingSucceeded}; anything it throws counts as a failure of the store.
 *
 * <p>Concurrency: the job's thread runs the passes; other threads call {@link #wake} and read
 * the volatile figures; {@link #drain} runs batches on the calling thread (tests, tools) and
 * relies on the queue's claims to keep the two apart.
 */
public abstract class EmbeddingLoop {

  /** Failures in a row after which the {@code embeddings} health check says DEGRADED. */
  public static final int DEGRADED_AFTER = 3;

  private static final long MAX_BACKOFF_MILLIS = 300_000;
  private static final Duration HOUSEKEEPING_EVERY = Duration.ofHours(1);

  private volatile int failuresInARow;
  private volatile Instant lastSuccess;
  private volatile String lastError;
  private long lastHousekeeping = System.nanoTime(); // the job's passes only
  private final Job job;

  /**
   * @param name the job's name ({@code embeddings}: the {@code loop} tag of its meters)
   * @param description how logs call this worker ("the memory embeddings worker")
   */
  protected EmbeddingLoop(String name, String description, Duration interval) {
    this.job = Job.every(name, interval, this::pass).describedAs(description).onFailure(this::embeddingFailed);
  }

  /** The worker's job, for a runner to run. */
  public final Job job() {
    return job;
  }

  /** There is work now: run a pass rather than wait for the next interval. */
  public final void wake() {
    job.wake();
  }

  /** Failed passes and embedder failures since start. */
  public final long failures() {
    return job.failures();
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

  private boolean pass() {
    beforePass();
    boolean more = runOnce() > 0 && failuresInARow == 0; // a batch: there may be more due right now
    if (System.nanoTime() - lastHousekeeping > HOUSEKEEPING_EVERY.toNanos()) {
      lastHousekeeping = System.nanoTime();
      housekeeping();
    }
    return more;
  }


  /** The embedder failed on a batch that was postponed (a pass that throws is counted by its job). */
  protected final void embedderFailed(Throwable e) {
    job.failed(e);
    embeddingFailed(e);
  }

  private void embeddingFailed(Throwable e) {
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
