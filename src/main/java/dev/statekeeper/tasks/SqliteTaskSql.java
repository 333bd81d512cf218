package dev.statekeeper.tasks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.JsonColumns;
import dev.statekeeper.store.SqlArgs;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * SQLite: as PostgreSQL, but writes are already serialized by the store's single writer, so
 * picks take no row locks and a change's audit events are a second statement ({@link #EVENT},
 * once per changed row) in that writer's transaction; JSON is the text given, a list is a JSON
 * array read with {@code json_each}, times are epoch milliseconds ({@code sk_now() + ?}).
 */
final class SqliteTaskSql implements TaskSql {

  static final TaskSql INSTANCE = new SqliteTaskSql();

  /** tenant, task id, at, actor, action, from status, to status, attempt, detail (JSON) */
  static final String EVENT = """
      INSERT INTO task_events (tenant, task_id, at, actor, action, from_status, to_status, attempt, detail)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""";

  @Override
  public List<TaskRepository.Changed> change(Connection c, String statement, List<Object> args, Event event)
      throws SQLException {
    List<TaskRepository.Changed> rows;
    try (PreparedStatement ps = c.prepareStatement(statement)) {
      SqlArgs.bind(ps, Dialect.SQLITE, args);
      try (ResultSet rs = ps.executeQuery()) {
        rows = TaskRepository.changed(rs, Dialect.SQLITE);
      }
    }
    if (rows.isEmpty()) {
      return rows;
    }
    try (PreparedStatement ps = c.prepareStatement(EVENT)) {
      for (TaskRepository.Changed row : rows) {
        Task t = row.task();
        String from = UNCHANGED.equals(event.fromStatus()) ? t.status().wireName() : event.fromStatus();
        SqlArgs.bind(
            ps, Dialect.SQLITE, row.tenant(), t.id(), t.updatedAt(), event.actor(), event.action(), from,
            t.status().wireName(), t.attempt(), event.detail());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    return rows;
  }

  // ---------------------------------------------------------------- create

  @Override
  public String insertTasks() {
    return """
        INSERT INTO tasks (tenant, id, queue, type, payload, priority, status, attempt, max_attempts, version,
                           created_at, updated_at, run_after, deadline, sla_status)
        SELECT ?, json_extract(r.value, '$.id'), json_extract(r.value, '$.queue'), json_extract(r.value, '$.type'),
               json_extract(r.value, '$.payload'), json_extract(r.value, '$.priority'), 'pending', 0,
               json_extract(r.value, '$.max_attempts'), 1, sk_now(), sk_now(),
               COALESCE(json_extract(r.value, '$.run_after'), sk_now()),
               COALESCE(json_extract(r.value, '$.deadline'), sk_now() + json_extract(r.value, '$.default_deadline_ms')),
               json_extract(r.value, '$.sla_status')
        FROM json_each(?) AS r
        RETURNING *""";
  }

  /** One JSON array of row objects; the payload is a JSON string holding the payload's text, stored as it is. */
  @Override
  public List<Object> insertArgs(Connection c, String tenant, List<NewRow> rows) {
    ArrayNode array = JsonColumns.mapper().createArrayNode();
    for (NewRow r : rows) {
      ObjectNode o = array.addObject();
      o.put("id", r.id());
      o.put("queue", r.queue());
      o.put("type", r.type());
      o.put("payload", r.payloadJson());
      o.put("priority", r.priority());
      o.put("max_attempts", r.maxAttempts());
      o.put("run_after", r.runAfter() == null ? null : r.runAfter().toEpochMilli());
      o.put("deadline", r.deadline() == null ? null : r.deadline().toEpochMilli());
      o.put("default_deadline_ms", r.defaultDeadlineMillis());
      o.put("sla_status", r.slaStatus());
    }
    return List.of(tenant, JsonColumns.write(array));
  }

  // ---------------------------------------------------------------- reads

  @Override
  public String list() {
    return """
        SELECT * FROM tasks
        WHERE tenant = ? AND id > ?
          AND (? OR queue IN (SELECT value FROM json_each(?)) OR id IN (SELECT value FROM json_each(?)))
          AND (CAST(? AS TEXT) IS NULL OR queue = ?)
          AND (CAST(? AS TEXT) IS NULL OR status = ?)
          AND (CAST(? AS INTEGER) IS NULL OR priority = ?)
        ORDER BY id LIMIT ?""";
  }

  @Override
  public String statsCounts() {
    return """
        SELECT status, priority, COUNT(*) FROM tasks
        WHERE tenant = ? AND (CAST(? AS TEXT) IS NULL OR queue = ?) AND (? OR queue IN (SELECT value FROM json_each(?)))
        GROUP BY status, priority""";
  }

  @Override
  public String statsOldest() {
    return """
        SELECT priority, (sk_now() - MIN(run_after)) / 1000.0 FROM tasks
        WHERE tenant = ? AND (CAST(? AS TEXT) IS NULL OR queue = ?) AND (? OR queue IN (SELECT value FROM json_each(?)))
          AND status = 'pending' AND run_after <= sk_now()
        GROUP BY priority""";
  }

  @Override
  public String statsSla() {
    return """
        SELECT sla_status, COUNT(*) FROM tasks
        WHERE tenant = ? AND (CAST(? AS TEXT) IS NULL OR queue = ?) AND (? OR queue IN (SELECT value FROM json_each(?)))
          AND sla_status <> 'none'
        GROUP BY sla_status""";
  }

  @Override
  public String censusCounts() {
    return """
        SELECT priority, status, sla_status, CASE WHEN updated_at >= sk_now() + ? THEN 1 ELSE 0 END, COUNT(*)
        FROM tasks GROUP BY 1, 2, 3, 4""";
  }

  @Override
  public String censusOldest() {
    return """
        SELECT priority, (sk_now() - MIN(run_after)) / 1000.0 FROM tasks
        WHERE status = 'pending' AND run_after <= sk_now()
        GROUP BY priority""";
  }

  // ---------------------------------------------------------------- changes by clients

  @Override
  public String patch() {
    return """
        UPDATE tasks SET priority = COALESCE(?, priority), payload = COALESCE(?, payload),
               run_after = COALESCE(?, run_after), version = version + 1, updated_at = sk_now()
        WHERE tenant = ? AND id = ? AND status = 'pending' AND (CAST(? AS INTEGER) IS NULL OR version = ?)
        RETURNING *""";
  }

  @Override
  public String lockStatus() {
    return "SELECT status FROM tasks WHERE tenant = ? AND id = ?";
  }

  @Override
  public String cancel() {
    return """
        UPDATE tasks SET status = 'cancelled', lease_expires_at = NULL,
               sla_status = CASE WHEN sla_status = 'pending' AND deadline < sk_now() THEN 'violated'
                                 WHEN sla_status = 'pending' THEN 'none' ELSE sla_status END,
               version = version + 1, updated_at = sk_now()
        WHERE tenant = ? AND id = ?
        RETURNING *""";
  }

  // ---------------------------------------------------------------- changes by agents

  @Override
  public String claimFromOneQueue() {
    return """
        UPDATE tasks SET status = 'claimed', claimed_by = ?, claimed_subject = ?, attempt = attempt + 1,
               lease_expires_at = sk_now() + ?, version = version + 1, updated_at = sk_now()
        FROM (SELECT tenant AS p_tenant, id AS p_id FROM tasks
              WHERE tenant = ? AND status = 'pending' AND queue = ? AND run_after <= sk_now()
                AND (? OR type IN (SELECT value FROM json_each(?)))
              ORDER BY priority, created_at, id LIMIT ?) picked
        WHERE tasks.tenant = picked.p_tenant AND tasks.id = picked.p_id
        RETURNING *""";
  }

  @Override
  public String claimFromQueues() {
    return """
        UPDATE tasks SET status = 'claimed', claimed_by = ?, claimed_subject = ?, attempt = attempt + 1,
               lease_expires_at = sk_now() + ?, version = version + 1, updated_at = sk_now()
        FROM (SELECT tenant AS p_tenant, id AS p_id FROM tasks
              WHERE tenant = ? AND status = 'pending' AND queue IN (SELECT value FROM json_each(?))
                AND run_after <= sk_now() AND (? OR type IN (SELECT value FROM json_each(?)))
              ORDER BY priority, created_at, id LIMIT ?) picked
        WHERE tasks.tenant = picked.p_tenant AND tasks.id = picked.p_id
        RETURNING *""";
  }

  @Override
  public String heartbeat() {
    return """
        UPDATE tasks SET lease_expires_at = sk_now() + ?, version = version + 1, updated_at = sk_now()
        WHERE tenant = ? AND id = ? AND status = 'claimed' AND claimed_by = ?
          AND (claimed_subject = ? OR claimed_subject IS NULL) AND attempt = ? AND lease_expires_at > sk_now()
        RETURNING *""";
  }

  @Override
  public String complete() {
    return """
        UPDATE tasks SET status = 'completed', result = ?, lease_expires_at = NULL,
               sla_status = CASE WHEN sla_status = 'pending'
                                 THEN (CASE WHEN sk_now() <= deadline THEN 'met' ELSE 'violated' END)
                                 ELSE sla_status END,
               version = version + 1, updated_at = sk_now()
        WHERE tenant = ? AND id = ? AND status = 'claimed' AND claimed_by = ?
          AND (claimed_subject = ? OR claimed_subject IS NULL) AND attempt = ? AND lease_expires_at > sk_now()
        RETURNING *""";
  }

  /** The backoff is REAL (the jitter factor); run_after is an INTEGER column of a STRICT table, hence the CAST. */
  @Override
  public String retryOrFail() {
    return """
        UPDATE tasks SET status = CASE WHEN attempt < max_attempts THEN 'pending' ELSE 'failed' END,
               error = ?, lease_expires_at = NULL,
               claimed_by = CASE WHEN attempt < max_attempts THEN NULL ELSE claimed_by END,
               claimed_subject = CASE WHEN attempt < max_attempts THEN NULL ELSE claimed_subject END,
               run_after = CASE WHEN attempt < max_attempts
                                THEN CAST(sk_now() + MIN(? * (1 << MIN(attempt - 1, 30)), ?) * ? AS INTEGER)
                                ELSE run_after END,
               sla_status = CASE WHEN attempt < max_attempts OR sla_status <> 'pending' THEN sla_status ELSE 'violated' END,
               version = version + 1, updated_at = sk_now()
        WHERE tenant = ? AND id = ? AND status = 'claimed' AND claimed_by = ?
          AND (claimed_subject = ? OR claimed_subject IS NULL) AND attempt = ? AND lease_expires_at > sk_now()
        RETURNING *""";
  }

  @Override
  public String failForGood() {
    return """
        UPDATE tasks SET status = 'failed', error = ?, lease_expires_at = NULL,
               sla_status = CASE WHEN sla_status = 'pending' THEN 'violated' ELSE sla_status END,
               version = version + 1, updated_at = sk_now()
        WHERE tenant = ? AND id = ? AND status = 'claimed' AND claimed_by = ?
          AND (claimed_subject = ? OR claimed_subject IS NULL) AND attempt = ? AND lease_expires_at > sk_now()
        RETURNING *""";
  }

  // ---------------------------------------------------------------- background work

  @Override
  public String reapExpiredLeases() {
    return """
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
              ORDER BY lease_expires_at LIMIT ?) picked
        WHERE tasks.tenant = picked.p_tenant AND tasks.id = picked.p_id
        RETURNING *""";
  }

  @Override
  public String settleMissedDeadlines() {
    return """
        UPDATE tasks SET sla_status = 'violated', version = version + 1, updated_at = sk_now()
        FROM (SELECT tenant AS p_tenant, id AS p_id FROM tasks
              WHERE sla_status = 'pending' AND deadline < sk_now()
              ORDER BY deadline LIMIT ?) picked
        WHERE tasks.tenant = picked.p_tenant AND tasks.id = picked.p_id
        RETURNING *""";
  }

  @Override
  public String purgeIdempotencyKeys() {
    return """
        DELETE FROM task_idempotency_keys WHERE (tenant, key) IN (
          SELECT tenant, key FROM task_idempotency_keys WHERE created_at < sk_now() + ? LIMIT ?)""";
  }

  // ---------------------------------------------------------------- import

  @Override
  public String importTask() {
    return """
        INSERT INTO tasks (tenant, id, queue, type, payload, priority, status, attempt, max_attempts, version,
                           created_at, updated_at, run_after, claimed_by, deadline, sla_status, result, error)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, COALESCE(?, sk_now()), sk_now(), sk_now(), ?, ?, ?, ?, ?)
        ON CONFLICT (tenant, id) DO NOTHING""";
  }

  @Override
  public String importEvent() {
    return """
        INSERT INTO task_events (tenant, task_id, at, actor, action, from_status, to_status, attempt, detail)
        VALUES (?, ?, sk_now(), 'system:import', 'imported', NULL, ?, ?, ?)""";
  }
}
