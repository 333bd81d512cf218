package dev.statekeeper.audit;

import dev.statekeeper.Caller;
import dev.statekeeper.Capability;
import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.http.Query;
import dev.statekeeper.http.Requests;
import dev.statekeeper.http.Routes;
import dev.statekeeper.store.Store;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /v1/audit}: the audit log of the caller's tenant, for admin and root keys. */
public final class Audit implements Capability {

  private final Store store;

  public Audit(Store store) {
    this.store = store;
  }

  /** The records of the caller's tenant, newest first, {@code limit} (1-1000, default 100) at a time. */
  public List<AuditLog.Entry> list(Caller caller, Long beforeId, Integer limit) {
    if (caller.role() != Role.ADMIN && caller.role() != Role.ROOT) {
      throw new StatekeeperException.Forbidden("admin_required", "the audit log is for admin and root keys");
    }
    int n = limit == null ? 100 : limit;
    if (n < 1 || n > 1000) {
      throw new StatekeeperException.InvalidInput("invalid_limit", "limit must be between 1 and 1000; got " + n);
    }
    return AuditLog.list(store, caller.tenant(), beforeId, n);
  }

  @Override
  public void routes(Routes routes) {
    routes.get("/v1/audit", ctx -> {
      Integer limit = Query.integer(ctx, "limit");
      int n = limit == null ? 100 : limit;
      Caller caller = Requests.caller(ctx);
      Long before = Query.longValue(ctx, "before_id");
      List<AuditLog.Entry> items = list(caller, before, limit);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("items", items);
      // a next page only when a record is there before the last of this one
      boolean more = items.size() == n && !list(caller, items.get(n - 1).id(), 1).isEmpty();
      body.put("next_before_id", more ? items.get(n - 1).id() : null);
      Requests.json(ctx, 200, body);
    }, "limit", "before_id");
  }
}
