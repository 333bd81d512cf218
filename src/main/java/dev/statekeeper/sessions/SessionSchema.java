package dev.statekeeper.sessions;

import static dev.statekeeper.store.Schema.column;

import dev.statekeeper.store.Schema;
import dev.statekeeper.store.Schema.Invariant;
import dev.statekeeper.store.Schema.Table;
import dev.statekeeper.store.Schema.Type;
import java.util.List;

/** The tables of sessions, for backups and verify. */
public final class SessionSchema {

  private SessionSchema() {}

  public static final Schema SCHEMA = new Schema(
      List.of(
          new Table("sessions", List.of(
                  column("tenant", Type.TEXT), column("id", Type.TEXT), column("status", Type.TEXT), column("agent", Type.TEXT),
                  column("user_id", Type.TEXT), column("state", Type.JSON), column("version", Type.INTEGER),
                  column("event_count", Type.INTEGER), column("created_at", Type.TIME), column("updated_at", Type.TIME)),
              List.of("tenant", "id"), null),
          new Table("session_events", List.of(
                  column("tenant", Type.TEXT), column("session_id", Type.TEXT), column("seq", Type.INTEGER),
                  column("type", Type.TEXT), column("data", Type.JSON), column("created_at", Type.TIME)),
              List.of("tenant", "session_id", "seq"), null)),
      List.of(),
      List.of(
          new Invariant("session events without their session",
              "SELECT COUNT(*) FROM session_events e WHERE NOT EXISTS "
                  + "(SELECT 1 FROM sessions s WHERE s.tenant = e.tenant AND s.id = e.session_id)"),
          new Invariant("session events numbered beyond their session's event count",
              "SELECT COUNT(*) FROM session_events e JOIN sessions s ON s.tenant = e.tenant AND s.id = e.session_id "
                  + "WHERE e.seq > s.event_count")));
}
