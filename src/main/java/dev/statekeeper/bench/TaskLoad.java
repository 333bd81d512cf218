package dev.statekeeper.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The task traffic of a run: producers create tasks in the run's own queue, consumers claim
 * (in batches) and complete them, an on-call agent waits for CRITICAL pages. Everything a run
 * created is remembered for the invariants.
 *
 * <p>Concurrency: maps and counters are concurrent; consumers run on virtual threads until
 * {@link #stopConsumers()}.
 */
final class TaskLoad implements AutoCloseable {

  private final BenchClient client;
  final String queue;
  final Map<String, Long> created = new ConcurrentHashMap<>(); // id -> intended create time
  final Set<String> completed = ConcurrentHashMap.newKeySet();
  final Map<String, Long> pages = new ConcurrentHashMap<>();
  final OpStats create;
  final OpStats claim;
  final OpStats complete;
  final OpStats endToEnd;
  final OpStats pickup;
  private final AtomicBoolean consuming = new AtomicBoolean(true);
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final List<Future<?>> running = new ArrayList<>();
  private final AtomicLong nextPayload = new AtomicLong();

  TaskLoad(BenchClient client, String queue, Map<String, OpStats> stats) {
    this.client = client;
    this.queue = queue;
    this.create = stats.computeIfAbsent("create", OpStats::new);
    this.claim = stats.computeIfAbsent("claim", OpStats::new);
    this.complete = stats.computeIfAbsent("complete", OpStats::new);
    this.endToEnd = stats.computeIfAbsent("end_to_end", OpStats::new);
    this.pickup = stats.computeIfAbsent("critical_pickup", OpStats::new);
  }

  /** One create, timed from {@code intended} by the open loop; returns the status. */
  CompletableFuture<Integer> createOne(String type, String priority) {
    long intended = System.nanoTime();
    String body = "{\"type\":\"" + type + "\",\"queue\":\"" + queue + "\",\"priority\":\"" + priority
        + "\",\"payload\":{\"n\":" + nextPayload.incrementAndGet() + "}}";
    return client.send("POST", "/v1/tasks", body).thenApply(r -> {
      if (r.status() == 201) {
        String id = r.json().get("id").asText();
        if (type.equals("page")) pages.put(id, intended); else created.put(id, intended);
      }
      return r.status();
    });
  }

  /** A closed-loop create: the next one starts when this one has answered. */
  void createBlocking() {
    long s = System.nanoTime();
    int status = createOne("bench", "NORMAL").join();
    create.record((System.nanoTime() - s) / 1000, status);
  }

  /** Starts {@code n} consumers claiming {@code limit} at a time from the run's queue. */
  void startConsumers(int n, int limit, String type) {
    for (int i = 0; i < n; i++) {
      String agent = "bench-worker-" + i;
      running.add(workers.submit(() -> consume(agent, limit, type)));
    }
  }

  /** Starts the on-call agent that long-polls for pages. */
  void startOnCall() {
    running.add(workers.submit(() -> consume("bench-on-call", 1, "page")));
  }

  private Void consume(String agent, int limit, String type) {
    String claimBody = "{\"agent\":\"" + agent + "\",\"queues\":[\"" + queue + "\"]"
        + (type == null ? "" : ",\"types\":[\"" + type + "\"]") + ",\"limit\":" + limit + ",\"wait_seconds\":1}";
    while (consuming.get()) {
      long s = System.nanoTime();
      BenchClient.Reply r = client.call("POST", "/v1/tasks/claim", claimBody);
      long now = System.nanoTime();
      claim.record((now - s) / 1000, r.status());
      if (!r.ok()) {
        sleep(50);
        continue;
      }
      for (JsonNode t : r.json().get("items")) {
        String id = t.get("id").asText();
        Long page = pages.remove(id);
        if (page != null) pickup.record((now - page) / 1000, 200);
        long c0 = System.nanoTime();
        BenchClient.Reply done = client.call("POST", "/v1/tasks/" + id + "/complete",
            "{\"agent\":\"" + agent + "\",\"attempt\":" + t.get("attempt").asInt() + "}");
        long c1 = System.nanoTime();
        complete.record((c1 - c0) / 1000, done.status());
        if (done.ok()) {
          completed.add(id);
          Long intended = created.get(id);
          if (intended != null) endToEnd.record((c1 - intended) / 1000, 200);
        }
      }
    }
    return null;
  }

  /** Waits until every created task was completed (or {@code max} passes); true when drained. */
  boolean drain(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      if (completed.containsAll(created.keySet())) return true;
      sleep(100);
    }
    return completed.containsAll(created.keySet());
  }

  void stopConsumers() {
    consuming.set(false);
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (Exception ignored) {
        // a failed consumer shows in the counts
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    consuming.set(false);
    workers.shutdownNow();
  }
}
