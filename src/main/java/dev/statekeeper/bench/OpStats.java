package dev.statekeeper.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies and outcomes of one kind of operation (create, claim, complete, check, …): an
 * HdrHistogram in microseconds for the whole run, one per phase, a per-second series for the
 * report, and counts of answers by status.
 *
 * <p>Concurrency: {@link Recorder} takes values from any thread; the interval histograms are
 * read by the one sampling thread; counters are atomics.
 */
final class OpStats {

  static final long MAX_MICROS = 3_600_000_000L;

  final String name;
  private final Recorder recorder = new Recorder(MAX_MICROS, 3);
  private final Histogram total = new Histogram(MAX_MICROS, 3);
  private final Map<String, Histogram> byPhase = new TreeMap<>();
  private final Map<Integer, AtomicLong> byStatus = new ConcurrentHashMap<>();
  private final List<Point> series = new ArrayList<>();

  /** One second of the run. */
  record Point(double second, String phase, long count, double p50Ms, double p99Ms, double maxMs) {}

  OpStats(String name) {
    this.name = name;
  }

  void record(long micros, int status) {
    recorder.recordValue(Math.max(1, Math.min(MAX_MICROS, micros)));
    byStatus.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
  }

  /** Takes what was recorded since the last sample into the totals (one sampling thread). */
  synchronized void sample(double second, String phase) {
    Histogram h = recorder.getIntervalHistogram();
    total.add(h);
    byPhase.computeIfAbsent(phase, p -> new Histogram(MAX_MICROS, 3)).add(h);
    series.add(new Point(second, phase, h.getTotalCount(), ms(h, 50), ms(h, 99), h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0));
  }

  synchronized Histogram total() {
    return total.copy();
  }

  synchronized Map<String, Histogram> phases() {
    Map<String, Histogram> copy = new TreeMap<>();
    byPhase.forEach((k, v) -> copy.put(k, v.copy()));
    return copy;
  }

  synchronized List<Point> series() {
    return List.copyOf(series);
  }

  Map<Integer, Long> statuses() {
    Map<Integer, Long> m = new TreeMap<>();
    byStatus.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }

  long errors() {
    return byStatus.entrySet().stream().filter(e -> e.getKey() < 200 || e.getKey() >= 300).mapToLong(e -> e.getValue().get()).sum();
  }

  static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }
}
