package dev.statekeeper.cli;

import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.tasks.Priority;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The settings shared by every command that opens the store. Values come from the command line,
 * else {@link SettingsDefaults} (environment, config file, built-in default).
 */
final class ConfigOptions {

  /** Every setting's name, as accepted in a config file. */
  static final Set<String> NAMES =
      Set.of(
          "data-dir", "database-url", "database-user", "database-password", "pool-size", "sqlite-synchronous",
          "host", "port", "max-body-bytes", "bootstrap-key", "sla-critical", "sla-high", "sla-normal", "sla-low",
          "default-lease", "max-lease", "reaper-interval", "claim-poll-interval", "retry-base-delay",
          "retry-max-delay", "idempotency-retention", "key-cache-ttl", "backup-dir", "backup-every", "backup-keep",
          "redis-url", "redis-timeout", "access-epoch-refresh", "embedding-provider", "embedding-url",
          "embedding-model", "embedding-dimensions", "embedding-api-key",
          "max-event-bytes", "max-state-bytes", "max-memory-value-bytes", "memory-retention",
          "session-event-retention", "retention-interval", "connection-timeout", "shutdown-timeout",
          "metrics", "metrics-require-key", "metrics-refresh", "request-log", "log-format", "rate-limit-root",
          "rate-limit-admin", "rate-limit-agent", "rate-limit-reader", "disk-min-free", "alert-webhook",
          "alert-interval", "alert-window", "alert-sla-min", "alert-error-rate-max", "alert-p99-max",
          "alert-pool-busy-max");

  @Option(names = "--config", paramLabel = "FILE",
      description = "Properties file of settings, keyed by option name (port=7070). Env: STATEKEEPER_CONFIG.")
  Path config;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory of the embedded SQLite store. Default: ${DEFAULT-VALUE}.")
  Path dataDir;

  @Option(names = "--database-url", paramLabel = "URL",
      description = "jdbc:postgresql://host:port/db to store in PostgreSQL instead of SQLite. Never falls back to SQLite.")
  String databaseUrl;

  @Option(names = "--database-user", paramLabel = "USER", description = "PostgreSQL user (or user= in the URL).")
  String databaseUser;

  @Option(names = "--database-password", paramLabel = "PASSWORD",
      description = "PostgreSQL password; prefer STATEKEEPER_DATABASE_PASSWORD to keep it out of the process list.")
  String databasePassword;

  @Option(names = "--pool-size", paramLabel = "N", description = "Database connections (SQLite: readers, at most 16). Default: ${DEFAULT-VALUE}.")
  Integer poolSize;

  @Option(names = "--sqlite-synchronous", paramLabel = "FULL|NORMAL",
      description = "FULL: an acknowledged write survives power loss. NORMAL: faster; the last writes before a power cut may be lost (never corrupted). Default: ${DEFAULT-VALUE}.")
  StatekeeperConfig.SqliteSync sqliteSynchronous;

  @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on; 0.0.0.0 for every interface. Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(names = "--port", paramLabel = "PORT", description = "Port to listen on; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
  Integer port;

  @Option(names = "--max-body-bytes", paramLabel = "BYTES", description = "Largest request body accepted (413 above). Default: ${DEFAULT-VALUE}.")
  Long maxBodyBytes;

  @Option(names = "--bootstrap-key", paramLabel = "SECRET",
      description = "Use this secret (16+ characters) as the first root key instead of generating one. Env: STATEKEEPER_BOOTSTRAP_KEY.")
  String bootstrapKey;

  @Option(names = "--sla-critical", paramLabel = "DURATION", description = "Default deadline of CRITICAL tasks, or none. Default: ${DEFAULT-VALUE}.")
  String slaCritical;

  @Option(names = "--sla-high", paramLabel = "DURATION", description = "Default deadline of HIGH tasks, or none. Default: ${DEFAULT-VALUE}.")
  String slaHigh;

  @Option(names = "--sla-normal", paramLabel = "DURATION", description = "Default deadline of NORMAL tasks, or none. Default: ${DEFAULT-VALUE}.")
  String slaNormal;

  @Option(names = "--sla-low", paramLabel = "DURATION", description = "Default deadline of LOW tasks, or none. Default: ${DEFAULT-VALUE}.")
  String slaLow;

  @Option(names = "--default-lease", paramLabel = "DURATION", description = "Lease of a claim that names none. Default: ${DEFAULT-VALUE}.")
  String defaultLease;

  @Option(names = "--max-lease", paramLabel = "DURATION", description = "Longest lease a claim or heartbeat may ask for. Default: ${DEFAULT-VALUE}.")
  String maxLease;

  @Option(names = "--reaper-interval", paramLabel = "DURATION", description = "How often expired leases and missed deadlines are swept. Default: ${DEFAULT-VALUE}.")
  String reaperInterval;

  @Option(names = "--claim-poll-interval", paramLabel = "DURATION", description = "How often a waiting claim re-checks besides being woken. Default: ${DEFAULT-VALUE}.")
  String claimPollInterval;

  @Option(names = "--retry-base-delay", paramLabel = "DURATION", description = "Backoff after a first failed attempt; doubles per attempt, with jitter. Default: ${DEFAULT-VALUE}.")
  String retryBaseDelay;

  @Option(names = "--retry-max-delay", paramLabel = "DURATION", description = "Longest backoff. Default: ${DEFAULT-VALUE}.")
  String retryMaxDelay;

  @Option(names = "--idempotency-retention", paramLabel = "DURATION", description = "How long Idempotency-Key values are remembered. Default: ${DEFAULT-VALUE}.")
  String idempotencyRetention;

  @Option(names = "--key-cache-ttl", paramLabel = "DURATION", description = "How long a node caches an API key (at most 1s). Default: ${DEFAULT-VALUE}.")
  String keyCacheTtl;

  @Option(names = "--backup-dir", paramLabel = "DIR", description = "Where scheduled and requested backups go. Default: <data-dir>/backups.")
  Path backupDir;

  @Option(names = "--backup-every", paramLabel = "DURATION", description = "Take a backup this often while serving (e.g. 24h), or none. Default: ${DEFAULT-VALUE}.")
  String backupEvery;

  @Option(names = "--backup-keep", paramLabel = "N", description = "How many scheduled backups to keep. Default: ${DEFAULT-VALUE}.")
  Integer backupKeep;

  @Option(names = "--embedding-provider", paramLabel = "local|ollama|openai",
      description = "Where semantic search's embeddings come from: local (the model in the jar), ollama or openai (an OpenAI-compatible server). Default: local.")
  String embeddingProvider;

  @Option(names = "--embedding-url", paramLabel = "URL", description = "The HTTP provider's base URL, e.g. http://127.0.0.1:11434.")
  String embeddingUrl;

  @Option(names = "--embedding-model", paramLabel = "NAME", description = "The HTTP provider's model, e.g. nomic-embed-text.")
  String embeddingModel;

  @Option(names = "--embedding-dimensions", paramLabel = "N", description = "The length of the HTTP provider's vectors, e.g. 768.")
  Integer embeddingDimensions;

  @Option(names = "--embedding-api-key", paramLabel = "KEY",
      description = "Bearer token for an openai provider (better from the environment: STATEKEEPER_EMBEDDING_API_KEY). Never logged.")
  String embeddingApiKey;

  @Option(names = "--redis-url", paramLabel = "URL", description = "redis://host:6379 for a cache shared by every node and instant invalidation. Optional; never the source of truth.")
  String redisUrl;

  @Option(names = "--redis-timeout", paramLabel = "DURATION", description = "Longest wait for one Redis call before answering from the database. Default: ${DEFAULT-VALUE}.")
  String redisTimeout;

  @Option(names = "--access-epoch-refresh", paramLabel = "DURATION", description = "How often a node re-reads access changes from the database (at most 1s). Default: ${DEFAULT-VALUE}.")
  String accessEpochRefresh;

  @Option(names = "--max-event-bytes", paramLabel = "BYTES", description = "Largest data of one session event, as JSON (413 event_too_large above). Default: ${DEFAULT-VALUE}.")
  Long maxEventBytes;

  @Option(names = "--max-state-bytes", paramLabel = "BYTES", description = "Largest session state, as JSON (413 state_too_large above). Default: ${DEFAULT-VALUE}.")
  Long maxStateBytes;

  @Option(names = "--max-memory-value-bytes", paramLabel = "BYTES", description = "Largest memory value, as JSON (413 value_too_large above). Default: ${DEFAULT-VALUE}.")
  Long maxMemoryValueBytes;

  @Option(names = "--memory-retention", paramLabel = "RULES",
      description = "Memory history to keep per namespace prefix: PREFIX=LIMIT[,LIMIT] rules separated by ';', limits keep-versions:N and max-age:DURATION, prefix * for all; the longest matching prefix applies and the current version is always kept. Example: 'user=keep-versions:10,max-age:30d;*=keep-versions:100'. Default: ${DEFAULT-VALUE}.")
  String memoryRetention;

  @Option(names = "--session-event-retention", paramLabel = "DURATION",
      description = "Remove session events older than this, or none. Default: ${DEFAULT-VALUE}.")
  String sessionEventRetention;

  @Option(names = "--retention-interval", paramLabel = "DURATION", description = "How often memory and session retention run. Default: ${DEFAULT-VALUE}.")
  String retentionInterval;

  @Option(names = "--connection-timeout", paramLabel = "DURATION",
      description = "Longest wait for a database connection (then 503 store_unavailable); also the PostgreSQL connect timeout. Default: ${DEFAULT-VALUE}.")
  String connectionTimeout;

  @Option(names = "--shutdown-timeout", paramLabel = "DURATION",
      description = "On stop, how long requests in flight may take to finish. Default: ${DEFAULT-VALUE}.")
  String shutdownTimeout;

  @Option(names = "--metrics", paramLabel = "on|off", description = "Record metrics (off: no meters on the hot path, /metrics is 404). Default: ${DEFAULT-VALUE}.")
  String metrics;

  @Option(names = "--metrics-require-key", paramLabel = "true|false", description = "Serve /metrics only to admin and root keys. Default: ${DEFAULT-VALUE}.")
  String metricsRequireKey;

  @Option(names = "--metrics-refresh", paramLabel = "DURATION",
      description = "The task gauges come from a count over all tasks run at most this often. Default: ${DEFAULT-VALUE}.")
  String metricsRefresh;

  @Option(names = "--request-log", paramLabel = "on|off", description = "One log line per request. Default: ${DEFAULT-VALUE}.")
  String requestLog;

  @Option(names = "--log-format", paramLabel = "text|json", description = "Format of the log on standard error. Default: ${DEFAULT-VALUE}.")
  String logFormat;

  @Option(names = "--rate-limit-root", paramLabel = "RATE", description = "Requests per key of role root, as 100/s or 6000/m, or none. Default: ${DEFAULT-VALUE}.")
  String rateLimitRoot;

  @Option(names = "--rate-limit-admin", paramLabel = "RATE", description = "Requests per admin key, or none. Default: ${DEFAULT-VALUE}.")
  String rateLimitAdmin;

  @Option(names = "--rate-limit-agent", paramLabel = "RATE", description = "Requests per agent key, or none. Default: ${DEFAULT-VALUE}.")
  String rateLimitAgent;

  @Option(names = "--rate-limit-reader", paramLabel = "RATE", description = "Requests per reader key, or none. Default: ${DEFAULT-VALUE}.")
  String rateLimitReader;

  @Option(names = "--disk-min-free", paramLabel = "PERCENT",
      description = "Free space of the data directory's disk below which health is DEGRADED and the disk alert fires (0: off). Default: ${DEFAULT-VALUE}.")
  String diskMinFree;

  @Option(names = "--alert-webhook", paramLabel = "URL", description = "POST firing and resolved alerts here as JSON (Alertmanager's webhook shape), with retries.")
  String alertWebhook;

  @Option(names = "--alert-interval", paramLabel = "DURATION", description = "How often alert rules are evaluated. Default: ${DEFAULT-VALUE}.")
  String alertInterval;

  @Option(names = "--alert-window", paramLabel = "DURATION", description = "Window of the error-rate and p99 rules. Default: ${DEFAULT-VALUE}.")
  String alertWindow;

  @Option(names = "--alert-sla-min", paramLabel = "PERCENT", description = "Alert when CRITICAL tasks' SLA compliance over the last hour falls below this, or none. Default: ${DEFAULT-VALUE}.")
  String alertSlaMin;

  @Option(names = "--alert-error-rate-max", paramLabel = "PERCENT", description = "Alert when more than this share of answers are 5xx over the window, or none. Default: ${DEFAULT-VALUE}.")
  String alertErrorRateMax;

  @Option(names = "--alert-p99-max", paramLabel = "DURATION", description = "Alert when the p99 request latency over the window exceeds this, or none. Default: ${DEFAULT-VALUE}.")
  String alertP99Max;

  @Option(names = "--alert-pool-busy-max", paramLabel = "PERCENT", description = "Alert when more than this share of database connections are busy, or none. Default: ${DEFAULT-VALUE}.")
  String alertPoolBusyMax;

  /** The validated configuration; a bad value fails with a message naming it. */
  StatekeeperConfig toConfig() {
    StatekeeperConfig.Builder b = StatekeeperConfig.builder();
    if (dataDir != null) b.dataDir(dataDir);
    b.databaseUrl(databaseUrl).databaseUser(databaseUser).databasePassword(databasePassword).bootstrapKey(bootstrapKey);
    if (poolSize != null) b.poolSize(poolSize);
    if (sqliteSynchronous != null) b.sqliteSynchronous(sqliteSynchronous);
    if (host != null) b.host(host);
    if (port != null) b.port(port);
    if (maxBodyBytes != null) b.maxBodyBytes(maxBodyBytes);
    sla(b, Priority.CRITICAL, "sla-critical", slaCritical);
    sla(b, Priority.HIGH, "sla-high", slaHigh);
    sla(b, Priority.NORMAL, "sla-normal", slaNormal);
    sla(b, Priority.LOW, "sla-low", slaLow);
    if (defaultLease != null) b.defaultLease(d("default-lease", defaultLease));
    if (maxLease != null) b.maxLease(d("max-lease", maxLease));
    if (reaperInterval != null) b.reaperInterval(d("reaper-interval", reaperInterval));
    if (claimPollInterval != null) b.claimPollInterval(d("claim-poll-interval", claimPollInterval));
    if (retryBaseDelay != null) b.retryBaseDelay(d("retry-base-delay", retryBaseDelay));
    if (retryMaxDelay != null) b.retryMaxDelay(d("retry-max-delay", retryMaxDelay));
    if (idempotencyRetention != null) b.idempotencyRetention(d("idempotency-retention", idempotencyRetention));
    if (keyCacheTtl != null) b.keyCacheTtl(d("key-cache-ttl", keyCacheTtl));
    if (backupDir != null) b.backupDir(backupDir);
    if (backupEvery != null && !backupEvery.equalsIgnoreCase("none")) b.backupEvery(d("backup-every", backupEvery));
    if (backupKeep != null) b.backupKeep(backupKeep);
    b.redisUrl(redisUrl);
    if (embeddingProvider != null) b.embeddingProvider(embeddingProvider);
    b.embeddingUrl(embeddingUrl);
    b.embeddingModel(embeddingModel);
    if (embeddingDimensions != null) b.embeddingDimensions(embeddingDimensions);
    b.embeddingApiKey(embeddingApiKey);
    if (redisTimeout != null) b.redisTimeout(d("redis-timeout", redisTimeout));
    if (accessEpochRefresh != null) b.accessEpochRefresh(d("access-epoch-refresh", accessEpochRefresh));
    if (maxEventBytes != null) b.maxEventBytes(maxEventBytes);
    if (maxStateBytes != null) b.maxStateBytes(maxStateBytes);
    if (maxMemoryValueBytes != null) b.maxMemoryValueBytes(maxMemoryValueBytes);
    if (memoryRetention != null) b.memoryRetention(memoryRetention);
    if (sessionEventRetention != null) {
      b.sessionEventRetention(
          sessionEventRetention.equalsIgnoreCase("none") ? null : d("session-event-retention", sessionEventRetention));
    }
    if (retentionInterval != null) b.retentionInterval(d("retention-interval", retentionInterval));
    if (connectionTimeout != null) b.connectionTimeout(d("connection-timeout", connectionTimeout));
    if (shutdownTimeout != null) b.shutdownTimeout(d("shutdown-timeout", shutdownTimeout));
    if (metrics != null) b.metricsEnabled(flag("metrics", metrics));
    if (metricsRequireKey != null) b.metricsRequireKey(flag("metrics-require-key", metricsRequireKey));
    if (metricsRefresh != null) b.metricsRefresh(d("metrics-refresh", metricsRefresh));
    if (requestLog != null) b.requestLog(flag("request-log", requestLog));
    if (logFormat != null) b.logFormat(logFormat(logFormat));
    rate(b, Role.ROOT, "rate-limit-root", rateLimitRoot);
    rate(b, Role.ADMIN, "rate-limit-admin", rateLimitAdmin);
    rate(b, Role.AGENT, "rate-limit-agent", rateLimitAgent);
    rate(b, Role.READER, "rate-limit-reader", rateLimitReader);
    if (diskMinFree != null) b.diskMinFreePercent(percent("disk-min-free", diskMinFree, false));
    b.alertWebhook(alertWebhook);
    if (alertInterval != null) b.alertInterval(d("alert-interval", alertInterval));
    if (alertWindow != null) b.alertWindow(d("alert-window", alertWindow));
    if (alertSlaMin != null) b.alertSlaMinPercent(percent("alert-sla-min", alertSlaMin, true));
    if (alertErrorRateMax != null) b.alertErrorRateMaxPercent(percent("alert-error-rate-max", alertErrorRateMax, true));
    if (alertP99Max != null) b.alertP99Max(alertP99Max.equalsIgnoreCase("none") ? null : d("alert-p99-max", alertP99Max));
    if (alertPoolBusyMax != null) b.alertPoolBusyMaxPercent(percent("alert-pool-busy-max", alertPoolBusyMax, true));
    return b.build();
  }

  private static void rate(StatekeeperConfig.Builder b, Role role, String name, String value) {
    if (value == null) return;
    b.rateLimit(role, StatekeeperConfig.RateLimit.parse(name, value));
  }

  static boolean flag(String name, String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "on", "true", "yes", "1" -> true;
      case "off", "false", "no", "0" -> false;
      default -> throw new IllegalArgumentException(name + " must be on or off; got '" + value + "'");
    };
  }

  private static StatekeeperConfig.LogFormat logFormat(String value) {
    try {
      return StatekeeperConfig.LogFormat.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("log-format must be text or json; got '" + value + "'");
    }
  }

  /** A percentage such as {@code 95} or {@code 95%}; null for {@code none} where allowed. */
  private static Double percent(String name, String value, boolean noneAllowed) {
    String v = value.trim();
    if (noneAllowed && v.equalsIgnoreCase("none")) {
      return null;
    }
    try {
      return Double.parseDouble(v.endsWith("%") ? v.substring(0, v.length() - 1) : v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " must be a percentage such as 95" + (noneAllowed ? ", or none" : "") + "; got '" + value + "'");
    }
  }

  private static void sla(StatekeeperConfig.Builder b, Priority p, String name, String value) {
    if (value == null) return;
    b.slaDeadline(p, value.equalsIgnoreCase("none") ? null : d(name, value));
  }

  private static Duration d(String name, String value) {
    return StatekeeperConfig.parseDuration(name, value);
  }
}
