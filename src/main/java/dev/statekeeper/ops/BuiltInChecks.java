package dev.statekeeper.ops;

import dev.statekeeper.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;

/** The checks every instance has: database, pool, disk (the capabilities add theirs, e.g. the lease reaper in {@code Tasks}). */
final class BuiltInChecks {

  /** How long the database may take to answer {@code SELECT 1} in a health check. */
  static final Duration PROBE_TIMEOUT = Duration.ofMillis(1500);

  private BuiltInChecks() {}

  /** DOWN when the store does not answer or migrations are pending; its round trip otherwise. */
  static HealthCheck database(Store store, IntSupplier pendingMigrations) {
    return () -> {
      Store.Probe probe = store.probe(PROBE_TIMEOUT);
      int pending = pendingMigrations.getAsInt();
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("store", store.dialect().name().toLowerCase(Locale.ROOT));
      d.put("latency_ms", round(probe.latency().toNanos() / 1e6));
      d.put("pending_migrations", pending);
      if (!probe.up()) {
        d.put("error", probe.error());
        return Health.down(d);
      }
      if (pending > 0) {
        d.put("error", pending + " migrations are pending; run 'statekeeper migrate'");
        return Health.down(d);
      }
      return Health.up(d);
    };
  }

  /**
   * DEGRADED when requests wait for a connection or the busy share reaches {@code busyMaxPercent};
   * on SQLite the details add the single writer's figures (its busy share over time is the
   * PoolBusy alert's, which needs two readings).
   */
  static HealthCheck pool(Store store, double busyMaxPercent) {
    return () -> {
      Store.PoolStats p = store.poolStats();
      double busy = p.max() == 0 ? 0 : 100.0 * p.active() / p.max();
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("active", p.active());
      d.put("idle", p.idle());
      d.put("waiting", p.waiting());
      d.put("max", p.max());
      d.put("busy_percent", round(busy));
      store.writerStats().ifPresent(w -> {
        Map<String, Object> writer = new LinkedHashMap<>(); // SQLite's single writer, beside the read pool
        writer.put("active", w.active());
        writer.put("waiting", w.waiting());
        writer.put("busy_seconds", round(w.busy().toNanos() / 1e9));
        writer.put("groups", w.groups());
        d.put("writer", writer);
      });
      if (p.waiting() > 0 || busy >= busyMaxPercent) {
        d.put("reason", p.waiting() > 0 ? p.waiting() + " requests wait for a connection" : "the pool is " + round(busy) + "% busy");
        return Health.degraded(d);
      }
      return Health.up(d);
    };
  }

  /** DEGRADED when the data directory's file system has less than {@code minFreePercent} free. */
  static HealthCheck disk(Path dataDir, double minFreePercent) {
    return () -> {
      DiskSpace s = DiskSpace.of(dataDir);
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("path", s.path().toString());
      d.put("free_bytes", s.freeBytes());
      d.put("total_bytes", s.totalBytes());
      d.put("free_percent", round(s.freePercent()));
      d.put("threshold_percent", minFreePercent);
      if (s.freePercent() < minFreePercent) {
        d.put("reason", "less than " + minFreePercent + "% of the disk is free");
        return Health.degraded(d);
      }
      return Health.up(d);
    };
  }

  public static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
