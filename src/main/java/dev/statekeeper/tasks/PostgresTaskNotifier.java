package dev.statekeeper.tasks;

import dev.statekeeper.store.JsonColumns;
import dev.statekeeper.store.Store;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.time.Duration;
import dev.statekeeper.jobs.Job;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells other nodes that work arrived, with {@code pg_notify} on {@link
 * PostgresTaskSql#CHANNEL}, after the writing transaction committed and outside it.
 * Notifying inside each create would serialize commits (PostgreSQL holds a global lock on its
 * notification queue while committing a transaction that notified) and cost a round trip; here
 * arrivals that come together are coalesced into one notification per batch, sent on a pooled
 * connection by one background thread. A lost notification costs a waiting claimer on another
 * node at most its re-poll interval.
 *
 * <p>Concurrency: any thread {@link #announce}s into {@link #queue}; its job (a {@code jobs/Job} on the runner) sends.
 */
final class PostgresTaskNotifier {

  private static final Logger log = LoggerFactory.getLogger(PostgresTaskNotifier.class);
  private static final int MAX_PAYLOAD_CHARS = 7_000; // PostgreSQL's limit is 8,000 bytes

  record Arrival(String tenant, Set<String> queues, int count) {}

  private final Store store;
  private final String nodeId;
  private final LinkedBlockingQueue<Arrival> queue = new LinkedBlockingQueue<>();
  private final Job job;

  PostgresTaskNotifier(Store store, String nodeId) {
    this.store = store;
    this.nodeId = nodeId;
    this.job = Job.every("postgres_notifier", Duration.ofSeconds(1), this::pass).describedAs("the task notifier");
  }

  Job job() {
    return job;
  }

  void announce(String tenant, Set<String> queues, int count) {
    queue.add(new Arrival(tenant, queues, count));
    job.wake();
  }

  /** Sends what has arrived; a failed send is counted by the job (those arrivals are not retried: re-polls find the work). */
  private boolean pass() {
    List<Arrival> batch = new ArrayList<>();
    queue.drainTo(batch);
    if (!batch.isEmpty()) {
      try {
        send(batch);
      } catch (RuntimeException e) {
        throw new IllegalStateException("could not notify other nodes of " + batch.size() + " arrivals: " + e.getMessage(), e);
      }
    }
    return false;
  }

  private void send(List<Arrival> batch) {
    Map<String, Arrival> byTenant = new LinkedHashMap<>();
    for (Arrival a : batch) {
      byTenant.merge(
          a.tenant(),
          a,
          (x, y) -> {
            Set<String> queues = new LinkedHashSet<>(x.queues());
            queues.addAll(y.queues());
            return new Arrival(x.tenant(), queues, x.count() + y.count());
          });
    }
    List<String> payloads = new ArrayList<>();
    List<Map<String, Object>> current = new ArrayList<>();
    int size = 0;
    for (Arrival a : byTenant.values()) {
      Map<String, Object> entry = Map.of("tenant", a.tenant(), "queues", a.queues(), "count", a.count());
      int entrySize = JsonColumns.object("e", entry).length();
      if (!current.isEmpty() && size + entrySize > MAX_PAYLOAD_CHARS) {
        payloads.add(JsonColumns.object("node", nodeId, "arrivals", current));
        current = new ArrayList<>();
        size = 0;
      }
      current.add(entry);
      size += entrySize;
    }
    payloads.add(JsonColumns.object("node", nodeId, "arrivals", current));
    store.writeSingleStatement(
        "notifying other nodes",
        c -> {
          for (String payload : payloads) {
            try (PreparedStatement ps = c.prepareStatement(PostgresTaskSql.NOTIFY)) {
              ps.setString(1, PostgresTaskSql.CHANNEL);
              ps.setString(2, payload);
              ps.execute();
            }
          }
          return null;
        });
  }
}
