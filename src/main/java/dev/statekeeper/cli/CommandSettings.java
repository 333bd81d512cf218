package dev.statekeeper.cli;

import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.backup.BackupSettings;
import dev.statekeeper.config.Setting;
import dev.statekeeper.documents.FolderSyncSettings;
import dev.statekeeper.memory.MemorySettings;
import dev.statekeeper.sessions.SessionSettings;
import dev.statekeeper.store.StoreSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Which settings each command takes: the store's for the tools, everything for serve and doctor. */
final class CommandSettings {

  private CommandSettings() {}

  /** The commands that only open the store (migrate, backup, restore, verify, export-json). */
  static final List<Setting<?>> STORE = StoreSettings.DATABASE;

  /** keys: a revocation is announced to the other nodes through Redis. */
  static final List<Setting<?>> KEYS = join(StoreSettings.DATABASE, StoreSettings.REDIS);

  /**
   * import-json: the store, the backup directory (a copy of the file goes there), and the size
   * limits records must keep.
   */
  static final List<Setting<?>> IMPORT =
      join(StoreSettings.DATABASE, List.of(BackupSettings.BACKUP_DIR), SessionSettings.ALL, MemorySettings.ALL);

  /** serve, doctor and bench (for --embedded): every setting. */
  static final List<Setting<?>> SERVE = join(StatekeeperConfig.ALL, FolderSyncSettings.ALL);

  /** The names a config file may hold: those of every command. */
  static final Set<String> NAMES = SERVE.stream().map(Setting::name).collect(Collectors.toUnmodifiableSet());

  private static final Map<Class<? extends Configured>, List<Setting<?>>> BY_COMMAND = Map.ofEntries(
      Map.entry(ServeCommand.class, SERVE),
      Map.entry(DoctorCommand.class, SERVE),
      Map.entry(BenchCommand.class, SERVE),
      Map.entry(MigrateCommand.class, STORE),
      Map.entry(BackupCommand.class, STORE),
      Map.entry(RestoreCommand.class, STORE),
      Map.entry(VerifyCommand.class, STORE),
      Map.entry(ExportJsonCommand.class, STORE),
      Map.entry(ImportJsonCommand.class, IMPORT),
      Map.entry(KeysCommand.Create.class, KEYS),
      Map.entry(KeysCommand.List.class, KEYS),
      Map.entry(KeysCommand.Revoke.class, KEYS));

  /** The settings {@code command} takes. */
  static List<Setting<?>> of(Class<? extends Configured> command) {
    List<Setting<?>> settings = BY_COMMAND.get(command);
    if (settings == null) {
      throw new IllegalStateException(command.getSimpleName() + " has no settings in CommandSettings, which indicates a bug");
    }
    return settings;
  }

  @SafeVarargs
  private static List<Setting<?>> join(List<Setting<?>>... lists) {
    List<Setting<?>> all = new ArrayList<>();
    for (List<Setting<?>> l : lists) all.addAll(l);
    return List.copyOf(all);
  }
}
