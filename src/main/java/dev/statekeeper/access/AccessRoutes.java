package dev.statekeeper.access;

import dev.statekeeper.Action;
import dev.statekeeper.Caller;
import dev.statekeeper.StatekeeperException.InvalidInput;
import dev.statekeeper.http.Query;
import dev.statekeeper.http.Requests;
import dev.statekeeper.http.Routes;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code /v1/access}: grants and checks. */
record AccessRoutes(Access access, long maxBody) {

  static final int MAX_BATCH = 100;

  record CheckBody(String subject, Action action, String resource) {}

  record CheckBatch(List<CheckBody> checks) {}

  void register(Routes r) {
    r.post("/v1/access/grants", this::grant);
    r.delete("/v1/access/grants", this::revoke);
    r.get("/v1/access/grants", this::list, "resource", "subject");
    r.post("/v1/access/check", this::check);
    r.post("/v1/access/check-batch", this::checkBatch);
  }

  private void grant(Context ctx) {
    Requests.json(ctx, 201, access.grant(Requests.caller(ctx), Requests.body(ctx, Grant.class, maxBody)));
  }

  private void revoke(Context ctx) {
    Requests.json(ctx, 200, access.revoke(Requests.caller(ctx), Requests.body(ctx, Grant.class, maxBody)));
  }

  private void list(Context ctx) {
    Requests.json(ctx, 200, Map.of("items", access.list(Requests.caller(ctx), Query.string(ctx, "resource"), Query.string(ctx, "subject"))));
  }

  private void check(Context ctx) {
    Requests.json(ctx, 200, decide(Requests.caller(ctx), Requests.body(ctx, CheckBody.class, maxBody)));
  }

  private void checkBatch(Context ctx) {
    CheckBatch b = Requests.body(ctx, CheckBatch.class, maxBody);
    if (b.checks() == null || b.checks().isEmpty() || b.checks().size() > MAX_BATCH) {
      throw new InvalidInput("invalid_batch", "checks must hold 1 to " + MAX_BATCH + " checks");
    }
    Caller caller = Requests.caller(ctx);
    List<Decision> items = new ArrayList<>();
    for (int i = 0; i < b.checks().size(); i++) {
      try {
        items.add(decide(caller, b.checks().get(i)));
      } catch (InvalidInput e) {
        throw new InvalidInput(e.code(), "check " + i + ": " + e.getMessage());
      }
    }
    Requests.json(ctx, 200, Map.of("items", items));
  }

  private Decision decide(Caller caller, CheckBody c) {
    if (c == null || c.action() == null) {
      throw new InvalidInput("invalid_check", "a check needs subject, action and resource");
    }
    return access.check(caller, c.subject(), c.action(), c.resource());
  }
}
