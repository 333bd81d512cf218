import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { Forbidden, InvalidInput, MemoryEntry, NotFound, PreconditionFailed } from "../src/index.js";
import { Tenant, newTenant, rejection, skip, unique } from "./support.js";

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("memory batch", { skip }, () => {
  let t: Tenant;
  before(async () => (t = await newTenant()));

  test("puts and deletes in one request, results in the order sent", async () => {
    const ns = unique("batch");
    await t.admin.memory.put(ns, "old", { v: 0 });
    const items = await t.admin.memory.batch([
      { op: "put", namespace: ns, key: "b", value: { v: 1 }, metadata: { step: 1 }, if_absent: true },
      { op: "put", namespace: ns, key: "a", value: { v: 2 }, text: "second", type: "episodic" },
      { op: "put", namespace: ns, key: "old", value: { v: 3 }, if_version: 1 },
      { op: "delete", namespace: ns, key: "never" },
    ]);
    assert.deepEqual(items.map((i) => [i.op, i.key, i.created]), [["put", "b", true], ["put", "a", true], ["put", "old", false], ["delete", "never", false]]);
    assert.deepEqual([items[0]!.entry!.metadata, items[1]!.entry!.type, items[2]!.entry!.version], [{ step: 1 }, "episodic", 2]);
    assert.equal(items[3]!.entry, null);
    const del = await t.admin.memory.batch([{ op: "delete", namespace: ns, key: "b", if_version: 1 }]);
    assert.deepEqual([del[0]!.entry!.deleted, del[0]!.entry!.version], [true, 2]);
    assert.equal(await t.admin.memory.find(ns, "b"), null);
  });

  test("a failed precondition is a 412 with opIndex, and nothing of the batch is written", async () => {
    const ns = unique("batch412");
    await t.admin.memory.put(ns, "taken", 1);
    const e = await rejection(
      t.admin.memory.batch([
        { op: "put", namespace: ns, key: "fresh", value: 1 },
        { op: "put", namespace: ns, key: "taken", value: 2, if_absent: true },
      ]),
      PreconditionFailed,
    );
    assert.deepEqual([e.status, e.code, e.opIndex, e.currentVersion], [412, "version_mismatch", 1, 1]);
    assert.equal(await t.admin.memory.find(ns, "fresh"), null);
    const stale = await rejection(t.admin.memory.batch([{ op: "delete", namespace: ns, key: "taken", if_version: 7 }]), PreconditionFailed);
    assert.equal(stale.opIndex, 0);
    const bad = await rejection(t.admin.memory.batch([{ op: "put", namespace: ns, key: "bad key!", value: 1 }]), InvalidInput);
    assert.equal(bad.status, 400);
    await rejection(t.admin.memory.batch([]), InvalidInput);
  });
});

describe("memory listing, filters, namespaces and query-less search", { skip }, () => {
  let t: Tenant;
  const root = unique("lst");
  before(async () => {
    t = await newTenant();
    const ops = [];
    for (let i = 1; i <= 5; i++) {
      ops.push({
        op: "put" as const,
        namespace: `${root}:thread:main`,
        key: `ck-${String(i).padStart(4, "0")}`,
        value: { step: i, kind: i % 2 ? "odd" : "even" },
        metadata: { source: i === 1 ? "input" : "loop", step: i, run: { attempt: i > 3 ? 2 : 1 } },
      });
    }
    ops.push({ op: "put" as const, namespace: `${root}:thread:side`, key: "ck-0001", value: { step: 1, kind: "odd" }, metadata: { source: "input" } });
    ops.push({ op: "put" as const, namespace: `${root}:users:alice:prefs`, key: "k", value: { step: 9, kind: "pref" } });
    ops.push({ op: "put" as const, namespace: `${root}:users:bob:prefs`, key: "k", value: { step: 8, kind: "pref" } });
    await t.admin.memory.batch(ops);
  });

  test("order desc with limit 1 is the last key; endBefore and startAfter bound the keys", async () => {
    const ns = `${root}:thread:main`;
    const last = await t.admin.memory.list({ namespace: ns, order: "desc", limit: 1 });
    assert.deepEqual(last.items.map((e) => e.key), ["ck-0005"]);
    assert.notEqual(last.next_cursor, null);
    const beforeThree = await t.admin.memory.list({ namespace: ns, order: "desc", endBefore: "ck-0003" });
    assert.deepEqual(beforeThree.items.map((e) => e.key), ["ck-0002", "ck-0001"]);
    const afterThree = await t.admin.memory.list({ namespace: ns, startAfter: "ck-0003" });
    assert.deepEqual(afterThree.items.map((e) => e.key), ["ck-0004", "ck-0005"]);
    const desc = (await all<MemoryEntry>(t.admin.memory.iter({ namespace: ns, order: "desc", pageSize: 2 }))).map((e) => e.key);
    assert.deepEqual(desc, ["ck-0005", "ck-0004", "ck-0003", "ck-0002", "ck-0001"]);
    // namespace is exact: the prefix root has no entries of its own
    assert.deepEqual((await t.admin.memory.list({ namespace: `${root}:thread` })).items, []);
  });

  test("filters on metadata and value: plain values, operators, dotted paths", async () => {
    const keys = async (filter: object, namespace = `${root}:thread:main`) =>
      (await t.admin.memory.list({ namespace, filter })).items.map((e) => e.key);
    assert.deepEqual(await keys({ metadata: { source: "loop", step: { $gte: 4 } } }), ["ck-0004", "ck-0005"]);
    assert.deepEqual(await keys({ metadata: { "run.attempt": 2 } }), ["ck-0004", "ck-0005"]);
    assert.deepEqual(await keys({ metadata: { step: { $in: [1, 3] } } }), ["ck-0001", "ck-0003"]);
    assert.deepEqual(await keys({ metadata: { source: { $ne: "loop" } } }), ["ck-0001"]);
    assert.deepEqual(await keys({ value: { kind: "even" }, metadata: { step: { $lt: 4 } } }), ["ck-0002"]);
    // $ne holds when the field is missing; the filter as JSON text works too
    const all = await t.admin.memory.list({ prefix: root, filter: '{"metadata":{"step":{"$ne":3}}}' });
    assert.equal(all.items.length, 7);
    const bad = await rejection(t.admin.memory.list({ prefix: root, filter: { metadata: { step: { $regex: "x" } } } as never }), InvalidInput);
    assert.equal(bad.code, "invalid_filter");
  });

  test("namespaces: prefix, suffix, maxDepth, limit and offset", async () => {
    assert.deepEqual(await t.admin.memory.namespaces({ prefix: root }), [
      `${root}:thread:main`, `${root}:thread:side`, `${root}:users:alice:prefs`, `${root}:users:bob:prefs`,
    ]);
    assert.deepEqual(await t.admin.memory.namespaces({ prefix: root, maxDepth: 2 }), [`${root}:thread`, `${root}:users`]);
    assert.deepEqual(await t.admin.memory.namespaces({ prefix: root, suffix: "prefs" }), [`${root}:users:alice:prefs`, `${root}:users:bob:prefs`]);
    assert.deepEqual(await t.admin.memory.namespaces({ prefix: root, limit: 1, offset: 1 }), [`${root}:thread:side`]);
    assert.equal((await rejection(t.admin.memory.namespaces({ prefix: root, maxDepth: 0 }), InvalidInput)).code, "invalid_max_depth");
  });

  test("search without a query returns filtered entries, newest updated first, score null", async () => {
    await sleep(5); // a later updated_at than the batch's, also at SQLite's millisecond precision
    await t.admin.memory.put(`${root}:users:alice:prefs`, "k", { step: 9, kind: "pref", later: true });
    const hits = await t.admin.memory.search(undefined, { prefix: `${root}:users`, filter: { value: { kind: "pref" } } });
    assert.deepEqual(hits.map((h) => h.namespace), [`${root}:users:alice:prefs`, `${root}:users:bob:prefs`]);
    assert.deepEqual(hits.map((h) => h.score), [null, null]);
    const paged = await t.admin.memory.search(null, { prefix: `${root}:users`, limit: 1, offset: 1 });
    assert.deepEqual(paged.map((h) => h.namespace), [`${root}:users:bob:prefs`]);
    const odd = await t.admin.memory.search("", { prefix: root, filter: { value: { kind: "odd" } } });
    assert.equal(odd.length, 4);
  });
});

describe("memory ttl", { skip }, () => {
  let t: Tenant;
  before(async () => (t = await newTenant()));

  test("a put with ttl_seconds expires; refreshTtl moves expires_at; a put without it is permanent", async () => {
    const ns = unique("ttl");
    const e = await t.admin.memory.put(ns, "k", { v: 1 }, { ttl_seconds: 3600 });
    assert.equal(e.ttl_seconds, 3600);
    const expires = Date.parse(e.expires_at!);
    assert.ok(Math.abs(expires - (Date.parse(e.updated_at) + 3600_000)) < 2000, e.expires_at!);
    await sleep(20);
    const refreshed = await t.admin.memory.get(ns, "k", { refreshTtl: true });
    assert.ok(Date.parse(refreshed.expires_at!) > expires, `${refreshed.expires_at} > ${e.expires_at}`);
    assert.equal(refreshed.version, 1);
    const reader = await t.key("user:reader", "reader");
    assert.equal((await rejection(reader.memory.get(ns, "k", { refreshTtl: true }), Forbidden)).code, "read_only_key");
    const permanent = await t.admin.memory.put(ns, "k", { v: 2 });
    assert.deepEqual([permanent.ttl_seconds, permanent.expires_at], [null, null]);
    assert.equal((await rejection(t.admin.memory.put(ns, "k", 1, { ttl_seconds: 0 }), InvalidInput)).code, "invalid_ttl");
  });

  test("an expired entry reads as missing at once (also from a batch op)", async () => {
    const ns = unique("ttl");
    await t.admin.memory.put(ns, "short", { v: 1 }, { ttl_seconds: 1 });
    const [b] = await t.admin.memory.batch([{ op: "put", namespace: ns, key: "batch", value: 1, ttl_seconds: 1 }]);
    assert.equal(b!.entry!.ttl_seconds, 1);
    await t.admin.memory.put(ns, "long", { v: 1 });
    await sleep(1300);
    assert.equal(await t.admin.memory.find(ns, "short"), null);
    assert.equal((await rejection(t.admin.memory.get(ns, "batch"), NotFound)).code, "memory_not_found");
    assert.deepEqual((await t.admin.memory.list({ namespace: ns })).items.map((x) => x.key), ["long"]);
  });
});

describe("memory purge and the audit log", { skip }, () => {
  let t: Tenant;
  before(async () => (t = await newTenant()));

  test("purge removes an entry and all its versions for good", async () => {
    const ns = unique("purge");
    await t.admin.memory.put(ns, "k", 1);
    await t.admin.memory.put(ns, "k", 2);
    await t.admin.memory.delete(ns, "k");
    const p = await t.admin.memory.purge(ns, "k");
    // vectors and queued embedding work depend on how far the background embedder got
    assert.deepEqual([p.target, p.entries, p.versions], [`memory:${ns}/k`, 1, 3]);
    assert.ok(Number.isInteger(p.vectors) && p.vectors >= 0 && Number.isInteger(p.queued) && p.queued >= 0, JSON.stringify(p));
    await rejection(t.admin.memory.history(ns, "k"), NotFound);
    await rejection(t.admin.memory.purge(ns, "k"), NotFound);
    assert.equal((await t.admin.memory.put(ns, "k", 3)).version, 1);
  });

  test("purgePrefix removes a subtree by whole segments; it needs an admin key", async () => {
    const root = unique("tree");
    await t.admin.memory.batch([
      { op: "put", namespace: `${root}:a`, key: "x", value: 1 },
      { op: "put", namespace: `${root}:a:b`, key: "y", value: 1 },
      { op: "put", namespace: `${root}x`, key: "kept", value: 1 },
    ]);
    const agent = await t.key("agent:w", "agent");
    assert.equal((await rejection(agent.memory.purgePrefix(root), Forbidden)).code, "admin_required");
    const p = await t.admin.memory.purgePrefix(root);
    assert.deepEqual([p.target, p.entries, p.versions], [`memory:${root}`, 2, 2]);
    assert.deepEqual(await t.admin.memory.namespaces({ prefix: root }), []);
    assert.equal((await t.admin.memory.get(`${root}x`, "kept")).value, 1);

    const audit = await t.admin.audit.list({ limit: 10 });
    const purges = audit.items.filter((a) => a.action === "memory.purge");
    assert.equal(purges[0]!.target, `memory:${root}`);
    assert.deepEqual(purges[0]!.detail, { entries: p.entries, versions: p.versions, vectors: p.vectors, queued: p.queued });
    assert.equal(purges[0]!.actor, "user:admin");
    assert.equal((await rejection(agent.audit.list(), Forbidden)).code, "admin_required");
  });
});
