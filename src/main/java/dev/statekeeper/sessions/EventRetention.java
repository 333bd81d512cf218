package dev.statekeeper.sessions;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background job that removes session events older than {@code session-event-retention},
 * every {@code retention-interval}, oldest first in batches of {@link #BATCH} (each one short
 * statement, so appenders never wait long). Sessions themselves, their state and their {@code
 * event_count} stay; reading events after a removed {@code seq} simply starts at the oldest kept.
 *
 * <p>Concurrency: one scheduler thread runs {@link #runOnce}; {@link #pass} keeps a pass
 * requested by {@code Sessions.runRetentionNow} from overlapping a scheduled one. Counters are
 * atomics and {@link #lastRun} is volatile, read by status calls.
 */
final class EventRetention implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EventRetention.class);
  static final int BATCH = 500;

  private final SessionRepository repository;
  private final Duration retention; // null: keep every event
  private final Duration interval;
  private final InstantSource clock;
  private final ScheduledExecutorService scheduler;
  private final ReentrantLock pass = new ReentrantLock();
  private final AtomicLong removed = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile Instant lastRun;

  EventRetention(SessionRepository repository, Duration retention, Duration interval, InstantSource clock) {
    this.repository = repository;
    this.retention = retention;
    this.interval = interval;
    this.clock = clock;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("statekeeper-session-retention").factory());
  }

  /** Schedules the job, unless events are kept forever (then nothing runs). */
  void start() {
    if (retention != null) {
      scheduler.scheduleWithFixedDelay(
          this::runOnce, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** One full pass; never throws (failures are logged and counted). */
  void runOnce() {
    pass.lock();
    try {
      if (retention != null) {
        int n;
        do {
          n = repository.purgeEvents(retention, BATCH);
          removed.addAndGet(n);
        } while (n == BATCH);
      }
      lastRun = clock.instant();
    } catch (Throwable t) {
      failures.incrementAndGet();
      log.warn("session event retention pass failed; will try again in {}: {}", interval, t.toString());
    } finally {
      pass.unlock();
    }
  }

  Instant lastRun() {
    return lastRun;
  }

  long removed() {
    return removed.get();
  }

  long failures() {
    return failures.get();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
