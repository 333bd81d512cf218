package dev.statekeeper;

import dev.statekeeper.memory.RetentionRule;
import dev.statekeeper.tasks.Priority;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every setting of a Statekeeper instance, validated once when built. The command line fills it
 * from flags, environment variables ({@code STATEKEEPER_*}) and a properties file; embedded users
 * call {@link #builder()}.
 *
 * @param dataDir where the embedded SQLite store (and later backups) live
 * @param databaseUrl a {@code jdbc:postgresql://} URL, or null for SQLite in {@code dataDir}
 * @param slaDeadlines the default deadline per priority, measured from creation; a missing
 *     priority has no default deadline
 * @param maxEventBytes the largest {@code data} of one session event, as JSON in UTF-8
 * @param maxStateBytes the largest session {@code state}, as JSON in UTF-8
 * @param maxMemoryValueBytes the largest memory {@code value}, as JSON in UTF-8
 * @param memoryRetention how much memory history to keep, per namespace prefix; empty keeps all
 * @param sessionEventRetention how long session events are kept, or null to keep them all
 * @param retentionInterval how often the retention jobs run
 */
public record StatekeeperConfig(
    Path dataDir,
    String databaseUrl,
    String databaseUser,
    String databasePassword,
    int poolSize,
    SqliteSync sqliteSynchronous,
    String host,
    int port,
    long maxBodyBytes,
    String bootstrapKey,
    Map<Priority, Duration> slaDeadlines,
    Duration defaultLease,
    Duration maxLease,
    Duration reaperInterval,
    Duration claimPollInterval,
    Duration retryBaseDelay,
    Duration retryMaxDelay,
    Duration idempotencyRetention,
    Duration keyCacheTtl,
    boolean migrateOnStart,
    Path backupDir,
    Duration backupEvery,
    int backupKeep,
    String redisUrl,
    Duration redisTimeout,
    Duration accessEpochRefresh,
    long maxEventBytes,
    long maxStateBytes,
    long maxMemoryValueBytes,
    List<RetentionRule> memoryRetention,
    Duration sessionEventRetention,
    Duration retentionInterval,
    Duration connectionTimeout,
    Duration shutdownTimeout,
    Embedding embedding,
    Ops ops) {

  /**
   * Where the embeddings of semantic search come from: {@code local} (the model inside the jar,
   * the default), or an HTTP provider — {@code ollama} ({@code POST <url>/api/embeddings}) or
   * {@code openai} (any OpenAI-compatible {@code POST <url>/v1/embeddings}) — with its model and
   * the length of its vectors. Changing it re-embeds every entry in the background.
   *
   * @param apiKey sent as a bearer token to an {@code openai} provider; never logged
   */
  public record Embedding(String provider, String url, String model, int dimensions, String apiKey) {
    public static final Embedding LOCAL = new Embedding("local", null, null, 0, null);

    @Override
    public String toString() {
      return provider.equals("local") ? "local" : provider + " " + url + " " + model + " (" + dimensions + " dimensions"
          + (apiKey == null ? "" : ", api key ***") + ")";
    }
  }

  /** SQLite's {@code synchronous} pragma: FULL survives power loss; NORMAL may lose the last commits. */
  public enum SqliteSync {
    FULL,
    NORMAL
  }

  /** How logs are written to standard error. */
  public enum LogFormat {
    TEXT,
    JSON
  }

  /**
   * A request budget: {@code permits} per {@code period} ({@code 100/s}, {@code 6000/m}).
   */
  public record RateLimit(int permits, Duration period) {
    private static final Pattern FORM = Pattern.compile("(\\d{1,9})\\s*/\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);

    public RateLimit {
      if (permits < 1) {
        throw invalid("a rate limit needs at least 1 request per period; got " + permits);
      }
      positive("rate limit period", period);
    }

    /** Parses {@code 100/s}, {@code 6000/m}, {@code 50000/h}; null for {@code none}. */
    public static RateLimit parse(String name, String text) {
      String t = text == null ? "" : text.trim();
      if (t.equalsIgnoreCase("none")) {
        return null;
      }
      Matcher m = FORM.matcher(t);
      if (!m.matches()) {
        throw invalid(name + " must be a rate such as 100/s or 6000/m, or none; got '" + text + "'");
      }
      return new RateLimit(Integer.parseInt(m.group(1)), parseDuration(name, "1" + m.group(2)));
    }

    @Override
    public String toString() {
      return permits + "/" + format(period).replaceFirst("^1", "");
    }
  }

  /**
   * Operations settings: metrics, request logs, rate limits per role, the disk threshold and the
   * alert rules evaluated in the server. A threshold of null switches its rule off.
   *
   * @param metricsEnabled false skips every meter on the hot path (for measuring their cost)
   * @param metricsRefresh the task census behind the task gauges runs at most this often
   * @param rateLimits per role; a role without an entry is not limited
   * @param diskMinFreePercent free space in the data directory below which health is DEGRADED
   *     and the disk alert fires (0 switches both off)
   * @param alertWebhook where firing and resolved alerts are POSTed (null: only logged)
   * @param alertWindow the window of the error-rate and latency rules
   * @param alertSlaMinPercent CRITICAL tasks' SLA compliance over the last hour below this fires
   * @param alertErrorRateMaxPercent share of 5xx answers over the window above this fires
   * @param alertP99Max the 99th percentile of request latency over the window above this fires
   * @param alertPoolBusyMaxPercent share of busy database connections above this fires
   */
  public record Ops(
      boolean metricsEnabled,
      boolean metricsRequireKey,
      Duration metricsRefresh,
      boolean requestLog,
      LogFormat logFormat,
      Map<Role, RateLimit> rateLimits,
      double diskMinFreePercent,
      String alertWebhook,
      Duration alertInterval,
      Duration alertWindow,
      Double alertSlaMinPercent,
      Double alertErrorRateMaxPercent,
      Duration alertP99Max,
      Double alertPoolBusyMaxPercent) {

    public Ops {
      Objects.requireNonNull(logFormat, "logFormat");
      rateLimits = Map.copyOf(rateLimits);
      positive("metrics-refresh", metricsRefresh);
      percent("disk-min-free", diskMinFreePercent);
      if (alertWebhook != null) {
        try {
          java.net.URI u = new java.net.URI(alertWebhook);
          if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
            throw new java.net.URISyntaxException(alertWebhook, "not an http(s) URL with a host");
          }
        } catch (java.net.URISyntaxException e) {
          throw invalid("alert-webhook must be an http:// or https:// URL; got '" + alertWebhook + "'");
        }
      }
      positive("alert-interval", alertInterval);
      positive("alert-window", alertWindow);
      if (alertSlaMinPercent != null) percent("alert-sla-min", alertSlaMinPercent);
      if (alertErrorRateMaxPercent != null) percent("alert-error-rate-max", alertErrorRateMaxPercent);
      if (alertP99Max != null) positive("alert-p99-max", alertP99Max);
      if (alertPoolBusyMaxPercent != null) percent("alert-pool-busy-max", alertPoolBusyMaxPercent);
    }

    public Optional<RateLimit> rateLimit(Role role) {
      return Optional.ofNullable(rateLimits.get(role));
    }

    private static void percent(String name, double value) {
      if (!(value >= 0 && value <= 100)) {
        throw invalid(name + " must be a percentage between 0 and 100; got " + value);
      }
    }
  }

  public static final long MIN_BODY_BYTES = 1024;
  public static final long MAX_BODY_BYTES = 64L * 1024 * 1024;

  public StatekeeperConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(sqliteSynchronous, "sqliteSynchronous");
    Objects.requireNonNull(host, "host");
    slaDeadlines = Map.copyOf(slaDeadlines);
    memoryRetention = List.copyOf(memoryRetention);
    if (databaseUrl != null && !databaseUrl.startsWith("jdbc:postgresql:")) {
      throw invalid(
          "database-url must start with jdbc:postgresql: (SQLite needs no URL); got " + databaseUrl);
    }
    if (port < 0 || port > 65535) {
      throw invalid("port must be between 0 and 65535; got " + port);
    }
    if (poolSize < 1 || poolSize > 500) {
      throw invalid("pool-size must be between 1 and 500; got " + poolSize);
    }
    if (maxBodyBytes < MIN_BODY_BYTES || maxBodyBytes > MAX_BODY_BYTES) {
      throw invalid(
          "max-body-bytes must be between " + MIN_BODY_BYTES + " and " + MAX_BODY_BYTES
              + "; got " + maxBodyBytes);
    }
    if (bootstrapKey != null && bootstrapKey.length() < 16) {
      throw invalid(
          "bootstrap-key must be at least 16 characters; got " + bootstrapKey.length());
    }
    slaDeadlines.forEach((priority, d) -> positive("sla-" + priority.name().toLowerCase(Locale.ROOT), d));
    positive("default-lease", defaultLease);
    positive("max-lease", maxLease);
    if (defaultLease.compareTo(maxLease) > 0) {
      throw invalid(
          "default-lease (" + format(defaultLease) + ") cannot exceed max-lease (" + format(maxLease) + ")");
    }
    positive("reaper-interval", reaperInterval);
    positive("claim-poll-interval", claimPollInterval);
    positive("retry-base-delay", retryBaseDelay);
    positive("retry-max-delay", retryMaxDelay);
    if (retryBaseDelay.compareTo(retryMaxDelay) > 0) {
      throw invalid("retry-base-delay cannot exceed retry-max-delay");
    }
    positive("idempotency-retention", idempotencyRetention);
    positive("key-cache-ttl", keyCacheTtl);
    if (redisUrl != null && !redisUrl.startsWith("redis://")) {
      throw invalid("redis-url must look like redis://host:6379; got " + redisUrl);
    }
    checkEmbedding(embedding);
    positive("redis-timeout", redisTimeout);
    positive("access-epoch-refresh", accessEpochRefresh);
    if (accessEpochRefresh.compareTo(Duration.ofSeconds(1)) > 0) {
      throw invalid("access-epoch-refresh cannot exceed 1s (a revoked grant must be refused within a second); got "
          + format(accessEpochRefresh));
    }
    if (backupEvery != null) {
      positive("backup-every", backupEvery);
    }
    if (backupKeep < 1 || backupKeep > 10_000) {
      throw invalid("backup-keep must be between 1 and 10000; got " + backupKeep);
    }
    bytes("max-event-bytes", maxEventBytes);
    bytes("max-state-bytes", maxStateBytes);
    bytes("max-memory-value-bytes", maxMemoryValueBytes);
    if (sessionEventRetention != null) {
      positive("session-event-retention", sessionEventRetention);
    }
    positive("retention-interval", retentionInterval);
    if (keyCacheTtl.compareTo(Duration.ofSeconds(1)) > 0) {
      throw invalid(
          "key-cache-ttl cannot exceed 1s (a revoked key must be refused within a second); got "
              + format(keyCacheTtl));
    }
    positive("connection-timeout", connectionTimeout);
    if (connectionTimeout.compareTo(Duration.ofMillis(250)) < 0 || connectionTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
      throw invalid("connection-timeout must be between 250ms and 1m; got " + format(connectionTimeout));
    }
    positive("shutdown-timeout", shutdownTimeout);
    Objects.requireNonNull(ops, "ops");
  }

  /** Like the record's own, but with secrets (password, bootstrap key) masked: configs get logged. */
  @Override
  public String toString() {
    return "StatekeeperConfig[store=" + describeStore() + ", dataDir=" + dataDir + ", host=" + host + ", port=" + port
        + ", poolSize=" + poolSize + ", sqliteSynchronous=" + sqliteSynchronous + ", maxBodyBytes=" + maxBodyBytes
        + ", databaseUser=" + databaseUser + ", databasePassword=" + (databasePassword == null ? null : "***")
        + ", bootstrapKey=" + (bootstrapKey == null ? null : "***") + ", slaDeadlines=" + slaDeadlines
        + ", defaultLease=" + defaultLease + ", maxLease=" + maxLease + ", reaperInterval=" + reaperInterval
        + ", claimPollInterval=" + claimPollInterval + ", retryBaseDelay=" + retryBaseDelay + ", retryMaxDelay="
        + retryMaxDelay + ", idempotencyRetention=" + idempotencyRetention + ", keyCacheTtl=" + keyCacheTtl
        + ", migrateOnStart=" + migrateOnStart + ", backupDir=" + backupDir + ", backupEvery=" + backupEvery
 + ", redisUrl=" + redisUrl + ", redisTimeout=" + redisTimeout
        + ", accessEpochRefresh=" + accessEpochRefresh
        + ", backupKeep=" + backupKeep + ", maxEventBytes=" + maxEventBytes + ", maxStateBytes=" + maxStateBytes
        + ", maxMemoryValueBytes=" + maxMemoryValueBytes + ", memoryRetention=" + RetentionRule.format(memoryRetention)
        + ", sessionEventRetention=" + sessionEventRetention + ", retentionInterval=" + retentionInterval
        + ", connectionTimeout=" + connectionTimeout
        + ", shutdownTimeout=" + shutdownTimeout + ", embedding=" + embedding + ", ops=" + ops + "]";
  }

  /** True when this instance stores into PostgreSQL rather than the embedded SQLite file. */
  public boolean usesPostgres() {
    return databaseUrl != null;
  }

  /** Where scheduled and requested backups go: {@code backup-dir}, else {@code <data-dir>/backups}. */
  public Path effectiveBackupDir() {
    return backupDir != null ? backupDir : dataDir.resolve("backups");
  }

  /** The SQLite database file inside {@link #dataDir()}. */
  public Path sqliteFile() {
    return dataDir.resolve("statekeeper.db");
  }

  public Optional<Duration> slaDeadline(Priority priority) {
    return Optional.ofNullable(slaDeadlines.get(priority));
  }

  /** A description of the store safe to print (no password). */
  public String describeStore() {
    if (usesPostgres()) {
      return "PostgreSQL at " + databaseUrl.replaceAll("password=[^&]*", "password=***");
    }
    return "SQLite at " + sqliteFile();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public static Builder builder() {
    return new Builder();
  }

  public static StatekeeperConfig defaults() {
    return builder().build();
  }

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw invalid(name + " must be positive; got " + format(value));
    }
  }

  /** Limits of parts of a body: at least {@link #MIN_BODY_BYTES}, at most {@link #MAX_BODY_BYTES}. */
  private static void bytes(String name, long value) {
    if (value < MIN_BODY_BYTES || value > MAX_BODY_BYTES) {
      throw invalid(
          name + " must be between " + MIN_BODY_BYTES + " and " + MAX_BODY_BYTES + "; got " + value);
    }
  }

  private static void checkEmbedding(Embedding e) {
    switch (e.provider()) {
      case "local" -> {
        if (e.url() != null || e.model() != null || e.dimensions() != 0) {
          throw invalid("embedding-url, embedding-model and embedding-dimensions are for an HTTP provider;"
              + " set embedding-provider to ollama or openai (it is local)");
        }
      }
      case "ollama", "openai" -> {
        if (e.url() == null || !(e.url().startsWith("http://") || e.url().startsWith("https://"))) {
          throw invalid("embedding-provider " + e.provider() + " needs embedding-url, like http://127.0.0.1:11434; got "
              + e.url());
        }
        if (e.model() == null) {
          throw invalid("embedding-provider " + e.provider() + " needs embedding-model, like nomic-embed-text");
        }
        if (e.dimensions() < 1 || e.dimensions() > 8192) {
          throw invalid("embedding-provider " + e.provider() + " needs embedding-dimensions, the length of its vectors"
              + " (1 to 8192, e.g. 768); got " + e.dimensions());
        }
      }
      default -> throw invalid("embedding-provider must be local, ollama or openai; got " + e.provider());
    }
  }

  private static IllegalArgumentException invalid(String message) {
    return new IllegalArgumentException(message);
  }

  private static final Pattern SIMPLE_DURATION =
      Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

  /** Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 7d} or ISO-8601 {@code PT5M}. */
  public static Duration parseDuration(String name, String text) {
    String t = text == null ? "" : text.trim();
    Matcher m = SIMPLE_DURATION.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2).toLowerCase(Locale.ROOT)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(t);
    } catch (RuntimeException e) {
      throw invalid(
          name + " must be a duration such as 500ms, 30s, 5m, 24h or PT5M; got '" + text + "'");
    }
  }

  /** The inverse of {@link #parseDuration} for messages: {@code 5m}, {@code 1500ms}. */
  public static String format(Duration d) {
    if (d == null) {
      return "none";
    }
    long ms = d.toMillis();
    if (ms % 86_400_000 == 0 && ms > 0) return ms / 86_400_000 + "d";
    if (ms % 3_600_000 == 0 && ms > 0) return ms / 3_600_000 + "h";
    if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
    if (ms % 1000 == 0) return ms / 1000 + "s";
    return ms + "ms";
  }

  /** Mutable builder; {@link #build()} validates. */
  public static final class Builder {
    private Path dataDir = Path.of("statekeeper-data");
    private String databaseUrl;
    private String databaseUser;
    private String databasePassword;
    private int poolSize = 10;
    private SqliteSync sqliteSynchronous = SqliteSync.FULL;
    private String host = "127.0.0.1";
    private int port = 7070;
    private long maxBodyBytes = 1024 * 1024;
    private String bootstrapKey;
    private final Map<Priority, Duration> slaDeadlines = new EnumMap<>(Priority.class);
    private Duration defaultLease = Duration.ofSeconds(30);
    private Duration maxLease = Duration.ofHours(1);
    private Duration reaperInterval = Duration.ofSeconds(1);
    private Duration claimPollInterval = Duration.ofSeconds(1);
    private Duration retryBaseDelay = Duration.ofSeconds(1);
    private Duration retryMaxDelay = Duration.ofMinutes(10);
    private Duration idempotencyRetention = Duration.ofHours(24);
    private Duration keyCacheTtl = Duration.ofMillis(500);
    private boolean migrateOnStart = true;
    private Path backupDir;
    private Duration backupEvery;
    private int backupKeep = 7;
    private String redisUrl;
    private String embeddingProvider = "local";
    private String embeddingUrl;
    private String embeddingModel;
    private int embeddingDimensions;
    private String embeddingApiKey;
    private Duration redisTimeout = Duration.ofMillis(200);
    private Duration accessEpochRefresh = Duration.ofMillis(500);
    private long maxEventBytes = 256 * 1024;
    private long maxStateBytes = 512 * 1024;
    private long maxMemoryValueBytes = 256 * 1024;
    private List<RetentionRule> memoryRetention = List.of();
    private Duration sessionEventRetention;
    private Duration retentionInterval = Duration.ofMinutes(1);
    private Duration connectionTimeout = Duration.ofSeconds(2);
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private boolean metricsEnabled = true;
    private boolean metricsRequireKey;
    private Duration metricsRefresh = Duration.ofSeconds(10);
    private boolean requestLog = true;
    private LogFormat logFormat = LogFormat.TEXT;
    private final Map<Role, RateLimit> rateLimits = new EnumMap<>(Role.class);
    private double diskMinFreePercent = 10;
    private String alertWebhook;
    private Duration alertInterval = Duration.ofSeconds(15);
    private Duration alertWindow = Duration.ofMinutes(5);
    private Double alertSlaMinPercent = 95.0;
    private Double alertErrorRateMaxPercent = 5.0;
    private Duration alertP99Max = Duration.ofMillis(500);
    private Double alertPoolBusyMaxPercent = 80.0;

    private Builder() {
      rateLimits.put(Role.AGENT, new RateLimit(1000, Duration.ofSeconds(1)));
      rateLimits.put(Role.READER, new RateLimit(1000, Duration.ofSeconds(1)));
      slaDeadlines.put(Priority.CRITICAL, Duration.ofMinutes(5));
    }

    private Builder(StatekeeperConfig c) {
      dataDir = c.dataDir;
      databaseUrl = c.databaseUrl;
      databaseUser = c.databaseUser;
      databasePassword = c.databasePassword;
      poolSize = c.poolSize;
      sqliteSynchronous = c.sqliteSynchronous;
      host = c.host;
      port = c.port;
      maxBodyBytes = c.maxBodyBytes;
      bootstrapKey = c.bootstrapKey;
      slaDeadlines.putAll(c.slaDeadlines);
      defaultLease = c.defaultLease;
      maxLease = c.maxLease;
      reaperInterval = c.reaperInterval;
      claimPollInterval = c.claimPollInterval;
      retryBaseDelay = c.retryBaseDelay;
      retryMaxDelay = c.retryMaxDelay;
      idempotencyRetention = c.idempotencyRetention;
      keyCacheTtl = c.keyCacheTtl;
      migrateOnStart = c.migrateOnStart;
      backupDir = c.backupDir;
      backupEvery = c.backupEvery;
      backupKeep = c.backupKeep;
      redisUrl = c.redisUrl;
      embeddingProvider = c.embedding.provider();
      embeddingUrl = c.embedding.url();
      embeddingModel = c.embedding.model();
      embeddingDimensions = c.embedding.dimensions();
      embeddingApiKey = c.embedding.apiKey();
      redisTimeout = c.redisTimeout;
      accessEpochRefresh = c.accessEpochRefresh;
      maxEventBytes = c.maxEventBytes;
      maxStateBytes = c.maxStateBytes;
      maxMemoryValueBytes = c.maxMemoryValueBytes;
      memoryRetention = c.memoryRetention;
      sessionEventRetention = c.sessionEventRetention;
      retentionInterval = c.retentionInterval;
      connectionTimeout = c.connectionTimeout;
      shutdownTimeout = c.shutdownTimeout;
      Ops o = c.ops;
      metricsEnabled = o.metricsEnabled();
      metricsRequireKey = o.metricsRequireKey();
      metricsRefresh = o.metricsRefresh();
      requestLog = o.requestLog();
      logFormat = o.logFormat();
      rateLimits.clear();
      rateLimits.putAll(o.rateLimits());
      diskMinFreePercent = o.diskMinFreePercent();
      alertWebhook = o.alertWebhook();
      alertInterval = o.alertInterval();
      alertWindow = o.alertWindow();
      alertSlaMinPercent = o.alertSlaMinPercent();
      alertErrorRateMaxPercent = o.alertErrorRateMaxPercent();
      alertP99Max = o.alertP99Max();
      alertPoolBusyMaxPercent = o.alertPoolBusyMaxPercent();
    }

    public Builder dataDir(Path v) { dataDir = v; return this; }
    public Builder databaseUrl(String v) { databaseUrl = blankToNull(v); return this; }
    public Builder databaseUser(String v) { databaseUser = blankToNull(v); return this; }
    public Builder databasePassword(String v) { databasePassword = v; return this; }
    public Builder poolSize(int v) { poolSize = v; return this; }
    public Builder sqliteSynchronous(SqliteSync v) { sqliteSynchronous = v; return this; }
    public Builder host(String v) { host = v; return this; }
    public Builder port(int v) { port = v; return this; }
    public Builder maxBodyBytes(long v) { maxBodyBytes = v; return this; }
    public Builder bootstrapKey(String v) { bootstrapKey = blankToNull(v); return this; }
    public Builder defaultLease(Duration v) { defaultLease = v; return this; }
    public Builder maxLease(Duration v) { maxLease = v; return this; }
    public Builder reaperInterval(Duration v) { reaperInterval = v; return this; }
    public Builder claimPollInterval(Duration v) { claimPollInterval = v; return this; }
    public Builder retryBaseDelay(Duration v) { retryBaseDelay = v; return this; }
    public Builder retryMaxDelay(Duration v) { retryMaxDelay = v; return this; }
    public Builder idempotencyRetention(Duration v) { idempotencyRetention = v; return this; }
    public Builder keyCacheTtl(Duration v) { keyCacheTtl = v; return this; }
    public Builder migrateOnStart(boolean v) { migrateOnStart = v; return this; }
    public Builder backupDir(Path v) { backupDir = v; return this; }
    public Builder backupEvery(Duration v) { backupEvery = v; return this; }
    public Builder backupKeep(int v) { backupKeep = v; return this; }
    public Builder redisUrl(String v) { redisUrl = blankToNull(v); return this; }
    public Builder embeddingProvider(String v) { embeddingProvider = v == null || v.isBlank() ? "local" : v.trim().toLowerCase(java.util.Locale.ROOT); return this; }
    public Builder embeddingUrl(String v) { embeddingUrl = blankToNull(v); return this; }
    public Builder embeddingModel(String v) { embeddingModel = blankToNull(v); return this; }
    public Builder embeddingDimensions(int v) { embeddingDimensions = v; return this; }
    public Builder embeddingApiKey(String v) { embeddingApiKey = blankToNull(v); return this; }
    public Builder redisTimeout(Duration v) { redisTimeout = v; return this; }
    public Builder accessEpochRefresh(Duration v) { accessEpochRefresh = v; return this; }
    public Builder maxEventBytes(long v) { maxEventBytes = v; return this; }
    public Builder maxStateBytes(long v) { maxStateBytes = v; return this; }
    public Builder maxMemoryValueBytes(long v) { maxMemoryValueBytes = v; return this; }
    public Builder memoryRetention(List<RetentionRule> v) { memoryRetention = v; return this; }
    /** Rules in the form of the {@code memory-retention} setting (see {@link RetentionRule#parseAll}). */
    public Builder memoryRetention(String spec) { memoryRetention = RetentionRule.parseAll(spec); return this; }
    /** How long session events are kept; null keeps them all. */
    public Builder sessionEventRetention(Duration v) { sessionEventRetention = v; return this; }
    public Builder retentionInterval(Duration v) { retentionInterval = v; return this; }
    public Builder connectionTimeout(Duration v) { connectionTimeout = v; return this; }
    public Builder shutdownTimeout(Duration v) { shutdownTimeout = v; return this; }
    public Builder metricsEnabled(boolean v) { metricsEnabled = v; return this; }
    public Builder metricsRequireKey(boolean v) { metricsRequireKey = v; return this; }
    public Builder metricsRefresh(Duration v) { metricsRefresh = v; return this; }
    public Builder requestLog(boolean v) { requestLog = v; return this; }
    public Builder logFormat(LogFormat v) { logFormat = v; return this; }
    public Builder diskMinFreePercent(double v) { diskMinFreePercent = v; return this; }
    public Builder alertWebhook(String v) { alertWebhook = blankToNull(v); return this; }
    public Builder alertInterval(Duration v) { alertInterval = v; return this; }
    public Builder alertWindow(Duration v) { alertWindow = v; return this; }
    /** Null switches the rule off; likewise for the other alert thresholds. */
    public Builder alertSlaMinPercent(Double v) { alertSlaMinPercent = v; return this; }
    public Builder alertErrorRateMaxPercent(Double v) { alertErrorRateMaxPercent = v; return this; }
    public Builder alertP99Max(Duration v) { alertP99Max = v; return this; }
    public Builder alertPoolBusyMaxPercent(Double v) { alertPoolBusyMaxPercent = v; return this; }

    /** Sets (or with null, removes) the request budget of each key of {@code role}. */
    public Builder rateLimit(Role role, RateLimit limit) {
      if (limit == null) {
        rateLimits.remove(role);
      } else {
        rateLimits.put(role, limit);
      }
      return this;
    }

    /** Sets (or with null, removes) the default deadline of one priority. */
    public Builder slaDeadline(Priority priority, Duration deadline) {
      if (deadline == null) {
        slaDeadlines.remove(priority);
      } else {
        slaDeadlines.put(priority, deadline);
      }
      return this;
    }

    public StatekeeperConfig build() {
      return new StatekeeperConfig(
          dataDir, databaseUrl, databaseUser, databasePassword, poolSize, sqliteSynchronous,
          host, port, maxBodyBytes, bootstrapKey, slaDeadlines, defaultLease, maxLease,
          reaperInterval, claimPollInterval, retryBaseDelay, retryMaxDelay, idempotencyRetention,
          keyCacheTtl, migrateOnStart, backupDir, backupEvery, backupKeep, redisUrl, redisTimeout, accessEpochRefresh,
          maxEventBytes, maxStateBytes,
          maxMemoryValueBytes, memoryRetention, sessionEventRetention, retentionInterval, connectionTimeout, shutdownTimeout,
          new Embedding(embeddingProvider, embeddingUrl, embeddingModel, embeddingDimensions, embeddingApiKey),
          new Ops(metricsEnabled, metricsRequireKey, metricsRefresh, requestLog, logFormat, rateLimits,
              diskMinFreePercent, alertWebhook, alertInterval, alertWindow, alertSlaMinPercent,
              alertErrorRateMaxPercent, alertP99Max, alertPoolBusyMaxPercent));
    }

    private static String blankToNull(String v) {
      return v == null || v.isBlank() ? null : v;
    }
  }
}
