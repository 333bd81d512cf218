package dev.statekeeper.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.store.JsonColumns;
import dev.statekeeper.store.Store;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on {@link PostgresTaskRepository#CHANNEL} over a dedicated connection and wakes this
 * node's waiting claimers when another node's {@link PostgresTaskNotifier} announces work. Reconnects with exponential backoff
 * (up to 30 s) when the connection breaks; claimers' own re-polling covers the gap.
 *
 * <p>Concurrency: one daemon thread runs {@link #run}; {@link #closed} stops it.
 */
final class PostgresTaskListener implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PostgresTaskListener.class);

  private final Store store;
  private final ClaimSignals signals;
  private final String nodeId;
  private final Thread thread;
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean closed;
  private volatile Connection connection;

  PostgresTaskListener(Store store, ClaimSignals signals, String nodeId) {
    this.store = store;
    this.signals = signals;
    this.nodeId = nodeId;
    this.thread = Thread.ofPlatform().daemon().name("statekeeper-pg-listen").unstarted(this::run);
  }

  void start() {
    thread.start();
  }

  long failures() {
    return failures.get();
  }

  private void run() {
    long backoffMs = 250;
    while (!closed) {
      try (Connection c = store.openDedicatedConnection()) {
        connection = c;
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + PostgresTaskRepository.CHANNEL);
        }
        backoffMs = 250;
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] notes = pg.getNotifications(500);
          if (notes != null) {
            for (PGNotification n : notes) {
              deliver(n.getParameter());
            }
          }
        }
      } catch (Throwable t) {
        if (closed) {
          return;
        }
        failures.incrementAndGet();
        log.warn("task notification listener failed ({}); reconnecting in {} ms", t.toString(), backoffMs);
        try {
          Thread.sleep(backoffMs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        backoffMs = Math.min(30_000, backoffMs * 2);
      } finally {
        connection = null;
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
      failures.incrementAndGet();
      log.warn("ignoring malformed task notification {}: {}", payload, e.toString());
    }
  }

  @Override
  public void close() {
    closed = true;
    Connection c = connection;
    if (c != null) {
      try {
        c.close(); // unblocks getNotifications
      } catch (Exception ignored) {
        // closing anyway
      }
    }
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
