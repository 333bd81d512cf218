package dev.statekeeper.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.statekeeper.Action;
import dev.statekeeper.Caller;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.support.CuttableProxy;
import dev.statekeeper.support.StoreKind;
import dev.statekeeper.support.TestRedis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The {@code cache} check of {@code /health}: this node's caches always, Redis when configured. */
class CacheHealthTest {

  private static final String ROOT_KEY = "sk_test_bootstrap_root_key_0123456789";

  @TempDir Path dir;

  /** One decision and one key, each looked up twice: a miss, then a hit. */
  private static void useTheCaches(Statekeeper sk) {
    sk.bootstrapRootKey();
    Caller admin = Caller.admin("cache-health");
    for (int i = 0; i < 2; i++) {
      sk.access().check(admin, "user:u", Action.READ, "memory:notes");
      sk.keys().authenticate(ROOT_KEY);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> local(Health cache, String name) {
    return (Map<String, Object>) cache.details().get(name);
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void health_withoutRedis_hasACacheCheck_upWithTheLocalCachesSizesAndHitRatios(StoreKind kind) {
    try (Statekeeper sk = Statekeeper.open(kind.config(dir))) {
      Map<String, Object> before = local(sk.health().check().checks().get("cache"), "access_decisions");
      assertThat(before).containsEntry("size", 0L).containsEntry("hits", 0L).containsEntry("hit_ratio", null);

      useTheCaches(sk);

      Health cache = sk.health().check().checks().get("cache");
      assertThat(cache.status()).isEqualTo(Health.Status.UP);
      assertThat(cache.details()).containsEntry("redis", "not configured");
      assertThat(local(cache, "access_decisions"))
          .containsEntry("size", 1L).containsEntry("hits", 1L).containsEntry("misses", 1L).containsEntry("hit_ratio", 0.5);
      assertThat(local(cache, "api_keys")).containsEntry("size", 1L).containsEntry("hit_ratio", 0.5);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void health_withRedis_addsItToTheCacheCheck_andIsDegradedWhileRedisDoesNotAnswer(StoreKind kind) throws Exception {
    try (CuttableProxy proxy = new CuttableProxy(TestRedis.host(), TestRedis.port())) {
      StatekeeperConfig config = kind.config(dir).toBuilder()
          .set(dev.statekeeper.store.StoreSettings.REDIS_URL, "redis://127.0.0.1:" + proxy.port()).set(dev.statekeeper.store.StoreSettings.REDIS_TIMEOUT, Duration.ofMillis(200)).build();
      try (Statekeeper sk = Statekeeper.open(config)) {
        useTheCaches(sk);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sk.redis().orElseThrow().subscribed());

        Health up = sk.health().check().checks().get("cache");
        assertThat(up.status()).isEqualTo(Health.Status.UP);
        assertThat(up.details()).containsKeys("latency_ms", "access_redis_hits", "breaker");
        assertThat(local(up, "access_decisions")).containsEntry("hit_ratio", 0.5);

        proxy.cut();
        Awaitility.await().atMost(Duration.ofSeconds(10))
            .until(() -> sk.health().check().checks().get("cache").status() == Health.Status.DEGRADED);
        Health degraded = sk.health().check().checks().get("cache");
        assertThat(degraded.details()).containsKey("reason");
        assertThat(local(degraded, "api_keys")).containsEntry("size", 1L); // this node's figures stay
      }
    }
  }
}
