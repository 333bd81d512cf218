package dev.statekeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.statekeeper.config.Setting;
import dev.statekeeper.config.Settings;
import dev.statekeeper.http.HttpSettings;
import dev.statekeeper.keys.KeySettings;
import dev.statekeeper.memory.MemorySettings;
import dev.statekeeper.memory.RetentionRule;
import dev.statekeeper.sessions.SessionSettings;
import dev.statekeeper.store.StoreSettings;
import dev.statekeeper.tasks.Priority;
import dev.statekeeper.tasks.TaskSettings;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StatekeeperConfigTest {

  @Test
  void defaults_matchTheContract() {
    StatekeeperConfig c = StatekeeperConfig.defaults();
    assertThat(c.store().usesPostgres()).isFalse();
    assertThat(c.store().sqliteFile().toString()).isEqualTo("statekeeper-data/statekeeper.db");
    assertThat(c.http().maxBodyBytes()).isEqualTo(1024 * 1024);
    assertThat(c.tasks().slaDeadline(Priority.CRITICAL)).contains(Duration.ofMinutes(5));
    assertThat(c.tasks().slaDeadline(Priority.NORMAL)).isEmpty();
    assertThat(c.tasks().idempotencyRetention()).isEqualTo(Duration.ofHours(24));
    assertThat(c.store().sqliteSynchronous()).isEqualTo(StoreSettings.SqliteSync.FULL);
    assertThat(c.sessions().maxEventBytes()).isEqualTo(256 * 1024);
    assertThat(c.sessions().maxStateBytes()).isEqualTo(512 * 1024);
    assertThat(c.memory().maxMemoryValueBytes()).isEqualTo(256 * 1024);
    assertThat(c.memory().memoryRetention()).isEmpty();
    assertThat(c.sessions().sessionEventRetention()).isNull();
    assertThat(c.jobs().retentionInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.http().rateLimit(Role.AGENT)).map(Object::toString).contains("1000/s");
    assertThat(c.http().rateLimit(Role.ADMIN)).isEmpty();
  }

  @Test
  void invalidValues_areRejectedWithTheNameAndTheLimit() {
    var b = StatekeeperConfig.builder();
    assertThatThrownBy(() -> b.set(HttpSettings.PORT, 70000)).hasMessage("port must be between 0 and 65535; got 70000");
    assertThatThrownBy(() -> b.set(StoreSettings.POOL_SIZE, 0)).hasMessage("pool-size must be between 1 and 500; got 0");
    assertThatThrownBy(() -> b.databaseUrl("jdbc:mysql://x"))
        .hasMessageContaining("database-url must be a URL starting with jdbc:postgresql:");
    assertThatThrownBy(() -> StatekeeperConfig.builder().set(TaskSettings.DEFAULT_LEASE, Duration.ofHours(2)).build())
        .hasMessage("default-lease (2h) cannot exceed max-lease (1h)");
    assertThatThrownBy(() -> b.set(KeySettings.KEY_CACHE_TTL, Duration.ofSeconds(5)))
        .hasMessage("key-cache-ttl must be positive and at most 1s; got 5s");
    assertThatThrownBy(() -> b.set(KeySettings.BOOTSTRAP_KEY, "short"))
        .hasMessage("bootstrap-key must be at least 16 characters; got ***");
    assertThatThrownBy(() -> b.set(TaskSettings.REAPER_INTERVAL, Duration.ZERO)).hasMessage("reaper-interval must be positive; got 0s");
    assertThatThrownBy(() -> b.set(SessionSettings.MAX_EVENT_BYTES, 10L))
        .hasMessage("max-event-bytes must be between 1024 and 67108864; got 10");
    assertThatThrownBy(() -> b.set(SessionSettings.SESSION_EVENT_RETENTION, Duration.ofSeconds(-1)))
        .hasMessage("session-event-retention must be positive; got -1s");
    assertThatThrownBy(() -> b.set(MemorySettings.MEMORY_RETENTION, RetentionRule.parseAll("user=keep-versions:0")))
        .hasMessageContaining("keep-versions must be at least 1");
    assertThatThrownBy(() -> TaskSettings.REAPER_INTERVAL.parse("soon")).hasMessageContaining("reaper-interval must be a duration");
  }

  @Test
  void durations_parseTheShortAndTheIsoForms() {
    assertThat(Setting.parseDuration("x", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Setting.parseDuration("x", "30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Setting.parseDuration("x", "5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Setting.parseDuration("x", "24h")).isEqualTo(Duration.ofHours(24));
    assertThat(Setting.parseDuration("x", "7d")).isEqualTo(Duration.ofDays(7));
    assertThat(Setting.parseDuration("x", "PT90S")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Setting.format(Duration.ofMinutes(5))).isEqualTo("5m");
    assertThat(Setting.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(TaskSettings.SLA_HIGH.parse("none")).isNull();
  }

  @Test
  void secrets_neverShow_inTheConfigurationOrItsErrors() {
    StatekeeperConfig c = StatekeeperConfig.builder()
        .databaseUrl("jdbc:postgresql://h/db?user=u&password=secret")
        .set(StoreSettings.DATABASE_PASSWORD, "hunter2")
        .set(KeySettings.BOOTSTRAP_KEY, "root-secret-0123456789")
        .build();
    assertThat(c.store().describeStore()).doesNotContain("secret").contains("password=***");
    assertThat(c.toString()).doesNotContain("hunter2").doesNotContain("root-secret").doesNotContain("=secret")
        .contains("bootstrap-key=*** (code)");
  }

  @Test
  void everySetting_isDeclaredOnce_withItsOptionEnvironmentVariableAndHelp() {
    Set<String> names = new HashSet<>();
    for (Setting<?> s : StatekeeperConfig.ALL) {
      assertThat(names.add(s.name())).as("%s declared twice", s).isTrue();
      assertThat(s.option()).isEqualTo("--" + s.name());
      assertThat(s.environmentVariable()).startsWith("STATEKEEPER_").doesNotContain("-");
      assertThat(s.help()).as(s.name()).isNotBlank().endsWith(".");
      // the default round-trips through its own text form
      assertThat(reparse(s)).as(s.name()).isTrue();
    }
    assertThat(names).hasSizeGreaterThan(50);
  }

  private static <T> boolean reparse(Setting<T> s) {
    if (s.defaultValue() == null) return true;
    return s.parse(s.format(s.defaultValue())).equals(s.defaultValue());
  }

  @Test
  void settingsRead_takeTheCommandLineThenTheEnvironmentThenTheFile_andRefuseUnknownFileKeys() {
    Properties file = new Properties();
    file.setProperty("port", "7001");
    file.setProperty("pool-size", "3");
    file.setProperty("reaper-interval", "7s");
    Set<String> all = new HashSet<>();
    StatekeeperConfig.ALL.forEach(s -> all.add(s.name()));
    Settings s = Settings.read(StatekeeperConfig.ALL, all, Map.of("port", "7003"),
        Map.of("STATEKEEPER_PORT", "7002", "STATEKEEPER_POOL_SIZE", "4"), file, "sk.properties");
    assertThat(s.get(HttpSettings.PORT)).isEqualTo(7003);
    assertThat(s.source(HttpSettings.PORT)).isEqualTo(Settings.Source.COMMAND_LINE);
    assertThat(s.get(StoreSettings.POOL_SIZE)).isEqualTo(4);
    assertThat(s.get(TaskSettings.REAPER_INTERVAL)).isEqualTo(Duration.ofSeconds(7));
    assertThat(s.source(TaskSettings.MAX_LEASE)).isEqualTo(Settings.Source.DEFAULT);

    file.setProperty("reaper-intervall", "7s");
    assertThatThrownBy(() -> Settings.read(StatekeeperConfig.ALL, all, Map.of(), Map.of(), file, "sk.properties"))
        .hasMessageContaining("unknown setting 'reaper-intervall' in sk.properties");
    assertThatThrownBy(() -> Settings.read(StatekeeperConfig.ALL, all, Map.of(), Map.of("STATEKEEPER_PORT", "x"), new Properties(), ""))
        .hasMessageContaining("port must be a whole number; got 'x' (from STATEKEEPER_PORT)");
  }
}
