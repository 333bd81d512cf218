package dev.statekeeper.tasks;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background sweep of the task store, every {@code reaper-interval}: expired leases go back
 * to pending (or to failed on their last attempt), passed deadlines are settled as violated, and
 * idempotency keys older than their retention are forgotten (once a minute). Each pass works in
 * batches, so it never holds many rows at once; several nodes may run it together, since every
 * pick skips rows another node has locked.
 *
 * <p>Concurrency: one scheduler thread runs {@link #runOnce}; counters are atomics and {@link
 * #lastRun} is volatile, read by health checks.
 */
final class LeaseReaper implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LeaseReaper.class);
  private static final int BATCH = 500;
  private static final Duration PURGE_EVERY = Duration.ofMinutes(1);

  private final TaskRepository repository;
  private final Arrivals arrivals;
  private final Duration interval;
  private final Duration idempotencyRetention;
  private final InstantSource clock;
  private final ScheduledExecutorService scheduler;
  private final AtomicLong leasesExpired = new AtomicLong();
  private final AtomicLong deadlinesMissed = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile Instant lastRun;
  private volatile Instant lastPurge = Instant.EPOCH;

  LeaseReaper(
      TaskRepository repository,
      Arrivals arrivals,
      Duration interval,
      Duration idempotencyRetention,
      InstantSource clock) {
    this.repository = repository;
    this.arrivals = arrivals;
    this.interval = interval;
    this.idempotencyRetention = idempotencyRetention;
    this.clock = clock;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("statekeeper-lease-reaper").factory());
  }

  void start() {
    scheduler.scheduleWithFixedDelay(
        this::runOnce, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One full pass; never throws (failures are logged and counted). */
  void runOnce() {
    try {
      List<TaskRepository.Changed> reaped;
      do {
        reaped = repository.reapExpiredLeases(BATCH);
        leasesExpired.addAndGet(reaped.size());
        wakeWaiters(reaped);
      } while (reaped.size() == BATCH);

      int settled;
      do {
        settled = repository.settleMissedDeadlines(BATCH).size();
        deadlinesMissed.addAndGet(settled);
      } while (settled == BATCH);

      Instant now = clock.instant();
      if (Duration.between(lastPurge, now).compareTo(PURGE_EVERY) >= 0) {
        while (repository.purgeIdempotencyKeys(idempotencyRetention, BATCH) == BATCH) {
          // keep going in small batches so writers are never blocked for long
        }
        lastPurge = now;
      }
      lastRun = now;
    } catch (Throwable t) {
      failures.incrementAndGet();
      log.warn("lease reaper pass failed; will try again in {}: {}", interval, t.toString());
    }
  }

  private void wakeWaiters(List<TaskRepository.Changed> reaped) {
    Map<String, List<String>> byTenant = new HashMap<>();
    for (TaskRepository.Changed row : reaped) {
      if (row.task().status() == TaskStatus.PENDING) {
        byTenant.computeIfAbsent(row.tenant(), k -> new ArrayList<>()).add(row.task().queue());
      }
    }
    byTenant.forEach((tenant, queues) -> arrivals.arrived(tenant, queues, queues.size()));
  }

  Instant lastRun() {
    return lastRun;
  }

  long leasesExpired() {
    return leasesExpired.get();
  }

  long deadlinesMissed() {
    return deadlinesMissed.get();
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
