package dev.statekeeper.tasks;

import java.util.Collection;
import java.util.LinkedHashSet;

/**
 * Work became claimable: wake this node's waiting claimers now and, on PostgreSQL, tell the
 * other nodes (asynchronously). Called after the change committed.
 */
final class Arrivals {

  private final ClaimSignals local;
  private final PostgresTaskNotifier remote; // null on SQLite: one process owns the store

  Arrivals(ClaimSignals local, PostgresTaskNotifier remote) {
    this.local = local;
    this.remote = remote;
  }

  void arrived(String tenant, Collection<String> queues, int count) {
    if (count <= 0 || queues.isEmpty()) {
      return;
    }
    var distinct = new LinkedHashSet<>(queues);
    local.signal(tenant, distinct, count);
    if (remote != null) {
      remote.announce(tenant, distinct, count);
    }
  }
}
