package dev.statekeeper.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.Caller;
import dev.statekeeper.StatekeeperException.InvalidInput;
import dev.statekeeper.http.Query;
import dev.statekeeper.http.Requests;
import dev.statekeeper.http.Routes;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/** {@code /v1/tasks}: a thin translation between HTTP and {@link Tasks}. */
final class TaskRoutes {

  // request bodies, bound strictly by the HTTP layer's Json
  record Batch(List<NewTask> tasks) {}

  record Claim(
      String agent,
      List<String> queues,
      List<String> types,
      Integer limit,
      Integer leaseSeconds,
      Integer waitSeconds) {}

  record Heartbeat(String agent, Integer attempt, Integer leaseSeconds) {}

  record Complete(String agent, Integer attempt, JsonNode result) {}

  record Fail(String agent, Integer attempt, String error, Boolean retry) {}

  record Cancel(String reason) {}


  private final Tasks tasks;
  private final long maxBody;

  TaskRoutes(Tasks tasks, long maxBody) {
    this.tasks = tasks;
    this.maxBody = maxBody;
  }

  void register(Routes r) {
    // fixed paths before /{id}
    r.get("/v1/tasks/stats", this::stats, "queue");
    r.post("/v1/tasks/batch", this::createBatch);
    r.post("/v1/tasks/claim", this::claim);
    r.post("/v1/tasks", this::create);
    r.get("/v1/tasks", this::list, "queue", "status", "priority", "limit", "cursor");
    r.get("/v1/tasks/{id}", this::get);
    r.patch("/v1/tasks/{id}", this::patch);
    r.get("/v1/tasks/{id}/events", this::events);
    r.post("/v1/tasks/{id}/heartbeat", this::heartbeat);
    r.post("/v1/tasks/{id}/complete", this::complete);
    r.post("/v1/tasks/{id}/fail", this::fail);
    r.post("/v1/tasks/{id}/cancel", this::cancel);
  }

  private void create(Context ctx) {
    NewTask body = Requests.body(ctx, NewTask.class, maxBody);
    if (body.idempotencyKey() != null) {
      throw new InvalidInput(
          "unknown_field", "send the idempotency key as the Idempotency-Key header, not in the body");
    }
    CreateResult r = tasks.create(Requests.caller(ctx), body, ctx.header("Idempotency-Key"));
    ctx.header("Location", "/v1/tasks/" + r.task().id());
    task(ctx, r.created() ? 201 : 200, r.task());
  }

  private void createBatch(Context ctx) {
    Batch body = Requests.body(ctx, Batch.class, maxBody);
    if (body.tasks() == null) {
      throw new InvalidInput("invalid_batch", "the body must be {\"tasks\": [...]}");
    }
    List<Task> items = tasks.createBatch(Requests.caller(ctx), body.tasks()).stream().map(CreateResult::task).toList();
    Requests.json(ctx, 201, Map.of("items", items));
  }

  private void list(Context ctx) {
    String status = Query.string(ctx, "status");
    String priority = Query.string(ctx, "priority");
    TaskQuery q =
        new TaskQuery(
            Query.string(ctx, "queue"),
            status == null ? null : TaskStatus.fromWire(status),
            priority == null ? null : Priority.parse(priority),
            Query.integer(ctx, "limit"),
            Query.string(ctx, "cursor"));
    var page = tasks.list(Requests.caller(ctx), q);
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("items", page.items());
    body.put("next_cursor", page.nextCursor());
    Requests.json(ctx, 200, body);
  }

  private void get(Context ctx) {
    task(ctx, 200, tasks.get(Requests.caller(ctx), ctx.pathParam("id")));
  }

  private void patch(Context ctx) {
    Long version = Requests.ifMatch(ctx, /* required= */ true);
    TaskPatch body = Requests.body(ctx, TaskPatch.class, maxBody);
    task(ctx, 200, tasks.patch(Requests.caller(ctx), ctx.pathParam("id"), version, body));
  }

  private void events(Context ctx) {
    Requests.json(ctx, 200, Map.of("items", tasks.events(Requests.caller(ctx), ctx.pathParam("id"))));
  }

  private void stats(Context ctx) {
    Requests.json(ctx, 200, tasks.stats(Requests.caller(ctx), Query.string(ctx, "queue")));
  }

  private void claim(Context ctx) {
    Claim b = Requests.body(ctx, Claim.class, maxBody);
    ClaimRequest request =
        new ClaimRequest(
            b.agent(), b.queues(), b.types(), b.limit(), Requests.seconds(b.leaseSeconds()), Requests.seconds(b.waitSeconds()));
    Requests.json(ctx, 200, Map.of("items", tasks.claim(Requests.caller(ctx), request)));
  }

  private void heartbeat(Context ctx) {
    Heartbeat b = Requests.body(ctx, Heartbeat.class, maxBody);
    Caller c = Requests.caller(ctx);
    task(ctx, 200, tasks.heartbeat(c, ctx.pathParam("id"), b.agent(), b.attempt(), Requests.seconds(b.leaseSeconds())));
  }

  private void complete(Context ctx) {
    Complete b = Requests.body(ctx, Complete.class, maxBody);
    task(ctx, 200, tasks.complete(Requests.caller(ctx), ctx.pathParam("id"), b.agent(), b.attempt(), b.result()));
  }

  private void fail(Context ctx) {
    Fail b = Requests.body(ctx, Fail.class, maxBody);
    boolean retry = b.retry() == null || b.retry();
    task(ctx, 200, tasks.fail(Requests.caller(ctx), ctx.pathParam("id"), b.agent(), b.attempt(), b.error(), retry));
  }

  private void cancel(Context ctx) {
    Cancel b = Requests.body(ctx, Cancel.class, maxBody);
    task(ctx, 200, tasks.cancel(Requests.caller(ctx), ctx.pathParam("id"), b.reason()));
  }

  private static void task(Context ctx, int status, Task t) {
    ctx.header("ETag", "\"" + t.version() + "\"");
    Requests.json(ctx, status, t);
  }
}
