package dev.statekeeper.tasks;

import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * SQLite: writes are already serialized by the store's single writer, so picks need no row
 * locks, and a change and its audit events are two statements inside that writer's transaction.
 */
final class SqliteTaskRepository extends TaskRepository {

  SqliteTaskRepository(Store store) {
    super(store);
  }

  @Override
  protected List<Changed> changeWithEvents(Connection c, String dml, List<Object> args, Event event)
      throws SQLException {
    List<Changed> rows;
    try (PreparedStatement ps = c.prepareStatement(dml)) {
      SqlArgs.bind(ps, d, args);
      try (ResultSet rs = ps.executeQuery()) {
        rows = changedRows(rs);
      }
    }
    if (rows.isEmpty()) {
      return rows;
    }
    String insert =
        "INSERT INTO task_events (tenant, task_id, at, actor, action, from_status, to_status, attempt, detail) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    try (PreparedStatement ps = c.prepareStatement(insert)) {
      for (Changed row : rows) {
        Task t = row.task();
        String from =
            UNCHANGED.equals(event.fromStatus()) ? t.status().wireName() : event.fromStatus();
        SqlArgs.bind(
            ps, d, row.tenant(), t.id(), t.updatedAt(), event.actor(), event.action(), from,
            t.status().wireName(), t.attempt(), event.detail());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    return rows;
  }

  @Override
  protected String returningTasks() {
    return "RETURNING *";
  }

  @Override
  protected String skipLocked() {
    return "";
  }

  @Override
  protected String forUpdate() {
    return "";
  }

  @Override
  protected String secondsSince(String timeExpr) {
    return "((" + now + " - " + timeExpr + ") / 1000.0)";
  }

  @Override
  protected String least(String a, String b) {
    return "MIN(" + a + ", " + b + ")";
  }
}
