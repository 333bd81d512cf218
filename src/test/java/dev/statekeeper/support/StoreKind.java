package dev.statekeeper.support;

import dev.statekeeper.StatekeeperConfig;
import java.nio.file.Path;
import java.time.Duration;

/** The two stores every conformance suite runs on. */
public enum StoreKind {
  SQLITE,
  POSTGRES;

  /**
   * A configuration for tests: the given store, a quick reaper, and for SQLite the data directory
   * {@code dir}. Callers adjust it with {@code toBuilder()}.
   */
  public StatekeeperConfig config(Path dir) {
    StatekeeperConfig.Builder b =
        StatekeeperConfig.builder()
            .dataDir(dir)
            .set(dev.statekeeper.http.HttpSettings.PORT, 0)
            .set(dev.statekeeper.tasks.TaskSettings.REAPER_INTERVAL, Duration.ofMillis(200))
            .set(dev.statekeeper.keys.KeySettings.BOOTSTRAP_KEY, "sk_test_bootstrap_root_key_0123456789");
    if (this == POSTGRES) {
      b.databaseUrl(TestDatabases.postgresUrl()).set(dev.statekeeper.store.StoreSettings.POOL_SIZE, 24);
    }
    return b.build();
  }
}
