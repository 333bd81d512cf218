package dev.statekeeper.tasks;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.statekeeper.jobs.Job;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The background sweep of the task store, a {@link Job} run every {@code reaper-interval}: expired
 * leases go back to pending (or to failed on their last attempt), passed deadlines are settled as
 * violated, and idempotency keys older than their retention are forgotten (once a minute). Each
 * pass works in batches, so it never holds many rows at once; several nodes may run it together,
 * since every pick skips rows another node has locked.
 *
 * <p>Concurrency: the job's passes never overlap; counters are atomics, read by health checks.
 */
final class LeaseReaper {

  private static final int BATCH = 500;
  private static final Duration PURGE_EVERY = Duration.ofMinutes(1);

  private final TaskRepository repository;
  private final Arrivals arrivals;
  private final Duration idempotencyRetention;
  private final InstantSource clock;
  private final Job job;
  private final AtomicLong leasesExpired = new AtomicLong();
  private final AtomicLong deadlinesMissed = new AtomicLong();
  private Instant lastPurge = Instant.EPOCH; // the job's passes only

  LeaseReaper(
      TaskRepository repository,
      Arrivals arrivals,
      Duration interval,
      Duration idempotencyRetention,
      InstantSource clock) {
    this.repository = repository;
    this.arrivals = arrivals;
    this.idempotencyRetention = idempotencyRetention;
    this.clock = clock;
    this.job = Job.every("lease_reaper", interval, this::pass).describedAs("the lease reaper");
  }

  Job job() {
    return job;
  }

  /** One full pass; throws when the store fails (the job counts and logs it). */
  private boolean pass() {
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
    return false;
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

  long leasesExpired() {
    return leasesExpired.get();
  }

  long deadlinesMissed() {
    return deadlinesMissed.get();
  }
}
