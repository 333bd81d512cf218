package dev.statekeeper.keys;

import dev.statekeeper.http.Query;
import dev.statekeeper.Role;
import dev.statekeeper.http.Requests;
import dev.statekeeper.http.Routes;
import io.javalin.http.Context;
import java.util.Map;

/** {@code /v1/keys}: making, listing and revoking API keys. */
record KeyRoutes(Keys keys, long maxBody) {

  // request bodies, bound strictly by the HTTP layer's Json
  record NewKey(String tenant, String subject, Role role) {}

  void register(Routes r) {
    r.post("/v1/keys", this::create);
    r.get("/v1/keys", this::list, "tenant");
    r.delete("/v1/keys/{id}", this::revoke);
  }

  private void create(Context ctx) {
    NewKey b = Requests.body(ctx, NewKey.class, maxBody);
    Requests.json(ctx, 201, keys.create(Requests.caller(ctx), b.tenant(), b.subject(), b.role()));
  }

  private void list(Context ctx) {
    Requests.json(ctx, 200, Map.of("items", keys.list(Requests.caller(ctx), Query.string(ctx, "tenant"))));
  }

  private void revoke(Context ctx) {
    Requests.json(ctx, 200, keys.revoke(Requests.caller(ctx), ctx.pathParam("id")));
  }
}
