package dev.statekeeper.sessions;

import dev.statekeeper.Authorizer;
import dev.statekeeper.store.SqlWork;
import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.JsonColumns;
import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs the statements of {@link SessionSql} and reads their rows into {@link Session}s and
 * {@link SessionEvent}s.
 */
final class SessionRepository {

  /** An event ready to insert: its JSON already serialized. */
  record PreparedEvent(String type, String dataJson) {}

  private final Store store;
  private final Dialect d;
  private final SessionSql sql;

  SessionRepository(Store store) {
    this.store = store;
    this.d = store.dialect();
    this.sql = SessionSql.of(d);
  }

  /**
   * Appends {@code events} to an active session, numbered after its last; returns them with
   * their {@code seq}, or an empty list when there is no active session with that id.
   */
  List<SessionEvent> append(String tenant, String id, List<PreparedEvent> events) {
    // one statement on PostgreSQL; SQLite's two run in one transaction of its single writer, as
    // every work does there
    List<SessionEvent> out =
        store.writeSingleStatement("appending to session " + id, c -> sql.append(c, tenant, id, events));
    return out.stream().sorted(java.util.Comparator.comparingLong(SessionEvent::seq)).toList();
  }

  /** A created session and the creator's grant, to announce once committed. */
  record Created(Session session, Authorizer.GrantChange grants) {}

  /**
   * Creates the session and, in the same transaction, runs {@code grants} (the creator's grant);
   * empty when a session with that id exists already.
   */
  Optional<Created> create(
      String tenant, String id, String agent, String user, String stateJson, SqlWork<Authorizer.GrantChange> grants) {
    return store.write(
        "creating session " + id,
        c -> {
          Optional<Session> made = first(c, sql.create(), java.util.Arrays.asList(tenant, id, agent, user, stateJson));
          return made.isEmpty() ? Optional.<Created>empty() : Optional.of(new Created(made.get(), grants.run(c)));
        });
  }

  Optional<Session> get(String tenant, String id) {
    return store.read(
        "reading session " + id,
        c -> first(c, sql.get(), List.of(tenant, id)));
  }

  /** Empty when there is no active session with that id (and version, when given). */
  Optional<Session> replaceState(String tenant, String id, Long expectedVersion, String stateJson) {
    return store.writeSingleStatement(
        "replacing the state of session " + id,
        c -> expectedVersion == null
            ? first(c, sql.replaceState(), java.util.Arrays.asList(stateJson, tenant, id))
            : first(c, sql.replaceStateAt(), java.util.Arrays.asList(stateJson, tenant, id, expectedVersion)));
  }

  /** Empty when there is no active session with that id. */
  Optional<Session> terminate(String tenant, String id) {
    return store.writeSingleStatement("terminating session " + id, c -> first(c, sql.terminate(), List.of(tenant, id)));
  }

  /**
   * Events with {@code afterSeq < seq < beforeSeq}, at most {@code limit}, oldest first or
   * (when {@code newestFirst}) newest first: one range of the primary key, either way.
   */
  List<SessionEvent> events(String tenant, String id, long afterSeq, long beforeSeq, boolean newestFirst, int limit) {
    return store.read(
        "reading events of session " + id,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(newestFirst ? sql.eventsNewestFirst() : sql.events())) {
            SqlArgs.bind(ps, d, tenant, id, afterSeq, beforeSeq, limit);
            try (ResultSet rs = ps.executeQuery()) {
              return events(rs, d);
            }
          }
        });
  }

  /** Where a page of the newest-first listing ends: the next page starts after it. */
  record Position(java.time.Instant createdAt, String id) {}

  /**
   * Sessions newest first after {@code after} (null: the newest), matching the filters that are
   * not null; only {@code ids} when given (empty: none).
   */
  List<Session> newest(
      String tenant, java.util.Collection<String> ids, String agent, String user, SessionStatus status, Position after,
      int limit) {
    if (ids != null && ids.isEmpty()) {
      return List.of();
    }
    List<Object> args = new ArrayList<>(List.of(tenant));
    if (ids != null) {
      args.add(SqlArgs.list(ids));
    }
    String statusText = status == null ? null : status.wireName();
    args.addAll(java.util.Arrays.asList(agent, agent, user, user, statusText, statusText));
    if (after != null) {
      args.add(SqlArgs.time(after.createdAt()));
      args.add(after.id());
    }
    args.add(limit);
    return store.read("listing sessions", c -> sessions(c, sql.newest(ids != null, after != null), args));
  }

  /** What a delete removed: how many events, and the grant change to announce once committed. */
  record Deleted(long events, Authorizer.GrantChange grants) {}

  /** What runs in a delete's transaction once the rows are gone: {@code events} is how many events went. */
  interface AfterDelete {
    Authorizer.GrantChange run(Connection c, long events) throws SQLException;
  }

  /**
   * Deletes the session, its events and, in the same transaction, runs {@code rest} (its grants
   * and the audit record); empty when there is no such session. The session's row goes first: its
   * lock waits for appends in flight, so the events deleted next include theirs.
   */
  Optional<Deleted> delete(String tenant, String id, AfterDelete rest) {
    return store.write(
        "deleting session " + id,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.delete())) {
            SqlArgs.bind(ps, d, tenant, id);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return Optional.<Deleted>empty();
              }
            }
          }
          long removed;
          try (PreparedStatement ps = c.prepareStatement(sql.deleteEvents())) {
            SqlArgs.bind(ps, d, tenant, id);
            removed = ps.executeUpdate();
          }
          return Optional.of(new Deleted(removed, rest.run(c, removed)));
        });
  }

  /** Removes up to {@code limit} of the events written longer than {@code retention} ago; how many. */
  int purgeEvents(Duration retention, int limit) {
    return store.writeSingleStatement(
        "removing old session events",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.purgeEvents())) {
            SqlArgs.bind(ps, d, -retention.toMillis(), limit);
            return ps.executeUpdate();
          }
        });
  }

  // ---------------------------------------------------------------- rows

  static List<SessionEvent> events(ResultSet rs, Dialect d) throws SQLException {
    List<SessionEvent> out = new ArrayList<>();
    while (rs.next()) {
      out.add(
          new SessionEvent(
              rs.getLong("seq"), rs.getString("type"), JsonColumns.read(rs.getString("data")),
              d.getInstant(rs, "created_at")));
    }
    return out;
  }

  /** Sessions in id order after {@code afterId}; only {@code ids} when given (empty: none). */
  List<Session> list(String tenant, String afterId, java.util.Collection<String> ids, int limit) {
    if (ids != null && ids.isEmpty()) {
      return List.of();
    }
    List<Object> args = new ArrayList<>(List.of(tenant));
    if (ids != null) {
      args.add(SqlArgs.list(ids));
    }
    args.addAll(java.util.Arrays.asList(afterId, afterId, limit));
    return store.read("listing sessions", c -> sessions(c, ids == null ? sql.list() : sql.listOf(), args));
  }

  private List<Session> sessions(Connection c, String statement, List<Object> args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(statement)) {
      SqlArgs.bind(ps, d, args);
      try (ResultSet rs = ps.executeQuery()) {
        List<Session> out = new ArrayList<>();
        while (rs.next()) out.add(session(rs));
        return out;
      }
    }
  }

  private Session session(ResultSet rs) throws SQLException {
    return new Session(
        rs.getString("id"),
        SessionStatus.fromWire(rs.getString("status")),
        rs.getString("agent"),
        rs.getString("user_id"),
        JsonColumns.read(rs.getString("state")),
        rs.getLong("version"),
        rs.getLong("event_count"),
        d.getInstant(rs, "created_at"),
        d.getInstant(rs, "updated_at"));
  }

  private Optional<Session> first(Connection c, String sql, List<?> args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      SqlArgs.bind(ps, d, args);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        Session s = session(rs);
        if (rs.next()) {
          throw new IllegalStateException("a change of session " + s.id() + " touched several rows, which indicates a bug");
        }
        return Optional.of(s);
      }
    }
  }
}
