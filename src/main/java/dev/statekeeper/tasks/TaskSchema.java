package dev.statekeeper.tasks;

import static dev.statekeeper.store.Schema.column;

import dev.statekeeper.store.Schema;
import dev.statekeeper.store.Schema.Invariant;
import dev.statekeeper.store.Schema.Table;
import dev.statekeeper.store.Schema.Type;
import java.util.List;

/** The tables of the task queue, for backups and verify, and the invariants verify checks. */
public final class TaskSchema {

  private TaskSchema() {}

  public static final Schema SCHEMA = new Schema(
      List.of(
          new Table("tasks", List.of(
                  column("tenant", Type.TEXT), column("id", Type.TEXT), column("queue", Type.TEXT), column("type", Type.TEXT),
                  column("payload", Type.JSON), column("priority", Type.INTEGER), column("status", Type.TEXT),
                  column("attempt", Type.INTEGER), column("max_attempts", Type.INTEGER), column("version", Type.INTEGER),
                  column("created_at", Type.TIME), column("updated_at", Type.TIME), column("run_after", Type.TIME),
                  column("claimed_by", Type.TEXT), column("claimed_subject", Type.TEXT), column("lease_expires_at", Type.TIME),
                  column("deadline", Type.TIME), column("sla_status", Type.TEXT), column("result", Type.JSON),
                  column("error", Type.TEXT)),
              List.of("tenant", "id"), null),
          new Table("task_events", List.of(
                  column("tenant", Type.TEXT), column("task_id", Type.TEXT), column("seq", Type.INTEGER), column("at", Type.TIME),
                  column("actor", Type.TEXT), column("action", Type.TEXT), column("from_status", Type.TEXT),
                  column("to_status", Type.TEXT), column("attempt", Type.INTEGER), column("detail", Type.JSON)),
              List.of("seq"), "seq"),
          new Table("task_idempotency_keys", List.of(
                  column("tenant", Type.TEXT), column("key", Type.TEXT), column("request_hash", Type.TEXT),
                  column("task_id", Type.TEXT), column("created_at", Type.TIME)),
              List.of("tenant", "key"), null)),
      List.of(),
      List.of(
          new Invariant("task events without their task",
              "SELECT COUNT(*) FROM task_events e WHERE NOT EXISTS "
                  + "(SELECT 1 FROM tasks t WHERE t.tenant = e.tenant AND t.id = e.task_id)"),
          new Invariant("tasks without a creation event",
              "SELECT COUNT(*) FROM tasks t WHERE NOT EXISTS (SELECT 1 FROM task_events e WHERE e.tenant = t.tenant "
                  + "AND e.task_id = t.id AND e.action IN ('created', 'imported'))"),
          new Invariant("idempotency keys naming a missing task",
              "SELECT COUNT(*) FROM task_idempotency_keys k WHERE NOT EXISTS "
                  + "(SELECT 1 FROM tasks t WHERE t.tenant = k.tenant AND t.id = k.task_id)"),
          new Invariant("claimed tasks without a lease or holder",
              "SELECT COUNT(*) FROM tasks WHERE status = 'claimed' AND (lease_expires_at IS NULL OR claimed_by IS NULL)"),
          new Invariant("pending tasks with no attempt left",
              "SELECT COUNT(*) FROM tasks WHERE status = 'pending' AND attempt >= max_attempts"),
          new Invariant("tasks with a deadline but no SLA status, or the reverse",
              "SELECT COUNT(*) FROM tasks WHERE (deadline IS NULL AND sla_status IN ('pending', 'met')) "
                  + "OR (deadline IS NOT NULL AND sla_status = 'none' AND status <> 'cancelled')")));
}
