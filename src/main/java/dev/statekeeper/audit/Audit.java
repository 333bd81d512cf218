package dev.statekeeper.audit;

import dev.statekeeper.Caller;
import dev.statekeeper.Capability;
import dev.statekeeper.Role;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.http.Query;
import dev.statekeeper.http.Requests;
import dev.statekeeper.http.Routes;
import dev.statekeeper.store.Store;
import java.util.List;

/** {@code GET /v1/audit}: the audit log of the caller's tenant, for admin and root keys. */
public final class Audit implements Capability {

  private final Store store;

  public Audit(Store store) {
    this.store = store;
  }

  /** The records of the caller's tenant, newest first, {@code limit} (1-1000, default 100) at a time. */
  public List<AuditLog.Entry> list(Caller caller, Long beforeId, Integer limit) {
    return page(caller, beforeId, limit).items();
  }

  /**
   * A page of {@link #list}; {@code nextBeforeId} is the {@code before_id} of the next page, null
   * when no record is older than this page's last.
   */
  public record Page(List<AuditLog.Entry> items, Long nextBeforeId) {}

  /** One page of the records, newest first: one row more is read to know whether another page follows. */
  public Page page(Caller caller, Long beforeId, Integer limit) {
    if (caller.role() != Role.ADMIN && caller.role() != Role.ROOT) {
      throw new StatekeeperException.Forbidden("admin_required", "the audit log is for admin and root keys");
    }
    int n = limit == null ? 100 : limit;
    if (n < 1 || n > 1000) {
      throw new StatekeeperException.InvalidInput("invalid_limit", "limit must be between 1 and 1000; got " + n);
    }
    List<AuditLog.Entry> rows = AuditLog.list(store, caller.tenant(), beforeId, n + 1);
    return rows.size() > n ? new Page(rows.subList(0, n), rows.get(n - 1).id()) : new Page(rows, null);
  }

  @Override
  public void routes(Routes routes) {
    routes.get("/v1/audit",
        ctx -> Requests.json(ctx, 200,
            page(Requests.caller(ctx), Query.longValue(ctx, "before_id"), Query.integer(ctx, "limit"))),
        "limit", "before_id");
  }
}
