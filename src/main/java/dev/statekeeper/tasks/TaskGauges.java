package dev.statekeeper.tasks;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Task gauges over every tenant, from a census that scans the tasks table. The census is cached:
 * a scrape never waits for it except the very first; after {@code metrics-refresh} the next read
 * starts a refresh in the background and meanwhile answers from the previous census (Caffeine's
 * refresh-after-write). While the database is unreachable, the last census stays.
 *
 * <p>Concurrency: Caffeine guards the one cached census; at most one refresh runs at a time.
 */
final class TaskGauges {

  private static final Logger log = LoggerFactory.getLogger(TaskGauges.class);
  private static final String KEY = "census";

  private final LoadingCache<String, TaskCensus> cache;

  TaskGauges(Supplier<TaskCensus> census, Duration refresh) {
    this.cache =
        Caffeine.newBuilder()
            .refreshAfterWrite(refresh)
            .executor(task -> Thread.ofVirtual().name("statekeeper-task-census").start(task))
            .build(key -> census.get());
  }

  /** The cached census, taking the first one now if there is none; empty when that fails. */
  Optional<TaskCensus> current() {
    try {
      return Optional.of(cache.get(KEY));
    } catch (RuntimeException e) {
      log.debug("task census unavailable: {}", e.toString());
      return Optional.empty();
    }
  }

  void register(MeterRegistry meters) {
    for (Priority p : Priority.values()) {
      for (TaskStatus s : TaskStatus.values()) {
        gauge("statekeeper.tasks", "Tasks of every tenant by priority and status (cached census)",
            c -> c.tasks().get(p).get(s))
            .tag("priority", p.name()).tag("status", s.wireName()).register(meters);
      }
      gauge("statekeeper.tasks.oldest.pending.age", "How long the oldest runnable pending task has waited (0 when none)",
          c -> c.oldestPendingAgeSeconds().getOrDefault(p, 0.0))
          .tag("priority", p.name()).baseUnit("seconds").register(meters);
      for (SlaStatus o : new SlaStatus[] {SlaStatus.PENDING, SlaStatus.MET, SlaStatus.VIOLATED}) {
        gauge("statekeeper.tasks.sla", "Tasks with a deadline by SLA outcome, all time",
            c -> c.sla().get(p).get(o))
            .tag("priority", p.name()).tag("outcome", o.wireName()).register(meters);
        if (o != SlaStatus.PENDING) {
          gauge("statekeeper.tasks.sla.recent", "SLA outcomes among tasks last changed within the hour",
              c -> c.slaRecent().get(p).get(o))
              .tag("priority", p.name()).tag("outcome", o.wireName()).register(meters);
        }
      }
      gauge("statekeeper.tasks.sla.compliance", "Share of SLAs met among those settled within the hour (NaN: none)",
          c -> c.slaComplianceRecent(p))
          .tag("priority", p.name()).baseUnit("ratio").register(meters);
    }
    Gauge.builder("statekeeper.tasks.census.age", this,
            g -> g.current().map(c -> Duration.between(c.takenAt(), Instant.now()).toMillis() / 1000.0).orElse(Double.NaN))
        .description("Age of the census behind the task gauges")
        .baseUnit("seconds")
        .register(meters);
  }

  private Gauge.Builder<TaskGauges> gauge(String name, String description, ToDoubleFunction<TaskCensus> value) {
    return Gauge.builder(name, this, g -> g.current().map(value::applyAsDouble).orElse(Double.NaN))
        .description(description);
  }
}
