package dev.statekeeper.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.JsonColumns;
import dev.statekeeper.store.SqlArgs;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * Inserting tasks that come from outside (the JSON importer), inside a transaction that the
 * caller runs so that an import of tasks, sessions and memory is all or nothing. Each task gets
 * an "imported" audit event. A task whose id exists already is left as it is, which makes an
 * import safe to run again.
 */
public final class TaskImport {

  private TaskImport() {}

  /** A task as an import found it, already mapped onto Statekeeper's values. */
  public record ImportedTask(
      String id,
      String queue,
      String type,
      JsonNode payload,
      Priority priority,
      TaskStatus status,
      int attempt,
      int maxAttempts,
      Instant createdAt,
      Instant deadline,
      JsonNode result,
      String error,
      String claimedBy,
      JsonNode detail) {}

  /** The same checks as the API, for one imported task; null when it is acceptable, else why not. */
  public static String problem(ImportedTask t) {
    try {
      TaskInput.type(t.type());
      TaskInput.queue(t.queue());
      TaskInput.payload(t.payload());
      TaskInput.result(t.result());
      if (t.error() != null) TaskInput.error(t.error());
      if (t.claimedBy() != null) TaskInput.agent(t.claimedBy());
      if (t.status() == TaskStatus.CLAIMED) return "a claimed task cannot be imported with its lease; import it as pending";
      if (t.maxAttempts() < 1 || t.maxAttempts() > TaskInput.MAX_ATTEMPTS) return "max_attempts out of range";
      if (t.status() == TaskStatus.PENDING && t.attempt() >= t.maxAttempts()) return "pending with no attempt left";
      return null;
    } catch (dev.statekeeper.StatekeeperException.InvalidInput e) {
      return e.getMessage();
    }
  }

  /** Inserts the tasks that are not there yet; returns how many were inserted. */
  public static int insert(Connection c, Dialect d, String tenant, List<ImportedTask> tasks) throws SQLException {
    TaskSql sql = TaskSql.of(d);
    int inserted = 0;
    try (PreparedStatement task = c.prepareStatement(sql.importTask());
        PreparedStatement event = c.prepareStatement(sql.importEvent())) {
      for (ImportedTask t : tasks) {
        // Only pending work keeps its deadline: whether a finished task met it is unknown.
        java.time.Instant deadline = t.status() == TaskStatus.PENDING ? t.deadline() : null;
        String sla = deadline == null ? SlaStatus.NONE.wireName() : SlaStatus.PENDING.wireName();
        SqlArgs.bind(
            task, d, tenant, t.id(), t.queue(), t.type(), JsonColumns.write(t.payload()), t.priority().rank(),
            t.status().wireName(), t.attempt(), t.maxAttempts(), SqlArgs.time(t.createdAt()), t.claimedBy(),
            SqlArgs.time(deadline), sla, JsonColumns.write(t.result()), t.error());
        if (task.executeUpdate() == 1) {
          inserted++;
          SqlArgs.bind(event, d, tenant, t.id(), t.status().wireName(), t.attempt(), JsonColumns.write(t.detail()));
          event.executeUpdate();
        }
      }
    }
    return inserted;
  }
}
