package dev.statekeeper.sessions;

import java.time.Duration;
import java.time.Instant;
import dev.statekeeper.jobs.Job;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The background job that removes session events older than {@code session-event-retention},
 * every {@code retention-interval}, oldest first in batches of {@link #BATCH} (each one short
 * statement, so appenders never wait long). Sessions themselves, their state and their {@code
 * event_count} stay; reading events after a removed {@code seq} simply starts at the oldest kept.
 *
 * <p>Concurrency: the job's passes never overlap (a pass requested by {@code
 * Sessions.runRetentionNow} waits for one in flight); the counter is an atomic.
 */
final class EventRetention {

  static final int BATCH = 500;

  private final SessionRepository repository;
  private final Duration retention; // null: keep every event
  private final Job job;
  private final AtomicLong removed = new AtomicLong();

  EventRetention(SessionRepository repository, Duration retention, Duration interval) {
    this.repository = repository;
    this.retention = retention;
    this.job = Job.every("session_event_retention", interval, this::pass).describedAs("session event retention");
  }

  /** The job, when events are not kept forever. */
  java.util.Optional<Job> job() {
    return retention == null ? java.util.Optional.empty() : java.util.Optional.of(job);
  }

  /** One full pass now, on the calling thread. */
  void runNow() {
    job.runNow();
  }

  private boolean pass() {
    if (retention != null) {
      int n;
      do {
        n = repository.purgeEvents(retention, BATCH);
        removed.addAndGet(n);
      } while (n == BATCH);
    }
    return false;
  }

  Instant lastRun() {
    return job.lastRun();
  }

  long removed() {
    return removed.get();
  }

  long failures() {
    return job.failures();
  }
}
