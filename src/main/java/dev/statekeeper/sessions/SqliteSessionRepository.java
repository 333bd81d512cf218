package dev.statekeeper.sessions;

import dev.statekeeper.store.SqlArgs;
import dev.statekeeper.store.Store;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * SQLite: an append is two statements in one work of the single writer — take the numbers from
 * the session row, insert the events — which nothing else can interleave with.
 */
final class SqliteSessionRepository extends SessionRepository {

  /** Rows per INSERT: 6 parameters each stays far below SQLite's limit of bound parameters. */
  private static final int CHUNK = 500;

  SqliteSessionRepository(Store store) {
    super(store);
  }

  @Override
  List<SessionEvent> append(String tenant, String id, List<PreparedEvent> events) {
    String take =
        "UPDATE sessions SET event_count = event_count + ?, updated_at = " + now
            + " WHERE tenant = ? AND id = ? AND status = 'active' RETURNING event_count, updated_at";
    return store.write(
        "appending to session " + id,
        c -> {
          long last;
          Instant at;
          try (PreparedStatement ps = c.prepareStatement(take)) {
            SqlArgs.bind(ps, d, (long) events.size(), tenant, id);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return List.<SessionEvent>of();
              }
              last = rs.getLong(1);
              at = d.getInstant(rs, "updated_at");
            }
          }
          long seq = last - events.size();
          List<SessionEvent> out = new ArrayList<>(events.size());
          for (int from = 0; from < events.size(); from += CHUNK) {
            List<PreparedEvent> chunk = events.subList(from, Math.min(events.size(), from + CHUNK));
            String insert =
                "INSERT INTO session_events (tenant, session_id, seq, type, data, created_at) VALUES "
                    + String.join(", ", Collections.nCopies(chunk.size(), "(?, ?, ?, ?, ?, ?)"))
                    + " RETURNING seq, type, data, created_at";
            List<Object> args = new ArrayList<>(chunk.size() * 6);
            for (PreparedEvent e : chunk) {
              args.addAll(java.util.Arrays.asList(tenant, id, ++seq, e.type(), e.dataJson(), at));
            }
            try (PreparedStatement ps = c.prepareStatement(insert)) {
              SqlArgs.bind(ps, d, args);
              try (ResultSet rs = ps.executeQuery()) {
                out.addAll(events(rs));
              }
            }
          }
          out.sort(java.util.Comparator.comparingLong(SessionEvent::seq));
          return out;
        });
  }
}
