package dev.statekeeper.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.store.Dialect;
import dev.statekeeper.store.SqlArgs;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Inserting sessions that come from outside (the JSON importer), inside a transaction the caller
 * runs, so that an import of tasks, sessions and memory is all or nothing. A session whose id
 * exists already is left as it is (with its events), which makes an import safe to run again.
 */
public final class SessionImport {


  private SessionImport() {}

  /** One event as found: {@code data} may be null. */
  public record ImportedEvent(String type, JsonNode data) {}

  /** A session as an import found it, already mapped onto Statekeeper's values. */
  public record ImportedSession(
      String id, String agent, String user, JsonNode state, boolean terminated, List<ImportedEvent> events,
      Instant createdAt) {}

  /** A session checked as the API checks one, ready to insert. */
  public record Prepared(ImportedSession source, String stateJson, List<SessionRepository.PreparedEvent> events) {}

  /**
   * The same checks (and limits) as the API, for one imported session; throws {@link
   * StatekeeperException} with the reason when it cannot be imported.
   */
  public static Prepared prepare(ImportedSession s, StatekeeperConfig config) {
    SessionInput.id(s.id());
    SessionInput.name("agent", s.agent());
    SessionInput.name("user", s.user());
    String state = SessionInput.state(s.state(), config.sessions().maxStateBytes());
    List<SessionRepository.PreparedEvent> events = new ArrayList<>(s.events().size());
    for (int i = 0; i < s.events().size(); i++) {
      ImportedEvent e = s.events().get(i);
      try {
        events.add(new SessionRepository.PreparedEvent(
            SessionInput.eventType(e.type()), SessionInput.data(e.data(), config.sessions().maxEventBytes())));
      } catch (StatekeeperException x) {
        throw new StatekeeperException.InvalidInput(x.code(), "event " + i + ": " + x.getMessage());
      }
    }
    return new Prepared(s, state, events);
  }

  /** Inserts the sessions that are not there yet, each with its events numbered 1, 2, …; returns how many. */
  public static int insert(Connection c, Dialect d, String tenant, List<Prepared> sessions) throws SQLException {
    SessionSql sql = SessionSql.of(d);
    int inserted = 0;
    try (PreparedStatement ps = c.prepareStatement(sql.importSession())) {
      for (Prepared p : sessions) {
        ImportedSession s = p.source();
        SqlArgs.bind(ps, d, tenant, s.id(), s.terminated() ? "terminated" : "active", s.agent(), s.user(),
            p.stateJson(), (long) p.events().size(), SqlArgs.time(s.createdAt()));
        if (ps.executeUpdate() == 1) {
          inserted++;
          insertEvents(c, d, sql, tenant, s.id(), p.events());
        }
      }
    }
    return inserted;
  }

  private static void insertEvents(
      Connection c, Dialect d, SessionSql sql, String tenant, String id, List<SessionRepository.PreparedEvent> events)
      throws SQLException {
    if (events.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(sql.insertEvents())) {
      SqlArgs.bind(ps, d, tenant, id, 0L, SqlArgs.time(null),
          SqlArgs.list(events.stream().map(SessionRepository.PreparedEvent::type).toList()),
          SqlArgs.list(events.stream().map(SessionRepository.PreparedEvent::dataJson).toList()));
      ps.executeUpdate();
    }
  }
}
