package dev.statekeeper.ops;

import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.store.Store;
import dev.statekeeper.tasks.TaskCensus;
import dev.statekeeper.tasks.Tasks;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * Operations of one instance, the front door of this package: the {@link Metrics}, the {@link
 * HealthChecks} registry (with the database, pool, disk and lease-reaper checks already in it),
 * the task census behind the task gauges, and the {@link Alerts} evaluated in the background.
 * {@code Statekeeper} opens it; other capabilities reach it through {@code sk.health()} and
 * {@code sk.meterRegistry()}.
 */
public final class Operations implements AutoCloseable {

  private final Metrics metrics;
  private final HealthChecks health = new HealthChecks();
  private final TaskGauges taskGauges;
  private final Alerts alerts;

  private Operations(
      StatekeeperConfig config, Store store, Tasks tasks, Metrics metrics, IntSupplier pendingMigrations, InstantSource clock) {
    this.metrics = metrics;
    metrics.bindDiskSpace(config.store().dataDir()); // now that the store has made it
    dev.statekeeper.ops.OpsSettings o = config.ops();
    health.registerCritical("database", BuiltInChecks.database(store, pendingMigrations));
    health.register("pool", BuiltInChecks.pool(store, o.alertPoolBusyMaxPercent() == null ? 100 : o.alertPoolBusyMaxPercent()));
    health.register("disk", BuiltInChecks.disk(config.store().dataDir(), o.diskMinFreePercent()));
    health.register("lease_reaper", BuiltInChecks.leaseReaper(tasks, config.tasks().reaperInterval(), clock, clock.instant()));
    this.taskGauges = new TaskGauges(tasks::census, config.tasks().metricsRefresh());
    if (metrics.enabled()) {
      taskGauges.register(metrics.registry());
    }
    RequestWindow window = new RequestWindow(metrics.registry(), o.alertWindow(), clock);
    this.alerts =
        new Alerts(config, store, taskGauges::current, window, metrics.registry(), clock, Duration.ofMillis(500));
  }

  /** Registers the built-in health checks and task gauges, and runs the alert evaluation on {@code runner}. */
  public static Operations start(
      StatekeeperConfig config, Store store, Tasks tasks, Metrics metrics, IntSupplier pendingMigrations,
      dev.statekeeper.jobs.JobRunner runner) {
    Operations ops = new Operations(config, store, tasks, metrics, pendingMigrations, InstantSource.system());
    runner.start(ops.alerts.job());
    return ops;
  }

  public Metrics metrics() {
    return metrics;
  }

  public HealthChecks health() {
    return health;
  }

  public Alerts alerts() {
    return alerts;
  }

  /** The cached task census (at most {@code metrics-refresh} old once warm); empty when the store fails. */
  public Optional<TaskCensus> census() {
    return taskGauges.current();
  }

  @Override
  public void close() {
    alerts.close();
  }
}
