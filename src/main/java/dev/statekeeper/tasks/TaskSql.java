package dev.statekeeper.tasks;

import dev.statekeeper.store.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * The SQL of tasks, each statement written out whole: those both stores run as they are here,
 * those that differ in {@link PostgresTaskSql} and {@link SqliteTaskSql}. No statement's text
 * depends on the request: a list is one parameter ({@code SqlArgs.list}: an array on PostgreSQL,
 * a JSON array on SQLite), an optional filter is {@code (CAST(? AS …) IS NULL OR col = ?)} or
 * {@code (? OR col IN list)}, and where that would cost an index plan there are fixed variants,
 * each whole (the claim from one queue and from several).
 *
 * <p>Every state change is a single {@code UPDATE … WHERE <expected state> … RETURNING}: the
 * database decides races, and zero rows means the caller lost one. Agent transitions include the
 * lease fence ({@code claimed_by}, {@code claimed_subject}, {@code attempt}, unexpired lease) in
 * that same WHERE, so a holder whose lease lapsed can never act on a task claimed again since,
 * and no other key acts on a lease by naming its agent; a lease taken before migration V8 has no
 * subject and is held by the agent name alone.
 *
 * <p>A change and its audit events are written together by {@link #change}: on PostgreSQL the
 * change statements carry their event insert (a data-modifying CTE, one round trip), on SQLite
 * a second statement inserts the events in the single writer's transaction. The parameters
 * listed for a change are those of the change itself; {@link #change} adds the event's.
 */
interface TaskSql {

  static TaskSql of(Dialect d) {
    return d == Dialect.POSTGRES ? PostgresTaskSql.INSTANCE : SqliteTaskSql.INSTANCE;
  }

  /** Marks an event whose from-status is the row's status itself (no status change). */
  String UNCHANGED = "=";

  /**
   * The audit event written with a change, one per changed row: who ({@code actor}), the action
   * and the status the task changed from (null: none; {@link #UNCHANGED}: its status), and a
   * JSON detail or null. PostgreSQL's statements spell the action and from-status themselves.
   */
  record Event(String actor, String action, String fromStatus, String detail) {}

  /** One task to insert: its columns' values ({@code defaultDeadlineMillis} applies when {@code deadline} is null). */
  record NewRow(
      String id,
      String queue,
      String type,
      String payloadJson,
      int priority,
      int maxAttempts,
      Instant runAfter,
      Instant deadline,
      Long defaultDeadlineMillis,
      String slaStatus) {}

  /**
   * Runs {@code statement} (a change from this interface, which returns the changed task rows)
   * with {@code args} and records {@code event} once per changed row; the changed rows.
   */
  List<TaskRepository.Changed> change(Connection c, String statement, List<Object> args, Event event)
      throws SQLException;

  // ---------------------------------------------------------------- create

  /** tenant, then the rows as {@link #insertArgs} gives them; returns the inserted tasks */
  String insertTasks();

  /** The arguments of {@link #insertTasks}: the tenant and {@code rows}, shaped as this store reads lists. */
  List<Object> insertArgs(Connection c, String tenant, List<NewRow> rows) throws SQLException;

  /** tenant, key, request hash, task id: one row, or none when the key is taken */
  default String insertIdempotencyKey() {
    return """
        INSERT INTO task_idempotency_keys (tenant, key, request_hash, task_id, created_at)
        VALUES (?, ?, ?, ?, sk_now())
        ON CONFLICT (tenant, key) DO NOTHING""";
  }

  /** tenant, key */
  default String idempotencyKey() {
    return "SELECT request_hash, task_id FROM task_idempotency_keys WHERE tenant = ? AND key = ?";
  }

  // ---------------------------------------------------------------- reads

  /** tenant, id */
  default String get() {
    return "SELECT * FROM tasks WHERE tenant = ? AND id = ?";
  }

  /**
   * tenant, after id ({@code ''} for the first page: every id is a UUID), every queue readable
   * (boolean), readable queues (a list), readable tasks (a list), queue or null twice, status or
   * null twice, priority or null twice, limit: tasks in id order
   */
  String list();

  /** tenant, task id: the audit trail, oldest first */
  default String events() {
    return "SELECT * FROM task_events WHERE tenant = ? AND task_id = ? ORDER BY seq";
  }

  /**
   * tenant, queue or null twice, every queue readable (boolean), readable queues (a list):
   * status, priority, count
   */
  String statsCounts();

  /** as {@link #statsCounts}: priority, seconds the oldest runnable pending task has waited */
  String statsOldest();

  /** as {@link #statsCounts}: SLA status, count (settled or pending deadlines only) */
  String statsSla();

  /**
   * milliseconds back to where "recent" starts (negative): priority, status, SLA status, recently
   * updated (1 or 0), count — over every tenant
   */
  String censusCounts();

  /** no parameters: priority, seconds the oldest runnable pending task has waited, over every tenant */
  String censusOldest();

  // ---------------------------------------------------------------- changes by clients

  /**
   * priority or null, payload (JSON) or null, run after or null, tenant, id, expected version or
   * null twice: a pending task changed; event {@code updated}
   */
  String patch();

  /** tenant, id: the task's status, its row locked until the transaction ends where the store has row locks */
  String lockStatus();

  /** tenant, id (a task just read with {@link #lockStatus}, not final): event {@code cancelled} */
  String cancel();

  // ---------------------------------------------------------------- changes by agents

  /**
   * agent, subject, lease in milliseconds, tenant, queue, every type (boolean), types (a list),
   * limit: the first runnable pending tasks of one queue by priority, creation time and id,
   * claimed; event {@code claimed}. The queue is compared with {@code =}, so the pick reads
   * {@code tasks_claimable} in claim order and stops after {@code limit} rows.
   */
  String claimFromOneQueue();

  /**
   * as {@link #claimFromOneQueue} but queues (a list) for the queue: the pick reads each queue's
   * range of {@code tasks_claimable} and sorts what it found, as an {@code IN} list did before.
   */
  String claimFromQueues();

  /** lease in milliseconds, then the fence (tenant, id, agent, subject, attempt): the task with its lease extended */
  String heartbeat();

  /** result (JSON) or null, then the fence: event {@code completed}; the SLA settles as met or violated */
  String complete();

  /**
   * error, base delay (ms), maximum delay (ms), jitter factor, then the fence: with attempts left
   * the task is pending again after {@code min(base · 2^(attempt-1), max) · jitter} on the
   * database's clock, else failed; event {@code failed}
   */
  String retryOrFail();

  /** error, then the fence: the task failed for good, whatever attempts are left; event {@code failed} */
  String failForGood();

  // ---------------------------------------------------------------- background work

  /**
   * limit: the expired leases, soonest expired first, returned to pending (failed on the last
   * attempt); event {@code lease_expired}
   */
  String reapExpiredLeases();

  /** limit: unsettled deadlines that have passed, earliest first, marked violated; event {@code sla_violated} */
  String settleMissedDeadlines();

  /** milliseconds back to the retention's start (negative), limit: idempotency keys older removed */
  String purgeIdempotencyKeys();

  // ---------------------------------------------------------------- import

  /**
   * tenant, id, queue, type, payload (JSON), priority, status, attempt, max attempts, created at
   * or null (now), claimed by, deadline, SLA status, result (JSON), error: one row, or none when
   * the id is taken
   */
  String importTask();

  /** tenant, task id, to status, attempt, detail (JSON): the {@code imported} event */
  String importEvent();
}
