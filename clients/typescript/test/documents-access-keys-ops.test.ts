import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { AlreadyExists, Client, Forbidden, InvalidInput, NotFound, Unauthorized } from "../src/index.js";
import { Tenant, SERVER_URL, newTenant, rejection, skip, unique, waitFor } from "./support.js";

describe("documents", { skip }, () => {
  let t: Tenant;
  before(async () => (t = await newTenant()));

  test("create, put, get, search and delete a document whose id is a path", async () => {
    const id = unique("guides") + "/tea.md";
    const made = await t.admin.documents.create("Oolong is brewed at ninety degrees.", { id, title: "Tea" });
    assert.deepEqual([made.id, made.version, made.text], [id, 1, null]);
    assert.equal((await t.admin.documents.put(id, "Sencha is brewed at seventy degrees.", { title: "Tea" })).version, 2);
    assert.equal((await t.admin.documents.get(id)).text, "Sencha is brewed at seventy degrees.");
    const hits = await t.admin.documents.search("sencha", { mode: "keyword" });
    assert.ok(hits.map((h) => h.document_id).includes(id));
    await rejection(t.admin.documents.create("again", { id }), AlreadyExists);
    assert.deepEqual(await t.admin.documents.delete(id), { id, deleted: true });
    assert.equal((await rejection(t.admin.documents.get(id), NotFound)).code, "document_not_found");
    assert.equal((await rejection(t.admin.documents.create("   "), InvalidInput)).status, 400);
  });
});

describe("access", { skip }, () => {
  let t: Tenant;
  before(async () => (t = await newTenant()));

  test("a grant lets an agent work a queue; revoking it twice is grant_not_found", async () => {
    const q = unique("jobs");
    const who = "agent:" + unique("w");
    const agent = await t.key(who);
    await rejection(agent.tasks.create("t", { queue: q }), Forbidden);
    const grant = await t.admin.access.grant("queue:" + q, "editor", who);
    assert.deepEqual(grant, { resource: "queue:" + q, relation: "editor", subject: who });
    assert.deepEqual(await t.admin.access.grants({ resource: "queue:" + q }), [grant]);
    await agent.tasks.create("t", { queue: q });
    const [claimed] = await agent.tasks.claim("w1", { queues: q });
    assert.equal((await agent.tasks.complete(claimed!)).status, "completed");
    assert.deepEqual(await t.admin.access.revoke("queue:" + q, "editor", who), grant);
    assert.equal((await rejection(t.admin.access.revoke("queue:" + q, "editor", who), NotFound)).code, "grant_not_found");
  });

  test("check and checkBatch", async () => {
    const ns = unique("user");
    await t.admin.access.grant("memory:" + ns, "owner", "user:alice");
    const d = await t.admin.access.check("user:alice", "write", `memory:${ns}:prefs`);
    assert.equal(d.allowed, true);
    assert.match(d.reason, /owner/);
    const batch = await t.admin.access.checkBatch([
      { subject: "user:alice", action: "read", resource: "memory:" + ns },
      { subject: "user:bob", action: "read", resource: "memory:" + ns },
    ]);
    assert.deepEqual(batch.map((x) => x.allowed), [true, false]);
    const bad = await rejection(t.admin.access.check("user:alice", "READ" as never, "memory:" + ns), InvalidInput);
    assert.equal(bad.code, "invalid_action");
  });

  test("a reader key cannot write", async () => {
    const reader = await t.key("user:" + unique("r"), "reader");
    assert.equal((await rejection(reader.sessions.create(), Forbidden)).code, "read_only_key");
  });
});

describe("keys", { skip }, () => {
  let t: Tenant;
  before(async () => (t = await newTenant()));

  test("create, list and revoke; a revoked key is refused", async () => {
    const made = await t.admin.keys.create(t.tenant, "agent:" + unique("k"), "agent");
    assert.match(made.key, /^sk_/);
    const listed = (await t.admin.keys.list()).filter((k) => k.id === made.id);
    assert.equal(listed.length, 1);
    assert.equal("key" in listed[0]!, false);
    const c = new Client({ url: SERVER_URL, apiKey: made.key });
    await c.sessions.create();
    assert.notEqual((await t.admin.keys.revoke(made.id)).revoked_at, null);
    const code = await waitFor(async () => {
      try {
        await c.sessions.create();
        return false;
      } catch (e) {
        if (e instanceof Unauthorized) return e.code;
        throw e;
      }
    }, "the revoked key to be refused");
    assert.equal(code, "invalid_key");
  });

  test("an agent key cannot make keys; no key and a wrong key are Unauthorized", async () => {
    const agent = await t.key("agent:" + unique("a"));
    assert.equal((await rejection(agent.keys.create(t.tenant, "agent:x", "agent"), Forbidden)).code, "admin_required");
    const none = await rejection(new Client({ url: SERVER_URL }).tasks.stats(), Unauthorized);
    assert.deepEqual([none.status, none.code], [401, "missing_key"]);
    const wrong = await rejection(new Client({ url: SERVER_URL, apiKey: "sk_0000000000000000_nope" }).tasks.stats(), Unauthorized);
    assert.equal(wrong.code, "invalid_key");
  });

  test("a root client in the tenant sees the tenant's objects", async () => {
    const s = await t.admin.sessions.create();
    assert.equal((await t.root.inTenant(t.tenant).sessions.get(s)).id, s.id);
    await rejection(t.root.sessions.get(s), NotFound);
  });
});

describe("ops", { skip }, () => {
  let t: Tenant;
  before(async () => (t = await newTenant()));

  test("health endpoints answer UP, and an admin sees the checks", async () => {
    assert.deepEqual(await t.admin.ops.live(), { status: "UP" });
    assert.deepEqual(await t.admin.ops.ready(), { status: "UP" });
    const health = await t.admin.ops.health();
    assert.ok(["UP", "DEGRADED"].includes(health.status));
    assert.ok(health.checks && "database" in health.checks);
    assert.equal("checks" in (await new Client({ url: SERVER_URL }).ops.health()), false);
  });

  test("metrics, summary and alerts; alerts are for admins", async () => {
    assert.match(await t.admin.ops.metrics(), /# TYPE/);
    const summary = await t.admin.ops.summary();
    assert.ok(["sqlite", "postgres"].includes(summary.store));
    assert.ok(Array.isArray(summary.alerts.firing));
    assert.ok((await t.admin.ops.alerts()).rules.length > 0);
    const agent = await t.key("agent:" + unique("o"));
    assert.equal((await rejection(agent.ops.alerts(), Forbidden)).code, "admin_required");
  });

  test("a backup is for root keys", async () => {
    assert.equal((await rejection(t.admin.admin.backup(), Forbidden)).code, "root_required");
    const backup = await t.root.admin.backup();
    assert.ok(backup.tables.map((x) => x.name).includes("tasks"));
  });
});
