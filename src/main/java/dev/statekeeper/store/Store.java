package dev.statekeeper.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.statekeeper.StatekeeperConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The database behind every capability: connections, transactions and migrations for SQLite
 * (embedded default) and PostgreSQL. There is never a fallback from one to the other.
 *
 * <p>Concurrency: on PostgreSQL all work shares a HikariCP pool and the database serializes what
 * must be. On SQLite there is exactly one writer connection, owned by {@link SqliteWriter}:
 * writers queue inside the server (and are committed in groups) instead of meeting {@code
 * SQLITE_BUSY}. Reads use a separate pool of connections, which WAL lets run beside the writer.
 */
public final class Store implements AutoCloseable {

  private final StatekeeperConfig config;
  private final Dialect dialect;
  private final HikariDataSource pool; // PostgreSQL: everything; SQLite: readers
  private final SqliteWriter sqliteWriter; // SQLite only
  private final FileChannel lockChannel;
  private final FileLock dataDirLock;
  private final Retry conflictRetry;
  private final ReconnectingDataSource postgresSource; // PostgreSQL only

  private final boolean readOnly;
  private final DatabaseClock clock;

  private Store(StatekeeperConfig config, boolean readOnly, MeterRegistry meters, DatabaseClock clock) {
    this.config = config;
    this.clock = clock;
    this.readOnly = readOnly;
    this.dialect = config.store().usesPostgres() ? Dialect.POSTGRES : Dialect.SQLITE;
    if (dialect == Dialect.SQLITE && readOnly && !Files.exists(config.store().sqliteFile())) {
      throw new IllegalStateException("there is no store at " + config.store().sqliteFile().toAbsolutePath());
    }
    if (dialect == Dialect.SQLITE && !readOnly) {
      try {
        Files.createDirectories(config.store().dataDir());
        lockChannel =
            FileChannel.open(
                config.store().dataDir().resolve("statekeeper.lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        dataDirLock = tryLock(lockChannel);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot use data directory " + config.store().dataDir(), e);
      }
      if (dataDirLock == null) {
        closeQuietly(lockChannel);
        throw new IllegalStateException(
            "another Statekeeper process (or instance in this process) is using "
                + config.store().dataDir().toAbsolutePath()
                + "; stop it first or choose another " + StoreSettings.DATA_DIR.option());
      }
    } else {
      lockChannel = null;
      dataDirLock = null;
    }
    if (dialect == Dialect.POSTGRES) {
      this.postgresSource = new ReconnectingDataSource(config.store().databaseUrl(), postgresProperties(config, "statekeeper"));
      requireReachable(config);
      this.pool = postgresPool(config, postgresSource, meters);
    } else {
      this.postgresSource = null;
      this.pool = sqliteReaderPool(config, meters);
    }
    this.sqliteWriter =
        dialect == Dialect.SQLITE && !readOnly
            ? new SqliteWriter(
                () -> {
                  try {
                    return sqliteDataSource().getConnection();
                  } catch (SQLException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                  }
                })
            : null;
    if (sqliteWriter != null && meters != null) {
      registerWriterMeters(sqliteWriter, meters);
    }
    this.conflictRetry =
        Retry.of(
            "store-conflict",
            RetryConfig.<Object>custom()
                .maxAttempts(5)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(5), 2.0))
                .retryOnException(e -> e instanceof RetryableConflict)
                .build());
  }

  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException sameJvm) {
      return null;
    }
  }

  /** Opens the store the configuration names, creating the SQLite data directory if needed. */
  public static Store open(StatekeeperConfig config) {
    return new Store(config, /* readOnly= */ false, null, DatabaseClock.DATABASE);
  }

  /** As {@link #open(StatekeeperConfig)}, with the connection pool's meters in {@code meters}. */
  public static Store open(StatekeeperConfig config, MeterRegistry meters) {
    return new Store(config, /* readOnly= */ false, meters, DatabaseClock.DATABASE);
  }

  /**
   * As {@link #open(StatekeeperConfig, MeterRegistry)}, with statements taking "now" from {@code
   * clock} ({@code sk_now()}); tests pass a settable one.
   */
  public static Store open(StatekeeperConfig config, MeterRegistry meters, DatabaseClock clock) {
    return new Store(config, /* readOnly= */ false, meters, clock);
  }

  /**
   * Opens an existing store for reading only, beside a server that may be running on it (SQLite
   * in WAL mode lets another process read a consistent snapshot): no lock on the data
   * directory, no writer, no migrations. For online backups and checks.
   */
  public static Store openReadOnly(StatekeeperConfig config) {
    return new Store(config, /* readOnly= */ true, null, DatabaseClock.DATABASE);
  }

  /**
   * Runs {@code work} inside one read-only snapshot of the whole store: a {@code REPEATABLE READ
   * READ ONLY} transaction on PostgreSQL, a read transaction on SQLite (WAL keeps its snapshot
   * while writers go on). Every statement in {@code work} sees the same committed state.
   */
  public <T> T snapshot(String doing, SqlWork<T> work) {
    try (Connection c = borrow()) {
      if (dialect == Dialect.POSTGRES) {
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
        try {
          return work.run(c);
        } finally {
          rollbackQuietly(c);
          c.setReadOnly(false);
          c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
          resetAutoCommit(c);
        }
      }
      try (Statement s = c.createStatement()) {
        s.execute("BEGIN");
      }
      try {
        return work.run(c);
      } finally {
        try (Statement s = c.createStatement()) {
          s.execute("COMMIT");
        }
      }
    } catch (SQLException e) {
      throw SqlErrors.translate(e, doing);
    }
  }

  public Dialect dialect() {
    return dialect;
  }

  public StatekeeperConfig config() {
    return config;
  }

  /** Applies pending migrations; returns how many were applied. */
  public int migrate() {
    requireWritable("migrating");
    return flyway().migrate().migrationsExecuted;
  }

  /** How many migrations this build knows that the database has not applied yet. */
  public int pendingMigrations() {
    return flyway().info().pending().length;
  }

  /** The schema version the database is at, or null when nothing was applied yet. */
  public String schemaVersion() {
    var current = flyway().info().current();
    return current == null ? null : current.getVersion().getVersion();
  }

  private Flyway flyway() {
    var flyway = Flyway.configure().locations(dialect.migrationLocation()).loggers("slf4j");
    if (dialect == Dialect.SQLITE) {
      flyway.dataSource(sqliteDataSource());
    } else {
      flyway.dataSource(pool);
    }
    return flyway.load();
  }

  /**
   * Runs {@code work} in one transaction and commits it. On PostgreSQL a transaction aborted by a
   * serialization failure or deadlock is run again (a few times, with jittered backoff); {@code
   * work} must therefore not have effects outside the database.
   */
  public <T> T write(String doing, SqlWork<T> work) {
    requireWritable(doing);
    if (dialect == Dialect.SQLITE) {
      return sqliteWriter.write(doing, work);
    }
    return postgres(doing, /* transaction= */ true, work);
  }

  /**
   * Runs {@code work}, which must consist of a single statement (atomic by itself), without an
   * explicit transaction: on PostgreSQL that saves the BEGIN and COMMIT round trips on hot paths.
   * On SQLite it is the same as {@link #write}. Deadlocks are retried as in {@link #write}.
   */
  public <T> T writeSingleStatement(String doing, SqlWork<T> work) {
    requireWritable(doing);
    if (dialect == Dialect.SQLITE) {
      return sqliteWriter.write(doing, work);
    }
    return postgres(doing, /* transaction= */ false, work);
  }

  /** Runs read-only {@code work} on a pooled connection in autocommit mode. */
  public <T> T read(String doing, SqlWork<T> work) {
    try (Connection c = borrow()) {
      return work.run(c);
    } catch (SQLException e) {
      throw SqlErrors.translate(withReason(e), doing);
    }
  }

  /** Where statements take "now" from. */
  public DatabaseClock clock() {
    return clock;
  }

  /** True when the database answers a trivial query within {@code timeout}. */
  public boolean ping(Duration timeout) {
    return probe(timeout).up();
  }

  /**
   * Asks the database a trivial query and waits at most {@code timeout} for the answer (the query
   * runs on a virtual thread, so a pool that has no connection to give cannot hold the caller).
   */
  public Probe probe(Duration timeout) {
    long t0 = System.nanoTime();
    var answer =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try (Connection c = pool.getConnection();
                  Statement s = c.createStatement()) {
                s.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
                s.execute("SELECT 1");
                return (String) null;
              } catch (SQLException e) {
                return withReason(e).getMessage();
              }
            },
            task -> Thread.ofVirtual().name("statekeeper-probe").start(task));
    String error;
    try {
      error = answer.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      error = "no answer within " + timeout.toMillis() + " ms";
    } catch (java.util.concurrent.ExecutionException e) {
      error = String.valueOf(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error = "interrupted";
    }
    return new Probe(error == null, Duration.ofNanos(System.nanoTime() - t0), error);
  }

  /** The outcome of {@link #probe}: whether the database answered, how fast, and if not, why. */
  public record Probe(boolean up, Duration latency, String error) {}

  /**
   * A connection outside the pool, for long-lived uses such as PostgreSQL's {@code LISTEN}. The
   * caller closes it.
   */
  public Connection openDedicatedConnection() throws SQLException {
    if (dialect != Dialect.POSTGRES) {
      throw new UnsupportedOperationException("dedicated connections are for PostgreSQL");
    }
    return DriverManager.getConnection(config.store().databaseUrl(), postgresProperties(config, "statekeeper-listen"));
  }

  private static Properties postgresProperties(StatekeeperConfig config, String applicationName) {
    Properties props = new Properties();
    if (config.store().databaseUser() != null) props.setProperty("user", config.store().databaseUser());
    if (config.store().databasePassword() != null) props.setProperty("password", config.store().databasePassword());
    props.setProperty("ApplicationName", applicationName);
    props.setProperty("connectTimeout", Long.toString(Math.max(1, config.store().connectionTimeout().toSeconds())));
    props.setProperty("tcpKeepAlive", "true");
    props.setProperty("reWriteBatchedInserts", "true");
    return props;
  }

  /** Pool figures for health checks and metrics: total, active, idle, waiting. */
  public PoolStats poolStats() {
    var mx = pool.getHikariPoolMXBean();
    if (mx == null) {
      return new PoolStats(0, 0, 0, 0, pool.getMaximumPoolSize());
    }
    return new PoolStats(
        mx.getTotalConnections(),
        mx.getActiveConnections(),
        mx.getIdleConnections(),
        mx.getThreadsAwaitingConnection(),
        pool.getMaximumPoolSize());
  }

  /** Connection pool occupancy. */
  public record PoolStats(int total, int active, int idle, int waiting, int max) {}

  /** The name the SQLite writer's meters carry in their {@code pool} tag, beside the read pool's. */
  public static final String SQLITE_WRITER_POOL = "statekeeper-sqlite-writer";

  /**
   * SQLite's single writer (empty on PostgreSQL, and for a read-only store): whether it is writing
   * now, how many writes wait for it, and the time it has spent writing since start.
   */
  public Optional<WriterStats> writerStats() {
    if (sqliteWriter == null) {
      return Optional.empty();
    }
    SqliteWriter.Stats s = sqliteWriter.stats();
    return Optional.of(new WriterStats(s.active(), s.waiting(), Duration.ofNanos(s.busyNanos()), s.groups()));
  }

  /**
   * The single writer's figures; {@code busy} grows as groups finish, so its increase over a
   * window divided by the window is the share of time the writer was busy.
   */
  public record WriterStats(boolean active, int waiting, Duration busy, long groups) {}

  /**
   * The writer as Prometheus sees it, tagged {@code pool} like HikariCP's meters of the read pool:
   * {@code statekeeper_sqlite_writer_active} (0 or 1), {@code _waiting} (writes queued), {@code
   * _busy_seconds_total} (its rate is the busy share the PoolBusy alert watches) and {@code
   * _groups_total} (commits, each of one or more writes).
   */
  private static void registerWriterMeters(SqliteWriter writer, MeterRegistry meters) {
    Gauge.builder("statekeeper.sqlite.writer.active", writer, w -> w.stats().active() ? 1 : 0)
        .description("1 while SQLite's single writer runs or commits a group of writes")
        .tag("pool", SQLITE_WRITER_POOL)
        .register(meters);
    Gauge.builder("statekeeper.sqlite.writer.waiting", writer, w -> w.stats().waiting())
        .description("Writes queued for SQLite's single writer")
        .tag("pool", SQLITE_WRITER_POOL)
        .register(meters);
    FunctionCounter.builder("statekeeper.sqlite.writer.busy", writer, w -> w.stats().busyNanos() / 1e9)
        .description("Time SQLite's single writer spent running and committing groups of writes")
        .baseUnit("seconds")
        .tag("pool", SQLITE_WRITER_POOL)
        .register(meters);
    FunctionCounter.builder("statekeeper.sqlite.writer.groups", writer, w -> w.stats().groups())
        .description("Groups of writes SQLite's single writer committed (or rolled back), one transaction each")
        .tag("pool", SQLITE_WRITER_POOL)
        .register(meters);
  }

  /**
   * A pool timeout says only that no connection came; while PostgreSQL is unreachable, add why
   * the last attempt to connect failed.
   */
  private SQLException withReason(SQLException e) {
    SQLException last = postgresSource == null ? null : postgresSource.lastFailure();
    if (last == null || !(e instanceof java.sql.SQLTransientConnectionException)) {
      return e;
    }
    return new java.sql.SQLTransientConnectionException(
        e.getMessage() + "; the last attempt to connect failed: " + last.getMessage(), last.getSQLState(), e);
  }

  private static void requireReachable(StatekeeperConfig config) {
    try (Connection c = DriverManager.getConnection(config.store().databaseUrl(), postgresProperties(config, "statekeeper-start"))) {
      c.isValid(1);
    } catch (SQLException e) {
      throw new dev.statekeeper.StatekeeperException.StoreUnavailable(
          "cannot reach " + config.store().describeStore() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (sqliteWriter != null) {
      sqliteWriter.close();
    }
    if (postgresSource != null) {
      postgresSource.close();
    }
    pool.close();
    if (dataDirLock != null) {
      try {
        dataDirLock.release();
      } catch (IOException ignored) {
        // closing the channel below releases it as well
      }
      closeQuietly(lockChannel);
    }
  }

  private void requireWritable(String doing) {
    if (readOnly) {
      throw new IllegalStateException("the store was opened read-only; cannot write while " + doing);
    }
  }

  /** One PostgreSQL write, run again when the database aborted it to resolve a conflict. */
  private <T> T postgres(String doing, boolean transaction, SqlWork<T> work) {
    try {
      return conflictRetry.executeCallable(() -> postgresAttempt(doing, transaction, work));
    } catch (RetryableConflict e) {
      throw SqlErrors.translate(e.sql, doing);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("unexpected checked exception while " + doing, e);
    }
  }

  private <T> T postgresAttempt(String doing, boolean transaction, SqlWork<T> work)
      throws RetryableConflict {
    try (Connection c = borrow()) {
      if (!transaction) {
        return work.run(c);
      }
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(c);
        throw e;
      } finally {
        resetAutoCommit(c);
      }
    } catch (SQLException e) {
      if (SqlErrors.isTransientConflict(e)) {
        throw new RetryableConflict(e);
      }
      throw SqlErrors.translate(withReason(e), doing);
    }
  }

  /**
   * A pooled connection; with a test's clock, told its instant first (PostgreSQL's {@code sk_now()}
   * reads {@code statekeeper.now}; SQLite's asks the clock itself).
   */
  private Connection borrow() throws SQLException {
    Connection c = pool.getConnection();
    var override = clock.override();
    if (override.isPresent() && dialect == Dialect.POSTGRES) {
      try (PreparedStatement ps = c.prepareStatement("SELECT set_config('statekeeper.now', ?, false)")) {
        ps.setString(1, override.get().instant().toString());
        ps.execute();
      } catch (SQLException | RuntimeException e) {
        c.close();
        throw e;
      }
    }
    return c;
  }

  private SQLiteDataSource sqliteDataSource() {
    SQLiteConfig sc = new SQLiteConfig();
    sc.setJournalMode(SQLiteConfig.JournalMode.WAL);
    sc.setSynchronous(
        config.store().sqliteSynchronous() == StoreSettings.SqliteSync.FULL
            ? SQLiteConfig.SynchronousMode.FULL
            : SQLiteConfig.SynchronousMode.NORMAL);
    sc.setBusyTimeout(10_000);
    sc.enforceForeignKeys(true);
    sc.setTempStore(SQLiteConfig.TempStore.MEMORY);
    DatabaseClock now = clock;
    SQLiteDataSource ds = new SQLiteDataSource(sc) {
      @Override
      public org.sqlite.SQLiteConnection getConnection(String user, String password) throws SQLException {
        org.sqlite.SQLiteConnection c = super.getConnection(user, password);
        registerNow(c, now);
        return c;
      }
    };
    ds.setUrl("jdbc:sqlite:" + config.store().sqliteFile().toAbsolutePath());
    return ds;
  }

  /**
   * {@code sk_now()} and {@code sk_now_plus(ms)} on a SQLite connection: epoch milliseconds of
   * "now" (plus {@code ms}) from {@code clock}.
   * Deterministic for SQLite, so it is evaluated once per statement rather than per row — the
   * "fixed for the whole statement" that PostgreSQL's statement_timestamp() gives.
   */
  private static void registerNow(Connection c, DatabaseClock clock) throws SQLException {
    org.sqlite.Function.create(
        c,
        "sk_now",
        new org.sqlite.Function() {
          @Override
          protected void xFunc() throws SQLException {
            result(clock.sqliteMillis());
          }
        },
        0,
        org.sqlite.Function.FLAG_DETERMINISTIC);
    org.sqlite.Function.create(
        c,
        "sk_now_plus",
        new org.sqlite.Function() {
          @Override
          protected void xFunc() throws SQLException {
            // NULL in, NULL out, as PostgreSQL's sk_now_plus (a STRICT-like SQL function)
            if (value_type(0) == org.sqlite.core.Codes.SQLITE_NULL) {
              result();
            } else {
              result(clock.sqliteMillis() + value_long(0));
            }
          }
        },
        1,
        org.sqlite.Function.FLAG_DETERMINISTIC);
  }

  private HikariDataSource sqliteReaderPool(StatekeeperConfig config, MeterRegistry meters) {
    // Make sure the file exists and is in WAL mode before read-only connections open it.
    try (Connection c = sqliteDataSource().getConnection()) {
      c.createStatement().close();
    } catch (SQLException e) {
      throw SqlErrors.translate(e, "opening " + config.store().sqliteFile());
    }
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("statekeeper-sqlite-read");
    hc.setDataSource(sqliteDataSource());
    hc.setConnectionInitSql("PRAGMA query_only = 1");
    hc.setMaximumPoolSize(Math.max(2, Math.min(config.store().poolSize(), 16)));
    hc.setMinimumIdle(1);
    hc.setConnectionTimeout(10_000);
    if (meters != null) {
      hc.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(meters));
    }
    return new HikariDataSource(hc);
  }

  private static HikariDataSource postgresPool(
      StatekeeperConfig config, ReconnectingDataSource source, MeterRegistry meters) {
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("statekeeper-pg");
    hc.setDataSource(source);
    hc.setMaximumPoolSize(config.store().poolSize());
    hc.setMinimumIdle(Math.min(2, config.store().poolSize()));
    // A request waits at most this long for a connection, then gets 503 store_unavailable.
    hc.setConnectionTimeout(config.store().connectionTimeout().toMillis());
    hc.setValidationTimeout(Math.max(250, Math.min(2_000, config.store().connectionTimeout().toMillis() / 2)));
    // Never fail the pool for an unreachable database: the source above keeps reconnecting.
    hc.setInitializationFailTimeout(-1);
    if (meters != null) {
      hc.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(meters));
    }
    return new HikariDataSource(hc);
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; the pool will discard it
    }
  }

  private static void resetAutoCommit(Connection c) {
    try {
      c.setAutoCommit(true);
    } catch (SQLException ignored) {
      // the connection is broken; the pool will discard it
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) return;
    try {
      c.close();
    } catch (Exception ignored) {
      // nothing useful to do when closing fails
    }
  }

  /** Carries a PostgreSQL serialization failure or deadlock out of one attempt to the retry. */
  private static final class RetryableConflict extends Exception {
    final SQLException sql;

    RetryableConflict(SQLException sql) {
      super(sql.getMessage(), sql, false, false);
      this.sql = sql;
    }
  }
}
