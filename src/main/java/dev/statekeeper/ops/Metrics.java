package dev.statekeeper.ops;

import dev.statekeeper.StatekeeperConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * The meters of one Statekeeper instance, exposed in Prometheus' text format. Every capability
 * registers its meters in {@link #registry()} (Micrometer; the names follow Micrometer's
 * Prometheus conventions: {@code http_server_requests_seconds}, {@code hikaricp_connections_*},
 * {@code jvm_*}, {@code cache_gets_total}, {@code statekeeper_*}).
 *
 * <p>With {@code metrics=off} the registry is an empty composite: meters registered in it record
 * nothing, which is how the cost of metrics on the hot path is measured.
 */
public final class Metrics implements AutoCloseable {

  /** Content type of {@link #scrape(OutputStream)}. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final MeterRegistry registry;
  private final PrometheusMeterRegistry prometheus; // null when off
  private final JvmGcMetrics gc; // null when off

  private Metrics(StatekeeperConfig config) {
    if (!config.ops().metricsEnabled()) {
      this.prometheus = null;
      this.gc = null;
      this.registry = new CompositeMeterRegistry();
      return;
    }
    this.prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.registry = prometheus;
    promtoolClean(prometheus);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    processCpuSeconds(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    this.gc = new JvmGcMetrics();
    gc.bindTo(registry);
  }

  /**
   * Two of Micrometer's binders export names {@code promtool check metrics} refuses: {@code
   * process_cpu_time_ns_total} (an abbreviated unit, and not in seconds) and {@code
   * system_cpu_count} (a gauge ending in {@code _count}, which Prometheus reserves for
   * histograms and summaries). The first is replaced by {@code process_cpu_seconds_total}, the
   * name Prometheus' own clients use; the second is renamed {@code system_cpus}, the plural of
   * what it counts, as Prometheus' naming guide asks of gauges.
   */
  private static void promtoolClean(PrometheusMeterRegistry registry) {
    registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
      }
    });
  }

  /** CPU time of this process in seconds ({@code process_cpu_seconds_total}), where the JVM tells it. */
  private static void processCpuSeconds(MeterRegistry registry) {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        && os.getProcessCpuTime() >= 0) {
      FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
          .description("The CPU time used by the Java virtual machine process")
          .baseUnit("seconds")
          .register(registry);
    }
  }

  /**
   * Free and total space of the file system holding the data directory ({@code disk_free_bytes},
   * {@code disk_total_bytes}, labelled with its path). Bound once the store has made the
   * directory: bound earlier, the label named its nearest existing parent (the temp or working
   * directory on a first start).
   */
  void bindDiskSpace(Path dataDir) {
    if (prometheus != null) {
      new DiskSpaceMetrics(DiskSpace.existingAncestor(dataDir).toFile()).bindTo(registry);
    }
  }

  /** The registry for {@code config}: Prometheus, or (metrics off) one that records nothing. */
  public static Metrics create(StatekeeperConfig config) {
    return new Metrics(config);
  }

  public MeterRegistry registry() {
    return registry;
  }

  public boolean enabled() {
    return prometheus != null;
  }

  /** Writes every meter in Prometheus' text format 0.0.4. */
  public void scrape(OutputStream out) throws IOException {
    if (prometheus == null) {
      throw new IllegalStateException("metrics are off");
    }
    prometheus.scrape(out, CONTENT_TYPE);
  }

  /** Every meter in Prometheus' text format, as a string (tests, tools). */
  public String scrape() {
    if (prometheus == null) {
      throw new IllegalStateException("metrics are off");
    }
    return prometheus.scrape();
  }

  @Override
  public void close() {
    if (gc != null) {
      gc.close();
    }
    registry.close();
  }
}
