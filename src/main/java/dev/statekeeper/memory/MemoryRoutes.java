package dev.statekeeper.memory;

import dev.statekeeper.StatekeeperException.InvalidInput;
import dev.statekeeper.http.Query;
import dev.statekeeper.http.Requests;
import dev.statekeeper.http.Routes;
import io.javalin.http.Context;
import java.util.Map;

/** {@code /v1/memory}: a thin translation between HTTP and {@link Memory}. */
final class MemoryRoutes {

  private final Memory memory;
  private final long maxBody;

  MemoryRoutes(Memory memory, long maxBody) {
    this.memory = memory;
    this.maxBody = maxBody;
  }

  void register(Routes r) {
    r.get("/v1/memory", this::list, "prefix", "type", "limit", "cursor");
    r.post("/v1/memory/search", this::search);
    r.put("/v1/memory/{namespace}/{key}", this::put);
    r.get("/v1/memory/{namespace}/{key}", this::get, "version");
    r.delete("/v1/memory/{namespace}/{key}", this::delete);
    r.get("/v1/memory/{namespace}/{key}/history", this::history, "limit", "cursor");
  }

  private void put(Context ctx) {
    Precondition pre = precondition(ctx);
    MemoryWrite body = Requests.body(ctx, MemoryWrite.class, maxBody);
    String ns = ctx.pathParam("namespace");
    String key = ctx.pathParam("key");
    PutResult r = memory.put(Requests.caller(ctx), ns, key, body, pre);
    if (r.created()) {
      ctx.header("Location", "/v1/memory/" + ns + "/" + key);
    }
    entry(ctx, r.created() ? 201 : 200, r.entry());
  }

  private void get(Context ctx) {
    Long version = Query.longValue(ctx, "version");
    String ns = ctx.pathParam("namespace");
    String key = ctx.pathParam("key");
    MemoryEntry e =
        version == null
            ? memory.get(Requests.caller(ctx), ns, key)
            : memory.get(Requests.caller(ctx), ns, key, version);
    entry(ctx, 200, e);
  }

  private void delete(Context ctx) {
    Precondition pre = precondition(ctx);
    entry(ctx, 200, memory.delete(Requests.caller(ctx), ctx.pathParam("namespace"), ctx.pathParam("key"), pre));
  }

  private void history(Context ctx) {
    Requests.json(
        ctx, 200,
        page(
            memory.history(
                Requests.caller(ctx), ctx.pathParam("namespace"), ctx.pathParam("key"),
                Query.integer(ctx, "limit"), Query.string(ctx, "cursor"))));
  }

  private void list(Context ctx) {
    MemoryQuery q =
        new MemoryQuery(
            Query.string(ctx, "prefix"), Query.string(ctx, "type"), Query.integer(ctx, "limit"), Query.string(ctx, "cursor"));
    Requests.json(ctx, 200, page(memory.list(Requests.caller(ctx), q)));
  }

  private void search(Context ctx) {
    SearchRequest body = Requests.body(ctx, SearchRequest.class, maxBody);
    Requests.json(ctx, 200, Map.of("items", memory.search(Requests.caller(ctx), body)));
  }

  /**
   * {@code If-Match: "N"} (the current version is N), {@code If-Match: *} (a live entry exists),
   * {@code If-None-Match: *} (none exists: create only); not both headers at once.
   */
  private static Precondition precondition(Context ctx) {
    String match = ctx.header("If-Match");
    String noneMatch = ctx.header("If-None-Match");
    boolean hasMatch = match != null && !match.isBlank();
    boolean hasNoneMatch = noneMatch != null && !noneMatch.isBlank();
    if (hasMatch && hasNoneMatch) {
      throw new InvalidInput("invalid_precondition", "send If-Match or If-None-Match, not both");
    }
    if (hasNoneMatch) {
      if (!noneMatch.trim().equals("*")) {
        throw new InvalidInput(
            "invalid_if_none_match", "If-None-Match supports only * (create only if absent); got " + noneMatch);
      }
      return Precondition.ABSENT;
    }
    if (hasMatch) {
      Long version = Requests.ifMatch(ctx, /* required= */ false);
      return version == null ? Precondition.EXISTS : Precondition.ifVersion(version);
    }
    return Precondition.NONE;
  }

  private static Map<String, Object> page(dev.statekeeper.memory.MemoryPage p) {
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("items", p.items());
    body.put("next_cursor", p.nextCursor());
    return body;
  }

  private static void entry(Context ctx, int status, MemoryEntry e) {
    ctx.header("ETag", "\"" + e.version() + "\"");
    Requests.json(ctx, status, e);
  }
}
