package dev.statekeeper.sessions;

import dev.statekeeper.store.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The SQL of sessions, each statement written out whole: those both stores run as they are here,
 * those that differ in {@link PostgresSessionSql} and {@link SqliteSessionSql}. Every change is one
 * {@code UPDATE … WHERE <expected state> RETURNING}: no row means the session is missing,
 * terminated or at another version, and the caller reads it to say which.
 *
 * <p>Gap-free sequence numbers: an append adds the number of its events to {@code
 * sessions.event_count} and numbers them from the value before, in the same transaction as their
 * insert. Concurrent appenders to one session queue on its row (PostgreSQL's row lock, SQLite's
 * single writer), so each gets the numbers after the previous one's, and a failed append gives
 * its numbers back by rolling back. How many statements that takes differs (SQLite has no
 * data-modifying CTE), so each dialect's class also holds the few lines that run its append.
 */
interface SessionSql {

  static SessionSql of(Dialect d) {
    return d == Dialect.POSTGRES ? PostgresSessionSql.INSTANCE : SqliteSessionSql.INSTANCE;
  }

  /** tenant, id, agent, user, state (JSON) */
  String create();

  /** tenant, id, status, agent, user, state (JSON), event count, created at or null: an imported session */
  String importSession();

  /** tenant, id, state (JSON) */
  String replaceState();

  /** state (JSON), tenant, id, expected version */
  String replaceStateAt();

  /**
   * tenant, id, the number before the first event's, created at or null (now), types (a list),
   * data (a list of JSON texts): events numbered from the number given plus one
   */
  String insertEvents();

  /** retention in milliseconds (negative: the past), limit */
  String purgeEvents();

  /**
   * Appends {@code events} to an active session, numbered after its last; returns them with their
   * {@code seq}, or an empty list when there is no active session with that id.
   */
  List<SessionEvent> append(Connection c, String tenant, String id, List<SessionRepository.PreparedEvent> events)
      throws SQLException;

  /** tenant, id */
  default String get() {
    return "SELECT * FROM sessions WHERE tenant = ? AND id = ?";
  }

  /** tenant, id */
  default String terminate() {
    return """
        UPDATE sessions SET status = 'terminated', version = version + 1, updated_at = sk_now()
        WHERE tenant = ? AND id = ? AND status = 'active' RETURNING *""";
  }

  /** tenant, id, after seq, before seq, limit: the events between, oldest first */
  default String events() {
    return """
        SELECT seq, type, data, created_at FROM session_events
        WHERE tenant = ? AND session_id = ? AND seq > ? AND seq < ? ORDER BY seq LIMIT ?""";
  }

  /** tenant, id, after seq, before seq, limit: the events between, newest first (the key backwards) */
  default String eventsNewestFirst() {
    return """
        SELECT seq, type, data, created_at FROM session_events
        WHERE tenant = ? AND session_id = ? AND seq > ? AND seq < ? ORDER BY seq DESC LIMIT ?""";
  }

  /**
   * Sessions newest first, by the index {@code sessions_newest (tenant, created_at, id)} read
   * backwards. Arguments: tenant, [ids (a list) when {@code onlyIds}], agent or null twice, user
   * or null twice, status or null twice, [created at and id of the last session of the page
   * before, when {@code afterCursor}], limit. The filters are checked on the rows the range
   * yields; the two shapes a request can take are two statements, so each gets its own plan.
   */
  default String newest(boolean onlyIds, boolean afterCursor) {
    return "SELECT * FROM sessions WHERE tenant = ?"
        + (onlyIds ? " AND " + idIn() : "")
        + " AND (CAST(? AS TEXT) IS NULL OR agent = ?)"
        + " AND (CAST(? AS TEXT) IS NULL OR user_id = ?)"
        + " AND (CAST(? AS TEXT) IS NULL OR status = ?)"
        + (afterCursor ? " AND (created_at, id) < (?, ?)" : "")
        + " ORDER BY created_at DESC, id DESC LIMIT ?";
  }

  /** The condition "id is one of the list bound here". */
  String idIn();

  /** tenant, id: removes the session row (its lock waits for appends in flight); its event count */
  default String delete() {
    return "DELETE FROM sessions WHERE tenant = ? AND id = ? RETURNING event_count";
  }

  /** tenant, id: removes the events of a session (run after {@link #delete}, which orders it after every append) */
  default String deleteEvents() {
    return "DELETE FROM session_events WHERE tenant = ? AND session_id = ?";
  }

  /** tenant, after id or null, limit */
  default String list() {
    return """
        SELECT * FROM sessions WHERE tenant = ? AND (CAST(? AS TEXT) IS NULL OR id > ?)
        ORDER BY id LIMIT ?""";
  }

  /** tenant, ids (a list), after id or null, limit */
  default String listOf() {
    return "SELECT * FROM sessions WHERE tenant = ? AND " + idIn() + " AND (CAST(? AS TEXT) IS NULL OR id > ?) ORDER BY id LIMIT ?";
  }
}
