package dev.statekeeper.ops;

import dev.statekeeper.config.Setting;
import dev.statekeeper.config.Settings;
import java.time.Duration;
import java.util.List;

/**
 * Operations: metrics, the log format, the disk threshold and the alert rules evaluated in the
 * server. A threshold of null switches its rule off.
 *
 * @param metricsEnabled false skips every meter on the hot path (for measuring their cost)
 * @param diskMinFreePercent free space in the data directory below which health is DEGRADED
 *     and the disk alert fires (0 switches both off)
 * @param alertWebhook where firing and resolved alerts are POSTed (null: only logged)
 * @param alertWindow the window of the error-rate and latency rules
 */
public record OpsSettings(
    boolean metricsEnabled,
    boolean metricsRequireKey,
    LogFormat logFormat,
    double diskMinFreePercent,
    String alertWebhook,
    Duration alertInterval,
    Duration alertWindow,
    Double alertErrorRateMaxPercent,
    Duration alertP99Max,
    Double alertPoolBusyMaxPercent) {

  /** How logs are written to standard error. */
  public enum LogFormat {
    TEXT,
    JSON
  }

  public static final Setting<Boolean> METRICS = Setting.flag("metrics", true,
      "Record metrics (off: no meters on the hot path, /metrics is 404).");
  public static final Setting<Boolean> METRICS_REQUIRE_KEY = Setting.flag("metrics-require-key", false,
      "Serve /metrics only to admin and root keys.");
  public static final Setting<LogFormat> LOG_FORMAT = Setting.choice("log-format", LogFormat.class, LogFormat.TEXT,
      "Format of the log on standard error.");
  public static final Setting<Double> DISK_MIN_FREE = Setting.percent("disk-min-free", 10.0,
      "Free space of the data directory's disk below which health is DEGRADED and the disk alert fires (0: off).");
  public static final Setting<String> ALERT_WEBHOOK = Setting.text("alert-webhook", "URL", null,
      "POST firing and resolved alerts here as JSON (Alertmanager's webhook shape), 5 attempts each.")
      .mustBe(OpsSettings::isHttpUrl, "an http:// or https:// URL with a host");
  public static final Setting<Duration> ALERT_INTERVAL = Setting.duration("alert-interval", Duration.ofSeconds(15),
      "How often alert rules are evaluated.");
  public static final Setting<Duration> ALERT_WINDOW = Setting.duration("alert-window", Duration.ofMinutes(5),
      "Window of the error-rate and p99 rules.");
  public static final Setting<Double> ALERT_ERROR_RATE_MAX = Setting.percent("alert-error-rate-max", 5.0,
      "Alert when more than this share of answers are 5xx over the window, or none.").orNone();
  public static final Setting<Duration> ALERT_P99_MAX = Setting.durationOrNone("alert-p99-max", Duration.ofMillis(500),
      "Alert when the p99 request latency over the window exceeds this, or none.");
  public static final Setting<Double> ALERT_POOL_BUSY_MAX = Setting.percent("alert-pool-busy-max", 80.0,
      "Alert when more than this share of database connections (or of the SQLite writer's time) are busy, or none.").orNone();

  public static final List<Setting<?>> ALL = List.of(
      METRICS, METRICS_REQUIRE_KEY, LOG_FORMAT, DISK_MIN_FREE, ALERT_WEBHOOK, ALERT_INTERVAL, ALERT_WINDOW,
      ALERT_ERROR_RATE_MAX, ALERT_P99_MAX, ALERT_POOL_BUSY_MAX);

  public static OpsSettings from(Settings s) {
    return new OpsSettings(s.get(METRICS), s.get(METRICS_REQUIRE_KEY), s.get(LOG_FORMAT), s.get(DISK_MIN_FREE),
        s.get(ALERT_WEBHOOK), s.get(ALERT_INTERVAL), s.get(ALERT_WINDOW), s.get(ALERT_ERROR_RATE_MAX), s.get(ALERT_P99_MAX),
        s.get(ALERT_POOL_BUSY_MAX));
  }

  private static boolean isHttpUrl(String url) {
    try {
      java.net.URI u = new java.net.URI(url);
      return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }
}
