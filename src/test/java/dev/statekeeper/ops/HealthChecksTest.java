package dev.statekeeper.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.support.StoreKind;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthChecksTest {

  @Test
  void aFreshInstance_isUpWithTheBuiltInChecks(@TempDir Path dir) {
    try (Statekeeper sk = Statekeeper.open(StoreKind.SQLITE.config(dir))) {
      HealthReport r = sk.health().check();
      assertThat(r.status()).isEqualTo(Health.Status.UP);
      assertThat(r.checks()).containsOnlyKeys("database", "pool", "disk", "lease_reaper", "cache", "embeddings", "document_embeddings");
      assertThat(r.checks().get("database").details()).containsEntry("store", "sqlite").containsKey("latency_ms");
      assertThat(sk.health().readiness().checks()).containsOnlyKeys("database");
    }
  }

  @Test
  void theDiskCheck_againstALimitAboveTheFreeSpace_isDegraded_andTheInstanceStillServes(@TempDir Path dir) {
    // every real file system has less than 100% free: the check reads the real free space
    StatekeeperConfig config = StoreKind.SQLITE.config(dir).toBuilder().set(dev.statekeeper.ops.OpsSettings.DISK_MIN_FREE, (Double) (double) (100)).build();
    try (Statekeeper sk = Statekeeper.open(config)) {
      HealthReport r = sk.health().check();
      assertThat(r.status()).isEqualTo(Health.Status.DEGRADED);
      Health disk = r.checks().get("disk");
      assertThat(disk.status()).isEqualTo(Health.Status.DEGRADED);
      assertThat((double) disk.details().get("free_percent")).isLessThan(100);
      assertThat(disk.details().get("reason").toString()).contains("less than 100.0% of the disk is free");
      assertThat(sk.health().readiness().status()).isEqualTo(Health.Status.UP);
    }
  }

  @Test
  void aCriticalCheckDown_makesTheInstanceDownAndNotReady_anotherCheckDown_onlyDegradesIt() {
    HealthChecks checks = new HealthChecks();
    checks.register("cache", () -> Health.down(Map.of("error", "redis refused")));
    assertThat(checks.check().status()).isEqualTo(Health.Status.DEGRADED);
    assertThat(checks.readiness().status()).isEqualTo(Health.Status.UP);

    checks.registerCritical("database", () -> { throw new IllegalStateException("gone"); });
    HealthReport r = checks.check();
    assertThat(r.status()).isEqualTo(Health.Status.DOWN);
    assertThat(r.checks().get("database").details()).containsEntry("error", "gone");
    assertThat(checks.readiness().status()).isEqualTo(Health.Status.DOWN);
  }

  @Test
  void aCheckThatHangs_isDownAfterTheTimeout_andDoesNotHoldTheOthers() {
    CountDownLatch never = new CountDownLatch(1);
    HealthChecks checks = new HealthChecks();
    checks.register("stuck", () -> { never.await(); return Health.up(Map.of()); });
    checks.register("fine", () -> Health.up(Map.of()));

    HealthReport r = checks.check();

    assertThat(r.checks().get("stuck").status()).isEqualTo(Health.Status.DOWN);
    assertThat(r.checks().get("stuck").details().get("error").toString()).contains("no answer within");
    assertThat(r.checks().get("fine").status()).isEqualTo(Health.Status.UP);
    never.countDown();
  }

  @Test
  void checkNames_areUniqueAndSnakeCase() {
    HealthChecks checks = new HealthChecks();
    checks.register("cache", () -> Health.up(Map.of()));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> checks.register("cache", () -> Health.up(Map.of())))
        .hasMessageContaining("already registered");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> checks.register("Bad Name", () -> Health.up(Map.of())))
        .hasMessageContaining("lower_snake_case");
  }
}
