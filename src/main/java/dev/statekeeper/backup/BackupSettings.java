package dev.statekeeper.backup;

import dev.statekeeper.config.Setting;
import dev.statekeeper.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Backups: where they go, how often one is taken while serving, how many scheduled ones are kept.
 *
 * @param backupDir null: {@code <data-dir>/backups}
 * @param backupEvery null: no scheduled backups
 */
public record BackupSettings(Path backupDir, Duration backupEvery, int backupKeep) {

  public static final Setting<Path> BACKUP_DIR = Setting.path("backup-dir", "DIR", null,
      "Where scheduled and requested backups go (and import-json keeps its copies). Default: <data-dir>/backups.");
  public static final Setting<Duration> BACKUP_EVERY = Setting.durationOrNone("backup-every", null,
      "Take a backup this often while serving (e.g. 24h), or none.");
  public static final Setting<Integer> BACKUP_KEEP = Setting.integer("backup-keep", 7, 1, 10_000,
      "How many scheduled backups to keep.");

  public static final List<Setting<?>> ALL = List.of(BACKUP_DIR, BACKUP_EVERY, BACKUP_KEEP);

  public static BackupSettings from(Settings s) {
    return new BackupSettings(s.get(BACKUP_DIR), s.get(BACKUP_EVERY), s.get(BACKUP_KEEP));
  }

  /** Where backups go: {@code backup-dir}, else {@code <dataDir>/backups}. */
  public Path effectiveBackupDir(Path dataDir) {
    return backupDir != null ? backupDir : dataDir.resolve("backups");
  }
}
