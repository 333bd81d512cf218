package dev.statekeeper.tasks;

import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.JsonColumns;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Maps rows of {@code tasks} and {@code task_events} to records. */
final class TaskRows {

  private TaskRows() {}

  static Task task(ResultSet rs, Dialect d) throws SQLException {
    return new Task(
        rs.getString("id"),
        rs.getString("queue"),
        rs.getString("type"),
        JsonColumns.read(rs.getString("payload")),
        Priority.ofRank(rs.getInt("priority")),
        TaskStatus.fromWire(rs.getString("status")),
        rs.getInt("attempt"),
        rs.getInt("max_attempts"),
        rs.getLong("version"),
        d.getInstant(rs, "created_at"),
        d.getInstant(rs, "updated_at"),
        d.getInstant(rs, "run_after"),
        rs.getString("claimed_by"),
        rs.getString("claimed_subject"),
        d.getInstant(rs, "lease_expires_at"),
        d.getInstant(rs, "deadline"),
        SlaStatus.fromWire(rs.getString("sla_status")),
        JsonColumns.read(rs.getString("result")),
        rs.getString("error"));
  }

  static List<Task> tasks(ResultSet rs, Dialect d) throws SQLException {
    List<Task> out = new ArrayList<>();
    while (rs.next()) {
      out.add(task(rs, d));
    }
    return out;
  }

  static TaskEvent event(ResultSet rs, Dialect d) throws SQLException {
    return new TaskEvent(
        d.getInstant(rs, "at"),
        rs.getString("actor"),
        rs.getString("action"),
        rs.getString("from_status"),
        rs.getString("to_status"),
        rs.getInt("attempt"),
        JsonColumns.read(rs.getString("detail")));
  }
}
