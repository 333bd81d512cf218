package dev.statekeeper.jobs;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs background {@link Job}s, each on a daemon platform thread of its own ({@code
 * statekeeper-<name>}), and counts their failed passes in {@code
 * statekeeper_background_failures_total{loop="<name>"}}. The one runner under every loop of
 * Statekeeper: the lease reaper, retention, alerts, the embedding workers, the vector indexes,
 * scheduled backups, folder sync.
 *
 * <p>Concurrency: {@link #start} and {@link #close} are guarded by {@link #lock}; each job's state
 * is its own (see {@link Job}). {@link #close} stops every job and waits for passes in flight (at
 * most {@code joinTimeout} each), never interrupting them.
 */
public final class JobRunner implements AutoCloseable {

  private final MeterRegistry meters;
  private final InstantSource clock;
  private final Duration joinTimeout;
  private final ReentrantLock lock = new ReentrantLock();
  private final List<Running> running = new ArrayList<>(); // guarded by lock
  private boolean closed; // guarded by lock

  private record Running(Job job, Thread thread) {}

  public JobRunner(MeterRegistry meters, InstantSource clock, Duration joinTimeout) {
    this.meters = meters;
    this.clock = clock;
    this.joinTimeout = joinTimeout;
  }

  /** A runner for one capability used on its own (tests, tools), without meters. */
  public static JobRunner standalone() {
    return new JobRunner(new CompositeMeterRegistry(), InstantSource.system(), Duration.ofSeconds(10));
  }

  /** Starts {@code job}: its first pass runs at once. */
  public Job start(Job job) {
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("the job runner is closed; cannot start " + job.name());
      }
      job.useClock(clock);
      FunctionCounter.builder("statekeeper.background.failures", job, Job::failures)
          .description("Failed passes of background loops (each is logged and retried)")
          .tag("loop", job.name())
          .register(meters);
      Thread t = Thread.ofPlatform().daemon().name("statekeeper-" + job.name().replace('_', '-')).start(job::loop);
      running.add(new Running(job, t));
      return job;
    } finally {
      lock.unlock();
    }
  }

  /** Starts every job of {@code jobs}. */
  public void startAll(List<Job> jobs) {
    jobs.forEach(this::start);
  }

  /** Stops {@code job} (started here) and waits for a pass in flight to end. */
  public void stop(Job job) {
    Running r;
    lock.lock();
    try {
      r = running.stream().filter(x -> x.job() == job).findFirst().orElse(null);
      if (r != null) running.remove(r);
    } finally {
      lock.unlock();
    }
    if (r != null) {
      join(r);
    }
  }

  @Override
  public void close() {
    List<Running> all;
    lock.lock();
    try {
      closed = true;
      all = List.copyOf(running);
      running.clear();
    } finally {
      lock.unlock();
    }
    all.forEach(r -> r.job().stop());
    all.forEach(this::join);
  }

  private void join(Running r) {
    r.job().stop();
    try {
      r.thread().join(joinTimeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
