package dev.statekeeper;

import dev.statekeeper.access.AccessSettings;
import dev.statekeeper.backup.BackupSettings;
import dev.statekeeper.config.Setting;
import dev.statekeeper.config.Settings;
import dev.statekeeper.http.HttpSettings;
import dev.statekeeper.jobs.JobSettings;
import dev.statekeeper.keys.KeySettings;
import dev.statekeeper.memory.MemorySettings;
import dev.statekeeper.ops.OpsSettings;
import dev.statekeeper.search.EmbeddingSettings;
import dev.statekeeper.sessions.SessionSettings;
import dev.statekeeper.store.StoreSettings;
import dev.statekeeper.tasks.TaskSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Every setting of a Statekeeper instance, validated once when built: the {@link Settings} as
 * given, and each capability's settings record read from them (a record's constructor checks what
 * its settings must be together, the message naming the values and the limit). The settings
 * themselves are declared where they are used — {@code TaskSettings.REAPER_INTERVAL} in {@code
 * tasks}, and so on — and {@link #ALL} lists every one of them.
 *
 * <p>The command line fills it from options, environment variables ({@code STATEKEEPER_*}) and a
 * properties file; embedded users call {@link #builder()} and {@link Builder#set}.
 */
public final class StatekeeperConfig {

  /** Every setting, in the order {@code --help} shows them. */
  public static final List<Setting<?>> ALL = concat(
      StoreSettings.ALL, HttpSettings.ALL, KeySettings.ALL, TaskSettings.ALL, SessionSettings.ALL, MemorySettings.ALL,
      JobSettings.ALL, EmbeddingSettings.ALL, AccessSettings.ALL, BackupSettings.ALL, OpsSettings.ALL);

  private final Settings settings;
  private final StoreSettings store;
  private final HttpSettings http;
  private final KeySettings keys;
  private final TaskSettings tasks;
  private final SessionSettings sessions;
  private final MemorySettings memory;
  private final JobSettings jobs;
  private final EmbeddingSettings embedding;
  private final AccessSettings access;
  private final BackupSettings backups;
  private final OpsSettings ops;

  private StatekeeperConfig(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.store = StoreSettings.from(settings);
    this.http = HttpSettings.from(settings);
    this.keys = KeySettings.from(settings);
    this.tasks = TaskSettings.from(settings);
    this.sessions = SessionSettings.from(settings);
    this.memory = MemorySettings.from(settings);
    this.jobs = JobSettings.from(settings);
    this.embedding = EmbeddingSettings.from(settings);
    this.access = AccessSettings.from(settings);
    this.backups = BackupSettings.from(settings);
    this.ops = OpsSettings.from(settings);
  }

  /** The configuration of {@code settings}; IllegalArgumentException naming the value when they do not fit together. */
  public static StatekeeperConfig of(Settings settings) {
    return new StatekeeperConfig(settings);
  }

  public static StatekeeperConfig defaults() {
    return of(Settings.defaults());
  }

  public static Builder builder() {
    return new Builder(Settings.defaults());
  }

  public Builder toBuilder() {
    return new Builder(settings);
  }

  /** The values as given, with where each came from. */
  public Settings settings() {
    return settings;
  }

  public StoreSettings store() {
    return store;
  }

  public HttpSettings http() {
    return http;
  }

  public KeySettings keys() {
    return keys;
  }

  public TaskSettings tasks() {
    return tasks;
  }

  public SessionSettings sessions() {
    return sessions;
  }

  public MemorySettings memory() {
    return memory;
  }

  public JobSettings jobs() {
    return jobs;
  }

  public EmbeddingSettings embedding() {
    return embedding;
  }

  public AccessSettings access() {
    return access;
  }

  public BackupSettings backups() {
    return backups;
  }

  public OpsSettings ops() {
    return ops;
  }

  /** Where scheduled and requested backups go: {@code backup-dir}, else {@code <data-dir>/backups}. */
  public Path effectiveBackupDir() {
    return backups.effectiveBackupDir(store.dataDir());
  }

  /** The settings that are not at their defaults, secrets masked; configurations get logged. */
  @Override
  public String toString() {
    return "StatekeeperConfig[" + store.describeStore() + ", " + settings + "]";
  }

  /** Collects settings in code; {@link #build} validates. */
  public static final class Builder {
    private Settings settings;

    private Builder(Settings settings) {
      this.settings = settings;
    }

    /** Sets {@code setting} (checked at once; null is {@code none}). */
    public <T> Builder set(Setting<T> setting, T value) {
      settings = settings.with(setting, value);
      return this;
    }

    /** Shorthand for {@code set(StoreSettings.DATA_DIR, dir)}, which nearly every embedding application sets. */
    public Builder dataDir(Path dir) {
      return set(StoreSettings.DATA_DIR, dir);
    }

    /** Shorthand for {@code set(StoreSettings.DATABASE_URL, url)}. */
    public Builder databaseUrl(String url) {
      return set(StoreSettings.DATABASE_URL, url);
    }

    public StatekeeperConfig build() {
      return new StatekeeperConfig(settings);
    }
  }

  @SafeVarargs
  private static List<Setting<?>> concat(List<Setting<?>>... lists) {
    List<Setting<?>> all = new ArrayList<>();
    for (List<Setting<?>> l : lists) all.addAll(l);
    java.util.Set<String> names = new java.util.HashSet<>();
    for (Setting<?> s : all) {
      if (!names.add(s.name())) throw new IllegalStateException("setting " + s.name() + " is declared twice");
    }
    return List.copyOf(all);
  }
}
