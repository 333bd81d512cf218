package dev.statekeeper;

import dev.statekeeper.access.Access;
import dev.statekeeper.backup.Backups;
import dev.statekeeper.keys.CreatedKey;
import dev.statekeeper.keys.Keys;
import dev.statekeeper.store.Redis;
import dev.statekeeper.documents.Documents;
import dev.statekeeper.memory.Memory;
import dev.statekeeper.search.Embedder;
import dev.statekeeper.sessions.Sessions;
import dev.statekeeper.ops.HealthChecks;
import dev.statekeeper.ops.Metrics;
import dev.statekeeper.ops.Operations;
import dev.statekeeper.access.AccessSchema;
import dev.statekeeper.documents.DocumentSchema;
import dev.statekeeper.keys.KeySchema;
import dev.statekeeper.memory.MemorySchema;
import dev.statekeeper.sessions.SessionSchema;
import dev.statekeeper.store.DatabaseClock;
import dev.statekeeper.store.Schema;
import dev.statekeeper.tasks.TaskSchema;
import dev.statekeeper.store.Store;
import dev.statekeeper.jobs.JobRunner;
import dev.statekeeper.tasks.Tasks;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import org.flywaydb.core.api.FlywayException;

/**
 * Statekeeper embedded in a Java process: the same store the server uses, without HTTP.
 *
 * <pre>{@code
 * try (Statekeeper sk = Statekeeper.open(StatekeeperConfig.defaults())) {
 *   Caller me = Caller.admin("acme");
 *   Task t = sk.tasks().create(me, NewTask.of("summarize"), null).task();
 *   List<Task> mine = sk.tasks().claim(me, ClaimRequest.of("worker-1"));
 * }
 * }</pre>
 *
 * <p>Opening applies pending migrations (unless {@code migrateOnStart} is off) and starts the
 * background jobs (the lease reaper; memory and session-event retention when configured);
 * {@link #close()} stops them and closes the store.
 */
public final class Statekeeper implements AutoCloseable {

  /**
   * Every capability's tables, in restore order, with what backups leave out and what verify
   * checks: the one list {@code backup}, {@code restore} and {@code verify} use.
   */
  public static final Schema SCHEMA = Schema.of(
      Schema.STORE, KeySchema.SCHEMA, TaskSchema.SCHEMA, SessionSchema.SCHEMA, MemorySchema.SCHEMA,
      DocumentSchema.SCHEMA, AccessSchema.SCHEMA);

  private final StatekeeperConfig config;
  private final Store store;
  private final Keys keys;
  private final Tasks tasks;
  private final Sessions sessions;
  private final Memory memory;
  private final Documents documents;
  private final Backups backups;
  private final Redis redis; // null without --redis-url
  private final Access access;
  private final Metrics metrics;
  private final Operations operations;
  private final JobRunner jobs;
  private volatile int pendingMigrations;

  private Statekeeper(StatekeeperConfig config, Store store, Metrics metrics, Embedder embedder) {
    this.config = config;
    this.store = store;
    this.metrics = metrics;
    try {
      if (config.store().migrateOnStart()) {
        store.migrate();
      }
      this.pendingMigrations = store.pendingMigrations();
    } catch (FlywayException e) {
      throw new StatekeeperException.StoreUnavailable(
          "cannot prepare the schema of " + config.store().describeStore() + ": " + e.getMessage(), e);
    }
    this.jobs = new JobRunner(metrics.registry(), java.time.InstantSource.system(), Duration.ofSeconds(10));
    this.redis = config.store().redisUrl() == null ? null : Redis.connect(config.store().redisUrl(), config.store().redisTimeout());
    this.keys = Keys.open(store, config, redis, metrics.registry());
    this.access = new Access(store, redis, config.access().accessEpochRefresh(), metrics.registry());
    if (redis != null) {
      redis.subscribe(
          (channel, message) -> {
            if (channel.equals(Access.CHANNEL)) access.onAnnouncement(message);
            else if (channel.equals(Keys.CHANNEL)) keys.onRevoked(message);
          },
          access::resynchronize,
          Access.CHANNEL,
          Keys.CHANNEL);
    }
    this.tasks = Tasks.start(store, config, access, metrics.registry(), jobs);
    access.registerParents("task", tasks::parentsOf);
    this.sessions = Sessions.start(store, config, access, jobs);
    this.memory = Memory.start(store, config, access, embedder, jobs);
    this.documents = Documents.start(store, access, embedder, jobs);
    memory.registerMeters(metrics.registry());
    this.backups = new Backups(store, SCHEMA, config.effectiveBackupDir(), config.backups().backupKeep());
    try {
      this.operations = Operations.start(config, store, tasks, metrics, () -> pendingMigrations, jobs);
    } catch (RuntimeException | Error e) {
      closeCapabilities();
      throw e;
    }
    operations.health().register("cache", this::cacheHealth);
    operations.health().register("embeddings", this::embeddingsHealth);
    if (config.backups().backupEvery() != null) {
      jobs.start(backups.scheduledEvery(config.backups().backupEvery()));
    }
  }

  /**
   * The caches: this node's (access decisions and API keys: entries, hits, misses, hit ratio),
   * always UP; with Redis also the shared one — DEGRADED (never DOWN, since Redis is never the
   * source of truth) when it does not answer: answers then come from the database and this
   * node's cache, whose decisions live at most {@code access-epoch-refresh}.
   */
  private dev.statekeeper.ops.Health cacheHealth() {
    java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
    d.put("access_decisions", cacheDetails(access.decisionCacheStats()));
    d.put("api_keys", cacheDetails(keys.cacheStats()));
    Access.Status a = access.status();
    d.put("access_checks", a.allowed() + a.denied());
    d.put("access_local_misses", a.l1Misses());
    d.put("access_database_loads", a.dbLoads());
    if (redis == null) {
      d.put("redis", "not configured");
      return dev.statekeeper.ops.Health.up(d);
    }
    d.put("access_redis_hits", a.l2Hits());
    d.put("redis", redis.describe());
    d.put("breaker", redis.breakerState());
    d.put("subscribed", redis.subscribed());
    d.put("failures", redis.failures());
    var ping = redis.ping();
    if (ping.isPresent() && redis.healthy()) {
      d.put("latency_ms", ping.get().toNanos() / 1e6);
      return dev.statekeeper.ops.Health.up(d);
    }
    d.put("reason", ping.isEmpty() ? "Redis does not answer" : "circuit breaker " + redis.breakerState());
    return dev.statekeeper.ops.Health.degraded(d);
  }

  private static java.util.Map<String, Object> cacheDetails(LocalCacheStats s) {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("size", s.size());
    m.put("hits", s.hits());
    m.put("misses", s.misses());
    m.put("hit_ratio", Double.isNaN(s.hitRatio()) ? null : Math.round(s.hitRatio() * 1000) / 1000.0); // JSON has no NaN
    return m;
  }

  /**
   * Semantic search: UP while the embedding worker keeps up; DEGRADED (never DOWN: keyword search
   * and every write still work) when it failed several times in a row, so recent writes are not
   * found semantically until it recovers.
   */
  private dev.statekeeper.ops.Health embeddingsHealth() {
    Memory.EmbeddingStatus s = memory.embeddingStatus();
    java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
    d.put("model", s.model());
    d.put("backlog", s.backlog());
    d.put("oldest_pending_age_seconds",
        s.oldestPending() == null ? null : Math.max(0, Duration.between(s.oldestPending(), java.time.Instant.now()).toSeconds()));
    d.put("last_success", s.lastSuccess() == null ? null : s.lastSuccess().toString());
    d.put("failures_in_a_row", s.failuresInARow());
    d.put("indexed", s.indexed());
    d.put("vector_scan", dev.statekeeper.search.Vectors.implementation());
    d.put("document_backlog", documents.embeddingBacklog());
    int documentFailures = documents.embeddingFailuresInARow();
    if (s.degraded()) {
      d.put("reason", "the embedding worker failed " + s.failuresInARow() + " times in a row: " + s.lastError());
      return dev.statekeeper.ops.Health.degraded(d);
    }
    if (documentFailures >= dev.statekeeper.search.EmbeddingLoop.DEGRADED_AFTER) {
      d.put("reason", "the document embedding worker failed " + documentFailures + " times in a row");
      return dev.statekeeper.ops.Health.degraded(d);
    }
    return dev.statekeeper.ops.Health.up(d);
  }

  /**
   * Opens (and if needed creates and migrates) the store the configuration names, with the local
   * embedding model for semantic search.
   */
  public static Statekeeper open(StatekeeperConfig config) {
    return open(config, Embedder.of(config.embedding()));
  }

  /**
   * Opens the store the configuration names, with {@code embedder} computing the embeddings of
   * semantic search (an HTTP provider, say, or a stand-in for tests).
   */
  public static Statekeeper open(StatekeeperConfig config, Embedder embedder) {
    return open(config, embedder, DatabaseClock.DATABASE);
  }

  /** As {@link #open(StatekeeperConfig)}, with every statement's "now" from {@code clock} (tests). */
  public static Statekeeper open(StatekeeperConfig config, DatabaseClock clock) {
    return open(config, Embedder.of(config.embedding()), clock);
  }

  /**
   * As {@link #open(StatekeeperConfig, Embedder)}, with every statement's "now" from {@code clock}:
   * tests pass a settable one, so leases expire and deadlines pass without sleeping.
   */
  public static Statekeeper open(StatekeeperConfig config, Embedder embedder, DatabaseClock clock) {
    Metrics metrics = Metrics.create(config);
    Store store;
    try {
      store = Store.open(config, metrics.registry(), clock);
    } catch (RuntimeException | Error e) {
      metrics.close();
      throw e;
    }
    try {
      return new Statekeeper(config, store, metrics, embedder);
    } catch (RuntimeException | Error e) {
      store.close();
      metrics.close();
      throw e;
    }
  }

  public Tasks tasks() {
    return tasks;
  }

  /** Sessions: event logs with gap-free sequence numbers and a state under optimistic concurrency. */
  public Sessions sessions() {
    return sessions;
  }

  /** Long-term memory: versioned entries under namespaces, listing by prefix, keyword, semantic and hybrid search. */
  public Memory memory() {
    return memory;
  }

  /** Documents: text split into chunks, searched by keyword, semantic or hybrid search. */
  public Documents documents() {
    return documents;
  }

  public Keys keys() {
    return keys;
  }

  /** Access grants and checks; also the {@link Authorizer} every capability enforces. */
  public Access access() {
    return access;
  }

  /** The shared Redis, when configured. */
  public java.util.Optional<Redis> redis() {
    return java.util.Optional.ofNullable(redis);
  }

  /** Backups of this store (scheduled ones too, when configured) and integrity checks. */
  public Backups backups() {
    return backups;
  }

  public StatekeeperConfig config() {
    return config;
  }

  /** The underlying store, for operations tooling (health, migrations). */
  public Store store() {
    return store;
  }

  /**
   * Ensures a root key exists (see {@link Keys#bootstrap}); returns the generated key to show
   * once, if one was generated.
   */
  public Optional<CreatedKey> bootstrapRootKey() {
    return keys.bootstrap(config.keys().bootstrapKey());
  }

  /** Ready to serve: the store answers within {@code timeout} and no migration is pending. */
  public boolean ready(Duration timeout) {
    return pendingMigrations == 0 && store.ping(timeout);
  }

  /**
   * Where every capability registers its meters (Micrometer; exported at {@code /metrics} in
   * Prometheus' format). With {@code metrics=off} meters registered here record nothing.
   */
  public MeterRegistry meterRegistry() {
    return metrics.registry();
  }

  /** The health checks behind {@code /health}; capabilities add their own (a Redis cache, say). */
  public HealthChecks health() {
    return operations.health();
  }

  /** Metrics, health, alerts and the task census, for the HTTP layer and tools. */
  public Operations operations() {
    return operations;
  }

  /** Migrations this build has that the database lacks (0 once migrated). */
  public int pendingMigrations() {
    return pendingMigrations;
  }

  @Override
  public void close() {
    try {
      operations.close();
      closeCapabilities();
    } finally {
      store.close();
      metrics.close();
    }
  }

  private void closeCapabilities() {
    tasks.close(); // ends long polls and the PostgreSQL listener's wait, so its job stops at once
    jobs.close(); // every background job, after the pass in flight
    backups.close();
    documents.close();
    memory.close();
    sessions.close();
    if (redis != null) redis.close();
  }
}
