import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  Conflict, IdempotencyKeyReused, InvalidInput, LeaseNotHeld, NotFound, PreconditionFailed, PreconditionRequired,
} from "../src/index.js";
import { Tenant, newTenant, rejection, skip, unique } from "./support.js";

describe("tasks", { skip }, () => {
  let t: Tenant;
  before(async () => (t = await newTenant()));

  test("create answers the pending task with the server's defaults", async () => {
    const task = await t.admin.tasks.create("summarize", { queue: unique("q"), payload: { doc: "a.md" }, priority: "HIGH" });
    assert.equal(task.status, "pending");
    assert.equal(task.attempt, 0);
    assert.equal(task.max_attempts, 3);
    assert.deepEqual(task.payload, { doc: "a.md" });
    assert.deepEqual(await t.admin.tasks.get(task.id), await t.admin.tasks.get(task));
  });

  test("the same idempotency key returns the first task, another body is a conflict", async () => {
    const q = unique("q");
    const first = await t.admin.tasks.create("t", { queue: q }, { idempotencyKey: "k-1" });
    const again = await t.admin.tasks.create("t", { queue: q }, { idempotencyKey: "k-1" });
    assert.equal(again.id, first.id);
    const e = await rejection(t.admin.tasks.create("other", { queue: q }, { idempotencyKey: "k-1" }), IdempotencyKeyReused);
    assert.equal(e.status, 409);
    assert.equal((await t.admin.tasks.stats(q)).counts.pending, 1);
  });

  test("a batch creates all in order, or nothing when an item is bad", async () => {
    const q = unique("q");
    const items = await t.admin.tasks.createBatch([{ type: "a", queue: q }, { type: "b", queue: q, idempotency_key: "k-b" }]);
    assert.deepEqual(items.map((x) => x.type), ["a", "b"]);
    const [again] = await t.admin.tasks.createBatch([{ type: "b", queue: q, idempotency_key: "k-b" }]);
    assert.equal(again?.id, items[1]?.id);
    const bad = unique("q");
    const e = await rejection(
      t.admin.tasks.createBatch([{ type: "a", queue: bad }, { type: "b", queue: bad, priority: "urgent" as never }]),
      InvalidInput,
    );
    assert.equal(e.code, "invalid_priority");
    assert.deepEqual((await t.admin.tasks.list({ queue: bad })).items, []);
  });

  test("claim then complete with the claimed task sends its agent and attempt", async () => {
    const q = unique("q");
    const created = await t.admin.tasks.create("t", { queue: q });
    const [claimed] = await t.admin.tasks.claim("worker-1", { queues: [q] });
    assert.ok(claimed);
    assert.equal(claimed.id, created.id);
    assert.deepEqual([claimed.status, claimed.attempt, claimed.claimed_by], ["claimed", 1, "worker-1"]);
    const done = await t.admin.tasks.complete(claimed, { ok: true });
    assert.deepEqual([done.status, done.result], ["completed", { ok: true }]);
    const events = await t.admin.tasks.events(claimed);
    assert.deepEqual(events.map((e) => e.action), ["created", "claimed", "completed"]);
    assert.equal(events[2]?.actor, "user:admin/worker-1");
  });

  test("complete by another agent or another key is LeaseNotHeld and changes nothing", async () => {
    const q = unique("q");
    await t.admin.tasks.create("t", { queue: q });
    const [claimed] = await t.admin.tasks.claim("worker-1", { queues: q });
    assert.ok(claimed);
    const e = await rejection(t.admin.tasks.complete(claimed, null, { agent: "worker-2" }), LeaseNotHeld);
    assert.deepEqual([e.status, e.code], [409, "lease_not_held"]);
    assert.ok(e instanceof Conflict);
    await rejection(t.root.inTenant(t.tenant).tasks.complete(claimed), LeaseNotHeld);
    assert.equal((await t.admin.tasks.get(claimed)).status, "claimed");
    const byId = await rejection(t.admin.tasks.complete(claimed.id, null, { agent: "worker-1" }), InvalidInput);
    assert.equal(byId.code, "attempt_required");
    assert.equal((await t.admin.tasks.complete(claimed.id, null, { agent: "worker-1", attempt: 1 })).status, "completed");
  });

  test("fail without retry fails for good, with retry goes back to pending", async () => {
    const q = unique("q");
    await t.admin.tasks.createBatch([{ type: "t", queue: q }, { type: "t", queue: q }]);
    const [a, b] = await t.admin.tasks.claim("w", { queues: q, limit: 2 });
    assert.ok(a && b);
    const failed = await t.admin.tasks.fail(a, "disk full", { retry: false });
    assert.deepEqual([failed.status, failed.error], ["failed", "disk full"]);
    const again = await t.admin.tasks.fail(b, "flaky");
    assert.deepEqual([again.status, again.attempt], ["pending", 1]);
  });

  test("heartbeat extends the lease to the seconds it names", async () => {
    const q = unique("q");
    await t.admin.tasks.create("t", { queue: q });
    const [claimed] = await t.admin.tasks.claim("w", { queues: q, leaseSeconds: 5 });
    assert.ok(claimed);
    const beat = await t.admin.tasks.heartbeat(claimed, { leaseSeconds: 600 });
    assert.ok(beat.lease_expires_at! > claimed.lease_expires_at!);
  });

  test("patch uses the task's version; a stale one is PreconditionFailed, none is PreconditionRequired", async () => {
    const task = await t.admin.tasks.create("t", { queue: unique("q") });
    const patched = await t.admin.tasks.patch(task, { priority: "CRITICAL" });
    assert.deepEqual([patched.priority, patched.version], ["CRITICAL", task.version + 1]);
    const stale = await rejection(t.admin.tasks.patch(task, { priority: "LOW" }), PreconditionFailed);
    assert.equal(stale.currentVersion, patched.version);
    const none = await rejection(t.admin.tasks.patch(task.id, { priority: "LOW" }), PreconditionRequired);
    assert.equal(none.code, "if_match_required");
    assert.equal((await t.admin.tasks.patch(task.id, { priority: "LOW" }, { ifMatch: "*" })).priority, "LOW");
  });

  test("cancel cancels, and a second cancel is task_final", async () => {
    const task = await t.admin.tasks.create("t", { queue: unique("q") });
    assert.equal((await t.admin.tasks.cancel(task, "not needed")).status, "cancelled");
    assert.equal((await rejection(t.admin.tasks.cancel(task), Conflict)).code, "task_final");
  });

  test("list pages in creation order and filters by status; stats count", async () => {
    const q = unique("q");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await t.admin.tasks.create("t", { queue: q })).id);
    const page = await t.admin.tasks.list({ queue: q, limit: 2 });
    assert.equal(page.items.length, 2);
    assert.notEqual(page.next_cursor, null);
    const all: string[] = [];
    for await (const task of t.admin.tasks.iter({ queue: q, limit: 2 })) all.push(task.id);
    assert.deepEqual(all, ids);
    await t.admin.tasks.cancel(ids[0]!);
    const cancelled: string[] = [];
    for await (const task of t.admin.tasks.iter({ queue: q, status: "cancelled" })) cancelled.push(task.id);
    assert.deepEqual(cancelled, ids.slice(0, 1));
    const stats = await t.admin.tasks.stats(q);
    assert.deepEqual([stats.counts.pending, stats.counts.cancelled, stats.by_priority.NORMAL.pending], [4, 1, 4]);
  });

  test("a claim with waitSeconds returns a task created while it waits", async () => {
    const q = unique("q");
    const waiting = t.admin.tasks.claim("w", { queues: q, waitSeconds: 20 });
    const created = await t.admin.tasks.create("t", { queue: q });
    assert.deepEqual((await waiting).map((x) => x.id), [created.id]);
  });

  test("bad input is the server's 4xx", async () => {
    const nf = await rejection(t.admin.tasks.get("01a00000-0000-7000-8000-000000000000"), NotFound);
    assert.equal(nf.code, "task_not_found");
    assert.equal((await rejection(t.admin.tasks.create("t", { priority: "urgent" as never }), InvalidInput)).code, "invalid_priority");
    assert.equal((await rejection(t.admin.tasks.create("t", { colour: "red" } as never), InvalidInput)).code, "unknown_field");
    assert.equal((await rejection(t.admin.tasks.claim("w", { limit: 1000 }), InvalidInput)).status, 400);
  });
});
