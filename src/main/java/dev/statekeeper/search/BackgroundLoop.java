package dev.statekeeper.search;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon thread that runs {@link #pass} again at once while it says there is more to do, else
 * waits {@code interval} or until {@link #wake}. A pass that throws is counted, logged and tried
 * again after the interval. The embedding workers ({@link EmbeddingLoop}) and memory's vector
 * index follower run on it.
 *
 * <p>Concurrency: one platform thread runs the passes; other threads call {@link #wake} and read
 * {@link #failures}. {@link #close} wakes the thread rather than interrupting it, which could break
 * a JDBC call in flight.
 */
public abstract class BackgroundLoop implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BackgroundLoop.class);

  private final String description;
  private final Duration interval;
  private final Duration joinTimeout;
  private final Semaphore wake = new Semaphore(0);
  private final AtomicLong failures = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * @param threadName the thread's name
   * @param description how logs call a pass ("the memory embeddings worker")
   * @param joinTimeout how long {@link #close} waits for a pass in flight
   */
  protected BackgroundLoop(String threadName, String description, Duration interval, Duration joinTimeout) {
    this.description = description;
    this.interval = interval;
    this.joinTimeout = joinTimeout;
    this.thread = Thread.ofPlatform().daemon().name(threadName).unstarted(this::loop);
  }

  public void start() {
    thread.start();
  }

  /** There is work now: run a pass rather than wait for the next interval. */
  public void wake() {
    wake.release();
  }

  /** One pass; true when there may be more to do at once. Throws when it failed. */
  protected abstract boolean pass();

  /** A pass threw: counted here; a subclass may keep more figures. */
  protected void onFailure(Throwable t) {
    countFailure();
  }

  protected final void countFailure() {
    failures.incrementAndGet();
  }

  /** Failed passes (and whatever else a subclass counts as a failure) since start. */
  public long failures() {
    return failures.get();
  }

  private void loop() {
    while (running) {
      boolean more = false;
      try {
        more = pass();
      } catch (Throwable t) {
        onFailure(t);
        log.warn("{} failed; will try again in {}: {}", description, interval, t.toString());
      }
      if (more) {
        continue;
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

  @Override
  public void close() {
    running = false;
    wake.release();
    try {
      thread.join(joinTimeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
