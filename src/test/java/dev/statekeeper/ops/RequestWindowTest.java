package dev.statekeeper.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RequestWindowTest {

  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final InstantSource clock = () -> now.get();

  private Timer timer(String status) {
    return Timer.builder(RequestWindow.TIMER)
        .tags("method", "GET", "uri", "/x", "status", status, "outcome", "x")
        .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1))
        .register(meters);
  }

  @Test
  void theWindow_countsOnlyRequestsSinceItsStart_andTheShareOf5xx() {
    RequestWindow w = new RequestWindow(meters, Duration.ofMinutes(5), clock);
    for (int i = 0; i < 10; i++) timer("200").record(Duration.ofMillis(5));
    w.sample();
    now.set(now.get().plus(Duration.ofMinutes(6)));
    w.sample(); // the 10 requests above are now older than the window
    for (int i = 0; i < 9; i++) timer("200").record(Duration.ofMillis(5));
    timer("503").record(Duration.ofMillis(5));
    now.set(now.get().plus(Duration.ofSeconds(30)));

    RequestWindow.Figures f = w.sample();

    assertThat(f.requests()).isEqualTo(10);
    assertThat(f.errors()).isEqualTo(1);
    assertThat(f.errorRatio()).isEqualTo(0.1);
  }

  @Test
  void quantiles_interpolateWithinTheirBucket_likeHistogramQuantile() {
    RequestWindow w = new RequestWindow(meters, Duration.ofMinutes(5), clock);
    w.sample();
    for (int i = 0; i < 90; i++) timer("200").record(Duration.ofMillis(5)); // bucket (0, 10ms]
    for (int i = 0; i < 10; i++) timer("200").record(Duration.ofMillis(500)); // bucket (100ms, 1s]
    now.set(now.get().plusSeconds(10));

    RequestWindow.Figures f = w.sample();

    assertThat(f.quantileSeconds(0.5)).isCloseTo(0.010 * 50 / 90, within(1e-9));
    assertThat(f.quantileSeconds(0.99)).isCloseTo(0.1 + 0.9 * 9 / 10, within(1e-9));
    assertThat(f.quantileSeconds(0.90)).isCloseTo(0.010, within(1e-9));
  }

  @Test
  void withoutRequests_quantilesAreNaN() {
    assertThat(RequestWindow.quantile(new TreeMap<>(), 0.99)).isNaN();
  }
}
