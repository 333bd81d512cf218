package dev.statekeeper.tasks;

import dev.statekeeper.config.Setting;
import dev.statekeeper.config.Settings;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The task queue: default deadlines per priority, leases, the reaper, claim re-polls, retry
 * backoff, idempotency, and the census behind the task gauges and the SLA alert.
 *
 * @param metricsRefresh the task census runs at most this often
 * @param alertSlaMinPercent CRITICAL tasks' SLA compliance over the last hour below this fires an
 *     alert (null: off)
 */
public record TaskSettings(
    Map<Priority, Duration> slaDeadlines,
    Duration defaultLease,
    Duration maxLease,
    Duration reaperInterval,
    Duration claimPollInterval,
    Duration retryBaseDelay,
    Duration retryMaxDelay,
    Duration idempotencyRetention,
    Duration metricsRefresh,
    Double alertSlaMinPercent) {

  public static final Setting<Duration> SLA_CRITICAL = sla(Priority.CRITICAL, Duration.ofMinutes(5));
  public static final Setting<Duration> SLA_HIGH = sla(Priority.HIGH, null);
  public static final Setting<Duration> SLA_NORMAL = sla(Priority.NORMAL, null);
  public static final Setting<Duration> SLA_LOW = sla(Priority.LOW, null);
  public static final Setting<Duration> DEFAULT_LEASE = Setting.duration("default-lease", Duration.ofSeconds(30),
      "Lease of a claim that names none.");
  public static final Setting<Duration> MAX_LEASE = Setting.duration("max-lease", Duration.ofHours(1),
      "Longest lease a claim or heartbeat may ask for.");
  public static final Setting<Duration> REAPER_INTERVAL = Setting.duration("reaper-interval", Duration.ofSeconds(1),
      "How often expired leases and missed deadlines are swept.");
  public static final Setting<Duration> CLAIM_POLL_INTERVAL = Setting.duration("claim-poll-interval", Duration.ofSeconds(1),
      "How often a waiting claim re-checks besides being woken.");
  public static final Setting<Duration> RETRY_BASE_DELAY = Setting.duration("retry-base-delay", Duration.ofSeconds(1),
      "Backoff after a first failed attempt; doubles per attempt, with jitter.");
  public static final Setting<Duration> RETRY_MAX_DELAY = Setting.duration("retry-max-delay", Duration.ofMinutes(10),
      "Longest backoff.");
  public static final Setting<Duration> IDEMPOTENCY_RETENTION = Setting.duration("idempotency-retention", Duration.ofHours(24),
      "How long Idempotency-Key values are remembered.");
  public static final Setting<Duration> METRICS_REFRESH = Setting.duration("metrics-refresh", Duration.ofSeconds(10),
      "The task gauges come from a count over all tasks run at most this often.");
  public static final Setting<Double> ALERT_SLA_MIN = Setting.percent("alert-sla-min", 95.0,
      "Alert when CRITICAL tasks' SLA compliance over the last hour falls below this, or none.").orNone();

  private static Setting<Duration> sla(Priority p, Duration dflt) {
    return Setting.durationOrNone("sla-" + p.name().toLowerCase(Locale.ROOT), dflt,
        "Default deadline of " + p.name() + " tasks, or none.");
  }

  public static final List<Setting<?>> ALL = List.of(
      SLA_CRITICAL, SLA_HIGH, SLA_NORMAL, SLA_LOW, DEFAULT_LEASE, MAX_LEASE, REAPER_INTERVAL, CLAIM_POLL_INTERVAL,
      RETRY_BASE_DELAY, RETRY_MAX_DELAY, IDEMPOTENCY_RETENTION, METRICS_REFRESH, ALERT_SLA_MIN);

  public TaskSettings {
    slaDeadlines = Map.copyOf(slaDeadlines);
    if (defaultLease.compareTo(maxLease) > 0) {
      throw new IllegalArgumentException(
          "default-lease (" + Setting.format(defaultLease) + ") cannot exceed max-lease (" + Setting.format(maxLease) + ")");
    }
    if (retryBaseDelay.compareTo(retryMaxDelay) > 0) {
      throw new IllegalArgumentException("retry-base-delay (" + Setting.format(retryBaseDelay)
          + ") cannot exceed retry-max-delay (" + Setting.format(retryMaxDelay) + ")");
    }
  }

  public static TaskSettings from(Settings s) {
    Map<Priority, Duration> sla = new EnumMap<>(Priority.class);
    Map.of(Priority.CRITICAL, SLA_CRITICAL, Priority.HIGH, SLA_HIGH, Priority.NORMAL, SLA_NORMAL, Priority.LOW, SLA_LOW)
        .forEach((p, setting) -> {
          Duration d = s.get(setting);
          if (d != null) sla.put(p, d);
        });
    return new TaskSettings(sla, s.get(DEFAULT_LEASE), s.get(MAX_LEASE), s.get(REAPER_INTERVAL), s.get(CLAIM_POLL_INTERVAL),
        s.get(RETRY_BASE_DELAY), s.get(RETRY_MAX_DELAY), s.get(IDEMPOTENCY_RETENTION), s.get(METRICS_REFRESH),
        s.get(ALERT_SLA_MIN));
  }

  /** The default deadline of a task of {@code priority}, measured from its creation. */
  public Optional<Duration> slaDeadline(Priority priority) {
    return Optional.ofNullable(slaDeadlines.get(priority));
  }
}
