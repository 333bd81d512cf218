package dev.statekeeper.sessions;

import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.SqlArgs;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * SQLite: JSON is stored as the text given; a list is a JSON array read with {@code json_each}
 * (its {@code key} is the 0-based position). An append is two statements in one work of the
 * single writer — take the numbers from the session row, insert the events — which nothing else
 * can interleave with.
 */
final class SqliteSessionSql implements SessionSql {

  static final SessionSql INSTANCE = new SqliteSessionSql();

  private static final String TAKE_NUMBERS = """
      UPDATE sessions SET event_count = event_count + ?, updated_at = sk_now()
      WHERE tenant = ? AND id = ? AND status = 'active' RETURNING event_count, updated_at""";

  @Override
  public String create() {
    return """
        INSERT INTO sessions (tenant, id, status, agent, user_id, state, version, event_count, created_at, updated_at)
        VALUES (?, ?, 'active', ?, ?, ?, 1, 0, sk_now(), sk_now())
        ON CONFLICT (tenant, id) DO NOTHING RETURNING *""";
  }

  @Override
  public String importSession() {
    return """
        INSERT INTO sessions (tenant, id, status, agent, user_id, state, version, event_count, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, 1, ?, COALESCE(?, sk_now()), sk_now())
        ON CONFLICT (tenant, id) DO NOTHING""";
  }

  @Override
  public String replaceState() {
    return """
        UPDATE sessions SET state = ?, version = version + 1, updated_at = sk_now()
        WHERE tenant = ? AND id = ? AND status = 'active' RETURNING *""";
  }

  @Override
  public String replaceStateAt() {
    return """
        UPDATE sessions SET state = ?, version = version + 1, updated_at = sk_now()
        WHERE tenant = ? AND id = ? AND status = 'active' AND version = ? RETURNING *""";
  }

  @Override
  public String insertEvents() {
    return """
        INSERT INTO session_events (tenant, session_id, seq, type, data, created_at)
        SELECT ?, ?, ? + t.key + 1, t.value, d.value, COALESCE(?, sk_now())
        FROM json_each(?) AS t JOIN json_each(?) AS d ON d.key = t.key
        ORDER BY t.key""";
  }

  @Override
  public String purgeEvents() {
    return """
        DELETE FROM session_events WHERE (tenant, session_id, seq) IN (
          SELECT tenant, session_id, seq FROM session_events
          WHERE created_at < CAST(sk_now() + ? AS INTEGER) ORDER BY created_at LIMIT ?)""";
  }

  @Override
  public String idIn() {
    return "id IN (SELECT value FROM json_each(?))";
  }

  @Override
  public List<SessionEvent> append(Connection c, String tenant, String id, List<SessionRepository.PreparedEvent> events)
      throws SQLException {
    long last;
    Instant at;
    try (PreparedStatement ps = c.prepareStatement(TAKE_NUMBERS)) {
      SqlArgs.bind(ps, Dialect.SQLITE, (long) events.size(), tenant, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return List.of();
        }
        last = rs.getLong("event_count");
        at = Dialect.SQLITE.getInstant(rs, "updated_at");
      }
    }
    try (PreparedStatement ps = c.prepareStatement(insertEvents() + " RETURNING seq, type, data, created_at")) {
      SqlArgs.bind(ps, Dialect.SQLITE, tenant, id, last - events.size(), at,
          SqlArgs.list(events.stream().map(SessionRepository.PreparedEvent::type).toList()),
          SqlArgs.list(events.stream().map(SessionRepository.PreparedEvent::dataJson).toList()));
      try (ResultSet rs = ps.executeQuery()) {
        return SessionRepository.events(rs, Dialect.SQLITE);
      }
    }
  }
}
