package dev.statekeeper.ops;

import dev.statekeeper.http.HttpSettings;
import dev.statekeeper.config.Setting;
import dev.statekeeper.store.StoreSettings;
import static dev.statekeeper.ops.DoctorCheck.fail;
import static dev.statekeeper.ops.DoctorCheck.pass;
import static dev.statekeeper.ops.DoctorCheck.skip;
import static dev.statekeeper.ops.DoctorCheck.warn;

import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.store.Dialect;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;

/**
 * The data directory, the disk and the store, read-only: SQLite is opened read-only (and not at
 * all while another process holds its lock), PostgreSQL through one short connection.
 */
final class StorageChecks {

  private static final Duration CONNECT = Duration.ofSeconds(5);

  private StorageChecks() {}

  static List<Doctor.Named> all(StatekeeperConfig c) {
    List<Doctor.Named> checks = new ArrayList<>();
    checks.add(new Doctor.Named("data_dir_writable", () -> dataDirWritable(c)));
    checks.add(new Doctor.Named("disk_space", () -> diskSpace(c)));
    if (c.store().usesPostgres()) {
      checks.add(new Doctor.Named("store_reachable", () -> withPostgres(c, "store_reachable", conn -> reachable(conn, c))));
      checks.add(new Doctor.Named("migrations", () -> migrations(c)));
      checks.add(new Doctor.Named("postgres_version", () -> withPostgres(c, "postgres_version", StorageChecks::postgresVersion)));
      checks.add(new Doctor.Named("postgres_connections", () -> withPostgres(c, "postgres_connections", conn -> postgresConnections(conn, c))));
      checks.add(new Doctor.Named("postgres_durability", () -> withPostgres(c, "postgres_durability", StorageChecks::postgresDurability)));
      checks.add(new Doctor.Named("postgres_statement_timeout", () -> withPostgres(c, "postgres_statement_timeout", StorageChecks::statementTimeout)));
      checks.add(new Doctor.Named("postgres_encoding", () -> withPostgres(c, "postgres_encoding", StorageChecks::encoding)));
      checks.add(new Doctor.Named("postgres_privileges", () -> withPostgres(c, "postgres_privileges", StorageChecks::privileges)));
      checks.add(new Doctor.Named("clock_skew", () -> withPostgres(c, "clock_skew", conn -> clockSkew(conn, "SELECT extract(epoch from clock_timestamp()) * 1000"))));
      checks.add(new Doctor.Named("root_key", () -> withPostgres(c, "root_key", StorageChecks::rootKey)));
    } else {
      checks.add(new Doctor.Named("data_dir_lock", () -> dataDirLock(c)));
      checks.add(new Doctor.Named("filesystem", () -> filesystem(c)));
      checks.add(new Doctor.Named("store_reachable", () -> withSqlite(c, "store_reachable", conn -> reachable(conn, c))));
      checks.add(new Doctor.Named("migrations", () -> migrations(c)));
      checks.add(new Doctor.Named("sqlite_integrity", () -> withSqlite(c, "sqlite_integrity", StorageChecks::integrity)));
      checks.add(new Doctor.Named("sqlite_journal_mode", () -> withSqlite(c, "sqlite_journal_mode", StorageChecks::journalMode)));
      checks.add(new Doctor.Named("sqlite_synchronous", () -> sqliteSynchronous(c)));
      checks.add(new Doctor.Named("sqlite_version", () -> withSqlite(c, "sqlite_version", StorageChecks::sqliteVersion)));
      checks.add(new Doctor.Named("sqlite_wal_size", () -> walSize(c)));
      checks.add(new Doctor.Named("clock_skew", () -> withSqlite(c, "clock_skew", conn -> clockSkew(conn, "SELECT unixepoch('subsec') * 1000"))));
      checks.add(new Doctor.Named("root_key", () -> withSqlite(c, "root_key", StorageChecks::rootKey)));
    }
    checks.add(new Doctor.Named("redis", () -> redis(c)));
    return checks;
  }

  /**
   * A round trip to the configured Redis. Redis is never the source of truth: without it the
   * nodes cache on their own and hear of revocations later, so an unreachable one is a warning.
   */
  static DoctorCheck redis(StatekeeperConfig c) {
    String url = c.store().redisUrl();
    if (url == null) {
      return skip("redis", "no Redis is configured; every node caches on its own");
    }
    Duration timeout = c.store().redisTimeout().compareTo(CONNECT) > 0 ? c.store().redisTimeout() : CONNECT;
    try (dev.statekeeper.store.Redis redis = dev.statekeeper.store.Redis.connect(url, timeout)) {
      return redis.ping()
          .map(rtt -> pass("redis", url + " answers (round trip " + Math.max(1, rtt.toMillis()) + " ms)"))
          .orElseGet(() -> warn("redis", url + " does not answer within " + Setting.format(timeout),
              "start Redis or correct " + StoreSettings.REDIS_URL.option()
                  + "; meanwhile each node caches on its own and revocations reach other nodes only when their caches expire"));
    }
  }

  interface ConnectionCheck {
    DoctorCheck run(Connection c) throws SQLException;
  }

  // ---------------------------------------------------------------- data directory and disk

  static DoctorCheck dataDirWritable(StatekeeperConfig c) {
    Path dir = c.store().dataDir().toAbsolutePath();
    Path existing = DiskSpace.existingAncestor(dir);
    if (!Files.isDirectory(existing)) {
      return fail("data_dir_writable", existing + " is not a directory", "point " + StoreSettings.DATA_DIR.option() + " at a directory");
    }
    try {
      Path probe = Files.createTempFile(existing, ".statekeeper-doctor", ".tmp");
      Files.delete(probe);
    } catch (IOException e) {
      return fail("data_dir_writable", existing + " is not writable by this user: " + e.getMessage(),
          "chown the directory to the service user or choose another " + StoreSettings.DATA_DIR.option());
    }
    return pass("data_dir_writable", dir + (existing.equals(dir) ? " is writable" : " will be created in " + existing));
  }

  static DoctorCheck diskSpace(StatekeeperConfig c) throws IOException {
    DiskSpace s = DiskSpace.of(c.store().dataDir());
    String what = String.format(Locale.ROOT, "%.1f%% free (%d MiB of %d MiB) on %s", s.freePercent(),
        s.freeBytes() >> 20, s.totalBytes() >> 20, s.path());
    if (s.freeBytes() < 100L << 20) {
      return fail("disk_space", what, "free disk space: writes fail when the disk fills (SQLite answers 503 then)");
    }
    if (s.freePercent() < c.ops().diskMinFreePercent()) {
      return warn("disk_space", what + ", under the " + c.ops().diskMinFreePercent() + "% threshold",
          "free disk space or grow the volume; health reports DEGRADED and the disk alert fires below the threshold");
    }
    return pass("disk_space", what);
  }

  static DoctorCheck dataDirLock(StatekeeperConfig c) throws IOException {
    Path lock = c.store().dataDir().resolve("statekeeper.lock");
    if (!Files.exists(lock)) {
      return pass("data_dir_lock", "no server uses " + c.store().dataDir());
    }
    try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
      FileLock l = ch.tryLock();
      if (l == null) {
        return fail("data_dir_lock", "another Statekeeper process is using " + c.store().dataDir().toAbsolutePath(),
            "stop that server first, or give this one its own " + StoreSettings.DATA_DIR.option() + " (SQLite: one server per directory)");
      }
      l.release();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      return fail("data_dir_lock", "this process already uses " + c.store().dataDir().toAbsolutePath(), "give this server its own " + StoreSettings.DATA_DIR.option());
    }
    return pass("data_dir_lock", "no server uses " + c.store().dataDir());
  }

  static DoctorCheck filesystem(StatekeeperConfig c) throws IOException {
    String type = Files.getFileStore(DiskSpace.existingAncestor(c.store().dataDir())).type().toLowerCase(Locale.ROOT);
    if (type.startsWith("nfs") || type.contains("cifs") || type.contains("smb") || type.contains("sshfs") || type.startsWith("9p")) {
      return fail("filesystem", "the data directory is on " + type + ": SQLite's WAL mode needs a local file system (shared memory, locks)",
          "use a local disk for " + StoreSettings.DATA_DIR.option() + ", or PostgreSQL (" + StoreSettings.DATABASE_URL.option() + ") for shared storage");
    }
    if (type.equals("tmpfs")) {
      return warn("filesystem", "the data directory is on tmpfs: everything is lost at reboot", "use a persistent disk for " + StoreSettings.DATA_DIR.option());
    }
    return pass("filesystem", type);
  }

  // ---------------------------------------------------------------- the store

  private static DoctorCheck withSqlite(StatekeeperConfig c, String name, ConnectionCheck check) throws SQLException {
    Path file = c.store().sqliteFile();
    if (!Files.exists(file)) {
      return skip(name, "no database yet at " + file + "; the first start creates it");
    }
    org.sqlite.SQLiteConfig sc = new org.sqlite.SQLiteConfig();
    sc.setReadOnly(true);
    sc.setBusyTimeout(5_000);
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), sc.toProperties())) {
      return check.run(conn);
    }
  }

  private static DoctorCheck withPostgres(StatekeeperConfig c, String name, ConnectionCheck check) {
    try (Connection conn = postgres(c)) {
      return check.run(conn);
    } catch (SQLException e) {
      return fail(name, "cannot reach " + c.store().describeStore() + ": " + e.getMessage(),
          "check " + StoreSettings.DATABASE_URL.option() + ", the credentials, and that PostgreSQL accepts connections from this " + HttpSettings.HOST.name() + " (pg_hba.conf)");
    }
  }

  private static Connection postgres(StatekeeperConfig c) throws SQLException {
    Properties p = new Properties();
    if (c.store().databaseUser() != null) p.setProperty("user", c.store().databaseUser());
    if (c.store().databasePassword() != null) p.setProperty("password", c.store().databasePassword());
    p.setProperty("connectTimeout", Long.toString(CONNECT.toSeconds()));
    p.setProperty("ApplicationName", "statekeeper-doctor");
    return DriverManager.getConnection(c.store().databaseUrl(), p);
  }

  static DoctorCheck reachable(Connection conn, StatekeeperConfig c) throws SQLException {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      try (Statement s = conn.createStatement()) {
        s.execute("SELECT 1");
      }
      best = Math.min(best, System.nanoTime() - t0);
    }
    double ms = best / 1e6;
    String what = String.format(Locale.ROOT, "%s answers; round trip %.2f ms", c.store().describeStore(), ms);
    if (ms > 20) {
      return warn("store_reachable", what + ": every request makes one or more", "run the database close to the server (same zone); check the network");
    }
    return pass("store_reachable", what);
  }

  static DoctorCheck migrations(StatekeeperConfig c) {
    if (!c.store().usesPostgres() && !Files.exists(c.store().sqliteFile())) {
      return skip("migrations", "no database yet; the first start applies every migration");
    }
    Flyway flyway;
    Dialect dialect = c.store().usesPostgres() ? Dialect.POSTGRES : Dialect.SQLITE;
    var conf = Flyway.configure().locations(dialect.migrationLocation()).loggers("slf4j");
    if (c.store().usesPostgres()) {
      conf.dataSource(c.store().databaseUrl(), c.store().databaseUser(), c.store().databasePassword());
    } else {
      conf.dataSource("jdbc:sqlite:" + c.store().sqliteFile().toAbsolutePath(), null, null);
    }
    flyway = conf.load();
    var info = flyway.info();
    List<String> future = new ArrayList<>();
    for (MigrationInfo m : info.all()) {
      if (m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED) {
        future.add(m.getVersion().getVersion());
      }
      if (m.getState() == MigrationState.FAILED) {
        return fail("migrations", "migration " + m.getVersion() + " failed earlier and left the schema half-changed",
            "restore from a backup taken before the failed migration, then upgrade again");
      }
    }
    if (!future.isEmpty()) {
      return fail("migrations", "the database has migrations this build does not know (" + String.join(", ", future) + "): it was upgraded by a newer Statekeeper",
          "run the newer Statekeeper version, or restore a backup made with this one");
    }
    int pending = info.pending().length;
    String current = info.current() == null ? "none" : info.current().getVersion().getVersion();
    if (pending > 0) {
      return warn("migrations", "schema version " + current + "; " + pending + " migrations pending",
          "serve applies them at start; to apply them ahead: statekeeper migrate (same settings)");
    }
    return pass("migrations", "schema version " + current + ", up to date");
  }

  static DoctorCheck integrity(Connection conn) throws SQLException {
    List<String> problems = new ArrayList<>();
    try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
      while (rs.next()) problems.add(rs.getString(1));
    }
    if (problems.size() == 1 && problems.get(0).equals("ok")) {
      return pass("sqlite_integrity", "integrity_check: ok");
    }
    return fail("sqlite_integrity", "integrity_check found " + problems.size() + " problems, first: " + problems.get(0),
        "stop the server, copy the data directory aside, and restore from a backup (or .recover with the sqlite3 shell)");
  }

  static DoctorCheck journalMode(Connection conn) throws SQLException {
    String mode = single(conn, "PRAGMA journal_mode");
    if (!"wal".equalsIgnoreCase(mode)) {
      return warn("sqlite_journal_mode", "journal_mode " + mode + "; readers then wait for the writer",
          "start the server once: it switches the database to WAL");
    }
    return pass("sqlite_journal_mode", "wal");
  }

  static DoctorCheck sqliteSynchronous(StatekeeperConfig c) {
    if (c.store().sqliteSynchronous() == StoreSettings.SqliteSync.NORMAL) {
      return warn("sqlite_synchronous", "synchronous=NORMAL: the last writes before a power loss or OS crash may be lost",
          "use " + StoreSettings.SQLITE_SYNCHRONOUS.option() + " FULL (the default) unless losing the last writes on power loss is acceptable");
    }
    return pass("sqlite_synchronous", "FULL: acknowledged writes survive power loss");
  }

  static DoctorCheck sqliteVersion(Connection conn) throws SQLException {
    String v = single(conn, "SELECT sqlite_version()");
    String[] parts = v.split("\\.");
    int major = Integer.parseInt(parts[0]);
    int minor = Integer.parseInt(parts[1]);
    if (major < 3 || (major == 3 && minor < 35)) {
      return fail("sqlite_version", "SQLite " + v + " lacks RETURNING (3.35+)", "use the sqlite-jdbc bundled in the Statekeeper jar");
    }
    return pass("sqlite_version", "SQLite " + v);
  }

  static DoctorCheck walSize(StatekeeperConfig c) throws IOException {
    Path wal = Path.of(c.store().sqliteFile() + "-wal");
    if (!Files.exists(wal)) {
      return pass("sqlite_wal_size", "no write-ahead log outstanding");
    }
    long mb = Files.size(wal) >> 20;
    if (mb > 1024) {
      return warn("sqlite_wal_size", "the write-ahead log holds " + mb + " MiB: checkpoints cannot keep up (a long-running reader?)",
          "restart the server when idle; it checkpoints on close");
    }
    return pass("sqlite_wal_size", mb + " MiB");
  }

  static DoctorCheck clockSkew(Connection conn, String sql) throws SQLException {
    long before = System.currentTimeMillis();
    double db = Double.parseDouble(single(conn, sql));
    long after = System.currentTimeMillis();
    double skewMs = db - (before + after) / 2.0;
    String what = String.format(Locale.ROOT, "database clock %s this machine's by %.0f ms", skewMs >= 0 ? "ahead of" : "behind", Math.abs(skewMs));
    if (Math.abs(skewMs) > 30_000) {
      return fail("clock_skew", what + "; times this server shows and the database's lease and deadline times disagree",
          "synchronise both clocks with NTP (timedatectl set-ntp true)");
    }
    if (Math.abs(skewMs) > 1_000) {
      return warn("clock_skew", what + " (leases and deadlines use the database's clock, logs this machine's)",
          "synchronise both clocks with NTP (timedatectl set-ntp true)");
    }
    return pass("clock_skew", what);
  }

  static DoctorCheck rootKey(Connection conn) throws SQLException {
    try (Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM api_keys WHERE role = 'root' AND revoked_at IS NULL")) {
      rs.next();
      long n = rs.getLong(1);
      if (n == 0) {
        return warn("root_key", "no valid root key", "start the server once (it prints a root key), or: statekeeper keys create --role root ...");
      }
      return pass("root_key", n + " valid root key" + (n == 1 ? "" : "s"));
    } catch (SQLException e) {
      return skip("root_key", "no keys table yet; the first start makes a root key and prints it");
    }
  }

  static DoctorCheck postgresVersion(Connection conn) throws SQLException {
    int num = Integer.parseInt(single(conn, "SHOW server_version_num"));
    String v = single(conn, "SHOW server_version");
    if (num < 130000) {
      return fail("postgres_version", "PostgreSQL " + v + " is older than 13", "upgrade PostgreSQL to 15 or newer");
    }
    if (num < 140000) {
      return warn("postgres_version", "PostgreSQL " + v + " is end-of-life", "upgrade PostgreSQL to 15 or newer");
    }
    return pass("postgres_version", "PostgreSQL " + v);
  }

  static DoctorCheck postgresConnections(Connection conn, StatekeeperConfig c) throws SQLException {
    int max = Integer.parseInt(single(conn, "SHOW max_connections"));
    int reserved = Integer.parseInt(single(conn, "SHOW superuser_reserved_connections"));
    int used = Integer.parseInt(single(conn, "SELECT COUNT(*) FROM pg_stat_activity"));
    int available = max - reserved - used;
    // a node uses its pool, one LISTEN connection and one for notifications
    int needed = c.store().poolSize() + 2;
    String what = "max_connections " + max + ", " + used + " in use; one node needs " + needed;
    if (needed > available) {
      return warn("postgres_connections", what + ": not enough left for this node",
          "raise max_connections in postgresql.conf or lower " + StoreSettings.POOL_SIZE.option() + " (every node needs " + StoreSettings.POOL_SIZE.name() + " + 2)");
    }
    return pass("postgres_connections", what);
  }

  static DoctorCheck postgresDurability(Connection conn) throws SQLException {
    String fsync = single(conn, "SHOW fsync");
    String sync = single(conn, "SHOW synchronous_commit");
    String fpw = single(conn, "SHOW full_page_writes");
    if ("off".equals(fsync)) {
      return fail("postgres_durability", "fsync=off: a crash of the database machine can corrupt the database",
          "set fsync = on in postgresql.conf");
    }
    if ("off".equals(fpw)) {
      return warn("postgres_durability", "full_page_writes=off: a crash can leave torn pages", "set full_page_writes = on in postgresql.conf");
    }
    if ("off".equals(sync) || "local".equals(sync)) {
      return warn("postgres_durability", "synchronous_commit=" + sync + ": acknowledged writes may be lost in a crash",
          "set synchronous_commit = on (for the database or the Statekeeper role)");
    }
    return pass("postgres_durability", "fsync=on, synchronous_commit=" + sync + ", full_page_writes=on");
  }

  static DoctorCheck statementTimeout(Connection conn) throws SQLException {
    String t = single(conn, "SHOW statement_timeout");
    if (!"0".equals(t)) {
      return warn("postgres_statement_timeout", "statement_timeout " + t + " applies to Statekeeper's role: long statistics or migrations may be cut off",
          "ALTER ROLE <statekeeper role> SET statement_timeout = 0 (Statekeeper bounds its own waits)");
    }
    return pass("postgres_statement_timeout", "none");
  }

  static DoctorCheck encoding(Connection conn) throws SQLException {
    String e = single(conn, "SHOW server_encoding");
    if (!"UTF8".equalsIgnoreCase(e)) {
      return warn("postgres_encoding", "server_encoding " + e + ": text outside it cannot be stored",
          "create the database with ENCODING 'UTF8' and move the data with backup/restore");
    }
    return pass("postgres_encoding", e);
  }

  static DoctorCheck privileges(Connection conn) throws SQLException {
    boolean create = "true".equals(single(conn, "SELECT has_schema_privilege(current_user, current_schema(), 'CREATE')::text"));
    String user = single(conn, "SELECT current_user");
    if (!create) {
      return warn("postgres_privileges", user + " may not create tables in schema " + single(conn, "SELECT current_schema()")
          + ": migrations of a new version will fail", "GRANT CREATE ON SCHEMA public TO " + user + ", or run migrations as the owner");
    }
    return pass("postgres_privileges", user + " may create tables (for migrations)");
  }

  private static String single(Connection conn, String sql) throws SQLException {
    try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

}
