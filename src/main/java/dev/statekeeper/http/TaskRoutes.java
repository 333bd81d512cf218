package dev.statekeeper.http;

import dev.statekeeper.Caller;
import dev.statekeeper.StatekeeperException.InvalidInput;
import dev.statekeeper.tasks.ClaimRequest;
import dev.statekeeper.tasks.CreateResult;
import dev.statekeeper.tasks.NewTask;
import dev.statekeeper.tasks.Priority;
import dev.statekeeper.tasks.Task;
import dev.statekeeper.tasks.TaskPatch;
import dev.statekeeper.tasks.TaskQuery;
import dev.statekeeper.tasks.TaskStatus;
import dev.statekeeper.tasks.Tasks;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/** {@code /v1/tasks}: a thin translation between HTTP and {@link Tasks}. */
final class TaskRoutes {

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
    Bodies.Batch body = Requests.body(ctx, Bodies.Batch.class, maxBody);
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
    Bodies.Claim b = Requests.body(ctx, Bodies.Claim.class, maxBody);
    ClaimRequest request =
        new ClaimRequest(
            b.agent(), b.queues(), b.types(), b.limit(), Requests.seconds(b.leaseSeconds()), Requests.seconds(b.waitSeconds()));
    Requests.json(ctx, 200, Map.of("items", tasks.claim(Requests.caller(ctx), request)));
  }

  private void heartbeat(Context ctx) {
    Bodies.Heartbeat b = Requests.body(ctx, Bodies.Heartbeat.class, maxBody);
    Caller c = Requests.caller(ctx);
    task(ctx, 200, tasks.heartbeat(c, ctx.pathParam("id"), b.agent(), b.attempt(), Requests.seconds(b.leaseSeconds())));
  }

  private void complete(Context ctx) {
    Bodies.Complete b = Requests.body(ctx, Bodies.Complete.class, maxBody);
    task(ctx, 200, tasks.complete(Requests.caller(ctx), ctx.pathParam("id"), b.agent(), b.attempt(), b.result()));
  }

  private void fail(Context ctx) {
    Bodies.Fail b = Requests.body(ctx, Bodies.Fail.class, maxBody);
    boolean retry = b.retry() == null || b.retry();
    task(ctx, 200, tasks.fail(Requests.caller(ctx), ctx.pathParam("id"), b.agent(), b.attempt(), b.error(), retry));
  }

  private void cancel(Context ctx) {
    Bodies.Cancel b = Requests.body(ctx, Bodies.Cancel.class, maxBody);
    task(ctx, 200, tasks.cancel(Requests.caller(ctx), ctx.pathParam("id"), b.reason()));
  }

  private static void task(Context ctx, int status, Task t) {
    ctx.header("ETag", "\"" + t.version() + "\"");
    Requests.json(ctx, status, t);
  }
}
