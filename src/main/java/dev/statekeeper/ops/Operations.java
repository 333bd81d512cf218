package dev.statekeeper.ops;

import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.store.Store;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * Operations of one instance, the front door of this package: the {@link Metrics}, the {@link
 * HealthChecks} registry (with the database, pool and disk checks already in it) and the {@link
 * Alerts} evaluated in the background. Generic: what a capability watches of itself comes in as
 * its health checks and alert rules ({@code dev.statekeeper.Capability}), which {@code
 * Statekeeper} registers here.
 */
public final class Operations implements AutoCloseable {

  private final Metrics metrics;
  private final HealthChecks health = new HealthChecks();
  private final Alerts alerts;

  private Operations(
      StatekeeperConfig config, Store store, Metrics metrics, IntSupplier pendingMigrations, List<AlertCheck> alertChecks,
      InstantSource clock) {
    this.metrics = metrics;
    metrics.bindDiskSpace(config.store().dataDir()); // now that the store has made it
    OpsSettings o = config.ops();
    health.registerCritical("database", BuiltInChecks.database(store, pendingMigrations));
    health.register("pool", BuiltInChecks.pool(store, o.alertPoolBusyMaxPercent() == null ? 100 : o.alertPoolBusyMaxPercent()));
    health.register("disk", BuiltInChecks.disk(config.store().dataDir(), o.diskMinFreePercent()));
    RequestWindow window = new RequestWindow(metrics.registry(), o.alertWindow(), clock);
    this.alerts = new Alerts(config, store, alertChecks, window, metrics.registry(), clock, Duration.ofMillis(500));
  }

  /**
   * Registers the built-in health checks (database, pool, disk) and runs the alert evaluation —
   * the built-in rules and {@code alertChecks}, the capabilities' — on {@code runner}.
   */
  public static Operations start(
      StatekeeperConfig config, Store store, Metrics metrics, IntSupplier pendingMigrations, List<AlertCheck> alertChecks,
      dev.statekeeper.jobs.JobRunner runner) {
    Operations ops = new Operations(config, store, metrics, pendingMigrations, alertChecks, InstantSource.system());
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

  @Override
  public void close() {
    alerts.close();
  }
}
