package dev.statekeeper.search;

import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The {@code seq} change log of a vectors table ({@code memory_vectors}, {@code document_vectors}):
 * every stored or removed vector takes {@code max(seq) + 1}, and every node's in-memory index
 * applies the rows {@code WHERE seq > <last seen>} in order. On SQLite the single writer
 * serializes changes; on PostgreSQL the transaction first takes an advisory lock, so no
 * transaction can commit a smaller {@code seq} after a follower has read a larger one.
 *
 * <p>A removal stays as a row with a NULL vector so that followers see it; {@link
 * #purgeRemovals} deletes those older than a day. A node that has not followed the log for that
 * long keeps the removed vector in memory until it restarts — harmless, since search results are
 * checked against the current rows.
 */
public final class VectorLog {

  /** How long a removal stays in the log for followers to see. */
  public static final Duration KEEP_REMOVALS = Duration.ofDays(1);

  private VectorLog() {}

  /**
   * The last {@code seq} of {@code table}, after taking (on PostgreSQL) the advisory lock {@code
   * lockKey} that orders changes of that table; call inside the transaction that stores vectors.
   */
  public static long lastSeq(Connection c, Dialect d, String table, long lockKey) throws SQLException {
    d.lockAcrossNodes(c, lockKey);
    try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM " + table);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Deletes removals ({@code vectorColumn} NULL) older than {@code olderThan}; returns how many. */
  public static int purgeRemovals(Store store, String table, String vectorColumn, Duration olderThan) {
    Dialect d = store.dialect();
    String dml =
        "DELETE FROM " + table + " WHERE " + vectorColumn + " IS NULL AND updated_at < sk_now_plus(?)";
    return store.write(
        "purging old removals from " + table,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(dml)) {
            SqlArgs.bind(ps, d, -olderThan.toMillis());
            return ps.executeUpdate();
          }
        });
  }
}
