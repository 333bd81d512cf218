package dev.statekeeper.sessions;

import dev.statekeeper.StatekeeperException.InvalidInput;
import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.http.Query;
import dev.statekeeper.http.Requests;
import dev.statekeeper.http.Routes;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/** {@code /v1/sessions}: a thin translation between HTTP and {@link Sessions}. */
final class SessionRoutes {

  // request bodies, bound strictly by the HTTP layer's Json
  /** One event ({@code type}, {@code data}) or a batch ({@code events}), not both. */
  record Append(String type, JsonNode data, List<NewEvent> events) {}

  record State(JsonNode state) {}

  /** A body that carries nothing (an empty body reads as {@code {}}). */
  record Empty() {}


  private final Sessions sessions;
  private final long maxBody;

  SessionRoutes(Sessions sessions, long maxBody) {
    this.sessions = sessions;
    this.maxBody = maxBody;
  }

  void register(Routes r) {
    r.post("/v1/sessions", this::create);
    r.get("/v1/sessions", this::list, "agent", "user", "status", "limit", "cursor");
    r.get("/v1/sessions/{id}", this::get);
    r.delete("/v1/sessions/{id}", this::delete);
    r.post("/v1/sessions/{id}/events", this::append);
    r.get("/v1/sessions/{id}/events", this::events, "after_seq", "before_seq", "order", "limit");
    r.put("/v1/sessions/{id}/state", this::replaceState);
    r.post("/v1/sessions/{id}/terminate", this::terminate);
  }

  private void create(Context ctx) {
    NewSession body = Requests.body(ctx, NewSession.class, maxBody);
    Session s = sessions.create(Requests.caller(ctx), body);
    ctx.header("Location", "/v1/sessions/" + s.id());
    session(ctx, 201, s);
  }

  private void list(Context ctx) {
    Requests.json(ctx, 200, sessions.list(Requests.caller(ctx), new SessionQuery(
        Query.string(ctx, "agent"), Query.string(ctx, "user"), Query.string(ctx, "status"), Query.integer(ctx, "limit"),
        Query.string(ctx, "cursor"))));
  }

  private void delete(Context ctx) {
    String id = ctx.pathParam("id");
    long events = sessions.delete(Requests.caller(ctx), id);
    Requests.json(ctx, 200, Map.of("id", id, "deleted", true, "events", events));
  }

  private void get(Context ctx) {
    session(ctx, 200, sessions.get(Requests.caller(ctx), ctx.pathParam("id")));
  }

  /** {@code {type, data}} appends one event, {@code {events: […]}} a batch; both answer {@code {items}}. */
  private void append(Context ctx) {
    Append b = Requests.body(ctx, Append.class, maxBody);
    List<NewEvent> events;
    if (b.events() != null) {
      if (b.type() != null || (b.data() != null && !b.data().isNull())) {
        throw new InvalidInput("invalid_events", "send either {\"type\", \"data\"} or {\"events\": [...]}, not both");
      }
      events = b.events();
    } else {
      events = java.util.Collections.singletonList(new NewEvent(b.type(), b.data()));
    }
    Requests.json(ctx, 201, Map.of("items", sessions.append(Requests.caller(ctx), ctx.pathParam("id"), events)));
  }

  private void events(Context ctx) {
    Requests.json(
        ctx, 200,
        sessions.events(
            Requests.caller(ctx), ctx.pathParam("id"), Query.longValue(ctx, "after_seq"), Query.longValue(ctx, "before_seq"),
            Query.string(ctx, "order"), Query.integer(ctx, "limit")));
  }

  private void replaceState(Context ctx) {
    Long version = Requests.ifMatch(ctx, /* required= */ true);
    State b = Requests.body(ctx, State.class, maxBody);
    session(ctx, 200, sessions.replaceState(Requests.caller(ctx), ctx.pathParam("id"), version, b.state()));
  }

  private void terminate(Context ctx) {
    Requests.body(ctx, Empty.class, maxBody);
    session(ctx, 200, sessions.terminate(Requests.caller(ctx), ctx.pathParam("id")));
  }

  private static void session(Context ctx, int status, Session s) {
    ctx.header("ETag", "\"" + s.version() + "\"");
    Requests.json(ctx, status, s);
  }
}
