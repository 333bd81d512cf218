package dev.statekeeper.cli;

import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.backup.BackupSettings;
import dev.statekeeper.config.Setting;
import dev.statekeeper.documents.FolderSyncSettings;
import dev.statekeeper.store.StoreSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Which settings each command takes: the store's for the tools, everything for serve and doctor. */
final class CommandSettings {

  private CommandSettings() {}

  /** The commands that only open the store (migrate, backup, restore, verify, export-json). */
  static final List<Setting<?>> STORE = StoreSettings.DATABASE;

  /** keys: a revocation is announced to the other nodes through Redis. */
  static final List<Setting<?>> KEYS = join(StoreSettings.DATABASE, StoreSettings.REDIS);

  /** import-json, which also keeps a copy of the file in the backup directory. */
  static final List<Setting<?>> STORE_AND_BACKUP_DIR = join(StoreSettings.DATABASE, List.of(BackupSettings.BACKUP_DIR));

  /** serve and doctor: every setting. */
  static final List<Setting<?>> SERVE = join(StatekeeperConfig.ALL, FolderSyncSettings.ALL);

  /** The names a config file may hold: those of every command. */
  static final Set<String> NAMES = SERVE.stream().map(Setting::name).collect(Collectors.toUnmodifiableSet());

  @SafeVarargs
  private static List<Setting<?>> join(List<Setting<?>>... lists) {
    List<Setting<?>> all = new ArrayList<>();
    for (List<Setting<?>> l : lists) all.addAll(l);
    return List.copyOf(all);
  }
}
