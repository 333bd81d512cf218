package dev.statekeeper.jobs;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A background job: what one pass does and how often it runs. A capability makes its jobs and
 * hands them to a {@link JobRunner}, which runs each on a thread of its own: a pass, then again at
 * once while the pass says there is more to do, else after {@code interval} or a {@link #wake}. A
 * pass that throws is counted, logged and tried again after the interval; the job never stops
 * for it.
 *
 * <p>Concurrency: passes of one job never overlap — the runner's thread and {@link #runNow} (tests,
 * tools, "now" buttons) take {@link #passing} first. Figures are atomics and volatiles, read by
 * health checks and meters. Stopping wakes the thread and waits for a pass in flight to end; it
 * never interrupts, which could break a JDBC call.
 */
public final class Job {

  private static final Logger log = LoggerFactory.getLogger(Job.class);

  /** One pass of a job. */
  @FunctionalInterface
  public interface Pass {
    /** Does one batch of the job's work; true when there may be more to do right now. */
    boolean run() throws Exception;
  }

  private final String name;
  private final String description;
  private final Duration interval;
  private final Pass pass;
  private final Consumer<Throwable> onFailure;
  private final boolean waitFirst;
  private final Semaphore wake = new Semaphore(0);
  private final ReentrantLock passing = new ReentrantLock();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong passes = new AtomicLong();
  private volatile InstantSource clock = InstantSource.system();
  private volatile Instant lastRun;
  private volatile Instant lastSuccess;
  private volatile String lastError;
  private volatile boolean stopped;

  private Job(String name, String description, Duration interval, Pass pass, Consumer<Throwable> onFailure,
      boolean waitFirst) {
    this.waitFirst = waitFirst;
    this.name = Objects.requireNonNull(name, "name");
    this.description = description;
    this.interval = Objects.requireNonNull(interval, "interval");
    this.pass = Objects.requireNonNull(pass, "pass");
    this.onFailure = onFailure;
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("a job's interval must be positive; " + name + " has " + interval);
    }
  }

  /**
   * A job named {@code name} (the {@code loop} tag of its meters, the thread's name: {@code
   * lease_reaper}) that runs {@code pass} every {@code interval}, or sooner when woken.
   */
  public static Job every(String name, Duration interval, Pass pass) {
    return new Job(name, name.replace('_', ' '), interval, pass, null, false);
  }

  /** The same job, described so in logs ("the lease reaper"). */
  public Job describedAs(String how) {
    return new Job(name, how, interval, pass, onFailure, waitFirst);
  }

  /** The same job, telling {@code listener} of every failed pass as well (after counting it). */
  public Job onFailure(Consumer<Throwable> listener) {
    return new Job(name, description, interval, pass, listener, waitFirst);
  }

  /** The same job, its first pass one interval after it starts rather than at once (a scheduled backup). */
  public Job firstAfterOneInterval() {
    return new Job(name, description, interval, pass, onFailure, true);
  }

  public String name() {
    return name;
  }

  public Duration interval() {
    return interval;
  }

  /** There is work now: run a pass rather than wait for the rest of the interval. */
  public void wake() {
    wake.release();
  }

  /**
   * Runs one pass on the calling thread now (after a pass in flight ends), counted and logged
   * like the runner's; true when it says there is more to do. Never throws for the pass.
   */
  public boolean runNow() {
    passing.lock();
    try {
      return passOnce();
    } finally {
      passing.unlock();
    }
  }

  /**
   * Counts a failure the pass handled itself (an embedder that failed on a batch the pass then
   * postponed, say): in the job's failures and its meter, without failing the pass.
   */
  public void failed(Throwable t) {
    failures.incrementAndGet();
    lastError = t.toString();
  }

  /** Failed passes (and failures counted with {@link #failed}) since the job was made. */
  public long failures() {
    return failures.get();
  }

  /** Passes run, failed or not. */
  public long passes() {
    return passes.get();
  }

  /** When the last pass ended (null before the first). */
  public Instant lastRun() {
    return lastRun;
  }

  /** When the last pass that did not fail ended (null before one). */
  public Instant lastSuccess() {
    return lastSuccess;
  }

  /** What the last failed pass threw (null before one). */
  public String lastError() {
    return lastError;
  }

  // ---------------------------------------------------------------- for the runner

  void useClock(InstantSource clock) {
    this.clock = clock;
  }

  /** The thread's loop, until {@link #stop}. */
  void loop() {
    if (waitFirst && !pause()) {
      return;
    }
    while (!stopped) {
      boolean more;
      passing.lock();
      try {
        if (stopped) return;
        more = passOnce();
      } finally {
        passing.unlock();
      }
      if (!more && !pause()) {
        return;
      }
    }
  }

  /** Waits one interval or until woken; false when interrupted. */
  private boolean pause() {
    try {
      wake.tryAcquire(interval.toMillis(), TimeUnit.MILLISECONDS);
      wake.drainPermits();
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  void stop() {
    stopped = true;
    wake.release();
  }

  private boolean passOnce() {
    passes.incrementAndGet();
    try {
      boolean more = pass.run();
      lastSuccess = lastRun = clock.instant();
      return more;
    } catch (Throwable t) {
      failures.incrementAndGet();
      lastError = t.toString();
      lastRun = clock.instant();
      if (onFailure != null) {
        try {
          onFailure.accept(t);
        } catch (RuntimeException e) {
          log.warn("the failure listener of {} failed: {}", description, e.toString());
        }
      }
      log.warn("{} failed; will try again in {}: {}", description, interval, t.toString());
      if (t instanceof Error e && !(t instanceof AssertionError)) {
        throw e;
      }
      return false;
    }
  }
}
