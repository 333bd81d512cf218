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
            .port(0)
            .reaperInterval(Duration.ofMillis(200))
            .bootstrapKey("sk_test_bootstrap_root_key_0123456789");
    if (this == POSTGRES) {
      b.databaseUrl(TestDatabases.postgresUrl()).poolSize(24);
    }
    return b.build();
  }
}
