package dev.statekeeper.store;

import dev.statekeeper.config.Setting;
import dev.statekeeper.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Where the data lives and how the store is reached: the SQLite data directory or a PostgreSQL
 * URL, the pool, SQLite's durability, connection waits, migrations at start, and the optional
 * Redis shared by the nodes.
 */
public record StoreSettings(
    Path dataDir,
    String databaseUrl,
    String databaseUser,
    String databasePassword,
    int poolSize,
    SqliteSync sqliteSynchronous,
    Duration connectionTimeout,
    boolean migrateOnStart,
    String redisUrl,
    Duration redisTimeout) {

  /** SQLite's {@code synchronous} pragma: FULL survives power loss; NORMAL may lose the last commits. */
  public enum SqliteSync {
    FULL,
    NORMAL
  }

  public static final Setting<Path> DATA_DIR = Setting.path("data-dir", "DIR", Path.of("statekeeper-data"),
      "Data directory of the embedded SQLite store (and, by default, of backups).");
  public static final Setting<String> DATABASE_URL = Setting.text("database-url", "URL", null,
      "jdbc:postgresql://host:port/db to store in PostgreSQL instead of SQLite. Never falls back to SQLite.")
      .mustBe(u -> u.startsWith("jdbc:postgresql:"), "a URL starting with jdbc:postgresql: (SQLite needs no URL)")
      .shownAs(StoreSettings::masked);
  public static final Setting<String> DATABASE_USER = Setting.text("database-user", "USER", null,
      "PostgreSQL user (or user= in the URL).");
  public static final Setting<String> DATABASE_PASSWORD = Setting.text("database-password", "PASSWORD", null,
      "PostgreSQL password; prefer STATEKEEPER_DATABASE_PASSWORD to keep it out of the process list.").secret();
  public static final Setting<Integer> POOL_SIZE = Setting.integer("pool-size", 10, 1, 500,
      "Database connections (SQLite: readers, at most 16).");
  public static final Setting<SqliteSync> SQLITE_SYNCHRONOUS = Setting.choice("sqlite-synchronous", SqliteSync.class,
      SqliteSync.FULL, "full: an acknowledged write survives power loss. normal: faster; the last writes before a"
          + " power cut may be lost (never corrupted).");
  public static final Setting<Duration> CONNECTION_TIMEOUT = Setting.duration("connection-timeout", Duration.ofSeconds(2),
      "Longest wait for a database connection (then 503 store_unavailable); also the PostgreSQL connect timeout.")
      .mustBe(d -> d.compareTo(Duration.ofMillis(250)) >= 0 && d.compareTo(Duration.ofMinutes(1)) <= 0,
          "between 250ms and 1m");
  public static final Setting<Boolean> MIGRATE_ON_START = Setting.flag("migrate-on-start", true,
      "Apply pending schema migrations when the store opens (off: 'statekeeper migrate' does it).");
  public static final Setting<String> REDIS_URL = Setting.text("redis-url", "URL", null,
      "redis://host:6379 for a cache shared by every node and instant invalidation. Optional; never the source of truth.")
      .mustBe(u -> u.startsWith("redis://"), "a URL like redis://host:6379");
  public static final Setting<Duration> REDIS_TIMEOUT = Setting.duration("redis-timeout", Duration.ofMillis(200),
      "Longest wait for one Redis call before answering from the database.");

  /** What every command that opens the store takes: where it is and how it is reached. */
  public static final List<Setting<?>> DATABASE = List.of(
      DATA_DIR, DATABASE_URL, DATABASE_USER, DATABASE_PASSWORD, POOL_SIZE, SQLITE_SYNCHRONOUS, CONNECTION_TIMEOUT);

  /** Redis, for the commands whose changes other nodes must hear of at once (keys). */
  public static final List<Setting<?>> REDIS = List.of(REDIS_URL, REDIS_TIMEOUT);

  /** Every setting of the store. */
  public static final List<Setting<?>> ALL = List.of(
      DATA_DIR, DATABASE_URL, DATABASE_USER, DATABASE_PASSWORD, POOL_SIZE, SQLITE_SYNCHRONOUS, CONNECTION_TIMEOUT,
      MIGRATE_ON_START, REDIS_URL, REDIS_TIMEOUT);

  public static StoreSettings from(Settings s) {
    return new StoreSettings(
        s.get(DATA_DIR), s.get(DATABASE_URL), s.get(DATABASE_USER), s.get(DATABASE_PASSWORD), s.get(POOL_SIZE),
        s.get(SQLITE_SYNCHRONOUS), s.get(CONNECTION_TIMEOUT), s.get(MIGRATE_ON_START), s.get(REDIS_URL),
        s.get(REDIS_TIMEOUT));
  }

  /** True when this instance stores into PostgreSQL rather than the embedded SQLite file. */
  public boolean usesPostgres() {
    return databaseUrl != null;
  }

  /** The SQLite database file inside {@link #dataDir()}. */
  public Path sqliteFile() {
    return dataDir.resolve("statekeeper.db");
  }

  /** A description of the store safe to print (no password). */
  public String describeStore() {
    if (usesPostgres()) {
      return "PostgreSQL at " + masked(databaseUrl);
    }
    return "SQLite at " + sqliteFile();
  }

  private static String masked(String url) {
    return url.replaceAll("password=[^&]*", "password=***");
  }

  @Override
  public String toString() {
    return "StoreSettings[" + describeStore() + ", user=" + databaseUser + ", password=" + (databasePassword == null ? null : "***")
        + ", poolSize=" + poolSize + ", sqliteSynchronous=" + sqliteSynchronous + ", connectionTimeout="
        + Setting.format(connectionTimeout) + ", migrateOnStart=" + migrateOnStart + ", redis=" + redisUrl + "]";
  }
}
