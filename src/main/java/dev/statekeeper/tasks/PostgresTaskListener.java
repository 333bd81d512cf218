package dev.statekeeper.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.store.JsonColumns;
import dev.statekeeper.store.Store;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import dev.statekeeper.jobs.Job;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on {@link PostgresTaskSql#CHANNEL} over a dedicated connection and wakes this
 * node's waiting claimers when another node's {@link PostgresTaskNotifier} announces work. A
 * {@link Job}: each pass waits up to half a second for notifications; a broken connection fails
 * the pass, and the next one (a second later) connects again; claimers' own re-polling covers the
 * gap.
 *
 * <p>Concurrency: the job's passes never overlap and alone touch {@link #connection}; {@link
 * #close} closes it from another thread, which ends a wait for notifications at once.
 */
final class PostgresTaskListener implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PostgresTaskListener.class);

  private final Store store;
  private final ClaimSignals signals;
  private final String nodeId;
  private final Job job;
  private final AtomicLong malformed = new AtomicLong();
  private volatile boolean closed;
  private volatile Connection connection;

  PostgresTaskListener(Store store, ClaimSignals signals, String nodeId) {
    this.store = store;
    this.signals = signals;
    this.nodeId = nodeId;
    this.job = Job.every("postgres_listener", Duration.ofSeconds(1), this::pass).describedAs("the task notification listener")
        .onFailure(t -> disconnect());
  }

  Job job() {
    return job;
  }

  /** Notifications that could not be read (logged and skipped). */
  long malformed() {
    return malformed.get();
  }

  private boolean pass() throws java.sql.SQLException {
    if (closed) {
      return false;
    }
    Connection c = connection;
    if (c == null) {
      c = store.openDedicatedConnection();
      try (Statement s = c.createStatement()) {
        s.execute(PostgresTaskSql.LISTEN);
      } catch (java.sql.SQLException e) {
        c.close();
        throw e;
      }
      connection = c;
    }
    PGNotification[] notes = c.unwrap(PGConnection.class).getNotifications(500);
    if (notes != null) {
      for (PGNotification n : notes) {
        deliver(n.getParameter());
      }
    }
    return !closed;
  }

  private void disconnect() {
    Connection c = connection;
    connection = null;
    if (c != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // it is broken already
      }
    }
  }

  private void deliver(String payload) {
    try {
      JsonNode note = JsonColumns.read(payload);
      if (nodeId.equals(note.path("node").asText())) {
        return; // this node already woke its own waiters
      }
      for (JsonNode arrival : note.path("arrivals")) {
        List<String> queues = new ArrayList<>();
        arrival.path("queues").forEach(q -> queues.add(q.asText()));
        signals.signal(arrival.path("tenant").asText(), queues, Math.max(1, arrival.path("count").asInt(1)));
      }
    } catch (RuntimeException e) {
      malformed.incrementAndGet();
      log.warn("ignoring malformed task notification {}: {}", payload, e.toString());
    }
  }

  /** Ends the wait of a pass in flight; the job runner stops the job itself. */
  @Override
  public void close() {
    closed = true;
    disconnect();
  }
}
