package dev.statekeeper;

import dev.statekeeper.audit.Audit;
import dev.statekeeper.audit.AuditSchema;
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
import java.util.ArrayList;
import java.util.List;
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
      DocumentSchema.SCHEMA, AccessSchema.SCHEMA, AuditSchema.SCHEMA);

  private final StatekeeperConfig config;
  private final Store store;
  private final Keys keys;
  private final Tasks tasks;
  private final Sessions sessions;
  private final Memory memory;
  private final Documents documents;
  private final Audit audit;
  private final Backups backups;
  private final Redis redis; // null without --redis-url
  private final Access access;
  private final Metrics metrics;
  private final Operations operations;
  private final JobRunner jobs;
  private final List<Capability> capabilities;
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
    access.reportAlso(keys::cacheStats);
    this.tasks = Tasks.open(store, config, access, metrics.registry());
    access.registerParents("task", tasks::parentsOf);
    this.sessions = Sessions.open(store, config, access);
    this.memory = Memory.open(store, config, access, embedder);
    this.documents = Documents.open(store, access, embedder);
    this.audit = new Audit(store);
    this.backups = new Backups(store, SCHEMA, config.effectiveBackupDir(), config.backups().backupKeep());
    if (config.backups().backupEvery() != null) {
      backups.scheduledEvery(config.backups().backupEvery());
    }
    this.capabilities = List.of(keys, access, tasks, sessions, memory, documents, backups, audit);
    try {
      List<dev.statekeeper.ops.AlertCheck> alertChecks = new ArrayList<>();
      for (Capability c : capabilities) {
        alertChecks.addAll(c.alerts());
      }
      this.operations = Operations.start(config, store, metrics, () -> pendingMigrations, alertChecks, jobs);
      for (Capability c : capabilities) {
        c.healthChecks().forEach(operations.health()::register);
        c.registerMeters(metrics.registry());
        jobs.startAll(c.jobs());
      }
    } catch (RuntimeException | Error e) {
      closeCapabilities();
      throw e;
    }
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

  /** What was removed for good (memory purges, deleted sessions), for admin and root callers. */
  public Audit audit() {
    return audit;
  }

  public Keys keys() {
    return keys;
  }

  /** Access grants and checks; also the {@link Authorizer} every capability enforces. */
  public Access access() {
    return access;
  }

  /** Every capability, in the order they were opened: what the HTTP server takes its routes from. */
  public List<Capability> capabilities() {
    return capabilities;
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
