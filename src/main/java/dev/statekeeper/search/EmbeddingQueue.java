package dev.statekeeper.search;

import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * An embedding outbox: a table of work for a background embedder, one row per change of a thing
 * to embed — {@code (id, tenant, <key columns>, version, attempts, next_attempt_at, last_error,
 * created_at)} — written in the same transaction as the change. A worker claims due rows (a lease:
 * {@code next_attempt_at} moves ahead, so a worker that dies leaves them to another later),
 * postpones them with a backoff when embedding fails, and deletes them in the transaction that
 * stores the vectors. Memory ({@code embedding_outbox}, keyed by namespace and key) and documents
 * ({@code document_embedding_outbox}, keyed by document id) each have one.
 *
 * <p>Several workers on one PostgreSQL never claim the same row at once ({@code FOR UPDATE SKIP
 * LOCKED}); on SQLite the single writer serializes claims.
 */
public final class EmbeddingQueue {

  /** A claimed row: {@code key} holds the values of the key columns, in their order. */
  public record Claimed(long id, String tenant, List<String> key, long version, int attempts) {}

  /** What waits: rows, when the oldest was written (null when none), the most attempts of one. */
  public record Backlog(long rows, Instant oldest, int maxAttempts) {}

  private final Store store;
  private final Dialect d;
  private final String table;
  private final List<String> keyColumns;
  private final String what;

  /** {@code what} names the work in errors and logs ("memory embedding work"). */
  public EmbeddingQueue(Store store, String table, String what, List<String> keyColumns) {
    this.store = store;
    this.d = store.dialect();
    this.table = table;
    this.keyColumns = List.copyOf(keyColumns);
    this.what = what;
  }

  /** Queues one change; runs inside the change's transaction. {@code key} in the order of the key columns. */
  public static void enqueue(
      Connection c, Dialect d, String table, List<String> keyColumns, String tenant, List<String> key, long version)
      throws SQLException {
    String dml =
        "INSERT INTO " + table + " (tenant, " + String.join(", ", keyColumns)
            + ", version, attempts, next_attempt_at, created_at) VALUES (?, " + SqlArgs.marks(keyColumns.size())
            + ", ?, 0, sk_now(), sk_now())";
    List<Object> args = new ArrayList<>();
    args.add(tenant);
    args.addAll(key);
    args.add(version);
    try (PreparedStatement ps = c.prepareStatement(dml)) {
      SqlArgs.bind(ps, d, args);
      ps.executeUpdate();
    }
  }

  /** Claims up to {@code limit} due rows, oldest first; each gets one more attempt and a lease. */
  public List<Claimed> claim(int limit, long leaseMillis) {
    String keys = String.join(", ", keyColumns);
    String dml = switch (d) {
      // several nodes' workers skip each other's rows rather than wait for them
      case POSTGRES -> """
          UPDATE %1$s SET attempts = attempts + 1, next_attempt_at = sk_now_plus(?)
          WHERE id IN (SELECT id FROM %1$s WHERE next_attempt_at <= sk_now()
                       ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
          RETURNING id, tenant, %2$s, version, attempts""".formatted(table, keys);
      // one writer: nothing to skip
      case SQLITE -> """
          UPDATE %1$s SET attempts = attempts + 1, next_attempt_at = sk_now_plus(?)
          WHERE id IN (SELECT id FROM %1$s WHERE next_attempt_at <= sk_now()
                       ORDER BY next_attempt_at, id LIMIT ?)
          RETURNING id, tenant, %2$s, version, attempts""".formatted(table, keys);
    };
    return store.write(
        "claiming " + what,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(dml)) {
            SqlArgs.bind(ps, d, leaseMillis, limit);
            try (ResultSet rs = ps.executeQuery()) {
              List<Claimed> out = new ArrayList<>();
              while (rs.next()) {
                List<String> key = new ArrayList<>(keyColumns.size());
                for (String col : keyColumns) key.add(rs.getString(col));
                out.add(new Claimed(rs.getLong("id"), rs.getString("tenant"), List.copyOf(key), rs.getLong("version"),
                    rs.getInt("attempts")));
              }
              return out;
            }
          }
        });
  }

  /** Leaves claimed rows for later: due again in {@code delayMillis}, with the error that stopped them. */
  public void retryLater(Collection<Long> ids, long delayMillis, String error) {
    if (ids.isEmpty()) return;
    String dml =
        "UPDATE " + table + " SET next_attempt_at = sk_now_plus(?), last_error = ? WHERE id IN ("
            + SqlArgs.marks(ids.size()) + ")";
    List<Object> args = new ArrayList<>();
    args.add(delayMillis);
    args.add(error.length() > 1000 ? error.substring(0, 1000) : error);
    args.addAll(ids);
    store.write(
        "postponing " + what,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(dml)) {
            SqlArgs.bind(ps, d, args);
            return ps.executeUpdate();
          }
        });
  }

  /** Deletes finished rows; runs inside the transaction that stored their vectors. */
  public void delete(Connection c, Collection<Long> ids) throws SQLException {
    if (ids.isEmpty()) return;
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE id IN (" + SqlArgs.marks(ids.size()) + ")")) {
      SqlArgs.bind(ps, d, List.copyOf(ids));
      ps.executeUpdate();
    }
  }

  /** What waits. */
  public Backlog backlog() {
    String sql = "SELECT COUNT(*) AS n, MIN(created_at) AS oldest, MAX(attempts) AS attempts FROM " + table;
    return store.read(
        "reading the backlog of " + what,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql);
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Backlog(rs.getLong("n"), d.getInstant(rs, "oldest"), rs.getInt("attempts"));
          }
        });
  }
}
