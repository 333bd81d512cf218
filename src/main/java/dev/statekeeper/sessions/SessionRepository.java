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
 * The SQL of sessions. Every change is one {@code UPDATE … WHERE <expected state> RETURNING}:
 * zero rows means the session is missing, terminated or at another version, and the caller reads
 * it to say which. Appends differ in shape between the stores and live in the subclasses.
 *
 * <p>Gap-free sequence numbers: an append adds the number of its events to {@code
 * sessions.event_count} and numbers them from the value before, in the same transaction as their
 * insert. Concurrent appenders to one session queue on its row (PostgreSQL's row lock, SQLite's
 * single writer), so each gets the numbers after the previous one's, and a failed append gives
 * its numbers back by rolling back.
 */
abstract sealed class SessionRepository permits PostgresSessionRepository, SqliteSessionRepository {

  /** An event ready to insert: its JSON already serialized. */
  record PreparedEvent(String type, String dataJson) {}

  protected final Store store;
  protected final Dialect d;
  protected final String now;

  SessionRepository(Store store) {
    this.store = store;
    this.d = store.dialect();
    this.now = d.now();
  }

  static SessionRepository forStore(Store store) {
    return switch (store.dialect()) {
      case POSTGRES -> new PostgresSessionRepository(store);
      case SQLITE -> new SqliteSessionRepository(store);
    };
  }

  /**
   * Appends {@code events} to an active session, numbered after its last; returns them with
   * their {@code seq}, or an empty list when there is no active session with that id.
   */
  abstract List<SessionEvent> append(String tenant, String id, List<PreparedEvent> events);

  /** A created session and the creator's grant, to announce once committed. */
  record Created(Session session, Authorizer.GrantChange grants) {}

  /**
   * Creates the session and, in the same transaction, runs {@code grants} (the creator's grant);
   * empty when a session with that id exists already.
   */
  Optional<Created> create(
      String tenant, String id, String agent, String user, String stateJson, SqlWork<Authorizer.GrantChange> grants) {
    String dml =
        "INSERT INTO sessions (tenant, id, status, agent, user_id, state, version, event_count, created_at, updated_at)"
            + " VALUES (?, ?, 'active', ?, ?, " + d.jsonParam() + ", 1, 0, " + now + ", " + now + ")"
            + " ON CONFLICT (tenant, id) DO NOTHING RETURNING *";
    return store.write(
        "creating session " + id,
        c -> {
          Optional<Session> made = first(c, dml, java.util.Arrays.asList(tenant, id, agent, user, stateJson));
          return made.isEmpty() ? Optional.<Created>empty() : Optional.of(new Created(made.get(), grants.run(c)));
        });
  }

  Optional<Session> get(String tenant, String id) {
    return store.read(
        "reading session " + id,
        c -> first(c, "SELECT * FROM sessions WHERE tenant = ? AND id = ?", List.of(tenant, id)));
  }

  /** Empty when there is no active session with that id (and version, when given). */
  Optional<Session> replaceState(String tenant, String id, Long expectedVersion, String stateJson) {
    String dml =
        "UPDATE sessions SET state = " + d.jsonParam() + ", version = version + 1, updated_at = " + now
            + " WHERE tenant = ? AND id = ? AND status = 'active'"
            + (expectedVersion == null ? "" : " AND version = ?") + " RETURNING *";
    List<Object> args = new ArrayList<>(List.of(stateJson, tenant, id));
    if (expectedVersion != null) {
      args.add(expectedVersion);
    }
    return store.writeSingleStatement("replacing the state of session " + id, c -> first(c, dml, args));
  }

  /** Empty when there is no active session with that id. */
  Optional<Session> terminate(String tenant, String id) {
    String dml =
        "UPDATE sessions SET status = 'terminated', version = version + 1, updated_at = " + now
            + " WHERE tenant = ? AND id = ? AND status = 'active' RETURNING *";
    return store.writeSingleStatement("terminating session " + id, c -> first(c, dml, List.of(tenant, id)));
  }

  /** Events with {@code seq > afterSeq}, in order, at most {@code limit}. */
  List<SessionEvent> events(String tenant, String id, long afterSeq, int limit) {
    String sql =
        "SELECT seq, type, data, created_at FROM session_events"
            + " WHERE tenant = ? AND session_id = ? AND seq > ? ORDER BY seq LIMIT ?";
    return store.read(
        "reading events of session " + id,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            SqlArgs.bind(ps, d, tenant, id, afterSeq, limit);
            try (ResultSet rs = ps.executeQuery()) {
              return events(rs);
            }
          }
        });
  }

  /** Removes up to {@code limit} of the events written longer than {@code retention} ago; how many. */
  int purgeEvents(Duration retention, int limit) {
    String dml =
        "DELETE FROM session_events WHERE (tenant, session_id, seq) IN (SELECT tenant, session_id, seq"
            + " FROM session_events WHERE created_at < " + d.nowPlusMillis("?") + " ORDER BY created_at LIMIT ?)";
    return store.writeSingleStatement(
        "removing old session events",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(dml)) {
            SqlArgs.bind(ps, d, -retention.toMillis(), limit);
            return ps.executeUpdate();
          }
        });
  }

  // ---------------------------------------------------------------- rows

  protected final List<SessionEvent> events(ResultSet rs) throws SQLException {
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
    StringBuilder sql = new StringBuilder("SELECT * FROM sessions WHERE tenant = ?");
    List<Object> args = new ArrayList<>(List.of(tenant));
    if (afterId != null) {
      sql.append(" AND id > ?");
      args.add(afterId);
    }
    if (ids != null) {
      sql.append(" AND id IN (").append(String.join(", ", java.util.Collections.nCopies(ids.size(), "?"))).append(")");
      args.addAll(ids);
    }
    sql.append(" ORDER BY id LIMIT ?");
    args.add(limit);
    return store.read("listing sessions", c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        SqlArgs.bind(ps, d, args);
        try (ResultSet rs = ps.executeQuery()) {
          List<Session> out = new ArrayList<>();
          while (rs.next()) out.add(session(rs));
          return out;
        }
      }
    });
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
