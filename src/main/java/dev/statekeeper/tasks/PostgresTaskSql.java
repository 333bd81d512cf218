package dev.statekeeper.tasks;

import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.SqlArgs;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * PostgreSQL: a change and its audit events are one statement — {@code WITH t AS (<change>
 * RETURNING tasks.*), e AS (INSERT INTO task_events … SELECT … FROM t) SELECT * FROM t}, whose
 * last two parameters are the event's actor and detail — so a hot transition costs a single
 * round trip in autocommit; picks take {@code FOR UPDATE SKIP LOCKED}, so concurrent claimers on
 * any node never wait for each other; JSON is cast to {@code jsonb}, lists are arrays, and "now
 * plus milliseconds" is {@code sk_now() + ? * interval '1 millisecond'}.
 */
final class PostgresTaskSql implements TaskSql {

  static final TaskSql INSTANCE = new PostgresTaskSql();

  /** The channel on which new work is announced to other nodes ({@link PostgresTaskNotifier}, {@link PostgresTaskListener}). */
  static final String CHANNEL = "statekeeper_tasks";

  static final String LISTEN = "LISTEN statekeeper_tasks";

  /** channel, payload */
  static final String NOTIFY = "SELECT pg_notify(?, ?)";

  @Override
  public List<TaskRepository.Changed> change(Connection c, String statement, List<Object> args, Event event)
      throws SQLException {
    List<Object> all = new ArrayList<>(args.size() + 2);
    all.addAll(args);
    all.add(event.actor());
    all.add(event.detail());
    try (PreparedStatement ps = c.prepareStatement(statement)) {
      SqlArgs.bind(ps, Dialect.POSTGRES, all);
      try (ResultSet rs = ps.executeQuery()) {
        return TaskRepository.changed(rs, Dialect.POSTGRES);
      }
    }
  }

  // ---------------------------------------------------------------- create

  @Override
  public String insertTasks() {
    return """
        WITH t AS (
          INSERT INTO tasks (tenant, id, queue, type, payload, priority, status, attempt, max_attempts, version,
                             created_at, updated_at, run_after, deadline, sla_status)
          SELECT ?, r.id, r.queue, r.type, CAST(r.payload AS jsonb), CAST(r.priority AS smallint), 'pending', 0,
                 CAST(r.max_attempts AS integer), 1, sk_now(), sk_now(),
                 COALESCE(CAST(r.run_after AS timestamptz), sk_now()),
                 COALESCE(CAST(r.deadline AS timestamptz),
                          sk_now() + CAST(r.default_deadline_ms AS bigint) * interval '1 millisecond'),
                 r.sla_status
          FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
                      CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]))
               AS r(id, queue, type, payload, priority, max_attempts, run_after, deadline, default_deadline_ms, sla_status)
          RETURNING *),
        e AS (
          INSERT INTO task_events (tenant, task_id, at, actor, action, from_status, to_status, attempt, detail)
          SELECT tenant, id, updated_at, ?, 'created', NULL, status, attempt, CAST(? AS jsonb) FROM t)
        SELECT * FROM t""";
  }

  /**
   * One text array per column. Times are written by the driver's own formatter, the text it
   * sends for a single {@code timestamptz} parameter (microseconds rounded half up, years past
   * 9999 and BC as PostgreSQL reads them), so a batch stores exactly what one task would.
   */
  @Override
  public List<Object> insertArgs(Connection c, String tenant, List<NewRow> rows) throws SQLException {
    org.postgresql.jdbc.TimestampUtils times = c.unwrap(org.postgresql.core.BaseConnection.class).getTimestampUtils();
    Function<Instant, String> time =
        t -> t == null ? null : times.toString(OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
    List<Object> args = new ArrayList<>(11);
    args.add(tenant);
    args.add(column(rows, NewRow::id));
    args.add(column(rows, NewRow::queue));
    args.add(column(rows, NewRow::type));
    args.add(column(rows, NewRow::payloadJson));
    args.add(column(rows, r -> Integer.toString(r.priority())));
    args.add(column(rows, r -> Integer.toString(r.maxAttempts())));
    args.add(column(rows, r -> time.apply(r.runAfter())));
    args.add(column(rows, r -> time.apply(r.deadline())));
    args.add(column(rows, r -> r.defaultDeadlineMillis() == null ? null : r.defaultDeadlineMillis().toString()));
    args.add(column(rows, NewRow::slaStatus));
    return args;
  }

  private static SqlArgs.TextList column(List<NewRow> rows, Function<NewRow, String> value) {
    List<String> out = new ArrayList<>(rows.size());
    for (NewRow r : rows) out.add(value.apply(r));
    return SqlArgs.list(out);
  }

  // ---------------------------------------------------------------- reads

  @Override
  public String list() {
    return """
        SELECT * FROM tasks
        WHERE tenant = ? AND id > ?
          AND (? OR queue = ANY(?) OR id = ANY(?))
          AND (CAST(? AS text) IS NULL OR queue = ?)
          AND (CAST(? AS text) IS NULL OR status = ?)
          AND (CAST(? AS integer) IS NULL OR priority = ?)
        ORDER BY id LIMIT ?""";
  }

  @Override
  public String statsCounts() {
    return """
        SELECT status, priority, COUNT(*) FROM tasks
        WHERE tenant = ? AND (CAST(? AS text) IS NULL OR queue = ?) AND (? OR queue = ANY(?))
        GROUP BY status, priority""";
  }

  @Override
  public String statsOldest() {
    return """
        SELECT priority, EXTRACT(EPOCH FROM (sk_now() - MIN(run_after))) FROM tasks
        WHERE tenant = ? AND (CAST(? AS text) IS NULL OR queue = ?) AND (? OR queue = ANY(?))
          AND status = 'pending' AND run_after <= sk_now()
        GROUP BY priority""";
  }

  @Override
  public String statsSla() {
    return """
        SELECT sla_status, COUNT(*) FROM tasks
        WHERE tenant = ? AND (CAST(? AS text) IS NULL OR queue = ?) AND (? OR queue = ANY(?))
          AND sla_status <> 'none'
        GROUP BY sla_status""";
  }

  @Override
  public String censusCounts() {
    return """
        SELECT priority, status, sla_status,
               CASE WHEN updated_at >= sk_now() + ? * interval '1 millisecond' THEN 1 ELSE 0 END, COUNT(*)
        FROM tasks GROUP BY 1, 2, 3, 4""";
  }

  @Override
  public String censusOldest() {
    return """
        SELECT priority, EXTRACT(EPOCH FROM (sk_now() - MIN(run_after))) FROM tasks
        WHERE status = 'pending' AND run_after <= sk_now()
        GROUP BY priority""";
  }

  // ---------------------------------------------------------------- changes by clients

  @Override
  public String patch() {
    return """
        WITH t AS (
          UPDATE tasks SET priority = COALESCE(?, priority), payload = COALESCE(CAST(? AS jsonb), payload),
                 run_after = COALESCE(?, run_after), version = version + 1, updated_at = sk_now()
          WHERE tenant = ? AND id = ? AND status = 'pending' AND (CAST(? AS bigint) IS NULL OR version = ?)
          RETURNING *),
        e AS (
          INSERT INTO task_events (tenant, task_id, at, actor, action, from_status, to_status, attempt, detail)
          SELECT tenant, id, updated_at, ?, 'updated', 'pending', status, attempt, CAST(? AS jsonb) FROM t)
        SELECT * FROM t""";
  }

  @Override
  public String lockStatus() {
    return "SELECT status FROM tasks WHERE tenant = ? AND id = ? FOR UPDATE";
  }

  /** The event's from-status is the row's status before the update, read by the same statement. */
  @Override
  public String cancel() {
    return """
        WITH t AS (
          UPDATE tasks SET status = 'cancelled', lease_expires_at = NULL,
                 sla_status = CASE WHEN sla_status = 'pending' AND deadline < sk_now() THEN 'violated'
                                   WHEN sla_status = 'pending' THEN 'none' ELSE sla_status END,
                 version = version + 1, updated_at = sk_now()
          FROM (SELECT tenant AS w_tenant, id AS w_id, status AS was FROM tasks) w
          WHERE tenant = ? AND id = ? AND w.w_tenant = tasks.tenant AND w.w_id = tasks.id
          RETURNING tasks.*, w.was),
        e AS (
          INSERT INTO task_events (tenant, task_id, at, actor, action, from_status, to_status, attempt, detail)
          SELECT tenant, id, updated_at, ?, 'cancelled', was, status, attempt, CAST(? AS jsonb) FROM t)
        SELECT * FROM t""";
  }

  // ---------------------------------------------------------------- changes by agents

  @Override
  public String claimFromOneQueue() {
    return """
        WITH t AS (
          UPDATE tasks SET status = 'claimed', claimed_by = ?, claimed_subject = ?, attempt = attempt + 1,
                 lease_expires_at = sk_now() + ? * interval '1 millisecond', version = version + 1, updated_at = sk_now()
          FROM (SELECT tenant AS p_tenant, id AS p_id FROM tasks
                WHERE tenant = ? AND status = 'pending' AND queue = ? AND run_after <= sk_now()
                  AND (? OR type = ANY(?))
                ORDER BY priority, created_at, id LIMIT ? FOR UPDATE SKIP LOCKED) picked
          WHERE tasks.tenant = picked.p_tenant AND tasks.id = picked.p_id
          RETURNING tasks.*),
        e AS (
          INSERT INTO task_events (tenant, task_id, at, actor, action, from_status, to_status, attempt, detail)
          SELECT tenant, id, updated_at, ?, 'claimed', 'pending', status, attempt, CAST(? AS jsonb) FROM t)
        SELECT * FROM t""";
  }

  @Override
  public String claimFromQueues() {
    return """
        WITH t AS (
          UPDATE tasks SET status = 'claimed', claimed_by = ?, claimed_subject = ?, attempt = attempt + 1,
                 lease_expires_at = sk_now() + ? * interval '1 millisecond', version = version + 1, updated_at = sk_now()
          FROM (SELECT tenant AS p_tenant, id AS p_id FROM tasks
                WHERE tenant = ? AND status = 'pending' AND queue = ANY(?) AND run_after <= sk_now()
                  AND (? OR type = ANY(?))
                ORDER BY priority, created_at, id LIMIT ? FOR UPDATE SKIP LOCKED) picked
          WHERE tasks.tenant = picked.p_tenant AND tasks.id = picked.p_id
          RETURNING tasks.*),
        e AS (
          INSERT INTO task_events (tenant, task_id, at, actor, action, from_status, to_status, attempt, detail)
          SELECT tenant, id, updated_at, ?, 'claimed', 'pending', status, attempt, CAST(? AS jsonb) FROM t)
        SELECT * FROM t""";
  }

  @Override
  public String heartbeat() {
    return """
        UPDATE tasks SET lease_expires_at = sk_now() + ? * interval '1 millisecond', version = version + 1,
               updated_at = sk_now()
        WHERE tenant = ? AND id = ? AND status = 'claimed' AND claimed_by = ?
          AND (claimed_subject = ? OR claimed_subject IS NULL) AND attempt = ? AND lease_expires_at > sk_now()
        RETURNING *""";
  }

  @Override
  public String complete() {
    return """
        WITH t AS (
          UPDATE tasks SET status = 'completed', result = CAST(? AS jsonb), lease_expires_at = NULL,
                 sla_status = CASE WHEN sla_status = 'pending'
                                   THEN (CASE WHEN sk_now() <= deadline THEN 'met' ELSE 'violated' END)
                                   ELSE sla_status END,
                 version = version + 1, updated_at = sk_now()
          WHERE tenant = ? AND id = ? AND status = 'claimed' AND claimed_by = ?
            AND (claimed_subject = ? OR claimed_subject IS NULL) AND attempt = ? AND lease_expires_at > sk_now()
          RETURNING *),
        e AS (
          INSERT INTO task_events (tenant, task_id, at, actor, action, from_status, to_status, attempt, detail)
          SELECT tenant, id, updated_at, ?, 'completed', 'claimed', status, attempt, CAST(? AS jsonb) FROM t)
        SELECT * FROM t""";
  }

  @Override
  public String retryOrFail() {
    return """
        WITH t AS (
          UPDATE tasks SET status = CASE WHEN attempt < max_attempts THEN 'pending' ELSE 'failed' END,
                 error = ?, lease_expires_at = NULL,
                 claimed_by = CASE WHEN attempt < max_attempts THEN NULL ELSE claimed_by END,
                 claimed_subject = CASE WHEN attempt < max_attempts THEN NULL ELSE claimed_subject END,
                 run_after = CASE WHEN attempt < max_attempts
                                  THEN sk_now() + LEAST(? * (1 << LEAST(attempt - 1, 30)), ?) * ? * interval '1 millisecond'
                                  ELSE run_after END,
                 sla_status = CASE WHEN attempt < max_attempts OR sla_status <> 'pending' THEN sla_status ELSE 'violated' END,
                 version = version + 1, updated_at = sk_now()
          WHERE tenant = ? AND id = ? AND status = 'claimed' AND claimed_by = ?
            AND (claimed_subject = ? OR claimed_subject IS NULL) AND attempt = ? AND lease_expires_at > sk_now()
          RETURNING *),
        e AS (
          INSERT INTO task_events (tenant, task_id, at, actor, action, from_status, to_status, attempt, detail)
          SELECT tenant, id, updated_at, ?, 'failed', 'claimed', status, attempt, CAST(? AS jsonb) FROM t)
        SELECT * FROM t""";
  }

  @Override
  public String failForGood() {
    return """
        WITH t AS (
          UPDATE tasks SET status = 'failed', error = ?, lease_expires_at = NULL,
                 sla_status = CASE WHEN sla_status = 'pending' THEN 'violated' ELSE sla_status END,
                 version = version + 1, updated_at = sk_now()
          WHERE tenant = ? AND id = ? AND status = 'claimed' AND claimed_by = ?
            AND (claimed_subject = ? OR claimed_subject IS NULL) AND attempt = ? AND lease_expires_at > sk_now()
          RETURNING *),
        e AS (
          INSERT INTO task_events (tenant, task_id, at, actor, action, from_status, to_status, attempt, detail)
          SELECT tenant, id, updated_at, ?, 'failed', 'claimed', status, attempt, CAST(? AS jsonb) FROM t)
        SELECT * FROM t""";
  }

  // ---------------------------------------------------------------- background work

  @Override
  public String reapExpiredLeases() {
    return """
        WITH t AS (
          UPDATE tasks SET status = CASE WHEN attempt >= max_attempts THEN 'failed' ELSE 'pending' END,
                 claimed_by = CASE WHEN attempt >= max_attempts THEN claimed_by ELSE NULL END,
                 claimed_subject = CASE WHEN attempt >= max_attempts THEN claimed_subject ELSE NULL END,
                 lease_expires_at = NULL,
                 error = CASE WHEN attempt >= max_attempts
                              THEN 'lease expired on the last attempt (' || attempt || ' of ' || max_attempts || ')'
                              ELSE error END,
                 sla_status = CASE WHEN attempt >= max_attempts AND sla_status = 'pending' THEN 'violated' ELSE sla_status END,
                 version = version + 1, updated_at = sk_now()
          FROM (SELECT tenant AS p_tenant, id AS p_id FROM tasks
                WHERE status = 'claimed' AND lease_expires_at <= sk_now()
                ORDER BY lease_expires_at LIMIT ? FOR UPDATE SKIP LOCKED) picked
          WHERE tasks.tenant = picked.p_tenant AND tasks.id = picked.p_id
          RETURNING tasks.*),
        e AS (
          INSERT INTO task_events (tenant, task_id, at, actor, action, from_status, to_status, attempt, detail)
          SELECT tenant, id, updated_at, ?, 'lease_expired', 'claimed', status, attempt, CAST(? AS jsonb) FROM t)
        SELECT * FROM t""";
  }

  @Override
  public String settleMissedDeadlines() {
    return """
        WITH t AS (
          UPDATE tasks SET sla_status = 'violated', version = version + 1, updated_at = sk_now()
          FROM (SELECT tenant AS p_tenant, id AS p_id FROM tasks
                WHERE sla_status = 'pending' AND deadline < sk_now()
                ORDER BY deadline LIMIT ? FOR UPDATE SKIP LOCKED) picked
          WHERE tasks.tenant = picked.p_tenant AND tasks.id = picked.p_id
          RETURNING tasks.*),
        e AS (
          INSERT INTO task_events (tenant, task_id, at, actor, action, from_status, to_status, attempt, detail)
          SELECT tenant, id, updated_at, ?, 'sla_violated', status, status, attempt, CAST(? AS jsonb) FROM t)
        SELECT * FROM t""";
  }

  @Override
  public String purgeIdempotencyKeys() {
    return """
        DELETE FROM task_idempotency_keys WHERE (tenant, key) IN (
          SELECT tenant, key FROM task_idempotency_keys
          WHERE created_at < sk_now() + ? * interval '1 millisecond' LIMIT ?)""";
  }

  // ---------------------------------------------------------------- import

  @Override
  public String importTask() {
    return """
        INSERT INTO tasks (tenant, id, queue, type, payload, priority, status, attempt, max_attempts, version,
                           created_at, updated_at, run_after, claimed_by, deadline, sla_status, result, error)
        VALUES (?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?, ?, 1, COALESCE(?, sk_now()), sk_now(), sk_now(), ?, ?, ?,
                CAST(? AS jsonb), ?)
        ON CONFLICT (tenant, id) DO NOTHING""";
  }

  @Override
  public String importEvent() {
    return """
        INSERT INTO task_events (tenant, task_id, at, actor, action, from_status, to_status, attempt, detail)
        VALUES (?, ?, sk_now(), 'system:import', 'imported', NULL, ?, ?, CAST(? AS jsonb))""";
  }
}
