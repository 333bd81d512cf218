package dev.statekeeper.documents;

import dev.statekeeper.config.Setting;
import dev.statekeeper.config.Settings;
import java.nio.file.Path;
import java.util.List;

/** {@code serve --sync-dir}: the folder kept indexed as documents, and the tenant it fills. */
public record FolderSyncSettings(Path syncDir, String syncTenant) {

  public static final Setting<Path> SYNC_DIR = Setting.path("sync-dir", "DIR", null,
      "Keep the .md and .txt files of DIR indexed as documents (id = relative path), scanning every second.");
  public static final Setting<String> SYNC_TENANT = Setting.text("sync-tenant", "TENANT", "default",
      "The tenant --sync-dir fills.");

  public static final List<Setting<?>> ALL = List.of(SYNC_DIR, SYNC_TENANT);

  public static FolderSyncSettings from(Settings s) {
    return new FolderSyncSettings(s.get(SYNC_DIR), s.get(SYNC_TENANT));
  }
}
