package dev.statekeeper.sessions;

import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.SqlArgs;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * PostgreSQL: JSON is bound as text and cast to {@code jsonb}; lists are arrays. An append is one
 * statement (a data-modifying CTE takes the numbers from the session row and the INSERT numbers
 * the events from them), atomic by itself, so it runs in autocommit with a single round trip; the
 * UPDATE's row lock orders concurrent appenders to one session.
 */
final class PostgresSessionSql implements SessionSql {

  static final SessionSql INSTANCE = new PostgresSessionSql();

  private static final String APPEND = """
      WITH s AS (
        UPDATE sessions SET event_count = event_count + ?, updated_at = sk_now()
        WHERE tenant = ? AND id = ? AND status = 'active'
        RETURNING tenant, id, event_count, updated_at)
      INSERT INTO session_events (tenant, session_id, seq, type, data, created_at)
      SELECT s.tenant, s.id, s.event_count - ? + v.ord, v.type, CAST(v.data AS jsonb), s.updated_at
      FROM s, unnest(CAST(? AS text[]), CAST(? AS text[])) WITH ORDINALITY AS v(type, data, ord)
      RETURNING seq, type, data, created_at""";

  @Override
  public String create() {
    return """
        INSERT INTO sessions (tenant, id, status, agent, user_id, state, version, event_count, created_at, updated_at)
        VALUES (?, ?, 'active', ?, ?, CAST(? AS jsonb), 1, 0, sk_now(), sk_now())
        ON CONFLICT (tenant, id) DO NOTHING RETURNING *""";
  }

  @Override
  public String importSession() {
    return """
        INSERT INTO sessions (tenant, id, status, agent, user_id, state, version, event_count, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb), 1, ?, COALESCE(?, sk_now()), sk_now())
        ON CONFLICT (tenant, id) DO NOTHING""";
  }

  @Override
  public String replaceState() {
    return """
        UPDATE sessions SET state = CAST(? AS jsonb), version = version + 1, updated_at = sk_now()
        WHERE tenant = ? AND id = ? AND status = 'active' RETURNING *""";
  }

  @Override
  public String replaceStateAt() {
    return """
        UPDATE sessions SET state = CAST(? AS jsonb), version = version + 1, updated_at = sk_now()
        WHERE tenant = ? AND id = ? AND status = 'active' AND version = ? RETURNING *""";
  }

  @Override
  public String insertEvents() {
    return """
        INSERT INTO session_events (tenant, session_id, seq, type, data, created_at)
        SELECT ?, ?, ? + v.ord, v.type, CAST(v.data AS jsonb), COALESCE(?, sk_now())
        FROM unnest(CAST(? AS text[]), CAST(? AS text[])) WITH ORDINALITY AS v(type, data, ord)""";
  }

  @Override
  public String purgeEvents() {
    return """
        DELETE FROM session_events WHERE (tenant, session_id, seq) IN (
          SELECT tenant, session_id, seq FROM session_events
          WHERE created_at < sk_now() + ? * interval '1 millisecond' ORDER BY created_at LIMIT ?)""";
  }

  @Override
  public String idIn() {
    return "id = ANY(?)";
  }

  @Override
  public List<SessionEvent> append(Connection c, String tenant, String id, List<SessionRepository.PreparedEvent> events)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(APPEND)) {
      long n = events.size();
      SqlArgs.bind(ps, Dialect.POSTGRES, n, tenant, id, n,
          SqlArgs.list(events.stream().map(SessionRepository.PreparedEvent::type).toList()),
          SqlArgs.list(events.stream().map(SessionRepository.PreparedEvent::dataJson).toList()));
      try (ResultSet rs = ps.executeQuery()) {
        return SessionRepository.events(rs, Dialect.POSTGRES);
      }
    }
  }
}
