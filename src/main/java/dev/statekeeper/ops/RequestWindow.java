package dev.statekeeper.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * HTTP figures over a sliding window, for the alert rules: requests, the share of 5xx answers,
 * and latency quantiles. Each {@link #sample()} adds up every {@code http.server.requests} timer
 * (cumulative counts and histogram buckets); the window is the difference between the newest
 * sample and the oldest one still inside it — what Prometheus computes with {@code increase(…[5m])}
 * and {@code histogram_quantile}, and what the dashboard computes from two scrapes.
 *
 * <p>Concurrency: sampling and reading happen on the alert evaluator's thread; {@link #samples}
 * is guarded by {@code this}.
 */
final class RequestWindow {

  static final String TIMER = "http.server.requests";

  record Sample(Instant at, long count, long errors, TreeMap<Double, Double> buckets) {}

  /** Requests, 5xx answers and the latency distribution within the window. */
  record Figures(Duration span, long requests, long errors, TreeMap<Double, Double> buckets) {
    double errorRatio() {
      return requests == 0 ? Double.NaN : (double) errors / requests;
    }

    /** The {@code q} quantile in seconds, interpolated within its bucket like histogram_quantile; NaN without requests. */
    double quantileSeconds(double q) {
      return quantile(buckets, q);
    }
  }

  private final MeterRegistry meters;
  private final Duration window;
  private final InstantSource clock;
  private final Deque<Sample> samples = new ArrayDeque<>();

  RequestWindow(MeterRegistry meters, Duration window, InstantSource clock) {
    this.meters = meters;
    this.window = window;
    this.clock = clock;
  }

  /** Adds a sample of the timers now and returns the figures of the window ending now. */
  synchronized Figures sample() {
    Sample now = take();
    samples.addLast(now);
    // keep, as the baseline, the newest sample at or before the window's start
    Instant start = now.at().minus(window);
    while (samples.size() > 1) {
      var it = samples.iterator();
      it.next();
      if (it.next().at().isAfter(start)) {
        break;
      }
      samples.removeFirst();
    }
    Sample base = samples.getFirst();
    TreeMap<Double, Double> buckets = new TreeMap<>();
    now.buckets().forEach((le, c) -> buckets.put(le, c - base.buckets().getOrDefault(le, 0.0)));
    return new Figures(Duration.between(base.at(), now.at()), now.count() - base.count(), now.errors() - base.errors(), buckets);
  }

  private Sample take() {
    long count = 0;
    long errors = 0;
    TreeMap<Double, Double> buckets = new TreeMap<>();
    for (Timer t : meters.find(TIMER).timers()) {
      HistogramSnapshot s = t.takeSnapshot();
      count += s.count();
      String status = t.getId().getTag("status");
      if (status != null && status.startsWith("5")) {
        errors += s.count();
      }
      for (CountAtBucket b : s.histogramCounts()) {
        buckets.merge(b.bucket(TimeUnit.SECONDS), b.count(), Double::sum);
      }
      buckets.merge(Double.POSITIVE_INFINITY, (double) s.count(), Double::sum);
    }
    return new Sample(clock.instant(), count, errors, buckets);
  }

  /**
   * Prometheus' histogram_quantile over cumulative buckets (upper bound → count of values at or
   * below it): finds the bucket holding the rank and interpolates linearly inside it. Above the
   * highest finite bound it answers that bound.
   */
  static double quantile(TreeMap<Double, Double> cumulative, double q) {
    Double total = cumulative.get(Double.POSITIVE_INFINITY);
    if (total == null || total <= 0) {
      return Double.NaN;
    }
    double rank = q * total;
    double lowerBound = 0;
    double lowerCount = 0;
    for (var e : cumulative.entrySet()) {
      double le = e.getKey();
      double c = e.getValue();
      if (c >= rank) {
        if (Double.isInfinite(le)) {
          return lowerBound;
        }
        double inBucket = c - lowerCount;
        return inBucket <= 0 ? le : lowerBound + (le - lowerBound) * (rank - lowerCount) / inBucket;
      }
      lowerBound = le;
      lowerCount = c;
    }
    return lowerBound;
  }
}
