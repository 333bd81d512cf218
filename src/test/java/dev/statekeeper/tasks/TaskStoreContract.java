package dev.statekeeper.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.support.EmbeddedSuite;
import dev.statekeeper.support.StoreKind;
import dev.statekeeper.support.TestClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The task contract through the embedded API, run once per store by the subclasses. Each test
 * works in a tenant of its own, so tests share one instance without seeing each other's rows.
 */
abstract class TaskStoreContract extends EmbeddedSuite {

  Tasks tasks;
  Caller me;
  /** The store's "now": tests jump past leases and deadlines with {@code clock.advance}. */
  final TestClock clock = new TestClock();

  abstract StoreKind kind();

  /** The configuration under test; subclasses of this suite may tune it. */
  StatekeeperConfig config(Path dir) {
    return kind()
        .config(dir)
        .toBuilder()
        .set(dev.statekeeper.tasks.TaskSettings.RETRY_BASE_DELAY, Duration.ofMillis(300))
        .set(dev.statekeeper.tasks.TaskSettings.RETRY_MAX_DELAY, Duration.ofSeconds(5))
        .set(dev.statekeeper.tasks.TaskSettings.CLAIM_POLL_INTERVAL, Duration.ofSeconds(30)) // so a prompt wake-up can only come from a signal
        .set(dev.statekeeper.tasks.TaskSettings.REAPER_INTERVAL, Duration.ofHours(1)) // tests sweep explicitly with sweepNow()
        .build();
  }

  @BeforeAll
  void openStatekeeper(@TempDir Path dir) {
    tasks = open(config(dir), clock.database()).tasks();
  }

  @BeforeEach
  void freshTenant() {
    me = new Caller("t-" + UUID.randomUUID(), "user:tester", Role.ADMIN);
  }

  Task create(String type) {
    return tasks.create(me, NewTask.of(type), null).task();
  }

  Task claimOne(String agent) {
    List<Task> got = tasks.claim(me, ClaimRequest.of(agent));
    assertThat(got).hasSize(1);
    return got.get(0);
  }

  // ---------------------------------------------------------------- create and read

  @Test
  void create_appliesTheContractDefaults() {
    Task t = create("summarize");

    assertThat(t.id()).isNotBlank();
    assertThat(t.queue()).isEqualTo("default");
    assertThat(t.payload()).isEqualTo(json("{}"));
    assertThat(t.priority()).isEqualTo(Priority.NORMAL);
    assertThat(t.status()).isEqualTo(TaskStatus.PENDING);
    assertThat(t.attempt()).isZero();
    assertThat(t.maxAttempts()).isEqualTo(3);
    assertThat(t.version()).isEqualTo(1);
    assertThat(t.runAfter()).isEqualTo(t.createdAt());
    assertThat(t.claimedBy()).isNull();
    assertThat(t.deadline()).isNull();
    assertThat(t.slaStatus()).isEqualTo(SlaStatus.NONE);
    assertThat(tasks.get(me, t.id())).isEqualTo(t);
  }

  @Test
  void create_keepsEveryGivenField() {
    Instant later = Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    NewTask n =
        NewTask.of("index")
            .withQueue("docs")
            .withPayload(json("{\"path\":\"a/b.md\",\"n\":[1,2,{\"x\":null}]}"))
            .withPriority(Priority.HIGH)
            .withMaxAttempts(7)
            .withRunAfter(later)
            .withDeadline(later.plusSeconds(60));

    Task t = tasks.create(me, n, null).task();

    assertThat(t.queue()).isEqualTo("docs");
    assertThat(t.payload()).isEqualTo(json("{\"path\":\"a/b.md\",\"n\":[1,2,{\"x\":null}]}"));
    assertThat(t.priority()).isEqualTo(Priority.HIGH);
    assertThat(t.maxAttempts()).isEqualTo(7);
    assertThat(t.runAfter()).isEqualTo(later);
    assertThat(t.deadline()).isEqualTo(later.plusSeconds(60));
    assertThat(t.slaStatus()).isEqualTo(SlaStatus.PENDING);
  }

  @Test
  void create_critical_getsTheDefaultDeadlineOfFiveMinutes() {
    Task t = tasks.create(me, NewTask.of("page").withPriority(Priority.CRITICAL), null).task();

    assertThat(Duration.between(t.createdAt(), t.deadline())).isEqualTo(Duration.ofMinutes(5));
    assertThat(t.slaStatus()).isEqualTo(SlaStatus.PENDING);
  }

  @Test
  void create_withInvalidInput_isRejectedAndStoresNothing() {
    List<NewTask> bad =
        List.of(
            NewTask.of(" "),
            NewTask.of("x").withQueue("has space"),
            NewTask.of("x").withQueue("q".repeat(129)),
            NewTask.of("x").withMaxAttempts(0),
            NewTask.of("x").withMaxAttempts(1001),
            NewTask.of("x").withPayload(json("[1,2]")),
            NewTask.of("x").withPayload(json("{\"a\":\"nul\\u0000byte\"}")),
            NewTask.of("type\u0001control"));
    for (NewTask n : bad) {
      assertThatThrownBy(() -> tasks.create(me, n, null))
          .as("%s", n)
          .isInstanceOf(StatekeeperException.InvalidInput.class);
    }
    assertThatThrownBy(() -> tasks.create(me, NewTask.of("x"), "key with spaces"))
        .isInstanceOf(StatekeeperException.InvalidInput.class);
    assertThat(tasks.list(me, TaskQuery.all()).items()).isEmpty();
  }

  @Test
  void create_withSameIdempotencyKeyAndBody_returnsTheFirstTask() {
    NewTask n = NewTask.of("charge").withPayload(json("{\"amount\":5}"));
    CreateResult first = tasks.create(me, n, "order-17");
    CreateResult again = tasks.create(me, n.withQueue("default"), "order-17"); // same once defaulted

    assertThat(first.created()).isTrue();
    assertThat(again.created()).isFalse();
    assertThat(again.task().id()).isEqualTo(first.task().id());
    assertThat(tasks.list(me, TaskQuery.all()).items()).hasSize(1);
  }

  @Test
  void create_withSameIdempotencyKeyAndOtherBody_conflictsAndStoresNothing() {
    tasks.create(me, NewTask.of("charge").withPayload(json("{\"amount\":5}")), "order-18");

    assertThatThrownBy(
            () -> tasks.create(me, NewTask.of("charge").withPayload(json("{\"amount\":6}")), "order-18"))
        .isInstanceOf(StatekeeperException.Conflict.class)
        .extracting(e -> ((StatekeeperException) e).code())
        .isEqualTo("idempotency_key_reused");
    assertThat(tasks.list(me, TaskQuery.all()).items()).hasSize(1);
  }

  @Test
  void idempotencyKeys_areScopedToTheTenant() {
    Task a = tasks.create(me, NewTask.of("x"), "shared-key").task();
    Caller other = new Caller("t-" + UUID.randomUUID(), "user:o", Role.ADMIN);
    CreateResult b = tasks.create(other, NewTask.of("x"), "shared-key");

    assertThat(b.created()).isTrue();
    assertThat(b.task().id()).isNotEqualTo(a.id());
  }

  @Test
  void batch_createsEveryTaskInOrder() {
    List<NewTask> batch = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      batch.add(NewTask.of("t" + i).withIdempotencyKey(i % 2 == 0 ? "k" + i : null));
    }
    List<CreateResult> results = tasks.createBatch(me, batch);

    assertThat(results).hasSize(250).allMatch(CreateResult::created);
    for (int i = 0; i < 250; i++) {
      assertThat(results.get(i).task().type()).isEqualTo("t" + i);
    }
    // again: the keyed ones come back, the others are new
    List<CreateResult> again = tasks.createBatch(me, batch);
    assertThat(again.stream().filter(CreateResult::created)).hasSize(125);
    assertThat(again.get(0).task().id()).isEqualTo(results.get(0).task().id());
  }

  @Test
  void batch_withOneInvalidTask_createsNothing() {
    List<NewTask> batch = List.of(NewTask.of("ok"), NewTask.of("ok"), NewTask.of("").withQueue("q"));

    assertThatThrownBy(() -> tasks.createBatch(me, batch))
        .isInstanceOf(StatekeeperException.InvalidInput.class)
        .hasMessageContaining("task 2");
    assertThat(tasks.list(me, TaskQuery.all()).items()).isEmpty();
  }

  @Test
  void batch_withAReusedKeyOfAnotherBody_createsNothing() {
    tasks.create(me, NewTask.of("a"), "k1");
    List<NewTask> batch = List.of(NewTask.of("new"), NewTask.of("b").withIdempotencyKey("k1"));

    assertThatThrownBy(() -> tasks.createBatch(me, batch)).isInstanceOf(StatekeeperException.Conflict.class);
    assertThat(tasks.list(me, TaskQuery.all()).items()).hasSize(1);
  }

  @Test
  void batch_overTheLimit_isRejected() {
    List<NewTask> batch = new ArrayList<>();
    for (int i = 0; i < 1001; i++) batch.add(NewTask.of("x"));
    assertThatThrownBy(() -> tasks.createBatch(me, batch)).isInstanceOf(StatekeeperException.InvalidInput.class);
    assertThatThrownBy(() -> tasks.createBatch(me, List.of())).isInstanceOf(StatekeeperException.InvalidInput.class);
  }

  @Test
  void anotherTenantsTask_isNotFoundForEveryOperation() {
    Task t = create("secret");
    Caller other = new Caller("t-" + UUID.randomUUID(), "user:o", Role.ADMIN);

    assertThatThrownBy(() -> tasks.get(other, t.id())).isInstanceOf(StatekeeperException.NotFound.class);
    assertThatThrownBy(() -> tasks.events(other, t.id())).isInstanceOf(StatekeeperException.NotFound.class);
    assertThatThrownBy(() -> tasks.cancel(other, t.id(), null)).isInstanceOf(StatekeeperException.NotFound.class);
    assertThatThrownBy(() -> tasks.patch(other, t.id(), 1L, new TaskPatch(Priority.LOW, null, null)))
        .isInstanceOf(StatekeeperException.NotFound.class);
    assertThat(tasks.claim(other, ClaimRequest.of("a"))).isEmpty();
    assertThat(tasks.list(other, TaskQuery.all()).items()).isEmpty();
    assertThat(tasks.get(me, t.id()).status()).isEqualTo(TaskStatus.PENDING);
  }

  @Test
  void list_pagesThroughEveryTaskOnceInCreationOrder() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 23; i++) ids.add(create("t").id());

    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      TaskPage page = tasks.list(me, new TaskQuery(null, null, null, 5, cursor));
      page.items().forEach(t -> seen.add(t.id()));
      cursor = page.nextCursor();
      pages++;
    } while (cursor != null);

    assertThat(seen).containsExactlyElementsOf(ids);
    assertThat(pages).isEqualTo(5);
  }

  @Test
  void list_filtersByQueueStatusAndPriority() {
    tasks.create(me, NewTask.of("a").withQueue("q1").withPriority(Priority.HIGH), null);
    tasks.create(me, NewTask.of("b").withQueue("q2"), null);
    Task c = tasks.create(me, NewTask.of("c").withQueue("q1"), null).task();
    tasks.claim(me, ClaimRequest.of("w").withQueues(List.of("q1")).withLimit(1)); // takes "a" (HIGH)

    assertThat(tasks.list(me, new TaskQuery("q1", null, null, null, null)).items()).hasSize(2);
    assertThat(tasks.list(me, new TaskQuery("q1", TaskStatus.PENDING, null, null, null)).items())
        .extracting(Task::id)
        .containsExactly(c.id());
    assertThat(tasks.list(me, new TaskQuery(null, null, Priority.HIGH, null, null)).items())
        .extracting(Task::type)
        .containsExactly("a");
  }

  @Test
  void list_withForgedCursorOrBadLimit_isRejected() {
    assertThatThrownBy(() -> tasks.list(me, TaskQuery.all().withCursor("not-a-cursor!")))
        .isInstanceOf(StatekeeperException.InvalidInput.class);
    assertThatThrownBy(() -> tasks.list(me, TaskQuery.all().withLimit(0)))
        .isInstanceOf(StatekeeperException.InvalidInput.class);
    assertThatThrownBy(() -> tasks.list(me, TaskQuery.all().withLimit(1001)))
        .isInstanceOf(StatekeeperException.InvalidInput.class);
  }

  // ---------------------------------------------------------------- patch and cancel

  @Test
  void patch_withCurrentVersion_changesThePendingTask() {
    Task t = create("p");
    Task changed =
        tasks.patch(me, t.id(), t.version(), new TaskPatch(Priority.CRITICAL, json("{\"v\":2}"), null));

    assertThat(changed.priority()).isEqualTo(Priority.CRITICAL);
    assertThat(changed.payload()).isEqualTo(json("{\"v\":2}"));
    assertThat(changed.version()).isEqualTo(t.version() + 1);
    assertThat(changed.runAfter()).isEqualTo(t.runAfter());
  }

  @Test
  void patch_withStaleVersion_failsWithThePreconditionAndChangesNothing() {
    Task t = create("p");
    tasks.patch(me, t.id(), t.version(), new TaskPatch(Priority.LOW, null, null));

    assertThatThrownBy(() -> tasks.patch(me, t.id(), t.version(), new TaskPatch(Priority.HIGH, null, null)))
        .isInstanceOf(StatekeeperException.PreconditionFailed.class)
        .satisfies(e -> assertThat(((StatekeeperException.PreconditionFailed) e).currentVersion()).isEqualTo(2));
    assertThat(tasks.get(me, t.id()).priority()).isEqualTo(Priority.LOW);
  }

  @Test
  void patch_ofAClaimedTask_conflicts() {
    Task t = create("p");
    Task claimed = claimOne("w");

    assertThatThrownBy(
            () -> tasks.patch(me, t.id(), claimed.version(), new TaskPatch(Priority.HIGH, null, null)))
        .isInstanceOf(StatekeeperException.Conflict.class);
    assertThatThrownBy(() -> tasks.patch(me, t.id(), claimed.version(), new TaskPatch(null, null, null)))
        .isInstanceOf(StatekeeperException.InvalidInput.class);
  }

  @Test
  void cancel_ofAClaimedTask_fencesOutItsHolder() {
    Task t = create("c");
    Task held = claimOne("w1");

    Task cancelled = tasks.cancel(me, t.id(), "no longer needed");

    assertThat(cancelled.status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(cancelled.leaseExpiresAt()).isNull();
    assertThatThrownBy(() -> tasks.complete(me, t.id(), "w1", held.attempt(), null))
        .isInstanceOf(StatekeeperException.Conflict.class);
    assertThatThrownBy(() -> tasks.cancel(me, t.id(), null))
        .isInstanceOf(StatekeeperException.Conflict.class)
        .extracting(e -> ((StatekeeperException) e).code())
        .isEqualTo("task_final");
  }

  // ---------------------------------------------------------------- claims

  @Test
  void claim_takesHighestPriorityFirstThenOldest() {
    Task low = tasks.create(me, NewTask.of("low").withPriority(Priority.LOW), null).task();
    Task normal1 = create("n1");
    Task normal2 = create("n2");
    Task critical = tasks.create(me, NewTask.of("crit").withPriority(Priority.CRITICAL), null).task();
    Task high = tasks.create(me, NewTask.of("high").withPriority(Priority.HIGH), null).task();

    List<String> order = new ArrayList<>();
    for (int i = 0; i < 5; i++) order.add(claimOne("w").id());

    assertThat(order).containsExactly(critical.id(), high.id(), normal1.id(), normal2.id(), low.id());
    assertThat(tasks.claim(me, ClaimRequest.of("w"))).isEmpty();
  }

  @Test
  void claim_withLimit_returnsThatManyInClaimOrder() {
    for (int i = 0; i < 5; i++) create("t" + i);
    List<Task> got = tasks.claim(me, ClaimRequest.of("w").withLimit(3));

    assertThat(got).extracting(Task::type).containsExactly("t0", "t1", "t2");
    assertThat(got).allSatisfy(t -> {
      assertThat(t.status()).isEqualTo(TaskStatus.CLAIMED);
      assertThat(t.claimedBy()).isEqualTo("w");
      assertThat(t.attempt()).isEqualTo(1);
      assertThat(t.leaseExpiresAt()).isAfter(t.updatedAt().minusMillis(1));
    });
  }

  @Test
  void claim_skipsTasksWhoseRunAfterHasNotCome() {
    tasks.create(me, NewTask.of("later").withRunAfter(Instant.now().plusSeconds(3600)), null);
    Task now = create("now");

    assertThat(tasks.claim(me, ClaimRequest.of("w").withLimit(10))).extracting(Task::id).containsExactly(now.id());
  }

  @Test
  void claim_takesOnlyTheNamedQueuesAndTypes() {
    tasks.create(me, NewTask.of("a").withQueue("q1"), null);
    tasks.create(me, NewTask.of("b").withQueue("q2"), null);
    tasks.create(me, NewTask.of("c").withQueue("q3"), null);

    assertThat(tasks.claim(me, ClaimRequest.of("w").withQueues(List.of("q2", "q3")).withTypes(List.of("c")).withLimit(10)))
        .extracting(Task::type)
        .containsExactly("c");
    assertThat(tasks.claim(me, ClaimRequest.of("w").withLimit(10))).isEmpty(); // "default" is empty
  }

  @Test
  void claim_withInvalidRequest_isRejected() {
    create("x");
    List<ClaimRequest> bad =
        List.of(
            ClaimRequest.of(""),
            ClaimRequest.of("w").withLimit(0),
            ClaimRequest.of("w").withLimit(101),
            ClaimRequest.of("w").withLease(Duration.ZERO),
            ClaimRequest.of("w").withLease(Duration.ofHours(2)),
            ClaimRequest.of("w").withMaxWait(Duration.ofSeconds(31)),
            ClaimRequest.of("w").withQueues(List.of()),
            ClaimRequest.of("w").withQueues(List.of("bad queue")));
    for (ClaimRequest r : bad) {
      assertThatThrownBy(() -> tasks.claim(me, r)).as("%s", r).isInstanceOf(StatekeeperException.InvalidInput.class);
    }
    assertThat(tasks.get(me, tasks.list(me, TaskQuery.all()).items().get(0).id()).status())
        .isEqualTo(TaskStatus.PENDING);
  }

  @Test
  void claim_withWait_wakesWhenATaskArrives() throws Exception {
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    try {
      Future<List<Task>> waiting =
          pool.submit(() -> tasks.claim(me, ClaimRequest.of("w").withMaxWait(Duration.ofSeconds(30))));
      org.awaitility.Awaitility.await().until(() -> tasks.waitingClaims() > 0);
      Task t = create("arrives");

      // This suite re-polls only every 30 s, so getting the task well within that shows the
      // arrival itself woke the claimer.
      List<Task> got = waiting.get(10, TimeUnit.SECONDS);
      assertThat(got).extracting(Task::id).containsExactly(t.id());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void claim_withWait_aWakeUpForAnExcludedType_isHandedToAWaiterThatWantsIt() throws Exception {
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    try {
      // the older waiter wants only "a"; the arrival is a "b"
      Future<List<Task>> wantsA =
          pool.submit(() -> tasks.claim(me, ClaimRequest.of("wa").withTypes(List.of("a")).withMaxWait(Duration.ofSeconds(20))));
      org.awaitility.Awaitility.await().until(() -> tasks.waitingClaims() == 1);
      Future<List<Task>> wantsB =
          pool.submit(() -> tasks.claim(me, ClaimRequest.of("wb").withTypes(List.of("b")).withMaxWait(Duration.ofSeconds(20))));
      org.awaitility.Awaitility.await().until(() -> tasks.waitingClaims() == 2);

      Task b = create("b");

      // re-polls come only every 30 s here: the hand-over is what delivers it
      assertThat(wantsB.get(10, TimeUnit.SECONDS)).extracting(Task::id).containsExactly(b.id());
      assertThat(wantsA.isDone()).isFalse();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void claim_withWait_returnsEmptyWhenNothingArrives() {
    List<Task> got = tasks.claim(me, ClaimRequest.of("w").withMaxWait(Duration.ofMillis(300)));
    assertThat(got).isEmpty();
  }

  // ---------------------------------------------------------------- leases

  @Test
  void heartbeat_extendsTheLeaseOfTheHolderOnly() {
    create("h");
    Task held = tasks.claim(me, ClaimRequest.of("w1").withLease(Duration.ofSeconds(5))).get(0);

    Task beat = tasks.heartbeat(me, held.id(), "w1", held.attempt(), Duration.ofSeconds(60));

    assertThat(beat.leaseExpiresAt()).isAfter(held.leaseExpiresAt().plusSeconds(50));
    assertThatThrownBy(() -> tasks.heartbeat(me, held.id(), "w2", held.attempt(), null))
        .isInstanceOf(StatekeeperException.Conflict.class)
        .hasMessageContaining("held by user:tester/w1");
    assertThat(tasks.get(me, held.id()).leaseExpiresAt()).isEqualTo(beat.leaseExpiresAt());
  }

  @Test
  void complete_byTheHolder_recordsTheResult() {
    create("c");
    Task held = claimOne("w1");

    Task done = tasks.complete(me, held.id(), "w1", held.attempt(), json("{\"ok\":true}"));

    assertThat(done.status()).isEqualTo(TaskStatus.COMPLETED);
    assertThat(done.result()).isEqualTo(json("{\"ok\":true}"));
    assertThat(done.leaseExpiresAt()).isNull();
    assertThat(done.claimedBy()).isEqualTo("w1");
  }

  @Test
  void complete_bySomeoneElse_conflictsAndChangesNothing() {
    create("c");
    Task held = claimOne("w1");

    assertThatThrownBy(() -> tasks.complete(me, held.id(), "w2", held.attempt(), null))
        .isInstanceOf(StatekeeperException.Conflict.class)
        .extracting(e -> ((StatekeeperException) e).code())
        .isEqualTo("lease_not_held");
    assertThatThrownBy(() -> tasks.complete(me, held.id(), "w1", held.attempt() + 1, null))
        .isInstanceOf(StatekeeperException.Conflict.class);
    assertThat(tasks.get(me, held.id())).isEqualTo(held);
    assertThatThrownBy(() -> tasks.complete(me, "no-such-task", "w1", 1, null))
        .isInstanceOf(StatekeeperException.NotFound.class);
  }

  @Test
  void complete_byAnotherKeyNamingTheHoldersAgent_conflictsAndChangesNothing() {
    create("c");
    Task held = claimOne("w1");
    Caller otherKey = new Caller(me.tenant(), "agent:intruder", Role.AGENT);
    sk.access().grant(me, new dev.statekeeper.access.Grant("queue:default", dev.statekeeper.access.Relation.EDITOR, "agent:intruder"));
    Caller otherAdmin = new Caller(me.tenant(), "user:other-admin", Role.ADMIN);

    for (Caller c : List.of(otherKey, otherAdmin)) {
      assertThatThrownBy(() -> tasks.complete(c, held.id(), "w1", held.attempt(), json("{\"stolen\":true}")))
          .isInstanceOf(StatekeeperException.Conflict.class)
          .hasMessageContaining("held by user:tester/w1");
      assertThatThrownBy(() -> tasks.fail(c, held.id(), "w1", held.attempt(), "nope", false))
          .isInstanceOf(StatekeeperException.Conflict.class);
      assertThatThrownBy(() -> tasks.heartbeat(c, held.id(), "w1", held.attempt(), null))
          .isInstanceOf(StatekeeperException.Conflict.class);
    }

    assertThat(tasks.get(me, held.id())).isEqualTo(held);
    assertThat(tasks.events(me, held.id())).extracting(TaskEvent::action).containsExactly("created", "claimed");
  }

  @Test
  void cancel_byAnAdminOfAnotherSubject_endsTheLeaseItCouldNotComplete() {
    create("c");
    Task held = claimOne("w1");
    Caller otherAdmin = new Caller(me.tenant(), "user:other-admin", Role.ADMIN);

    Task cancelled = tasks.cancel(otherAdmin, held.id(), "stuck");

    assertThat(cancelled.status()).isEqualTo(TaskStatus.CANCELLED);
    assertThatThrownBy(() -> tasks.complete(me, held.id(), "w1", held.attempt(), null))
        .isInstanceOf(StatekeeperException.Conflict.class);
  }

  @Test
  void anAgentNameWithALoneSurrogate_isRefused_insteadOfStoredAsAQuestionMark() {
    create("c");
    for (String agent : List.of("fz\ud800", "fz\udc00x", "\u0000w")) {
      assertThatThrownBy(() -> tasks.claim(me, ClaimRequest.of(agent)))
          .as(agent)
          .isInstanceOf(StatekeeperException.InvalidInput.class)
          .extracting(e -> ((StatekeeperException) e).code())
          .isEqualTo("invalid_agent");
    }
    assertThat(tasks.list(me, TaskQuery.all()).items()).allSatisfy(t -> assertThat(t.status()).isEqualTo(TaskStatus.PENDING));
    assertThat(claimOne("w\uD83E\uDD16").claimedBy()).isEqualTo("w\uD83E\uDD16"); // a pair is a character like any other
  }

  @Test
  void agentTransitions_withoutAttempt_areRefusedAndChangeNothing() {
    create("c");
    Task held = claimOne("w1");

    for (var call : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
        () -> tasks.complete(me, held.id(), "w1", null, null),
        () -> tasks.fail(me, held.id(), "w1", null, "e", true),
        () -> tasks.heartbeat(me, held.id(), "w1", null, null))) {
      assertThatThrownBy(call)
          .isInstanceOf(StatekeeperException.InvalidInput.class)
          .extracting(e -> ((StatekeeperException) e).code())
          .isEqualTo("attempt_required");
    }
    assertThat(tasks.get(me, held.id())).isEqualTo(held);
  }

  @Test
  void claim_recordsTheKeysSubjectAndTheAgent_asTheHolder() {
    create("c");
    Task held = claimOne("w1");

    assertThat(held.claimedBy()).isEqualTo("w1");
    assertThat(held.claimedBySubject()).isEqualTo("user:tester");
    Task done = tasks.complete(me, held.id(), "w1", held.attempt(), null);
    assertThat(done.claimedBySubject()).isEqualTo("user:tester");
    assertThat(tasks.events(me, held.id())).extracting(TaskEvent::actor)
        .containsExactly("user:tester", "user:tester/w1", "user:tester/w1");
  }

  @Test
  void expiredLease_returnsTheTaskToPending_andTheStaleHolderIsFencedOut() throws Exception {
    create("slow");
    Task first = tasks.claim(me, ClaimRequest.of("w1").withLease(Duration.ofSeconds(1))).get(0);
    clock.advance(Duration.ofMillis(1_200));

    // Even before the reaper runs, an expired lease is not held.
    assertThatThrownBy(() -> tasks.complete(me, first.id(), "w1", first.attempt(), null))
        .isInstanceOf(StatekeeperException.Conflict.class)
        .extracting(e -> ((StatekeeperException) e).code())
        .isEqualTo("lease_expired");

    tasks.sweepNow();
    assertThat(tasks.get(me, first.id()).status()).isEqualTo(TaskStatus.PENDING);

    // The same agent name claims again: only the attempt tells the two holders apart.
    Task second = claimOne("w1");
    assertThat(second.id()).isEqualTo(first.id());
    assertThat(second.attempt()).isEqualTo(2);
    assertThatThrownBy(() -> tasks.complete(me, first.id(), "w1", first.attempt(), json("\"stale\"")))
        .isInstanceOf(StatekeeperException.Conflict.class)
        .hasMessageContaining("attempt 1");
    Task done = tasks.complete(me, second.id(), "w1", second.attempt(), json("\"fresh\""));
    assertThat(done.result()).isEqualTo(json("\"fresh\""));
  }

  @Test
  void expiredLease_onTheLastAttempt_failsTheTask() throws Exception {
    tasks.create(me, NewTask.of("once").withMaxAttempts(1), null);
    Task held = tasks.claim(me, ClaimRequest.of("w").withLease(Duration.ofSeconds(1))).get(0);
    clock.advance(Duration.ofMillis(1_200));
    tasks.sweepNow();

    Task t = tasks.get(me, held.id());
    assertThat(t.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(t.error()).contains("lease expired");
  }

  // ---------------------------------------------------------------- failure and retry

  @Test
  void fail_withRetry_returnsToPendingAfterABackoff() {
    create("flaky");
    Task held = claimOne("w");

    Task failed = tasks.fail(me, held.id(), "w", held.attempt(), "boom", true);

    assertThat(failed.status()).isEqualTo(TaskStatus.PENDING);
    assertThat(failed.error()).isEqualTo("boom");
    assertThat(failed.claimedBy()).isNull();
    // base 300 ms, equal jitter: between 150 and 300 ms after the failure
    Duration backoff = Duration.between(failed.updatedAt(), failed.runAfter());
    assertThat(backoff).isBetween(Duration.ofMillis(149), Duration.ofMillis(301));
    assertThat(tasks.claim(me, ClaimRequest.of("w"))).isEmpty();
    clock.advance(backoff.plusMillis(1));
    assertThat(tasks.claim(me, ClaimRequest.of("w"))).extracting(Task::id).containsExactly(held.id());
  }

  @Test
  void fail_backoffDoublesWithEachAttempt() {
    tasks.create(me, NewTask.of("flaky").withMaxAttempts(5), null);
    List<Duration> backoffs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Task held = awaitClaim();
      Task failed = tasks.fail(me, held.id(), "w", held.attempt(), "boom " + i, true);
      backoffs.add(Duration.between(failed.updatedAt(), failed.runAfter()));
    }
    // attempt n waits 300 ms · 2^(n-1) · [0.5, 1]
    for (int i = 0; i < 3; i++) {
      long full = 300L << i;
      assertThat(backoffs.get(i).toMillis()).isBetween(full / 2 - 1, full + 1);
    }
  }

  /** Claims the task once its backoff (at most {@code retry-max-delay}, 5 s here) has passed. */
  private Task awaitClaim() {
    clock.advance(Duration.ofSeconds(5));
    return claimOne("w");
  }

  @Test
  void fail_onTheLastAttemptOrWithoutRetry_failsForGood() {
    tasks.create(me, NewTask.of("a").withMaxAttempts(1), null);
    Task held = claimOne("w");
    assertThat(tasks.fail(me, held.id(), "w", held.attempt(), "bad", true).status()).isEqualTo(TaskStatus.FAILED);

    create("b");
    Task held2 = claimOne("w");
    Task failed = tasks.fail(me, held2.id(), "w", held2.attempt(), "fatal", false);
    assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(failed.claimedBy()).isEqualTo("w");
    assertThatThrownBy(() -> tasks.fail(me, held2.id(), "w", held2.attempt(), "again", true))
        .isInstanceOf(StatekeeperException.Conflict.class);
    assertThatThrownBy(() -> tasks.fail(me, held2.id(), "w", held2.attempt(), " ", true))
        .isInstanceOf(StatekeeperException.InvalidInput.class);
  }

  // ---------------------------------------------------------------- SLA

  @Test
  void sla_completedBeforeTheDeadline_isMet() {
    tasks.create(me, NewTask.of("crit").withPriority(Priority.CRITICAL), null);
    Task held = claimOne("w");
    assertThat(tasks.complete(me, held.id(), "w", held.attempt(), null).slaStatus()).isEqualTo(SlaStatus.MET);
  }

  @Test
  void sla_deadlinePassingUnfinished_isViolated_andStaysSo() throws Exception {
    Task t =
        tasks.create(me, NewTask.of("late").withDeadline(clock.instant().plusMillis(300)), null).task();
    clock.advance(Duration.ofMillis(400));
    tasks.sweepNow();

    assertThat(tasks.get(me, t.id()).slaStatus()).isEqualTo(SlaStatus.VIOLATED);
    Task held = claimOne("w");
    assertThat(tasks.complete(me, held.id(), "w", held.attempt(), null).slaStatus()).isEqualTo(SlaStatus.VIOLATED);
    assertThat(tasks.events(me, t.id())).extracting(TaskEvent::action).contains("sla_violated");
  }

  @Test
  void sla_completedAfterTheDeadlineBeforeTheSweep_isViolated() throws Exception {
    tasks.create(me, NewTask.of("late").withDeadline(clock.instant().plusMillis(300)), null);
    Task held = claimOne("w");
    clock.advance(Duration.ofMillis(400));
    assertThat(tasks.complete(me, held.id(), "w", held.attempt(), null).slaStatus()).isEqualTo(SlaStatus.VIOLATED);
  }

  // ---------------------------------------------------------------- audit and stats

  @Test
  void events_recordEveryTransitionInOrder() {
    create("audited");
    Task held = claimOne("w1");
    tasks.fail(me, held.id(), "w1", held.attempt(), "first try failed", true);
    Task again = awaitClaim();
    tasks.complete(me, again.id(), "w", again.attempt(), null);

    List<TaskEvent> events = tasks.events(me, held.id());

    assertThat(events)
        .extracting(TaskEvent::action, TaskEvent::fromStatus, TaskEvent::toStatus, TaskEvent::attempt)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("created", null, "pending", 0),
            org.assertj.core.groups.Tuple.tuple("claimed", "pending", "claimed", 1),
            org.assertj.core.groups.Tuple.tuple("failed", "claimed", "pending", 1),
            org.assertj.core.groups.Tuple.tuple("claimed", "pending", "claimed", 2),
            org.assertj.core.groups.Tuple.tuple("completed", "claimed", "completed", 2));
    assertThat(events.get(0).actor()).isEqualTo("user:tester");
    assertThat(events.get(1).actor()).isEqualTo("user:tester/w1");
    assertThat(events.get(2).detail().get("error").asText()).isEqualTo("first try failed");
  }

  @Test
  void stats_countByStatusPriorityAndSla() {
    tasks.create(me, NewTask.of("c").withPriority(Priority.CRITICAL), null);
    tasks.create(me, NewTask.of("n"), null);
    tasks.create(me, NewTask.of("n2").withQueue("other"), null);
    Task held = claimOne("w"); // the CRITICAL one
    tasks.complete(me, held.id(), "w", held.attempt(), null);

    TaskStats all = tasks.stats(me, null);
    assertThat(all.counts()).containsEntry("pending", 2L).containsEntry("completed", 1L).containsEntry("claimed", 0L);
    assertThat(all.byPriority().get("CRITICAL")).containsEntry("completed", 1L);
    assertThat(all.byPriority().get("NORMAL")).containsEntry("pending", 2L);
    assertThat(all.oldestPendingAgeSeconds().get("NORMAL")).isNotNull().isGreaterThanOrEqualTo(0.0);
    assertThat(all.oldestPendingAgeSeconds().get("CRITICAL")).isNull();
    assertThat(all.sla()).containsEntry("met", 1L).containsEntry("violated", 0L).containsEntry("pending", 0L);

    TaskStats other = tasks.stats(me, "other");
    assertThat(other.counts()).containsEntry("pending", 1L).containsEntry("completed", 0L);
  }

  // ---------------------------------------------------------------- pinned before the statements were rewritten per dialect

  @Test
  void events_ofPatchCancelReapAndSettle_nameTheirActionStatusesAndActor() {
    Task patched = create("p");
    tasks.patch(me, patched.id(), null, new TaskPatch(null, json("{\"v\":1}"), Instant.now().minusSeconds(1)));
    tasks.cancel(me, patched.id(), "changed my mind");
    assertThat(tasks.events(me, patched.id()))
        .extracting(TaskEvent::action, TaskEvent::fromStatus, TaskEvent::toStatus, TaskEvent::attempt, TaskEvent::actor)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("created", null, "pending", 0, "user:tester"),
            org.assertj.core.groups.Tuple.tuple("updated", "pending", "pending", 0, "user:tester"),
            org.assertj.core.groups.Tuple.tuple("cancelled", "pending", "cancelled", 0, "user:tester"));
    List<TaskEvent> trail = tasks.events(me, patched.id());
    assertThat(trail.get(1).detail()).isEqualTo(json("{\"fields\":[\"payload\",\"run_after\"]}"));
    assertThat(trail.get(2).detail()).isEqualTo(json("{\"reason\":\"changed my mind\"}"));
    assertThat(trail.get(0).detail()).isNull();

    tasks.create(me, NewTask.of("once").withMaxAttempts(1).withDeadline(clock.instant().plusSeconds(3600)), null);
    create("twice");
    Task last = tasks.claim(me, ClaimRequest.of("w").withLease(Duration.ofSeconds(1))).get(0);
    Task retried = tasks.claim(me, ClaimRequest.of("w").withLease(Duration.ofSeconds(1))).get(0);
    Task cancelledWhileHeld = tasks.create(me, NewTask.of("held"), null).task();
    Task held = tasks.claim(me, ClaimRequest.of("w")).get(0);
    assertThat(held.id()).isEqualTo(cancelledWhileHeld.id());
    tasks.cancel(me, held.id(), null);
    clock.advance(Duration.ofMillis(1_200));
    tasks.sweepNow();

    assertThat(tasks.events(me, last.id()))
        .extracting(TaskEvent::action, TaskEvent::fromStatus, TaskEvent::toStatus, TaskEvent::attempt, TaskEvent::actor)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("created", null, "pending", 0, "user:tester"),
            org.assertj.core.groups.Tuple.tuple("claimed", "pending", "claimed", 1, "user:tester/w"),
            org.assertj.core.groups.Tuple.tuple("lease_expired", "claimed", "failed", 1, "system:lease-reaper"));
    Task failed = tasks.get(me, last.id());
    assertThat(failed.error()).isEqualTo("lease expired on the last attempt (1 of 1)");
    assertThat(failed.claimedBy()).isEqualTo("w");
    assertThat(failed.claimedBySubject()).isEqualTo("user:tester");
    assertThat(failed.slaStatus()).isEqualTo(SlaStatus.VIOLATED);
    assertThat(tasks.events(me, retried.id())).last()
        .extracting(TaskEvent::action, TaskEvent::fromStatus, TaskEvent::toStatus, TaskEvent::attempt)
        .containsExactly("lease_expired", "claimed", "pending", 1);
    Task back = tasks.get(me, retried.id());
    assertThat(back.claimedBy()).isNull();
    assertThat(back.claimedBySubject()).isNull();
    assertThat(back.error()).isNull();
    assertThat(tasks.events(me, held.id())).last()
        .extracting(TaskEvent::action, TaskEvent::fromStatus, TaskEvent::toStatus, TaskEvent::attempt, TaskEvent::detail)
        .containsExactly("cancelled", "claimed", "cancelled", 1, null);

    Task late = tasks.create(me, NewTask.of("late").withDeadline(clock.instant().plusMillis(100)), null).task();
    clock.advance(Duration.ofMillis(200));
    tasks.sweepNow();
    assertThat(tasks.events(me, late.id())).last()
        .extracting(TaskEvent::action, TaskEvent::fromStatus, TaskEvent::toStatus, TaskEvent::attempt, TaskEvent::actor)
        .containsExactly("sla_violated", "pending", "pending", 0, "system:sla");
  }

  @Test
  void cancel_settlesAPendingDeadline_violatedWhenPassed_elseNone() {
    Task passed = tasks.create(me, NewTask.of("a").withDeadline(clock.instant().plusMillis(100)), null).task();
    Task coming = tasks.create(me, NewTask.of("b").withDeadline(clock.instant().plusSeconds(3600)), null).task();
    clock.advance(Duration.ofMillis(200));

    assertThat(tasks.cancel(me, passed.id(), null).slaStatus()).isEqualTo(SlaStatus.VIOLATED);
    assertThat(tasks.cancel(me, coming.id(), null).slaStatus()).isEqualTo(SlaStatus.NONE);
  }

  @Test
  void fail_forGood_violatesAPendingDeadline_andARetryLeavesItPending() {
    tasks.create(me, NewTask.of("a").withDeadline(clock.instant().plusSeconds(3600)), null);
    Task held = claimOne("w");
    Task retried = tasks.fail(me, held.id(), "w", held.attempt(), "again", true);
    assertThat(retried.slaStatus()).isEqualTo(SlaStatus.PENDING);
    assertThat(retried.status()).isEqualTo(TaskStatus.PENDING);

    Task again = awaitClaim();
    Task failed = tasks.fail(me, again.id(), "w", again.attempt(), "give up", false);
    assertThat(failed.slaStatus()).isEqualTo(SlaStatus.VIOLATED);
    assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(failed.claimedBy()).isEqualTo("w");
    assertThat(failed.claimedBySubject()).isEqualTo("user:tester");
    assertThat(failed.runAfter()).isEqualTo(again.runAfter());
    assertThat(failed.leaseExpiresAt()).isNull();
    assertThat(failed.error()).isEqualTo("give up");
    assertThat(tasks.events(me, again.id())).last()
        .extracting(TaskEvent::action, TaskEvent::fromStatus, TaskEvent::toStatus, TaskEvent::detail)
        .containsExactly("failed", "claimed", "failed", json("{\"error\":\"give up\",\"retry\":false}"));
  }

  @Test
  void fail_backoff_isCappedAtTheMaximumDelay() {
    tasks.create(me, NewTask.of("flaky").withMaxAttempts(8), null);
    Duration backoff = null;
    for (int i = 0; i < 6; i++) {
      Task held = awaitClaim();
      Task failed = tasks.fail(me, held.id(), "w", held.attempt(), "boom", true);
      backoff = Duration.between(failed.updatedAt(), failed.runAfter());
    }
    // attempt 6 would wait 300 ms · 2^5 = 9.6 s; capped at 5 s, times the jitter [0.5, 1]
    assertThat(backoff.toMillis()).isBetween(2_499L, 5_001L);
  }

  @Test
  void aLeaseTakenBeforeSubjectsWereRecorded_isHeldByTheAgentNameAlone() {
    create("old");
    Task held = claimOne("w1");
    sk.store().write("forgetting the subject, as before migration V8", c -> {
      try (java.sql.PreparedStatement ps = c.prepareStatement("UPDATE tasks SET claimed_subject = NULL WHERE tenant = ? AND id = ?")) {
        ps.setString(1, me.tenant());
        ps.setString(2, held.id());
        return ps.executeUpdate();
      }
    });
    Caller otherKey = new Caller(me.tenant(), "user:other-admin", Role.ADMIN);

    assertThatThrownBy(() -> tasks.complete(otherKey, held.id(), "w2", held.attempt(), null))
        .isInstanceOf(StatekeeperException.Conflict.class)
        .hasMessageContaining("held by user:other-admin/w1");
    Task beat = tasks.heartbeat(otherKey, held.id(), "w1", held.attempt(), Duration.ofSeconds(60));
    assertThat(beat.claimedBySubject()).isNull();
    Task done = tasks.complete(otherKey, held.id(), "w1", held.attempt(), null);
    assertThat(done.status()).isEqualTo(TaskStatus.COMPLETED);
  }

  @Test
  void claim_fromSeveralQueues_takesHighestPriorityThenOldestAcrossThem() {
    Task a1 = tasks.create(me, NewTask.of("a1").withQueue("qa"), null).task();
    Task b1 = tasks.create(me, NewTask.of("b1").withQueue("qb"), null).task();
    Task bHigh = tasks.create(me, NewTask.of("bh").withQueue("qb").withPriority(Priority.HIGH), null).task();
    Task a2 = tasks.create(me, NewTask.of("a2").withQueue("qa"), null).task();
    tasks.create(me, NewTask.of("c").withQueue("qc").withPriority(Priority.CRITICAL), null);

    List<Task> got = tasks.claim(me, ClaimRequest.of("w").withQueues(List.of("qa", "qb")).withLimit(3));
    assertThat(got).extracting(Task::id).containsExactly(bHigh.id(), a1.id(), b1.id());
    assertThat(tasks.claim(me, ClaimRequest.of("w").withQueues(List.of("qb", "qa")).withTypes(List.of("a2", "zz")).withLimit(5)))
        .extracting(Task::id).containsExactly(a2.id());
  }

  @Test
  void batch_withoutKeys_ofAThousand_storesEveryField() {
    Instant base = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    List<NewTask> batch = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      NewTask n = NewTask.of("t" + i).withQueue("q" + (i % 3)).withPayload(json("{\"i\":" + i + ",\"s\":\"it's \\\"q\\\" {x}\"}"))
          .withPriority(Priority.values()[i % 4]).withMaxAttempts(1 + i % 5);
      if (i % 7 == 0) n = n.withRunAfter(base.plusSeconds(i));
      if (i % 11 == 0) n = n.withDeadline(base.plusSeconds(3600 + i));
      batch.add(n);
    }
    List<CreateResult> results = tasks.createBatch(me, batch);

    assertThat(results).hasSize(1000).allMatch(CreateResult::created);
    for (int i = 0; i < 1000; i++) {
      Task t = results.get(i).task();
      NewTask n = batch.get(i);
      assertThat(t.type()).isEqualTo("t" + i);
      assertThat(t.queue()).isEqualTo(n.queue());
      assertThat(t.payload()).isEqualTo(n.payload());
      assertThat(t.priority()).isEqualTo(n.priority());
      assertThat(t.maxAttempts()).isEqualTo(n.maxAttempts());
      if (n.runAfter() == null) {
        assertNowOfTheSameStatement(t.runAfter(), t.createdAt());
      } else {
        assertThat(t.runAfter()).isEqualTo(n.runAfter());
      }
      if (n.deadline() != null) {
        assertThat(t.deadline()).isEqualTo(n.deadline());
      } else if (n.priority() == Priority.CRITICAL) {
        assertNowOfTheSameStatement(t.deadline().minus(Duration.ofMinutes(5)), t.createdAt());
      } else {
        assertThat(t.deadline()).isNull();
      }
      boolean hasDeadline = n.deadline() != null || n.priority() == Priority.CRITICAL;
      assertThat(t.slaStatus()).isEqualTo(hasDeadline ? SlaStatus.PENDING : SlaStatus.NONE);
      assertThat(t.version()).isEqualTo(1);
      assertThat(t.status()).isEqualTo(TaskStatus.PENDING);
      assertNowOfTheSameStatement(t.updatedAt(), t.createdAt());
    }
    assertThat(tasks.get(me, results.get(999).task().id())).isEqualTo(results.get(999).task());
    assertThat(tasks.events(me, results.get(500).task().id())).extracting(TaskEvent::action).containsExactly("created");
  }

  /**
   * Two readings of {@code sk_now()} in one statement: the same instant on PostgreSQL; on SQLite
   * each occurrence in a statement calls the function once, so two may be a millisecond apart.
   */
  private void assertNowOfTheSameStatement(Instant actual, Instant expected) {
    if (kind() == StoreKind.POSTGRES) {
      assertThat(actual).isEqualTo(expected);
    } else {
      assertThat(actual).isBetween(expected.minusMillis(20), expected.plusMillis(20));
    }
  }

  /** PostgreSQL keeps microseconds (rounded half up, as its driver sends them), SQLite milliseconds. */
  @Test
  void create_keepsTimesAsPreciselyAsTheStoreDoes_evenFarFromNow() {
    List<Instant> times = List.of(
        Instant.parse("2026-03-01T10:00:00.123456500Z"), Instant.parse("2026-03-01T10:00:00.123456499Z"),
        Instant.parse("2026-03-01T10:00:00.999999700Z"), Instant.parse("+20000-01-01T00:00:00.000001Z"),
        Instant.parse("-0100-06-01T12:30:00.000000700Z"), Instant.parse("1969-12-31T23:59:59.999500Z"));
    for (Instant t : times) {
      Instant expected = kind() == StoreKind.POSTGRES
          ? (t.getNano() % 1000 > 499 ? t.plusNanos(1000) : t).truncatedTo(java.time.temporal.ChronoUnit.MICROS)
          : Instant.ofEpochMilli(t.toEpochMilli());
      Task single = tasks.create(me, NewTask.of("x").withRunAfter(t).withDeadline(t), null).task();
      Task inBatch = tasks.createBatch(me, List.of(NewTask.of("y").withRunAfter(t).withDeadline(t), NewTask.of("z"))).get(0).task();
      for (Task created : List.of(single, inBatch)) {
        assertThat(created.runAfter()).as("%s", t).isEqualTo(expected);
        assertThat(created.deadline()).as("%s", t).isEqualTo(expected);
        assertThat(tasks.get(me, created.id())).isEqualTo(created);
      }
    }
  }

  @Test
  void patch_withoutAVersion_changesTheTaskAtAnyVersion_andRecordsTheFieldsChanged() {
    Task t = create("p");
    tasks.patch(me, t.id(), t.version(), new TaskPatch(Priority.LOW, null, null));
    Instant later = clock.instant().plusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);

    Task changed = tasks.patch(me, t.id(), null, new TaskPatch(null, null, later));

    assertThat(changed.version()).isEqualTo(3);
    assertThat(changed.runAfter()).isEqualTo(later);
    assertThat(changed.priority()).isEqualTo(Priority.LOW);
    assertThat(changed.payload()).isEqualTo(t.payload());
    assertThat(tasks.events(me, t.id())).extracting(TaskEvent::detail)
        .containsExactly(null, json("{\"fields\":[\"priority\"]}"), json("{\"fields\":[\"run_after\"]}"));
    assertThatThrownBy(() -> tasks.patch(me, "no-such-task", null, new TaskPatch(Priority.LOW, null, null)))
        .isInstanceOf(StatekeeperException.NotFound.class);
  }

  @Test
  void listAndStats_showAnAgentOnlyTheQueuesAndTasksItHoldsGrantsOn() {
    List<String> inA = new ArrayList<>();
    for (int i = 0; i < 4; i++) inA.add(tasks.create(me, NewTask.of("a").withQueue("qa"), null).task().id());
    Task inB = tasks.create(me, NewTask.of("b").withQueue("qb").withPriority(Priority.HIGH), null).task();
    tasks.create(me, NewTask.of("b").withQueue("qb"), null);
    tasks.create(me, NewTask.of("c").withQueue("qc"), null);
    Caller agent = new Caller(me.tenant(), "agent:limited", Role.AGENT);
    Caller nobody = new Caller(me.tenant(), "agent:nobody", Role.AGENT);
    sk.access().grant(me, new dev.statekeeper.access.Grant("queue:qa", dev.statekeeper.access.Relation.VIEWER, "agent:limited"));
    sk.access().grant(me, new dev.statekeeper.access.Grant("task:" + inB.id(), dev.statekeeper.access.Relation.VIEWER, "agent:limited"));

    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      TaskPage page = tasks.list(agent, new TaskQuery(null, null, null, 2, cursor));
      page.items().forEach(t -> seen.add(t.id()));
      cursor = page.nextCursor();
    } while (cursor != null);
    List<String> expected = new ArrayList<>(inA);
    expected.add(inB.id());
    assertThat(seen).containsExactlyElementsOf(expected);
    assertThat(tasks.list(agent, new TaskQuery("qb", TaskStatus.PENDING, Priority.HIGH, null, null)).items())
        .extracting(Task::id).containsExactly(inB.id());
    assertThat(tasks.list(agent, new TaskQuery("qc", null, null, null, null)).items()).isEmpty();
    assertThat(tasks.list(nobody, TaskQuery.all()).items()).isEmpty();

    TaskStats stats = tasks.stats(agent, null);
    assertThat(stats.counts()).containsEntry("pending", 4L);
    assertThat(tasks.stats(nobody, null).counts()).containsEntry("pending", 0L);
    assertThat(tasks.stats(me, null).counts()).containsEntry("pending", 7L);
    assertThat(tasks.stats(me, "qb").counts()).containsEntry("pending", 2L);
    assertThat(tasks.stats(me, "qb").byPriority().get("HIGH")).containsEntry("pending", 1L);
  }

  @Test
  void readerRole_cannotChangeTasks_evenWithAnEditorGrant() {
    Task t = create("r");
    Caller reader = new Caller(me.tenant(), "user:viewer", Role.READER);
    assertThatThrownBy(() -> tasks.get(reader, t.id())).isInstanceOf(StatekeeperException.NotFound.class);
    sk.access().grant(me, new dev.statekeeper.access.Grant("queue:default", dev.statekeeper.access.Relation.EDITOR, "user:viewer"));

    assertThat(tasks.get(reader, t.id()).id()).isEqualTo(t.id());
    assertThatThrownBy(() -> tasks.create(reader, NewTask.of("x"), null)).isInstanceOf(StatekeeperException.Forbidden.class);
    assertThatThrownBy(() -> tasks.claim(reader, ClaimRequest.of("w"))).isInstanceOf(StatekeeperException.Forbidden.class);
    assertThatThrownBy(() -> tasks.cancel(reader, t.id(), null)).isInstanceOf(StatekeeperException.Forbidden.class);
  }
}
