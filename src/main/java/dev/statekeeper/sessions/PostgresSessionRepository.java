package dev.statekeeper.sessions;

import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL: an append is one statement (a data-modifying CTE: take the numbers from the session
 * row, insert the events numbered from them), atomic by itself, so it runs in autocommit with a
 * single round trip. The UPDATE's row lock orders concurrent appenders to one session.
 */
final class PostgresSessionRepository extends SessionRepository {

  PostgresSessionRepository(Store store) {
    super(store);
  }

  @Override
  List<SessionEvent> append(String tenant, String id, List<PreparedEvent> events) {
    StringBuilder values = new StringBuilder();
    List<Object> args = new ArrayList<>(6 + events.size() * 2);
    args.add((long) events.size());
    args.add(tenant);
    args.add(id);
    args.add(tenant);
    args.add(id);
    args.add((long) events.size());
    for (int i = 0; i < events.size(); i++) {
      values.append(i == 0 ? "" : ", ").append('(').append(i + 1).append(", CAST(? AS text), CAST(? AS text))");
      args.add(events.get(i).type());
      args.add(events.get(i).dataJson());
    }
    String sql =
        "WITH s AS (UPDATE sessions SET event_count = event_count + ?, updated_at = " + now
            + " WHERE tenant = ? AND id = ? AND status = 'active' RETURNING event_count, updated_at)"
            + " INSERT INTO session_events (tenant, session_id, seq, type, data, created_at)"
            + " SELECT ?, ?, s.event_count - ? + v.ord, v.type, CAST(v.data AS jsonb), s.updated_at"
            + " FROM s, (VALUES " + values + ") AS v(ord, type, data)"
            + " RETURNING seq, type, data, created_at";
    return store.writeSingleStatement(
        "appending to session " + id,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            SqlArgs.bind(ps, d, args);
            try (ResultSet rs = ps.executeQuery()) {
              List<SessionEvent> out = events(rs);
              out.sort(java.util.Comparator.comparingLong(SessionEvent::seq));
              return out;
            }
          }
        });
  }
}
