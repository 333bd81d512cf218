package dev.statekeeper.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.support.StoreKind;
import dev.statekeeper.support.TestClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What users of job queues fear, run on each store: many workers over thousands of tasks, none
 * lost, none done twice — also when workers stall mid-task and come back after their lease was
 * given to someone else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TaskConcurrencyContract {

  static final int TASKS = 10_000;
  static final int WORKERS = 32;

  Statekeeper sk;
  Tasks tasks;
  /** The store's "now": stalled leases expire when a test moves it, not after a sleep. */
  final TestClock clock = new TestClock();

  abstract StoreKind kind();

  @BeforeAll
  void open(@TempDir Path dir) {
    sk =
        Statekeeper.open(
            kind().config(dir).toBuilder().set(dev.statekeeper.tasks.TaskSettings.REAPER_INTERVAL, Duration.ofMillis(100)).build(), clock.database());
    tasks = sk.tasks();
  }

  @AfterAll
  void close() {
    if (sk != null) sk.close();
  }

  private static Caller freshTenant() {
    return new Caller("c-" + UUID.randomUUID(), "user:load", Role.ADMIN);
  }

  private List<String> createTasks(Caller me, int n) {
    return createTasks(me, n, 3);
  }

  private List<String> createTasks(Caller me, int n, int maxAttempts) {
    List<String> ids = new ArrayList<>(n);
    for (int from = 0; from < n; from += 1000) {
      List<NewTask> batch = new ArrayList<>();
      for (int i = from; i < Math.min(n, from + 1000); i++) {
        batch.add(NewTask.of("work").withPayload(TaskStoreContract.json("{\"i\":" + i + "}")).withMaxAttempts(maxAttempts));
      }
      tasks.createBatch(me, batch).forEach(r -> ids.add(r.task().id()));
    }
    return ids;
  }

  @Test
  void manyClaimers_completeEveryTaskExactlyOnce() throws Exception {
    Caller me = freshTenant();
    List<String> ids = createTasks(me, TASKS);
    Map<String, String> completedBy = new ConcurrentHashMap<>();
    AtomicInteger doubleCompletions = new AtomicInteger();

    runWorkers(
        WORKERS,
        worker -> {
          String agent = "agent-" + worker;
          while (true) {
            int limit = 1 + ThreadLocalRandom.current().nextInt(5);
            List<Task> got = tasks.claim(me, ClaimRequest.of(agent).withLimit(limit));
            if (got.isEmpty()) {
              return;
            }
            for (Task t : got) {
              assertThat(t.claimedBy()).isEqualTo(agent);
              tasks.complete(me, t.id(), agent, t.attempt(), null);
              if (completedBy.putIfAbsent(t.id(), agent) != null) {
                doubleCompletions.incrementAndGet();
              }
            }
          }
        });

    assertThat(doubleCompletions).hasValue(0);
    assertThat(completedBy.keySet()).containsExactlyInAnyOrderElementsOf(ids);
    TaskStats stats = tasks.stats(me, null);
    assertThat(stats.counts().get("completed")).isEqualTo(TASKS);
    assertThat(stats.counts().get("pending") + stats.counts().get("claimed")).isZero();
    // every task was claimed once and completed once, by the same agent
    for (String id : ids.subList(0, 200)) {
      List<TaskEvent> events = tasks.events(me, id);
      assertThat(events).extracting(TaskEvent::action).containsExactly("created", "claimed", "completed");
      assertThat(events.get(2).actor()).isEqualTo(me.subject() + "/" + completedBy.get(id)).isEqualTo(events.get(1).actor());
    }
  }

  @Test
  void stallingWorkers_neverHaveAStaleCompleteAccepted_andEveryTaskStillCompletes() throws Exception {
    Caller me = freshTenant();
    // Leases that end only when a worker with nothing to claim moves the clock past them; a task
    // may then lose a healthy holder's lease too, so it gets attempts enough to survive that.
    List<String> ids = createTasks(me, TASKS, 20);
    Map<String, Integer> completedOnAttempt = new ConcurrentHashMap<>();
    AtomicInteger doubleCompletions = new AtomicInteger();
    AtomicInteger staleAccepted = new AtomicInteger();
    AtomicInteger staleRefused = new AtomicInteger();
    AtomicLong stalls = new AtomicLong();
    AtomicLong lostLeases = new AtomicLong();
    Set<String> interrupted = ConcurrentHashMap.newKeySet(); // tasks stalled or lost at least once
    Duration lease = Duration.ofSeconds(30);
    ExecutorService zombies = Executors.newVirtualThreadPerTaskExecutor();
    java.util.Queue<Future<?>> zombieRuns = new java.util.concurrent.ConcurrentLinkedQueue<>();

    runWorkers(
        WORKERS,
        worker -> {
          String agent = "agent-" + worker;
          int idle = 0;
          while (completedOnAttempt.size() < TASKS && idle < 1_000) {
            List<Task> got = tasks.claim(me, ClaimRequest.of(agent).withLimit(3).withLease(lease));
            if (got.isEmpty()) {
              // what is left is held by stalled workers: their leases end now
              idle++;
              clock.advance(lease.plusSeconds(1));
              tasks.sweepNow();
              continue;
            }
            idle = 0;
            for (Task t : got) {
              if (ThreadLocalRandom.current().nextInt(400) == 0) {
                // This worker stalls: no heartbeat, and it completes only after another worker
                // has claimed the task again, with the fencing token of its own, older attempt.
                stalls.incrementAndGet();
                interrupted.add(t.id());
                zombieRuns.add(
                    zombies.submit(
                        () -> {
                          org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                              .until(() -> tasks.get(me, t.id()).attempt() > t.attempt());
                          try {
                            tasks.complete(me, t.id(), agent, t.attempt(), null);
                            staleAccepted.incrementAndGet();
                          } catch (StatekeeperException.Conflict expected) {
                            staleRefused.incrementAndGet();
                          }
                          return null;
                        }));
                continue;
              }
              try {
                tasks.complete(me, t.id(), agent, t.attempt(), null);
              } catch (StatekeeperException.Conflict leaseEndedByTheClock) {
                // another worker moved the clock past this lease: refused like any stale holder
                lostLeases.incrementAndGet();
                interrupted.add(t.id());
                continue;
              }
              if (completedOnAttempt.putIfAbsent(t.id(), t.attempt()) != null) {
                doubleCompletions.incrementAndGet();
              }
            }
          }
        });
    for (Future<?> z : zombieRuns) {
      z.get(60, TimeUnit.SECONDS);
    }
    zombies.shutdown();

    assertThat(stalls.get()).isPositive();
    assertThat(staleAccepted).hasValue(0);
    assertThat(staleRefused.get()).isEqualTo(stalls.get());
    assertThat(doubleCompletions).hasValue(0);
    assertThat(completedOnAttempt.keySet()).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(tasks.stats(me, null).counts().get("completed")).isEqualTo(TASKS);
    // every interrupted task completed on a later attempt, and only those
    long retried = completedOnAttempt.values().stream().filter(a -> a > 1).count();
    assertThat(retried).isEqualTo(interrupted.size());
    assertThat(stalls.get() + lostLeases.get()).isGreaterThanOrEqualTo(interrupted.size());
  }

  @Test
  void concurrentCreatesWithOneIdempotencyKey_makeOneTask() throws Exception {
    Caller me = freshTenant();
    Set<String> ids = ConcurrentHashMap.newKeySet();
    AtomicInteger created = new AtomicInteger();

    runWorkers(
        50,
        worker -> {
          CreateResult r =
              tasks.create(me, NewTask.of("once").withPayload(TaskStoreContract.json("{\"a\":1}")), "same-key");
          ids.add(r.task().id());
          if (r.created()) created.incrementAndGet();
        });

    assertThat(ids).hasSize(1);
    assertThat(created).hasValue(1);
    assertThat(tasks.list(me, TaskQuery.all()).items()).hasSize(1);
  }

  interface Worker {
    void run(int worker) throws Exception;
  }

  /** Runs {@code n} workers on virtual threads, started together; rethrows the first failure. */
  static void runWorkers(int n, Worker body) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> runs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int worker = i;
        runs.add(
            pool.submit(
                () -> {
                  start.await();
                  body.run(worker);
                  return null;
                }));
      }
      start.countDown();
      Map<Integer, Throwable> failures = new HashMap<>();
      for (int i = 0; i < runs.size(); i++) {
        try {
          runs.get(i).get(10, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException e) {
          failures.put(i, e.getCause());
        }
      }
      if (!failures.isEmpty()) {
        Throwable first = failures.values().iterator().next();
        throw new AssertionError(failures.size() + " of " + n + " workers failed; first: " + first, first);
      }
    }
  }
}
