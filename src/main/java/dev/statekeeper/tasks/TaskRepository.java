package dev.statekeeper.tasks;

import dev.statekeeper.Authorizer;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.JsonColumns;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SQL of tasks. Statements are written once with the {@link Dialect}'s expressions for time
 * and JSON; what differs in shape between the stores — how a change and its audit events are
 * written together, {@code SKIP LOCKED}, cross-node wake-ups — is in the two subclasses.
 *
 * <p>Every state change is a single {@code UPDATE … WHERE <expected state> … RETURNING *}: the
 * database decides races, and zero rows means the caller lost one. Agent transitions include the
 * lease fence ({@code claimed_by}, {@code claimed_subject}, {@code attempt}, unexpired lease) in
 * that same WHERE, so a holder whose lease lapsed can never act on a task claimed again since,
 * and no other key acts on a lease by naming its agent.
 */
abstract sealed class TaskRepository permits PostgresTaskRepository, SqliteTaskRepository {

  /** Marks an event whose from-status is the row's status itself (no status change). */
  static final String UNCHANGED = "=";

  /** A changed row: its tenant and the task as it is now. */
  record Changed(String tenant, Task task) {}

  /** The audit event written with a change, one per changed row. */
  record Event(String actor, String action, String fromStatus, String detail) {}

  /** A validated task ready to insert. */
  record Prepared(
      String id,
      NewTask task,
      String queue,
      Priority priority,
      int maxAttempts,
      Duration defaultDeadline,
      String idempotencyKey,
      String requestHash) {}

  private static final int INSERT_CHUNK = 200;

  protected final Store store;
  protected final Dialect d;
  protected final String now;

  TaskRepository(Store store) {
    this.store = store;
    this.d = store.dialect();
    this.now = d.now();
  }

  static TaskRepository forStore(Store store) {
    return switch (store.dialect()) {
      case POSTGRES -> new PostgresTaskRepository(store);
      case SQLITE -> new SqliteTaskRepository(store);
    };
  }

  /** Runs {@code dml}, which ends in {@code RETURNING *}, and records {@code event} per returned row. */
  protected abstract List<Changed> changeWithEvents(
      Connection c, String dml, List<Object> args, Event event) throws SQLException;

  /** The rows a change returned, read as tenant and task. */
  protected final List<Changed> changedRows(ResultSet rs) throws SQLException {
    List<Changed> out = new ArrayList<>();
    while (rs.next()) {
      out.add(new Changed(rs.getString("tenant"), TaskRows.task(rs, d)));
    }
    return out;
  }

  private static List<Task> tasks(List<Changed> changed) {
    return changed.stream().map(Changed::task).toList();
  }

  /** {@code FOR UPDATE SKIP LOCKED} where the store has row locks. */
  protected abstract String skipLocked();

  /** {@code FOR UPDATE} where the store has row locks. */
  protected abstract String forUpdate();

  /** Seconds from {@code timeExpr} to now, as a floating-point SQL expression. */
  protected abstract String secondsSince(String timeExpr);

  /** The smaller of two SQL expressions. */
  protected abstract String least(String a, String b);

  // ---------------------------------------------------------------- create

  List<CreateResult> create(String tenant, String actor, List<Prepared> items) {
    boolean oneStatement =
        items.size() <= INSERT_CHUNK && items.stream().allMatch(p -> p.idempotencyKey() == null);
    if (oneStatement) {
      // Without idempotency keys a create is one INSERT, atomic by itself: no transaction needed.
      return store.writeSingleStatement(
          "creating tasks",
          c -> {
            Map<String, Task> inserted = insertTasks(c, tenant, actor, items);
            return items.stream().map(p -> new CreateResult(inserted.get(p.id()), true)).toList();
          });
    }
    return store.write(
        "creating tasks",
        c -> {
          CreateResult[] results = new CreateResult[items.size()];
          Map<String, Integer> keyInBatch = new HashMap<>();
          List<Integer> fresh = new ArrayList<>();
          List<int[]> sameAsEarlier = new ArrayList<>(); // {index, earlier index}
          for (int i = 0; i < items.size(); i++) {
            Prepared p = items.get(i);
            if (p.idempotencyKey() == null) {
              fresh.add(i);
              continue;
            }
            Integer earlier = keyInBatch.get(p.idempotencyKey());
            if (earlier != null) {
              requireSameRequest(p, items.get(earlier).requestHash());
              sameAsEarlier.add(new int[] {i, earlier});
              continue;
            }
            keyInBatch.put(p.idempotencyKey(), i);
            if (insertIdempotencyKey(c, tenant, p)) {
              fresh.add(i);
            } else {
              results[i] = new CreateResult(existingForKey(c, tenant, p), false);
            }
          }
          if (!fresh.isEmpty()) {
            Map<String, Task> inserted = insertTasks(c, tenant, actor, fresh.stream().map(items::get).toList());
            for (int i : fresh) {
              results[i] = new CreateResult(inserted.get(items.get(i).id()), true);
            }
          }
          for (int[] pair : sameAsEarlier) {
            results[pair[0]] = new CreateResult(results[pair[1]].task(), false);
          }
          return List.of(results);
        });
  }

  private boolean insertIdempotencyKey(Connection c, String tenant, Prepared p) throws SQLException {
    String sql =
        "INSERT INTO task_idempotency_keys (tenant, key, request_hash, task_id, created_at) "
            + "VALUES (?, ?, ?, ?, " + now + ") ON CONFLICT (tenant, key) DO NOTHING";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      SqlArgs.bind(ps, d, tenant, p.idempotencyKey(), p.requestHash(), p.id());
      return ps.executeUpdate() == 1;
    }
  }

  private Task existingForKey(Connection c, String tenant, Prepared p) throws SQLException {
    String sql = "SELECT request_hash, task_id FROM task_idempotency_keys WHERE tenant = ? AND key = ?";
    String hash;
    String taskId;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      SqlArgs.bind(ps, d, tenant, p.idempotencyKey());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException(
              "idempotency key vanished inside its transaction, which indicates a bug");
        }
        hash = rs.getString(1);
        taskId = rs.getString(2);
      }
    }
    requireSameRequest(p, hash);
    return get(c, tenant, taskId)
        .orElseThrow(
            () ->
                new StatekeeperException.Conflict(
                    "idempotency_key_reused",
                    "Idempotency-Key '" + p.idempotencyKey() + "' made task " + taskId
                        + ", which no longer exists"));
  }

  private static void requireSameRequest(Prepared p, String storedHash) {
    if (!storedHash.equals(p.requestHash())) {
      throw new StatekeeperException.Conflict(
          "idempotency_key_reused",
          "Idempotency-Key '" + p.idempotencyKey()
              + "' was used before with a different request body");
    }
  }

  private Map<String, Task> insertTasks(Connection c, String tenant, String actor, List<Prepared> rows)
      throws SQLException {
    Map<String, Task> byId = new HashMap<>();
    for (int from = 0; from < rows.size(); from += INSERT_CHUNK) {
      List<Prepared> chunk = rows.subList(from, Math.min(rows.size(), from + INSERT_CHUNK));
      String values =
          "(?, ?, ?, ?, " + d.jsonParam() + ", ?, 'pending', 0, ?, 1, " + now + ", " + now
              + ", COALESCE(?, " + now + "), COALESCE(?, " + d.nowPlusMillis("?") + "), ?)";
      String dml =
          "INSERT INTO tasks (tenant, id, queue, type, payload, priority, status, attempt, "
              + "max_attempts, version, created_at, updated_at, run_after, deadline, sla_status) VALUES "
              + String.join(", ", Collections.nCopies(chunk.size(), values))
              + " RETURNING *";
      List<Object> args = new ArrayList<>(chunk.size() * 11);
      for (Prepared p : chunk) {
        NewTask t = p.task();
        boolean hasDeadline = t.deadline() != null || p.defaultDeadline() != null;
        args.addAll(
            Arrays.asList(
                tenant,
                p.id(),
                p.queue(),
                t.type(),
                JsonColumns.write(t.payload()),
                p.priority().rank(),
                p.maxAttempts(),
                SqlArgs.time(t.runAfter()),
                SqlArgs.time(t.deadline()),
                t.deadline() == null && p.defaultDeadline() != null
                    ? (Object) p.defaultDeadline().toMillis()
                    : SqlArgs.nullOf(Types.BIGINT),
                hasDeadline ? SlaStatus.PENDING.wireName() : SlaStatus.NONE.wireName()));
      }
      for (Changed row : changeWithEvents(c, dml, args, new Event(actor, "created", null, null))) {
        byId.put(row.task().id(), row.task());
      }
    }
    return byId;
  }

  // ---------------------------------------------------------------- reads

  Optional<Task> get(String tenant, String id) {
    return store.read("reading task " + id, c -> get(c, tenant, id));
  }

  Optional<Task> get(Connection c, String tenant, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM tasks WHERE tenant = ? AND id = ?")) {
      SqlArgs.bind(ps, d, tenant, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(TaskRows.task(rs, d)) : Optional.empty();
      }
    }
  }

  /** Tasks in id (creation) order after {@code afterId}; one more than {@code limit} to detect a next page. */
  List<Task> list(
      String tenant, TaskQuery q, String afterId, int limit, Authorizer.Readable queues, Authorizer.Readable tasks) {
    StringBuilder sql = new StringBuilder("SELECT * FROM tasks WHERE tenant = ?");
    List<Object> args = new ArrayList<>(List.of(tenant));
    if (!queues.all()) {
      // only what the caller may read, filtered here so that pages and cursors stay right
      List<String> either = new ArrayList<>();
      if (!queues.names().isEmpty()) {
        either.add("queue IN (" + placeholders(queues.names().size()) + ")");
        args.addAll(queues.names());
      }
      if (!tasks.all() && !tasks.names().isEmpty()) {
        either.add("id IN (" + placeholders(tasks.names().size()) + ")");
        args.addAll(tasks.names());
      }
      sql.append(either.isEmpty() ? " AND 1 = 0" : " AND (" + String.join(" OR ", either) + ")");
    }
    if (q.queue() != null) {
      sql.append(" AND queue = ?");
      args.add(q.queue());
    }
    if (q.status() != null) {
      sql.append(" AND status = ?");
      args.add(q.status().wireName());
    }
    if (q.priority() != null) {
      sql.append(" AND priority = ?");
      args.add(q.priority().rank());
    }
    if (afterId != null) {
      sql.append(" AND id > ?");
      args.add(afterId);
    }
    sql.append(" ORDER BY id LIMIT ?");
    args.add(limit + 1);
    return store.read(
        "listing tasks",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            SqlArgs.bind(ps, d, args);
            try (ResultSet rs = ps.executeQuery()) {
              return TaskRows.tasks(rs, d);
            }
          }
        });
  }

  /** The audit trail, oldest first; empty when the task does not exist (every task has a 'created' event). */
  List<TaskEvent> events(String tenant, String id) {
    String sql = "SELECT * FROM task_events WHERE tenant = ? AND task_id = ? ORDER BY seq";
    return store.read(
        "reading events of task " + id,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            SqlArgs.bind(ps, d, tenant, id);
            try (ResultSet rs = ps.executeQuery()) {
              List<TaskEvent> out = new ArrayList<>();
              while (rs.next()) {
                out.add(TaskRows.event(rs, d));
              }
              return out;
            }
          }
        });
  }

  TaskStats stats(String tenant, String queue, Authorizer.Readable readableQueues) {
    List<Object> args = new ArrayList<>(List.of(tenant));
    String queueFilter;
    if (queue != null) {
      queueFilter = " AND queue = ?";
      args.add(queue);
    } else if (!readableQueues.all()) {
      queueFilter = readableQueues.none() ? " AND 1 = 0" : " AND queue IN (" + placeholders(readableQueues.names().size()) + ")";
      args.addAll(readableQueues.names());
    } else {
      queueFilter = "";
    }
    return store.read(
        "computing task stats",
        c -> {
          Map<String, Long> counts = zeroCounts();
          Map<String, Map<String, Long>> byPriority = new java.util.LinkedHashMap<>();
          Map<String, Double> oldest = new java.util.LinkedHashMap<>();
          for (Priority p : Priority.values()) {
            byPriority.put(p.name(), zeroCounts());
            oldest.put(p.name(), null);
          }
          String countSql =
              "SELECT status, priority, COUNT(*) FROM tasks WHERE tenant = ?" + queueFilter
                  + " GROUP BY status, priority";
          try (PreparedStatement ps = c.prepareStatement(countSql)) {
            SqlArgs.bind(ps, d, args);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                String status = rs.getString(1);
                long n = rs.getLong(3);
                counts.merge(status, n, Long::sum);
                byPriority.get(Priority.ofRank(rs.getInt(2)).name()).merge(status, n, Long::sum);
              }
            }
          }
          // Waiting time of runnable work: from when a pending task became runnable.
          String oldestSql =
              "SELECT priority, " + secondsSince("MIN(run_after)") + " FROM tasks WHERE tenant = ?"
                  + queueFilter + " AND status = 'pending' AND run_after <= " + now
                  + " GROUP BY priority";
          try (PreparedStatement ps = c.prepareStatement(oldestSql)) {
            SqlArgs.bind(ps, d, args);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                oldest.put(Priority.ofRank(rs.getInt(1)).name(), Math.max(0, rs.getDouble(2)));
              }
            }
          }
          Map<String, Long> sla = new java.util.LinkedHashMap<>();
          sla.put("pending", 0L);
          sla.put("met", 0L);
          sla.put("violated", 0L);
          String slaSql =
              "SELECT sla_status, COUNT(*) FROM tasks WHERE tenant = ?" + queueFilter
                  + " AND sla_status <> 'none' GROUP BY sla_status";
          try (PreparedStatement ps = c.prepareStatement(slaSql)) {
            SqlArgs.bind(ps, d, args);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                sla.put(rs.getString(1), rs.getLong(2));
              }
            }
          }
          return new TaskStats(counts, byPriority, oldest, sla);
        });
  }

  /** Counts over every tenant (see {@link TaskCensus}); scans the table. */
  TaskCensus census() {
    return store.read(
        "taking the task census",
        c -> {
          Map<Priority, Map<TaskStatus, Long>> tasks = new java.util.EnumMap<>(Priority.class);
          Map<Priority, Map<SlaStatus, Long>> sla = new java.util.EnumMap<>(Priority.class);
          Map<Priority, Map<SlaStatus, Long>> slaRecent = new java.util.EnumMap<>(Priority.class);
          Map<Priority, Double> oldest = new java.util.EnumMap<>(Priority.class);
          for (Priority p : Priority.values()) {
            Map<TaskStatus, Long> byStatus = new java.util.EnumMap<>(TaskStatus.class);
            for (TaskStatus s : TaskStatus.values()) byStatus.put(s, 0L);
            tasks.put(p, byStatus);
            Map<SlaStatus, Long> outcomes = new java.util.EnumMap<>(SlaStatus.class);
            Map<SlaStatus, Long> recentOutcomes = new java.util.EnumMap<>(SlaStatus.class);
            for (SlaStatus s : SlaStatus.values()) {
              outcomes.put(s, 0L);
              recentOutcomes.put(s, 0L);
            }
            sla.put(p, outcomes);
            slaRecent.put(p, recentOutcomes);
          }
          String countSql =
              "SELECT priority, status, sla_status, CASE WHEN updated_at >= " + d.nowPlusMillis("?")
                  + " THEN 1 ELSE 0 END, COUNT(*) FROM tasks GROUP BY 1, 2, 3, 4";
          try (PreparedStatement ps = c.prepareStatement(countSql)) {
            ps.setLong(1, -TaskCensus.RECENT.toMillis());
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                Priority p = Priority.ofRank(rs.getInt(1));
                TaskStatus status = TaskStatus.fromWire(rs.getString(2));
                SlaStatus outcome = SlaStatus.fromWire(rs.getString(3));
                boolean recent = rs.getInt(4) == 1;
                long n = rs.getLong(5);
                tasks.get(p).merge(status, n, Long::sum);
                sla.get(p).merge(outcome, n, Long::sum);
                if (recent) {
                  slaRecent.get(p).merge(outcome, n, Long::sum);
                }
              }
            }
          }
          String oldestSql =
              "SELECT priority, " + secondsSince("MIN(run_after)") + " FROM tasks WHERE status = 'pending' AND run_after <= "
                  + now + " GROUP BY priority";
          try (PreparedStatement ps = c.prepareStatement(oldestSql);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              oldest.put(Priority.ofRank(rs.getInt(1)), Math.max(0, rs.getDouble(2)));
            }
          }
          return new TaskCensus(tasks, sla, slaRecent, oldest, java.time.Instant.now());
        });
  }

  private static Map<String, Long> zeroCounts() {
    Map<String, Long> m = new java.util.LinkedHashMap<>();
    for (TaskStatus s : TaskStatus.values()) {
      m.put(s.wireName(), 0L);
    }
    return m;
  }

  // ---------------------------------------------------------------- changes by clients

  /** Empty when no pending task with that id (and version, if given) exists. */
  Optional<Task> patch(String tenant, String id, Long expectedVersion, TaskPatch patch, String actor) {
    String dml =
        "UPDATE tasks SET priority = COALESCE(?, priority), payload = COALESCE(" + d.jsonParam()
            + ", payload), run_after = COALESCE(?, run_after), version = version + 1, updated_at = "
            + now + " WHERE tenant = ? AND id = ? AND status = 'pending'"
            + (expectedVersion == null ? "" : " AND version = ?")
            + " RETURNING *";
    List<Object> args =
        new ArrayList<>(
            Arrays.asList(
                patch.priority() == null ? SqlArgs.nullOf(Types.INTEGER) : (Object) patch.priority().rank(),
                JsonColumns.write(patch.payload()),
                SqlArgs.time(patch.runAfter()),
                tenant,
                id));
    if (expectedVersion != null) {
      args.add(expectedVersion);
    }
    List<String> fields = new ArrayList<>();
    if (patch.priority() != null) fields.add("priority");
    if (patch.payload() != null) fields.add("payload");
    if (patch.runAfter() != null) fields.add("run_after");
    Event event = new Event(actor, "updated", "pending", JsonColumns.object("fields", fields));
    return first(
        store.writeSingleStatement(
            "updating task " + id, c -> tasks(changeWithEvents(c, dml, args, event))));
  }

  /** Cancels a pending or claimed task; empty when it does not exist; Conflict when already final. */
  Optional<Task> cancel(String tenant, String id, String reason, String actor) {
    return store.write(
        "cancelling task " + id,
        c -> {
          String status;
          try (PreparedStatement ps =
              c.prepareStatement("SELECT status FROM tasks WHERE tenant = ? AND id = ?" + forUpdate())) {
            SqlArgs.bind(ps, d, tenant, id);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return Optional.<Task>empty();
              }
              status = rs.getString(1);
            }
          }
          if (TaskStatus.fromWire(status).isFinal()) {
            throw new StatekeeperException.Conflict(
                "task_final", "task " + id + " is already " + status + " and cannot be cancelled");
          }
          String dml =
              "UPDATE tasks SET status = 'cancelled', lease_expires_at = NULL, sla_status = CASE"
                  + " WHEN sla_status = 'pending' AND deadline < " + now + " THEN 'violated'"
                  + " WHEN sla_status = 'pending' THEN 'none' ELSE sla_status END,"
                  + " version = version + 1, updated_at = " + now
                  + " WHERE tenant = ? AND id = ? RETURNING *";
          Event event = new Event(actor, "cancelled", status, JsonColumns.object("reason", reason));
          return first(tasks(changeWithEvents(c, dml, List.of(tenant, id), event)));
        });
  }

  // ---------------------------------------------------------------- changes by agents

  List<Task> claim(String tenant, LeaseHolder holder, List<String> queues, List<String> types, int limit, Duration lease) {
    String dml =
        "UPDATE tasks SET status = 'claimed', claimed_by = ?, claimed_subject = ?, attempt = attempt + 1, lease_expires_at = "
            + d.nowPlusMillis("?") + ", version = version + 1, updated_at = " + now
            + picked(
                "tenant = ? AND status = 'pending' AND queue IN (" + placeholders(queues.size())
                    + ") AND run_after <= " + now
                    + (types == null ? "" : " AND type IN (" + placeholders(types.size()) + ")"),
                "priority, created_at, id");
    List<Object> args = new ArrayList<>();
    args.add(holder.agent());
    args.add(holder.subject());
    args.add(lease.toMillis());
    args.add(tenant);
    args.addAll(queues);
    if (types != null) {
      args.addAll(types);
    }
    args.add(limit);
    Event event =
        new Event(holder.actor(), "claimed", "pending", JsonColumns.object("lease_seconds", lease.toMillis() / 1000.0));
    List<Task> claimed =
        new ArrayList<>(
            store.writeSingleStatement(
                "claiming tasks", c -> tasks(changeWithEvents(c, dml, args, event))));
    claimed.sort(
        java.util.Comparator.comparing(Task::priority)
            .thenComparing(Task::createdAt)
            .thenComparing(Task::id));
    return claimed;
  }

  /**
   * The lease fence, shared by every agent transition: the holder (agent name and key subject),
   * the attempt, an unexpired lease. A lease taken before subjects were recorded has none and is
   * held by the agent name alone until it ends.
   */
  private String held() {
    return " WHERE tenant = ? AND id = ? AND status = 'claimed' AND claimed_by = ?"
        + " AND (claimed_subject = ? OR claimed_subject IS NULL) AND attempt = ? AND lease_expires_at > " + now;
  }

  private static List<Object> heldArgs(String tenant, String id, LeaseHolder holder, int attempt) {
    return List.of(tenant, id, holder.agent(), holder.subject(), attempt);
  }

  Optional<Task> heartbeat(String tenant, String id, LeaseHolder holder, int attempt, Duration lease) {
    String dml =
        "UPDATE tasks SET lease_expires_at = " + d.nowPlusMillis("?") + ", version = version + 1, updated_at = "
            + now + held() + " RETURNING *";
    List<Object> args = new ArrayList<>();
    args.add(lease.toMillis());
    args.addAll(heldArgs(tenant, id, holder, attempt));
    return store.writeSingleStatement(
        "extending the lease of task " + id,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(dml)) {
            SqlArgs.bind(ps, d, args);
            try (ResultSet rs = ps.executeQuery()) {
              return first(TaskRows.tasks(rs, d));
            }
          }
        });
  }

  Optional<Task> complete(String tenant, String id, LeaseHolder holder, int attempt, String resultJson) {
    String dml =
        "UPDATE tasks SET status = 'completed', result = " + d.jsonParam() + ", lease_expires_at = NULL,"
            + " sla_status = CASE WHEN sla_status = 'pending' THEN (CASE WHEN " + now
            + " <= deadline THEN 'met' ELSE 'violated' END) ELSE sla_status END,"
            + " version = version + 1, updated_at = " + now + held() + " RETURNING *";
    List<Object> args = new ArrayList<>();
    args.add(resultJson);
    args.addAll(heldArgs(tenant, id, holder, attempt));
    Event event = new Event(holder.actor(), "completed", "claimed", null);
    return first(
        store.writeSingleStatement(
            "completing task " + id, c -> tasks(changeWithEvents(c, dml, args, event))));
  }

  /**
   * Fails the current attempt. With {@code retry} and attempts left, the task returns to pending
   * after {@code base · 2^(attempt-1)} (at most {@code max}) times {@code jitter}, counted on the
   * database's clock; otherwise it fails for good.
   */
  Optional<Task> fail(
      String tenant, String id, LeaseHolder holder, int attempt, String error, boolean retry,
      Duration base, Duration max, double jitter) {
    String again = retry ? "attempt < max_attempts" : "FALSE";
    String delay =
        "(" + least("? * (1 << " + least("attempt - 1", "30") + ")", "?") + ") * ?";
    String dml =
        "UPDATE tasks SET status = CASE WHEN " + again + " THEN 'pending' ELSE 'failed' END,"
            + " error = ?, lease_expires_at = NULL,"
            + " claimed_by = CASE WHEN " + again + " THEN NULL ELSE claimed_by END,"
            + " claimed_subject = CASE WHEN " + again + " THEN NULL ELSE claimed_subject END,"
            + " run_after = CASE WHEN " + again + " THEN " + d.nowPlusMillis(delay) + " ELSE run_after END,"
            + " sla_status = CASE WHEN " + again + " OR sla_status <> 'pending' THEN sla_status ELSE 'violated' END,"
            + " version = version + 1, updated_at = " + now + held() + " RETURNING *";
    List<Object> args = new ArrayList<>();
    args.add(error);
    args.add(base.toMillis());
    args.add(max.toMillis());
    args.add(jitter);
    args.addAll(heldArgs(tenant, id, holder, attempt));
    Event event = new Event(holder.actor(), "failed", "claimed", JsonColumns.object("error", error, "retry", retry));
    // No announcement: the task is not runnable before its backoff ends; waiters' re-polls find it.
    List<Task> changed =
        store.writeSingleStatement(
            "failing task " + id, c -> tasks(changeWithEvents(c, dml, args, event)));
    return first(changed);
  }

  // ---------------------------------------------------------------- background work

  /** Returns expired leases to pending (or failed when attempts are used up); the changed tasks. */
  List<Changed> reapExpiredLeases(int limit) {
    String lastAttempt = "attempt >= max_attempts";
    String dml =
        "UPDATE tasks SET status = CASE WHEN " + lastAttempt + " THEN 'failed' ELSE 'pending' END,"
            + " claimed_by = CASE WHEN " + lastAttempt + " THEN claimed_by ELSE NULL END,"
            + " claimed_subject = CASE WHEN " + lastAttempt + " THEN claimed_subject ELSE NULL END,"
            + " lease_expires_at = NULL,"
            + " error = CASE WHEN " + lastAttempt
            + " THEN 'lease expired on the last attempt (' || attempt || ' of ' || max_attempts || ')' ELSE error END,"
            + " sla_status = CASE WHEN " + lastAttempt
            + " AND sla_status = 'pending' THEN 'violated' ELSE sla_status END,"
            + " version = version + 1, updated_at = " + now
            + picked("status = 'claimed' AND lease_expires_at <= " + now, "lease_expires_at");
    Event event = new Event("system:lease-reaper", "lease_expired", "claimed", null);
    return store.writeSingleStatement(
        "reaping expired leases", c -> changeWithEvents(c, dml, List.of(limit), event));
  }

  /** Marks unsettled deadlines that have passed as violated; the changed tasks. */
  List<Changed> settleMissedDeadlines(int limit) {
    String dml =
        "UPDATE tasks SET sla_status = 'violated', version = version + 1, updated_at = " + now
            + picked("sla_status = 'pending' AND deadline < " + now, "deadline");
    Event event = new Event("system:sla", "sla_violated", UNCHANGED, null);
    return store.writeSingleStatement(
        "settling missed deadlines", c -> changeWithEvents(c, dml, List.of(limit), event));
  }

  /** Forgets idempotency keys older than {@code retention}; how many were removed. */
  int purgeIdempotencyKeys(Duration retention, int limit) {
    String dml =
        "DELETE FROM task_idempotency_keys WHERE (tenant, key) IN (SELECT tenant, key FROM task_idempotency_keys"
            + " WHERE created_at < " + d.nowPlusMillis("?") + " LIMIT ?)";
    return store.writeSingleStatement(
        "purging idempotency keys",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(dml)) {
            SqlArgs.bind(ps, d, -retention.toMillis(), limit);
            return ps.executeUpdate();
          }
        });
  }

  // ---------------------------------------------------------------- helpers

  /**
   * The tail of an UPDATE that changes the first {@code LIMIT ?} rows matching {@code where} in
   * {@code order}, skipping rows other transactions hold. A join on the picked keys (not {@code
   * IN (subquery)}, which PostgreSQL may run as a semi-join over the whole table) keeps a pick as
   * cheap as its index scan.
   */
  private String picked(String where, String order) {
    return " FROM (SELECT tenant AS p_tenant, id AS p_id FROM tasks WHERE " + where + " ORDER BY " + order
        + " LIMIT ?" + skipLocked() + ") picked WHERE tasks.tenant = picked.p_tenant AND tasks.id = picked.p_id "
        + returningTasks();
  }

  /** {@code RETURNING} the changed task rows only (PostgreSQL would add the FROM items' columns to {@code *}). */
  protected abstract String returningTasks();

  static String placeholders(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }

  static <T> Optional<T> first(List<T> list) {
    if (list.size() > 1) {
      throw new IllegalStateException(
          "a change by primary key touched " + list.size() + " rows, which indicates a bug");
    }
    return list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
  }
}
