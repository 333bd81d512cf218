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
    r.get("/v1/memory", this::list,
        "prefix", "namespace", "type", "order", "start_after", "end_before", "filter", "limit", "cursor");
    r.delete("/v1/memory", this::purgeSubtree, "prefix", "purge");
    r.post("/v1/memory/search", this::search);
    r.post("/v1/memory/batch", this::batch);
    r.get("/v1/memory/namespaces", this::namespaces, "prefix", "suffix", "max_depth", "limit", "offset");
    r.put("/v1/memory/{namespace}/{key}", this::put);
    r.get("/v1/memory/{namespace}/{key}", this::get, "version", "refresh_ttl");
    r.delete("/v1/memory/{namespace}/{key}", this::delete, "purge");
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
    boolean refresh = Query.bool(ctx, "refresh_ttl");
    if (version != null && refresh) {
      throw new InvalidInput("invalid_parameter", "refresh_ttl applies to the current version, not to version=" + version);
    }
    String ns = ctx.pathParam("namespace");
    String key = ctx.pathParam("key");
    MemoryEntry e =
        version == null
            ? memory.get(Requests.caller(ctx), ns, key, refresh)
            : memory.get(Requests.caller(ctx), ns, key, version);
    entry(ctx, 200, e);
  }

  private void delete(Context ctx) {
    if (Query.bool(ctx, "purge")) {
      if (ctx.header("If-Match") != null || ctx.header("If-None-Match") != null) {
        throw new InvalidInput("invalid_precondition", "a purge takes no precondition: it removes every version");
      }
      Requests.json(ctx, 200, memory.purge(Requests.caller(ctx), ctx.pathParam("namespace"), ctx.pathParam("key")));
      return;
    }
    Precondition pre = precondition(ctx);
    entry(ctx, 200, memory.delete(Requests.caller(ctx), ctx.pathParam("namespace"), ctx.pathParam("key"), pre));
  }

  private void purgeSubtree(Context ctx) {
    String prefix = Query.string(ctx, "prefix");
    if (!Query.bool(ctx, "purge")) {
      throw new InvalidInput("purge_required",
          "DELETE /v1/memory removes a whole subtree for good, history included; send prefix=…&purge=true to mean it"
              + " (DELETE /v1/memory/{namespace}/{key} deletes one entry and keeps its history)");
    }
    if (prefix == null) {
      throw new InvalidInput("invalid_prefix", "a purge needs the prefix of the subtree to remove");
    }
    Requests.json(ctx, 200, memory.purgeSubtree(Requests.caller(ctx), prefix));
  }

  private void batch(Context ctx) {
    MemoryBatch body = Requests.body(ctx, MemoryBatch.class, maxBody);
    Requests.json(ctx, 200, Map.of("items", memory.batch(Requests.caller(ctx), body)));
  }

  private void namespaces(Context ctx) {
    Requests.json(ctx, 200, Map.of("items", memory.namespaces(Requests.caller(ctx), Query.string(ctx, "prefix"),
        Query.string(ctx, "suffix"), Query.integer(ctx, "max_depth"), Query.integer(ctx, "limit"),
        Query.integer(ctx, "offset"))));
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
            Query.string(ctx, "prefix"), Query.string(ctx, "namespace"), Query.string(ctx, "type"),
            Query.string(ctx, "order"), Query.string(ctx, "start_after"), Query.string(ctx, "end_before"),
            Query.string(ctx, "filter"), Query.integer(ctx, "limit"), Query.string(ctx, "cursor"));
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
