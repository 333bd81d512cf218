package dev.statekeeper.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.statekeeper.Action;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.keys.CreatedKey;
import dev.statekeeper.support.CuttableProxy;
import dev.statekeeper.support.TestDatabases;
import dev.statekeeper.support.TestRedis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes on one PostgreSQL, with and without a shared Redis, as behind a load balancer. */
class AccessMultiNodeTest {

  /**
   * How long a test waits for a change to reach the other node: a bound far above the one second
   * the contract promises, which is measured, not asserted (docs/BENCHMARKS.md, "revoke on node a
   * → refused on node b"): a timed assertion on two shared cores is a flaky one.
   */
  private static final Duration REACHES = Duration.ofSeconds(10);

  private static StatekeeperConfig node(Path dir, String db, String redis) {
    return StatekeeperConfig.builder().dataDir(dir).databaseUrl(db).set(dev.statekeeper.store.StoreSettings.REDIS_URL, redis)
        .set(dev.statekeeper.keys.KeySettings.BOOTSTRAP_KEY, "multi-node-root-key-0123456789").build();
  }

  private static void revokedGrantAndKey_areRefusedByTheOtherNode(Statekeeper a, Statekeeper b) {
    Caller admin = Caller.admin("m-" + UUID.randomUUID());
    Grant g = new Grant("memory:shared", Relation.VIEWER, "user:z");
    a.access().grant(admin, g);
    Awaitility.await().atMost(REACHES)
        .until(() -> b.access().check(admin, "user:z", Action.READ, "memory:shared:doc").allowed());
    a.access().revoke(admin, g);
    Awaitility.await().atMost(REACHES).pollInterval(Duration.ofMillis(20))
        .until(() -> !b.access().check(admin, "user:z", Action.READ, "memory:shared:doc").allowed());

    a.bootstrapRootKey();
    CreatedKey k = a.keys().create(new Caller("default", "user:root", Role.ROOT), admin.tenant(), "agent:k", Role.AGENT);
    assertThat(b.keys().authenticate(k.key()).subject()).isEqualTo("agent:k"); // cached on b now
    a.keys().revoke(admin, k.id());
    Awaitility.await().atMost(REACHES).pollInterval(Duration.ofMillis(20)).until(() -> {
      try {
        b.keys().authenticate(k.key());
        return false;
      } catch (StatekeeperException.Unauthorized refused) {
        return true;
      }
    });
  }

  @Test
  void withRedis_aRevocationReachesTheOtherNode(@TempDir Path dir) {
    String db = TestDatabases.freshPostgresDatabase();
    String redis = TestRedis.url();
    try (Statekeeper a = Statekeeper.open(node(dir.resolve("a"), db, redis));
        Statekeeper b = Statekeeper.open(node(dir.resolve("b"), db, redis))) {
      Awaitility.await().until(() -> a.redis().orElseThrow().subscribed() && b.redis().orElseThrow().subscribed());
      revokedGrantAndKey_areRefusedByTheOtherNode(a, b);
      assertThat(b.access().status().invalidations()).isPositive();
    }
  }

  @Test
  void twoStoresSharingOneRedis_neverAnswerWithEachOthersDecisions(@TempDir Path dir) {
    String redis = TestRedis.url();
    // the same tenant name and the same epochs in both stores: only the store identity tells them apart
    String tenant = "shared-" + UUID.randomUUID();
    Caller admin = Caller.admin(tenant);
    try (Statekeeper a = Statekeeper.open(StatekeeperConfig.builder().dataDir(dir.resolve("a")).set(dev.statekeeper.store.StoreSettings.REDIS_URL, redis).build());
        Statekeeper b = Statekeeper.open(StatekeeperConfig.builder().dataDir(dir.resolve("b")).set(dev.statekeeper.store.StoreSettings.REDIS_URL, redis).build())) {
      a.access().grant(admin, new Grant("session:s1", Relation.OWNER, "agent:x"));
      b.access().grant(admin, new Grant("session:other", Relation.OWNER, "agent:y")); // b's epoch is 1 too
      assertThat(a.access().check(admin, "agent:x", Action.READ, "session:s1").allowed()).isTrue(); // now in Redis

      assertThat(b.access().check(admin, "agent:x", Action.READ, "session:s1").allowed()).isFalse();
      assertThat(b.access().status().l2Hits()).isZero();
    }
  }

  @Test
  void withoutRedis_aRevocationStillReachesTheOtherNode(@TempDir Path dir) {
    String db = TestDatabases.freshPostgresDatabase();
    try (Statekeeper a = Statekeeper.open(node(dir.resolve("a"), db, null));
        Statekeeper b = Statekeeper.open(node(dir.resolve("b"), db, null))) {
      revokedGrantAndKey_areRefusedByTheOtherNode(a, b);
    }
  }

  @Test
  void redisCutInTheMiddleOfARun_leavesEveryAnswerCorrect(@TempDir Path dir) throws Exception {
    String db = TestDatabases.freshPostgresDatabase();
    try (CuttableProxy proxy = new CuttableProxy(TestRedis.host(), TestRedis.port())) {
      String redis = "redis://127.0.0.1:" + proxy.port();
      try (Statekeeper a = Statekeeper.open(node(dir.resolve("a"), db, redis));
          Statekeeper b = Statekeeper.open(node(dir.resolve("b"), db, redis))) {
        Awaitility.await().until(() -> a.redis().orElseThrow().subscribed() && b.redis().orElseThrow().subscribed());
        Caller admin = Caller.admin("c-" + UUID.randomUUID());
        boolean[] granted = new boolean[10];
        long start = System.nanoTime();
        int step = 0;
        int stepsWhileCut = 0;
        while (System.nanoTime() - start < Duration.ofSeconds(6).toNanos()) {
          long elapsed = System.nanoTime() - start;
          boolean shouldBeCut = elapsed > Duration.ofSeconds(2).toNanos() && elapsed < Duration.ofSeconds(4).toNanos();
          if (shouldBeCut) {
            proxy.cut();
            stepsWhileCut++;
          } else {
            proxy.restore();
          }
          int i = ThreadLocalRandom.current().nextInt(granted.length);
          Grant g = new Grant("memory:docs:d" + i, Relation.VIEWER, "user:u");
          if (granted[i]) a.access().revoke(admin, g); else a.access().grant(admin, g);
          granted[i] = !granted[i];
          // a answers at once; b within its epoch refresh (Redis may be gone)
          for (int j = 0; j < granted.length; j++) {
            assertThat(a.access().check(admin, "user:u", Action.READ, "memory:docs:d" + j).allowed())
                .as("node a, step %d, doc %d", step, j).isEqualTo(granted[j]);
          }
          int last = i;
          boolean expected = granted[i];
          Awaitility.await().atMost(REACHES).pollInterval(Duration.ofMillis(10))
              .until(() -> b.access().check(admin, "user:u", Action.READ, "memory:docs:d" + last).allowed() == expected);
          step++;
        }
        assertThat(stepsWhileCut).isGreaterThan(3);
        assertThat(step).isGreaterThan(stepsWhileCut);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> b.redis().orElseThrow().healthy());
      }
    }
  }

  @Test
  void whileRedisIsDown_theStatusSaysDegraded_andNothingFails(@TempDir Path dir) throws Exception {
    String db = TestDatabases.freshPostgresDatabase();
    try (CuttableProxy proxy = new CuttableProxy(TestRedis.host(), TestRedis.port())) {
      try (Statekeeper a = Statekeeper.open(node(dir, db, "redis://127.0.0.1:" + proxy.port()))) {
        Awaitility.await().until(() -> a.redis().orElseThrow().subscribed());
        proxy.cut();
        Caller admin = Caller.admin("d-" + UUID.randomUUID());
        for (int i = 0; i < 50; i++) {
          a.access().grant(admin, new Grant("memory:n" + i, Relation.VIEWER, "user:u"));
          assertThat(a.access().check(admin, "user:u", Action.READ, "memory:n" + i).allowed()).isTrue();
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> a.access().status().redis().startsWith("DEGRADED"));
        var degraded = a.health().check();
        assertThat(degraded.checks().get("cache").status()).isEqualTo(dev.statekeeper.ops.Health.Status.DEGRADED);
        assertThat(degraded.status()).isEqualTo(dev.statekeeper.ops.Health.Status.DEGRADED);
        assertThat(degraded.checks().get("database").status()).isEqualTo(dev.statekeeper.ops.Health.Status.UP);
        // every check was answered, each from this node's cache or the database
        var meters = a.meterRegistry();
        assertThat(meters.get("statekeeper.access.checks").tag("result", "allowed").functionCounter().count()).isGreaterThanOrEqualTo(50);
        assertThat(meters.get("statekeeper.access.database.loads").functionCounter().count()).isGreaterThanOrEqualTo(50);
        assertThat(meters.get("statekeeper.access.check").timer().count()).isGreaterThanOrEqualTo(50);
        proxy.restore();
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> a.access().status().redis().equals("UP"));
        Awaitility.await().atMost(Duration.ofSeconds(5))
            .until(() -> a.health().check().checks().get("cache").status() == dev.statekeeper.ops.Health.Status.UP);
      }
    }
  }
}
