package dev.statekeeper.ops;

import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.ops.AlertCheck.Outcome;
import dev.statekeeper.store.Store;
import dev.statekeeper.jobs.Job;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alert rules evaluated inside the server every {@code alert-interval}: store unreachable, 5xx
 * share and p99 latency over {@code alert-window}, busy connections, free disk, and the rules the
 * capabilities hand in ({@code Capability.alerts}: CRITICAL SLA compliance from {@code Tasks}). A rule that starts or stops holding is logged and, with {@code
 * alert-webhook}, POSTed (see {@link AlertWebhook}). The error-rate and latency rules need at
 * least {@link #MIN_REQUESTS} requests in the window, so one slow request in a quiet minute does
 * not page anyone.
 *
 * <p>Concurrency: one evaluation at a time ({@link #evaluating}: the scheduler thread, or a
 * caller of {@link #evaluateNow}); {@link #active} is a concurrent map read by {@code
 * /v1/ops/alerts} and the dashboard.
 */
public final class Alerts implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Alerts.class);

  /** Fewer requests than this in the window make the error-rate and latency rules abstain. */
  public static final int MIN_REQUESTS = 20;

  /** What one evaluation reads, once, for all rules. */
  record Readings(
      Store.Probe store,
      Store.PoolStats pool,
      Optional<Store.WriterStats> writer,
      Optional<Double> writerBusyPercent,
      Optional<DiskSpace> disk,
      RequestWindow.Figures requests) {}

  interface Condition {
    Outcome evaluate(Readings r);
  }

  record Rule(AlertRule rule, Condition condition) {}

  private final List<Rule> rules;
  private final Store store;
  private final Path dataDir;
  private final RequestWindow requests;
  private final InstantSource clock;
  private final Duration interval;
  private final AlertWebhook webhook; // null: log only
  private final Map<String, Alert> active = new ConcurrentHashMap<>();
  private volatile double storeUp = Double.NaN; // the last probe's answer, for statekeeper_store_up
  private final ReentrantLock evaluating = new ReentrantLock(); // one evaluation at a time
  private Store.WriterStats lastWriter; // guarded by evaluating
  private Instant lastWriterAt; // guarded by evaluating
  private final Job job;

  Alerts(
      StatekeeperConfig config,
      Store store,
      List<AlertCheck> contributed,
      RequestWindow requests,
      MeterRegistry meters,
      InstantSource clock,
      Duration webhookBackoff) {
    this.store = store;
    this.dataDir = config.store().dataDir();
    this.requests = requests;
    this.clock = clock;
    this.interval = config.ops().alertInterval();
    List<Rule> all = new ArrayList<>(rules(config.ops()));
    for (AlertCheck check : contributed) {
      all.add(new Rule(check.rule(), r -> r.store().up() ? check.evaluate().get() : Outcome.no("store unreachable")));
    }
    this.rules = List.copyOf(all);
    this.webhook =
        config.ops().alertWebhook() == null ? null : new AlertWebhook(config.ops().alertWebhook(), instanceName(config), meters, webhookBackoff);
    for (Rule r : rules) {
      Gauge.builder("statekeeper.alerts.firing", active, m -> m.containsKey(r.rule().name()) ? 1 : 0)
          .description("1 while the alert rule holds")
          .tag("alertname", r.rule().name())
          .tag("severity", r.rule().severity())
          .register(meters);
    }
    Gauge.builder("statekeeper.store.up", this, a -> a.storeUp)
        .description("1 when the store answered the last probe of the alert evaluator, 0 when not")
        .register(meters);
    this.job = Job.every("alerts", interval, () -> {
          evaluateNow();
          return false;
        })
        .describedAs("alert evaluation")
        .firstAfterOneInterval();
  }

  /** The job that evaluates every rule each {@code alert-interval}. */
  Job job() {
    return job;
  }

  private static List<Rule> rules(OpsSettings o) {
    List<Rule> rules = new ArrayList<>();
    rules.add(new Rule(
        new AlertRule("StatekeeperStoreUnreachable", "critical", "the database does not answer", "unreachable"),
        r -> r.store().up()
            ? Outcome.no("reachable")
            : new Outcome(true, "unreachable", "the store does not answer: " + r.store().error())));
    if (o.alertErrorRateMaxPercent() != null) {
      double max = o.alertErrorRateMaxPercent();
      rules.add(new Rule(
          new AlertRule("StatekeeperErrorRateHigh", "critical",
              "share of 5xx answers over " + dev.statekeeper.config.Setting.format(o.alertWindow()), "> " + pct(max)),
          r -> {
            if (r.requests().requests() < MIN_REQUESTS) return Outcome.no("too few requests");
            String value = pct(100 * r.requests().errorRatio());
            return 100 * r.requests().errorRatio() > max
                ? new Outcome(true, value, value + " of " + r.requests().requests() + " requests answered 5xx")
                : Outcome.no(value);
          }));
    }
    if (o.alertP99Max() != null) {
      double maxSeconds = o.alertP99Max().toNanos() / 1e9;
      rules.add(new Rule(
          new AlertRule("StatekeeperLatencyP99High", "warning",
              "99th percentile of request latency over " + dev.statekeeper.config.Setting.format(o.alertWindow()),
              "> " + dev.statekeeper.config.Setting.format(o.alertP99Max())),
          r -> {
            if (r.requests().requests() < MIN_REQUESTS) return Outcome.no("too few requests");
            double p99 = r.requests().quantileSeconds(0.99);
            String value = Math.round(p99 * 1000) + "ms";
            return p99 > maxSeconds
                ? new Outcome(true, value, "p99 request latency is " + value)
                : Outcome.no(value);
          }));
    }
    if (o.alertPoolBusyMaxPercent() != null) {
      double max = o.alertPoolBusyMaxPercent();
      rules.add(new Rule(
          new AlertRule("StatekeeperPoolBusy", "warning",
              "share of database connections in use (SQLite: also of the time its single writer was busy)", "> " + pct(max)),
          r -> {
            double pool = r.pool().max() == 0 ? Double.NaN : 100.0 * r.pool().active() / r.pool().max();
            double writer = r.writerBusyPercent().orElse(Double.NaN);
            if (Double.isNaN(pool) && Double.isNaN(writer)) return Outcome.no("no pool");
            String value = pct(Double.isNaN(writer) ? pool : Double.isNaN(pool) ? writer : Math.max(pool, writer));
            List<String> why = new ArrayList<>();
            if (pool > max) {
              why.add(r.pool().active() + " of " + r.pool().max() + " connections are busy, " + r.pool().waiting() + " requests wait");
            }
            if (writer > max) {
              why.add("SQLite's single writer was busy " + pct(writer) + " of the time since the last evaluation, "
                  + r.writer().map(Store.WriterStats::waiting).orElse(0) + " writes wait");
            }
            return why.isEmpty() ? Outcome.no(value) : new Outcome(true, value, String.join("; ", why));
          }));
    }
    if (o.diskMinFreePercent() > 0) {
      double min = o.diskMinFreePercent();
      rules.add(new Rule(
          new AlertRule("StatekeeperDiskSpaceLow", "warning", "free space on the data directory's disk", "< " + pct(min)),
          r -> {
            if (r.disk().isEmpty()) return Outcome.no("unknown");
            double free = r.disk().get().freePercent();
            String value = pct(free);
            return free < min
                ? new Outcome(true, value, "only " + value + " of the disk holding " + r.disk().get().path() + " is free")
                : Outcome.no(value);
          }));
    }
    return List.copyOf(rules);
  }

  /** The configured rules. */
  public List<AlertRule> rules() {
    return rules.stream().map(Rule::rule).toList();
  }

  /** Alerts firing now, oldest first. */
  public List<Alert> firing() {
    return active.values().stream().sorted(Comparator.comparing(Alert::startsAt).thenComparing(Alert::name)).toList();
  }

  /** Evaluates every rule now (the schedule does this every {@code alert-interval}). */
  public void evaluateNow() {
    evaluating.lock();
    try {
      evaluate();
    } finally {
      evaluating.unlock();
    }
  }

  private void evaluate() {
    Readings r = read();
    // Whole seconds: what operators read (RFC 3339 UTC in the API, the dashboard and the webhook);
    // an evaluation every few seconds has no finer meaning.
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    for (Rule rule : rules) {
      Outcome o = rule.condition().evaluate(r);
      String name = rule.rule().name();
      Alert current = active.get(name);
      if (o.holds() && current != null) {
        // Still firing: the reading and the sentence follow what is measured now, not what was
        // measured when it started (the dashboard must not say "only 28.6 %" beside an SLA card
        // at 54.2 %). No new notification: receivers hear of starts and ends.
        active.put(name, new Alert(name, current.severity(), o.summary(), o.value(), current.threshold(), current.startsAt(), null));
      } else if (o.holds()) {
        Alert fired = new Alert(name, rule.rule().severity(), o.summary(), o.value(), rule.rule().threshold(), now, null);
        active.put(name, fired);
        log.atWarn().addKeyValue("alertname", name).addKeyValue("severity", fired.severity())
            .log("alert {} firing: {} (threshold {})", name, o.summary(), rule.rule().threshold());
        notify(fired);
      } else if (!o.holds() && current != null) {
        active.remove(name);
        Alert resolved = new Alert(name, current.severity(), current.summary(), o.value(), current.threshold(), current.startsAt(), now);
        log.atInfo().addKeyValue("alertname", name).addKeyValue("severity", resolved.severity())
            .log("alert {} resolved after {} s: now {}", name, Duration.between(current.startsAt(), now).toSeconds(), o.value());
        notify(resolved);
      }
    }
  }

  private void notify(Alert alert) {
    if (webhook != null) {
      webhook.send(alert);
    }
  }

  private Readings read() {
    Store.Probe probe = store.probe(BuiltInChecks.PROBE_TIMEOUT);
    storeUp = probe.up() ? 1 : 0;
    Optional<DiskSpace> disk;
    try {
      disk = Optional.of(DiskSpace.of(dataDir));
    } catch (Exception e) {
      disk = Optional.empty();
    }
    Optional<Store.WriterStats> writer = store.writerStats();
    return new Readings(probe, store.poolStats(), writer, writer.flatMap(this::writerBusyPercent), disk, requests.sample());
  }

  /**
   * Share of the time since the previous evaluation that SQLite's writer spent writing (from 0 to
   * 100); empty on the first evaluation. The writer measures its own busy time; the window is the
   * evaluator's clock.
   */
  private Optional<Double> writerBusyPercent(Store.WriterStats now) {
    Instant at = clock.instant();
    Store.WriterStats before = lastWriter;
    Instant beforeAt = lastWriterAt;
    lastWriter = now;
    lastWriterAt = at;
    if (before == null) return Optional.empty();
    long window = Duration.between(beforeAt, at).toNanos();
    if (window <= 0) return Optional.empty();
    double busy = 100.0 * now.busy().minus(before.busy()).toNanos() / window;
    return Optional.of(Math.max(0, Math.min(100, busy)));
  }

  /** A percentage as rules show it: {@code 95%}, {@code 28.6%}. */
  public static String pct(double v) {
    return (v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v)) + "%";
  }

  private static String instanceName(StatekeeperConfig config) {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "localhost";
    }
    return host + ":" + config.http().port();
  }

  /** Stops the webhook's sender (the evaluation job is stopped by its runner). */
  @Override
  public void close() {
    if (webhook != null) {
      webhook.close();
    }
  }
}
