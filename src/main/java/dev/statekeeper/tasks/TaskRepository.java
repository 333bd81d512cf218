package dev.statekeeper.tasks;

import dev.statekeeper.Authorizer;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.JsonColumns;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import dev.statekeeper.tasks.TaskSql.Event;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the statements of {@link TaskSql} (the task state machine, fencing, backoff and SLA
 * settlement live in their {@code WHERE} and {@code CASE}s): what to bind, in which transaction,
 * and what the rows returned mean.
 */
final class TaskRepository {

  /** A changed row: its tenant and the task as it is now. */
  record Changed(String tenant, Task task) {}

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

  private final Store store;
  private final Dialect d;
  private final TaskSql sql;

  TaskRepository(Store store) {
    this.store = store;
    this.d = store.dialect();
    this.sql = TaskSql.of(d);
  }

  /** The rows a change returned, read as tenant and task. */
  static List<Changed> changed(ResultSet rs, Dialect d) throws SQLException {
    List<Changed> out = new ArrayList<>();
    while (rs.next()) {
      out.add(new Changed(rs.getString("tenant"), TaskRows.task(rs, d)));
    }
    return out;
  }

  private static List<Task> tasks(List<Changed> changed) {
    return changed.stream().map(Changed::task).toList();
  }

  // ---------------------------------------------------------------- create

  List<CreateResult> create(String tenant, String actor, List<Prepared> items) {
    if (items.stream().allMatch(p -> p.idempotencyKey() == null)) {
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
    return update(c, sql.insertIdempotencyKey(), tenant, p.idempotencyKey(), p.requestHash(), p.id()) == 1;
  }

  private Task existingForKey(Connection c, String tenant, Prepared p) throws SQLException {
    String hash;
    String taskId;
    try (PreparedStatement ps = c.prepareStatement(sql.idempotencyKey())) {
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

  /** Inserts {@code rows} with their 'created' events in one statement (a batch holds at most 1,000); the tasks by id. */
  private Map<String, Task> insertTasks(Connection c, String tenant, String actor, List<Prepared> rows)
      throws SQLException {
    List<TaskSql.NewRow> newRows = new ArrayList<>(rows.size());
    for (Prepared p : rows) {
      NewTask t = p.task();
      boolean hasDeadline = t.deadline() != null || p.defaultDeadline() != null;
      newRows.add(
          new TaskSql.NewRow(
              p.id(),
              p.queue(),
              t.type(),
              JsonColumns.write(t.payload()),
              p.priority().rank(),
              p.maxAttempts(),
              t.runAfter(),
              t.deadline(),
              t.deadline() == null && p.defaultDeadline() != null ? p.defaultDeadline().toMillis() : null,
              hasDeadline ? SlaStatus.PENDING.wireName() : SlaStatus.NONE.wireName()));
    }
    Map<String, Task> byId = new HashMap<>();
    Event created = new Event(actor, "created", null, null);
    for (Changed row : sql.change(c, sql.insertTasks(), sql.insertArgs(c, tenant, newRows), created)) {
      byId.put(row.task().id(), row.task());
    }
    return byId;
  }

  // ---------------------------------------------------------------- reads

  Optional<Task> get(String tenant, String id) {
    return store.read("reading task " + id, c -> get(c, tenant, id));
  }

  Optional<Task> get(Connection c, String tenant, String id) throws SQLException {
    return first(query(c, sql.get(), tenant, id));
  }

  /**
   * Tasks in id (creation) order after {@code afterId}, among those the caller may read (filtered
   * here so that pages and cursors stay right); one more than {@code limit} to detect a next page.
   */
  List<Task> list(
      String tenant, TaskQuery q, String afterId, int limit, Authorizer.Readable queues, Authorizer.Readable tasks) {
    String queue = q.queue();
    String status = q.status() == null ? null : q.status().wireName();
    Object priority = q.priority() == null ? SqlArgs.nullOf(Types.INTEGER) : (Object) q.priority().rank();
    List<Object> args =
        Arrays.asList(
            tenant,
            afterId == null ? "" : afterId,
            queues.all(),
            SqlArgs.list(queues.all() ? List.of() : queues.names()),
            SqlArgs.list(queues.all() || tasks.all() ? List.of() : tasks.names()),
            queue,
            queue,
            status,
            status,
            priority,
            priority,
            limit + 1);
    return store.read("listing tasks", c -> query(c, sql.list(), args.toArray()));
  }

  /** The audit trail, oldest first; empty when the task does not exist (every task has a 'created' event). */
  List<TaskEvent> events(String tenant, String id) {
    return store.read(
        "reading events of task " + id,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.events())) {
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

  // ---------------------------------------------------------------- changes by clients

  /** Empty when no pending task with that id (and version, if given) exists. */
  Optional<Task> patch(String tenant, String id, Long expectedVersion, TaskPatch patch, String actor) {
    Object version = expectedVersion == null ? SqlArgs.nullOf(Types.BIGINT) : expectedVersion;
    List<Object> args =
        Arrays.asList(
            patch.priority() == null ? SqlArgs.nullOf(Types.INTEGER) : (Object) patch.priority().rank(),
            JsonColumns.write(patch.payload()),
            SqlArgs.time(patch.runAfter()),
            tenant,
            id,
            version,
            version);
    List<String> fields = new ArrayList<>();
    if (patch.priority() != null) fields.add("priority");
    if (patch.payload() != null) fields.add("payload");
    if (patch.runAfter() != null) fields.add("run_after");
    Event event = new Event(actor, "updated", "pending", JsonColumns.object("fields", fields));
    return first(
        store.writeSingleStatement(
            "updating task " + id, c -> tasks(sql.change(c, sql.patch(), args, event))));
  }

  /** Cancels a pending or claimed task; empty when it does not exist; Conflict when already final. */
  Optional<Task> cancel(String tenant, String id, String reason, String actor) {
    return store.write(
        "cancelling task " + id,
        c -> {
          String status;
          try (PreparedStatement ps = c.prepareStatement(sql.lockStatus())) {
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
          Event event = new Event(actor, "cancelled", status, JsonColumns.object("reason", reason));
          return first(tasks(sql.change(c, sql.cancel(), List.of(tenant, id), event)));
        });
  }

  // ---------------------------------------------------------------- changes by agents

  /** {@code queues} holds 1 to 100 distinct names, {@code types} null (any) or 1 to 100. */
  List<Task> claim(String tenant, LeaseHolder holder, List<String> queues, List<String> types, int limit, Duration lease) {
    boolean oneQueue = queues.size() == 1;
    List<Object> args =
        Arrays.asList(
            holder.agent(),
            holder.subject(),
            lease.toMillis(),
            tenant,
            oneQueue ? queues.get(0) : SqlArgs.list(queues),
            types == null,
            SqlArgs.list(types == null ? List.of() : types),
            limit);
    Event event =
        new Event(holder.actor(), "claimed", "pending", JsonColumns.object("lease_seconds", lease.toMillis() / 1000.0));
    String statement = oneQueue ? sql.claimFromOneQueue() : sql.claimFromQueues();
    List<Task> claimed =
        new ArrayList<>(
            store.writeSingleStatement(
                "claiming tasks", c -> tasks(sql.change(c, statement, args, event))));
    claimed.sort(Comparator.comparing(Task::priority).thenComparing(Task::createdAt).thenComparing(Task::id));
    return claimed;
  }

  /** The lease fence's arguments, the last of every agent transition: tenant, id, agent, subject, attempt. */
  private static List<Object> fence(String tenant, String id, LeaseHolder holder, int attempt) {
    return List.of(tenant, id, holder.agent(), holder.subject(), attempt);
  }

  private static List<Object> args(List<Object> first, List<Object> fence) {
    List<Object> all = new ArrayList<>(first.size() + fence.size());
    all.addAll(first);
    all.addAll(fence);
    return all;
  }

  Optional<Task> heartbeat(String tenant, String id, LeaseHolder holder, int attempt, Duration lease) {
    List<Object> args = args(List.of(lease.toMillis()), fence(tenant, id, holder, attempt));
    return store.writeSingleStatement(
        "extending the lease of task " + id, c -> first(query(c, sql.heartbeat(), args.toArray())));
  }

  Optional<Task> complete(String tenant, String id, LeaseHolder holder, int attempt, String resultJson) {
    List<Object> args = args(Arrays.asList(resultJson), fence(tenant, id, holder, attempt));
    Event event = new Event(holder.actor(), "completed", "claimed", null);
    return first(
        store.writeSingleStatement(
            "completing task " + id, c -> tasks(sql.change(c, sql.complete(), args, event))));
  }

  /**
   * Fails the current attempt. With {@code retry} and attempts left, the task returns to pending
   * after {@code base · 2^(attempt-1)} (at most {@code max}) times {@code jitter}, counted on the
   * database's clock; otherwise it fails for good.
   */
  Optional<Task> fail(
      String tenant, String id, LeaseHolder holder, int attempt, String error, boolean retry,
      Duration base, Duration max, double jitter) {
    String statement = retry ? sql.retryOrFail() : sql.failForGood();
    List<Object> first = retry ? List.of(error, base.toMillis(), max.toMillis(), jitter) : List.of(error);
    List<Object> args = args(first, fence(tenant, id, holder, attempt));
    Event event = new Event(holder.actor(), "failed", "claimed", JsonColumns.object("error", error, "retry", retry));
    // No announcement: the task is not runnable before its backoff ends; waiters' re-polls find it.
    return first(
        store.writeSingleStatement(
            "failing task " + id, c -> tasks(sql.change(c, statement, args, event))));
  }

  // ---------------------------------------------------------------- background work

  /** Returns expired leases to pending (or failed when attempts are used up); the changed tasks. */
  List<Changed> reapExpiredLeases(int limit) {
    Event event = new Event("system:lease-reaper", "lease_expired", "claimed", null);
    return store.writeSingleStatement(
        "reaping expired leases", c -> sql.change(c, sql.reapExpiredLeases(), List.of(limit), event));
  }

  /** Marks unsettled deadlines that have passed as violated; the changed tasks. */
  List<Changed> settleMissedDeadlines(int limit) {
    Event event = new Event("system:sla", "sla_violated", TaskSql.UNCHANGED, null);
    return store.writeSingleStatement(
        "settling missed deadlines", c -> sql.change(c, sql.settleMissedDeadlines(), List.of(limit), event));
  }

  /** Forgets idempotency keys older than {@code retention}; how many were removed. */
  int purgeIdempotencyKeys(Duration retention, int limit) {
    return store.writeSingleStatement(
        "purging idempotency keys", c -> update(c, sql.purgeIdempotencyKeys(), -retention.toMillis(), limit));
  }

  // ---------------------------------------------------------------- helpers

  private List<Task> query(Connection c, String statement, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(statement)) {
      SqlArgs.bind(ps, d, args);
      try (ResultSet rs = ps.executeQuery()) {
        return TaskRows.tasks(rs, d);
      }
    }
  }

  private int update(Connection c, String statement, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(statement)) {
      SqlArgs.bind(ps, d, args);
      return ps.executeUpdate();
    }
  }

  static <T> Optional<T> first(List<T> list) {
    if (list.size() > 1) {
      throw new IllegalStateException(
          "a change by primary key touched " + list.size() + " rows, which indicates a bug");
    }
    return list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
  }
}
