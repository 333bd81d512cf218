package dev.statekeeper.ops;

import dev.statekeeper.StatekeeperConfig;
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
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;

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
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new DiskSpaceMetrics(DiskSpace.existingAncestor(config.dataDir()).toFile()).bindTo(registry);
    this.gc = new JvmGcMetrics();
    gc.bindTo(registry);
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
