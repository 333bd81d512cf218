package dev.statekeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.statekeeper.tasks.Priority;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StatekeeperConfigTest {

  @Test
  void defaults_matchTheContract() {
    StatekeeperConfig c = StatekeeperConfig.defaults();
    assertThat(c.usesPostgres()).isFalse();
    assertThat(c.sqliteFile().toString()).isEqualTo("statekeeper-data/statekeeper.db");
    assertThat(c.maxBodyBytes()).isEqualTo(1024 * 1024);
    assertThat(c.slaDeadline(Priority.CRITICAL)).contains(Duration.ofMinutes(5));
    assertThat(c.slaDeadline(Priority.NORMAL)).isEmpty();
    assertThat(c.idempotencyRetention()).isEqualTo(Duration.ofHours(24));
    assertThat(c.sqliteSynchronous()).isEqualTo(StatekeeperConfig.SqliteSync.FULL);
  }

  @Test
  void invalidValues_areRejectedWithTheNameAndTheLimit() {
    assertThatThrownBy(() -> StatekeeperConfig.builder().port(70000).build())
        .hasMessage("port must be between 0 and 65535; got 70000");
    assertThatThrownBy(() -> StatekeeperConfig.builder().poolSize(0).build())
        .hasMessage("pool-size must be between 1 and 500; got 0");
    assertThatThrownBy(() -> StatekeeperConfig.builder().databaseUrl("jdbc:mysql://x").build())
        .hasMessageContaining("database-url must start with jdbc:postgresql:");
    assertThatThrownBy(() -> StatekeeperConfig.builder().defaultLease(Duration.ofHours(2)).build())
        .hasMessage("default-lease (2h) cannot exceed max-lease (1h)");
    assertThatThrownBy(() -> StatekeeperConfig.builder().keyCacheTtl(Duration.ofSeconds(5)).build())
        .hasMessageContaining("key-cache-ttl cannot exceed 1s");
    assertThatThrownBy(() -> StatekeeperConfig.builder().bootstrapKey("short").build())
        .hasMessage("bootstrap-key must be at least 16 characters; got 5");
    assertThatThrownBy(() -> StatekeeperConfig.builder().reaperInterval(Duration.ZERO).build())
        .hasMessage("reaper-interval must be positive; got 0s");
    assertThatThrownBy(() -> StatekeeperConfig.builder().maxEventBytes(10).build())
        .hasMessage("max-event-bytes must be between 1024 and 67108864; got 10");
    assertThatThrownBy(() -> StatekeeperConfig.builder().maxStateBytes(1L << 40).build())
        .hasMessageContaining("max-state-bytes must be between 1024 and 67108864");
    assertThatThrownBy(() -> StatekeeperConfig.builder().maxMemoryValueBytes(0).build())
        .hasMessageContaining("max-memory-value-bytes must be between");
    assertThatThrownBy(() -> StatekeeperConfig.builder().sessionEventRetention(Duration.ofSeconds(-1)).build())
        .hasMessage("session-event-retention must be positive; got -1s");
    assertThatThrownBy(() -> StatekeeperConfig.builder().memoryRetention("user=keep-versions:0").build())
        .hasMessageContaining("keep-versions must be at least 1");
  }

  @Test
  void sessionAndMemoryDefaults_keepEverythingAndBoundSizes() {
    StatekeeperConfig c = StatekeeperConfig.defaults();
    assertThat(c.maxEventBytes()).isEqualTo(256 * 1024);
    assertThat(c.maxStateBytes()).isEqualTo(512 * 1024);
    assertThat(c.maxMemoryValueBytes()).isEqualTo(256 * 1024);
    assertThat(c.memoryRetention()).isEmpty();
    assertThat(c.sessionEventRetention()).isNull();
    assertThat(c.retentionInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.toBuilder().memoryRetention("*=max-age:30d;a:b=keep-versions:3").build().toString())
        .contains("memoryRetention=*=max-age:30d;a:b=keep-versions:3");
  }

  @Test
  void durations_parseTheShortAndTheIsoForms() {
    assertThat(StatekeeperConfig.parseDuration("x", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(StatekeeperConfig.parseDuration("x", "30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(StatekeeperConfig.parseDuration("x", "5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(StatekeeperConfig.parseDuration("x", "24h")).isEqualTo(Duration.ofHours(24));
    assertThat(StatekeeperConfig.parseDuration("x", "7d")).isEqualTo(Duration.ofDays(7));
    assertThat(StatekeeperConfig.parseDuration("x", "PT90S")).isEqualTo(Duration.ofSeconds(90));
    assertThatThrownBy(() -> StatekeeperConfig.parseDuration("sla-high", "soon"))
        .hasMessageContaining("sla-high must be a duration");
    assertThat(StatekeeperConfig.format(Duration.ofMinutes(5))).isEqualTo("5m");
    assertThat(StatekeeperConfig.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
  }

  @Test
  void describeStore_neverShowsAPassword() {
    StatekeeperConfig c =
        StatekeeperConfig.builder().databaseUrl("jdbc:postgresql://h/db?user=u&password=secret").build();
    assertThat(c.describeStore()).doesNotContain("secret").contains("password=***");
    StatekeeperConfig withSecrets =
        c.toBuilder().databasePassword("hunter2").bootstrapKey("root-secret-0123456789").build();
    assertThat(withSecrets.toString()).doesNotContain("hunter2").doesNotContain("root-secret").doesNotContain("=secret");
  }
}
