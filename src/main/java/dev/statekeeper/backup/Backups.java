package dev.statekeeper.backup;

import dev.statekeeper.Capability;
import dev.statekeeper.http.Routes;
import dev.statekeeper.store.Schema;
import dev.statekeeper.store.Store;
import dev.statekeeper.jobs.Job;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backups, restores and integrity checks. A backup is a directory: one JSON Lines file per
 * table, written from one consistent snapshot, and a {@code manifest.json} with the schema
 * version, row counts and SHA-256 of every file. It is portable: a backup of SQLite restores
 * into PostgreSQL and back, which is the supported way to move between them.
 *
 * <p>Concurrency: {@link #lock} lets one backup run at a time (scheduled or requested);
 * restores and store checks run from the command line on a store nobody else writes.
 */
public final class Backups implements Capability, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Backups.class);
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  static final String PREFIX = "statekeeper-backup-";

  private final Store store;
  private final Schema schema;
  private final Path backupDir;
  private final int keep;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile Job schedule; // null unless backups are scheduled
  private volatile Instant lastBackup;

  /** One result of a store check. */
  public record Finding(String check, boolean ok, String detail) {}

  /**
   * @param schema the tables a backup carries and the invariants verify checks ({@code
   *     Statekeeper.SCHEMA}: every capability's)
   */
  public Backups(Store store, Schema schema, Path backupDir, int keep) {
    this.store = store;
    this.schema = schema;
    this.backupDir = backupDir;
    this.keep = keep;
  }

  /** {@code POST /v1/admin/backups}. */
  @Override
  public void routes(Routes routes) {
    new BackupRoutes(this).register(routes);
  }

  /** The scheduled backup, when {@link #scheduledEvery} made one. */
  @Override
  public List<Job> jobs() {
    return schedule == null ? List.of() : List.of(schedule);
  }

  /** Takes a backup into {@code target} (which must not exist or be empty). */
  public Manifest backup(Path target, Progress progress) {
    lock.lock();
    try {
      Manifest m = BackupWriter.write(store, schema, target, progress);
      lastBackup = m.createdAt();
      return m;
    } finally {
      lock.unlock();
    }
  }

  /** Takes a backup into the backup directory, named by time, and keeps the newest {@code keep}. */
  public Path backupNow() {
    Path target = backupDir.resolve(PREFIX + STAMP.format(Instant.now()));
    for (int i = 1; Files.exists(target); i++) {
      target = backupDir.resolve(PREFIX + STAMP.format(Instant.now()) + "-" + i);
    }
    try {
      Files.createDirectories(backupDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the backup directory " + backupDir, e);
    }
    backup(target, Progress.NONE);
    prune();
    return target;
  }

  /** A job that takes a backup every {@code every}, the first one interval after it starts. */
  public Job scheduledEvery(Duration every) {
    Job job = Job.every("backup", every, () -> {
          log.info("backup written to {}", backupNow());
          return false;
        })
        .describedAs("the scheduled backup")
        .firstAfterOneInterval();
    schedule = job;
    return job;
  }

  /** Restores {@code from} into this (empty, or with {@code force} emptied) store; rows per table. */
  public Map<String, Long> restore(Path from, boolean force, Progress progress) {
    return Restorer.restore(store, schema, from, force, progress);
  }

  /** Problems with the backup in {@code dir} (checksums, counts, schema); empty when it is whole. */
  public List<String> verifyBackup(Path dir, Progress progress) {
    return checkBackup(dir, schema, store.schemaVersion(), progress);
  }

  /** Checks a backup without a store; {@code currentSchema} (may be null) bounds its schema version. */
  public static List<String> checkBackup(Path dir, Schema schema, String currentSchema, Progress progress) {
    return BackupReader.check(dir, schema, currentSchema, progress);
  }

  /** The engine's integrity checks and Statekeeper's invariants, each with its outcome. */
  public List<Finding> verifyStore() {
    return StoreVerifier.verify(store, schema);
  }

  /** When the last backup of this process was taken (null before), and failed scheduled ones. */
  public Instant lastBackup() {
    return lastBackup;
  }

  /** Failed scheduled backups. */
  public long failures() {
    return schedule == null ? 0 : schedule.failures();
  }

  private void prune() {
    try (var entries = Files.list(backupDir)) {
      List<Path> backups =
          entries
              .filter(p -> p.getFileName().toString().startsWith(PREFIX))
              .filter(p -> Files.exists(p.resolve(Manifest.FILE)))
              .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
              .toList();
      for (Path old : backups.subList(Math.min(keep, backups.size()), backups.size())) {
        BackupWriter.deleteQuietly(old);
        log.info("removed old backup {}", old);
      }
    } catch (IOException e) {
      log.warn("could not prune old backups in {}: {}", backupDir, e.toString());
    }
  }

  /** Nothing to close: a scheduled backup is a job its runner stops. */
  @Override
  public void close() {}
}
