import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { before, describe, test } from "node:test";
import { FailTask, Forbidden, Task, Worker, WorkerStats } from "../src/index.js";
import { Tenant, SERVER_URL, newTenant, rejection, skip, unique, waitFor } from "./support.js";

const quiet = { info() {}, warn() {}, error() {} };

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("worker", { skip }, () => {
  let t: Tenant;
  before(async () => (t = await newTenant()));

  test("several workers drain 2,000 tasks, each handled and completed exactly once", async () => {
    const q = unique("drain");
    const created: Task[] = [];
    for (const start of [0, 1000]) {
      created.push(
        ...(await t.admin.tasks.createBatch(Array.from({ length: 1000 }, (_, i) => ({ type: "n", queue: q, payload: { n: start + i } })))),
      );
    }
    const handled = new Map<string, number>();
    const workers = [0, 1, 2, 3].map(
      (i) =>
        new Worker({
          client: t.admin,
          agent: `drainer-${i}`,
          queues: q,
          concurrency: 4,
          handleSignals: false,
          logger: quiet,
          handler: async (task) => {
            handled.set(task.id, (handled.get(task.id) ?? 0) + 1);
            return { n: task.payload.n ?? null };
          },
        }),
    );
    const results: WorkerStats[] = await Promise.all(workers.map((w) => w.run({ untilIdle: true })));

    assert.deepEqual(new Set(handled.keys()), new Set(created.map((x) => x.id)));
    assert.equal(Math.max(...handled.values()), 1, "a task was handled twice");
    const sum = (f: (s: WorkerStats) => number) => results.reduce((a, s) => a + f(s), 0);
    assert.equal(sum((s) => s.completed), 2000);
    assert.equal(sum((s) => s.claimed), 2000);
    assert.equal(sum((s) => s.lost + s.errors + s.failed), 0);
    assert.ok(Math.min(...results.map((s) => s.completed)) > 0, "every worker took a share");
    const counts = (await t.admin.tasks.stats(q)).counts;
    assert.deepEqual([counts.completed, counts.pending, counts.claimed], [2000, 0, 0]);
    const done = await all(t.admin.tasks.iter({ queue: q, limit: 1000 }));
    assert.equal(done.length, 2000);
    for (const x of done) assert.deepEqual([x.status, x.attempt, x.result], ["completed", 1, { n: x.payload.n }]);
  });

  test("heartbeats keep the lease alive past its length while the handler runs", async () => {
    const q = unique("hb");
    const created = await t.admin.tasks.create("slow", { queue: q });
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let seen: Task | undefined;
    const worker = new Worker({
      client: t.admin, agent: "slow-worker", queues: q, leaseSeconds: 2, handleSignals: false, logger: quiet,
      handler: async (task) => {
        seen = task;
        await released;
        return { ok: true };
      },
    });
    const running = worker.run({ untilIdle: true });
    try {
      const first = (await waitFor(() => seen, "the handler to start")) as Task;
      const firstLeaseEnd = Date.parse(first.lease_expires_at!);
      await waitFor(async () => {
        const now = await t.admin.tasks.get(created);
        assert.deepEqual([now.status, now.attempt], ["claimed", 1]);
        return Date.parse(now.updated_at) > firstLeaseEnd;
      }, "a heartbeat after the first lease would have ended");
    } finally {
      release();
    }
    const stats = await running;
    assert.deepEqual([stats.completed, stats.lost], [1, 0]);
    const done = await t.admin.tasks.get(created);
    assert.deepEqual([done.status, done.attempt, done.result], ["completed", 1, { ok: true }]);
    assert.deepEqual((await t.admin.tasks.events(created)).map((e) => e.action), ["created", "claimed", "completed"]);
  });

  test("a handler's rejection fails the attempt with its message", async () => {
    const q = unique("fail");
    const boom = await t.admin.tasks.create("boom", { queue: q, max_attempts: 1 });
    const final = await t.admin.tasks.create("final", { queue: q, max_attempts: 5 });
    const notJson = await t.admin.tasks.create("not-json", { queue: q, max_attempts: 1 });
    const stats = await new Worker({
      client: t.admin, agent: "failing", queues: q, concurrency: 3, handleSignals: false, logger: quiet,
      handler: async (task) => {
        if (task.type === "boom") throw new RangeError("no such document");
        if (task.type === "final") throw new FailTask("bad payload", { retry: false });
        return { big: 1n } as never;
      },
    }).run({ untilIdle: true });
    assert.deepEqual([stats.failed, stats.completed], [3, 0]);
    assert.equal((await t.admin.tasks.get(boom)).error, "RangeError: no such document");
    const f = await t.admin.tasks.get(final);
    assert.deepEqual([f.status, f.error], ["failed", "bad payload"]);
    const n = await t.admin.tasks.get(notJson);
    assert.equal(n.status, "failed");
    assert.match(n.error ?? "", /not JSON/);
  });

  test("a lease taken away aborts the handler's signal and its result is dropped", async () => {
    const q = unique("lost");
    const created = await t.admin.tasks.create("t", { queue: q });
    let started = false;
    const worker = new Worker({
      client: t.admin, agent: "loser", queues: q, leaseSeconds: 2, handleSignals: false, logger: quiet,
      handler: async (_task, { signal }) => {
        started = true;
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        return { late: true };
      },
    });
    const running = worker.run({ untilIdle: true });
    await waitFor(() => started, "the handler to start");
    await t.admin.tasks.cancel(created, "taken away");
    const stats = await running;
    assert.deepEqual([stats.lost, stats.completed], [1, 0]);
    const now = await t.admin.tasks.get(created);
    assert.deepEqual([now.status, now.result], ["cancelled", null]);
  });

  test("an abort signal stops the worker; a claim refused for good rejects run", async () => {
    const controller = new AbortController();
    const w = new Worker({ client: t.admin, agent: "idle", queues: unique("q"), signal: controller.signal, handleSignals: false,
      logger: quiet, handler: () => null, waitSeconds: 1 });
    const running = w.run();
    controller.abort();
    assert.equal((await running).claimed, 0);
    const agent = await t.key("agent:" + unique("nogrant"));
    const refused = new Worker({ client: agent, agent: "w", queues: unique("q"), handleSignals: false, logger: quiet, handler: () => null });
    await rejection(refused.run({ untilIdle: true }), Forbidden);
  });

  test("SIGTERM finishes the tasks in flight, claims no more, and exits cleanly", async () => {
    const q = unique("sig");
    const key = (await t.admin.keys.create(t.tenant, "user:sig", "admin")).key;
    const ids = (await t.admin.tasks.createBatch(Array.from({ length: 5 }, () => ({ type: "t", queue: q })))).map((x) => x.id);
    const script = fileURLToPath(new URL("./fixtures/sigterm-worker.js", import.meta.url));
    const child = spawn(process.execPath, [script, SERVER_URL, key, q], { stdio: ["pipe", "pipe", "inherit"] });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const output: string[] = [];
    const waiters: Array<() => void> = [];
    createInterface({ input: child.stdout! }).on("line", (line) => {
      output.push(line);
      waiters.splice(0).forEach((w) => w());
    });
    const until = async (what: string, ok: () => boolean) => {
      const deadline = Date.now() + 30_000;
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output.join("\n")}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 1000);
        });
      }
    };
    try {
      await until("two handlers to start", () => output.filter((l) => l.startsWith("started ")).length === 2);
      child.kill("SIGTERM");
      await until("the worker to take the signal", () => output.some((l) => l.includes("SIGTERM: stopping")));
      child.stdin!.end("go\n");
      assert.equal(await exited, 0, output.join("\n"));
    } finally {
      child.kill("SIGKILL");
    }
    assert.ok(output.includes("stats 2 2"), output.join("\n"));
    const started = new Set(output.filter((l) => l.startsWith("started ")).map((l) => l.split(" ")[1]));
    const tasks = await all(t.admin.tasks.iter({ queue: q }));
    const ids_ = (f: (x: Task) => boolean) => new Set(tasks.filter(f).map((x) => x.id));
    assert.deepEqual(ids_((x) => x.status === "completed" && x.attempt === 1), started);
    assert.deepEqual(ids_((x) => x.status === "pending" && x.attempt === 0), new Set(ids.filter((id) => !started.has(id))));
  });
});
