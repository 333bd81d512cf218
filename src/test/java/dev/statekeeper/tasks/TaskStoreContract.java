package dev.statekeeper.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The task contract through the embedded API, run once per store by the subclasses. Each test
 * works in a tenant of its own, so tests share one instance without seeing each other's rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TaskStoreContract {

  static final ObjectMapper JSON = new ObjectMapper();

  Statekeeper sk;
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
  void open(@TempDir Path dir) {
    sk = Statekeeper.open(config(dir), clock.database());
    tasks = sk.tasks();
  }

  @AfterAll
  void close() {
    if (sk != null) {
      sk.close();
    }
  }

  @BeforeEach
  void freshTenant() {
    me = new Caller("t-" + UUID.randomUUID(), "user:tester", Role.ADMIN);
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
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
