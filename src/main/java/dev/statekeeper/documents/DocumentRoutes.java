package dev.statekeeper.documents;

import dev.statekeeper.http.Requests;
import dev.statekeeper.http.Routes;
import io.javalin.http.Context;
import java.util.Map;

/** {@code /v1/documents}: a thin translation between HTTP and {@link Documents}. Ids may hold {@code /}. */
record DocumentRoutes(Documents documents, long maxBody) {

  void register(Routes r) {
    r.post("/v1/documents", this::create);
    r.post("/v1/documents/search", this::search);
    r.put("/v1/documents/<id>", this::replace);
    r.get("/v1/documents/<id>", this::get);
    r.delete("/v1/documents/<id>", this::delete);
  }

  private void create(Context ctx) {
    Document d = documents.create(Requests.caller(ctx), Requests.body(ctx, NewDocument.class, maxBody));
    ctx.header("Location", "/v1/documents/" + d.id());
    document(ctx, 201, d);
  }

  private void replace(Context ctx) {
    Documents.Replaced r =
        documents.replace(Requests.caller(ctx), ctx.pathParam("id"), Requests.body(ctx, NewDocument.class, maxBody));
    document(ctx, r.created() ? 201 : 200, r.document());
  }

  private void get(Context ctx) {
    document(ctx, 200, documents.get(Requests.caller(ctx), ctx.pathParam("id")));
  }

  private void delete(Context ctx) {
    String id = ctx.pathParam("id");
    documents.delete(Requests.caller(ctx), id);
    Requests.json(ctx, 200, Map.of("id", id, "deleted", true));
  }

  private void search(Context ctx) {
    DocumentSearch body = Requests.body(ctx, DocumentSearch.class, maxBody);
    Requests.json(ctx, 200, Map.of("items", documents.search(Requests.caller(ctx), body)));
  }

  private static void document(Context ctx, int status, Document d) {
    ctx.header("ETag", "\"" + d.version() + "\"");
    Requests.json(ctx, status, d);
  }
}
