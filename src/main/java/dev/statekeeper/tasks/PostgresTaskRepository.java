package dev.statekeeper.tasks;

import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL: a change and its audit events are one statement (a data-modifying CTE), so a hot
 * transition costs a single round trip in autocommit; picks use {@code FOR UPDATE SKIP LOCKED}
 * so concurrent claimers on any node never wait for each other. New work is announced to other
 * nodes on {@link #CHANNEL} by {@link PostgresTaskNotifier}, outside the writing transaction.
 */
final class PostgresTaskRepository extends TaskRepository {

  static final String CHANNEL = "statekeeper_tasks";

  PostgresTaskRepository(Store store) {
    super(store);
  }

  @Override
  protected List<Changed> changeWithEvents(Connection c, String dml, List<Object> args, Event event)
      throws SQLException {
    String sql =
        "WITH t AS (" + dml + "), e AS (INSERT INTO task_events "
            + "(tenant, task_id, at, actor, action, from_status, to_status, attempt, detail) "
            + "SELECT tenant, id, updated_at, ?, ?, " + fromExpression(event.fromStatus())
            + ", status, attempt, CAST(? AS jsonb) FROM t) SELECT * FROM t";
    List<Object> all = new ArrayList<>(args.size() + 3);
    all.addAll(args);
    all.add(event.actor());
    all.add(event.action());
    all.add(event.detail());
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      SqlArgs.bind(ps, d, all);
      try (ResultSet rs = ps.executeQuery()) {
        return changedRows(rs);
      }
    }
  }

  private static String fromExpression(String fromStatus) {
    if (fromStatus == null) {
      return "CAST(NULL AS text)";
    }
    if (fromStatus.equals(UNCHANGED)) {
      return "status";
    }
    // Only the code's own status names reach here, never client input.
    return "'" + TaskStatus.fromWire(fromStatus).wireName() + "'";
  }

  @Override
  protected String returningTasks() {
    return "RETURNING tasks.*";
  }

  @Override
  protected String skipLocked() {
    return " FOR UPDATE SKIP LOCKED";
  }

  @Override
  protected String forUpdate() {
    return " FOR UPDATE";
  }

  @Override
  protected String secondsSince(String timeExpr) {
    return "EXTRACT(EPOCH FROM (" + now + " - " + timeExpr + "))";
  }

  @Override
  protected String least(String a, String b) {
    return "LEAST(" + a + ", " + b + ")";
  }
}
