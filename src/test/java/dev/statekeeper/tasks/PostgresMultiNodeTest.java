package dev.statekeeper.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.support.StoreKind;
import dev.statekeeper.support.TestClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Two Statekeeper nodes sharing one PostgreSQL, as behind a load balancer. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresMultiNodeTest {

  Statekeeper a;
  Statekeeper b;
  /** Both nodes' "now" (one database: one clock). */
  final TestClock clock = new TestClock();

  @BeforeAll
  void open(@TempDir Path dir) {
    StatekeeperConfig config =
        StoreKind.POSTGRES.config(dir).toBuilder()
            .set(dev.statekeeper.tasks.TaskSettings.CLAIM_POLL_INTERVAL, Duration.ofSeconds(30)) // a prompt wake-up can only come from NOTIFY
            .set(dev.statekeeper.tasks.TaskSettings.REAPER_INTERVAL, Duration.ofHours(1))
            .build();
    a = Statekeeper.open(config, clock.database());
    b = Statekeeper.open(config, clock.database());
  }

  @AfterAll
  void close() {
    if (a != null) a.close();
    if (b != null) b.close();
  }

  @Test
  void aClaimWaitingOnOneNode_isWokenByATaskCreatedOnAnother() throws Exception {
    Caller me = new Caller("m-" + UUID.randomUUID(), "user:x", Role.ADMIN);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<List<Task>> waiting =
          pool.submit(() -> b.tasks().claim(me, ClaimRequest.of("w").withMaxWait(Duration.ofSeconds(25))));
      Awaitility.await().until(() -> b.tasks().waitingClaims() > 0);
      // the listener of node b may still be connecting; creating again is harmless
      Task t = a.tasks().create(me, NewTask.of("cross-node"), null).task();

      assertThat(waiting.get(15, TimeUnit.SECONDS)).extracting(Task::id).containsExactly(t.id());
    }
  }

  @Test
  void aLeaseTakenOverThroughAnotherNode_fencesOutTheFirstHolder() throws Exception {
    Caller me = new Caller("m-" + UUID.randomUUID(), "user:x", Role.ADMIN);
    a.tasks().create(me, NewTask.of("x"), null);
    Task first = a.tasks().claim(me, ClaimRequest.of("w1").withLease(Duration.ofSeconds(1))).get(0);
    clock.advance(Duration.ofMillis(1_200));
    b.tasks().sweepNow();
    Task second = b.tasks().claim(me, ClaimRequest.of("w2")).get(0);

    assertThatThrownBy(() -> a.tasks().complete(me, first.id(), "w1", first.attempt(), null))
        .isInstanceOf(StatekeeperException.Conflict.class);
    assertThat(a.tasks().complete(me, second.id(), "w2", second.attempt(), null).status())
        .isEqualTo(TaskStatus.COMPLETED);
  }
}
