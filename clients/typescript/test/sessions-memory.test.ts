import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  AlreadyExists, InvalidInput, MemoryEntry, NotFound, PreconditionFailed, PreconditionRequired, SessionEvent, SessionTerminated,
} from "../src/index.js";
import { Tenant, newTenant, rejection, skip, unique } from "./support.js";

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("sessions", { skip }, () => {
  let t: Tenant;
  before(async () => (t = await newTenant()));

  test("create, get, and a taken id is AlreadyExists", async () => {
    const id = unique("chat");
    const s = await t.admin.sessions.create({ id, agent: "agent:planner", state: { step: 0 } });
    assert.deepEqual([s.id, s.status, s.version, s.state], [id, "active", 1, { step: 0 }]);
    assert.equal((await t.admin.sessions.get(id)).agent, "agent:planner");
    assert.equal((await rejection(t.admin.sessions.create({ id }), AlreadyExists)).code, "session_exists");
    assert.ok((await t.admin.sessions.create({ user: "user:alice" })).id);
  });

  test("append and appendMany number events without gaps; events page", async () => {
    const s = await t.admin.sessions.create();
    assert.equal((await t.admin.sessions.append(s, "message", { text: "hi" })).seq, 1);
    const more = await t.admin.sessions.appendMany(s, [0, 1, 2, 3].map((n) => ({ type: "tool", data: { n } })));
    assert.deepEqual(more.map((e) => e.seq), [2, 3, 4, 5]);
    const page = await t.admin.sessions.events(s, { afterSeq: 1, limit: 2 });
    assert.deepEqual([page.items.map((e) => e.seq), page.next_after_seq], [[2, 3], 3]);
    const seqs = (await all<SessionEvent>(t.admin.sessions.iterEvents(s, { pageSize: 2 }))).map((e) => e.seq);
    assert.deepEqual(seqs, [1, 2, 3, 4, 5]);
    assert.equal((await t.admin.sessions.get(s)).event_count, 5);
  });

  test("setState needs the current version", async () => {
    const s = await t.admin.sessions.create({ state: { step: 0 } });
    const s2 = await t.admin.sessions.setState(s, { step: 1 });
    assert.deepEqual([s2.state, s2.version], [{ step: 1 }, 2]);
    assert.equal((await rejection(t.admin.sessions.setState(s, { step: 9 }), PreconditionFailed)).currentVersion, 2);
    await rejection(t.admin.sessions.setState(s.id, { step: 9 }), PreconditionRequired);
    assert.deepEqual((await t.admin.sessions.get(s)).state, { step: 1 });
  });

  test("terminate is final for appends", async () => {
    const s = await t.admin.sessions.create();
    assert.equal((await t.admin.sessions.terminate(s)).status, "terminated");
    const e = await rejection(t.admin.sessions.append(s, "late"), SessionTerminated);
    assert.deepEqual([e.status, e.code], [409, "session_terminated"]);
    await rejection(t.admin.sessions.get(unique("none")), NotFound);
  });
});

describe("memory", { skip }, () => {
  let t: Tenant;
  before(async () => (t = await newTenant()));

  test("put makes versions; get reads the current or any version; history lists them", async () => {
    const ns = unique("user") + ":prefs";
    const first = await t.admin.memory.put(ns, "drink", { likes: "green tea" }, { text: "prefers green tea" });
    assert.deepEqual([first.version, first.type, first.written_by], [1, "semantic", "user:admin"]);
    assert.equal((await t.admin.memory.put(ns, "drink", { likes: "oolong" }, { type: "episodic" })).version, 2);
    assert.deepEqual((await t.admin.memory.get(ns, "drink")).value, { likes: "oolong" });
    assert.deepEqual((await t.admin.memory.get(ns, "drink", 1)).value, { likes: "green tea" });
    const versions = (await all<MemoryEntry>(t.admin.memory.iterHistory(ns, "drink", { pageSize: 1 }))).map((e) => e.version);
    assert.deepEqual(versions, [1, 2]);
  });

  test("If-Match and If-None-Match preconditions", async () => {
    const ns = unique("cas");
    await t.admin.memory.put(ns, "k", 1, {}, { ifNoneMatch: "*" });
    const e = await rejection(t.admin.memory.put(ns, "k", 2, {}, { ifNoneMatch: "*" }), PreconditionFailed);
    assert.equal(e.currentVersion, 1);
    assert.equal((await t.admin.memory.put(ns, "k", 2, {}, { ifMatch: 1 })).version, 2);
    await rejection(t.admin.memory.put(ns, "k", 3, {}, { ifMatch: 1 }), PreconditionFailed);
    const both = await rejection(t.admin.memory.put(ns, "k", 3, {}, { ifMatch: 2, ifNoneMatch: "*" }), InvalidInput);
    assert.equal(both.code, "invalid_precondition");
    assert.equal((await t.admin.memory.get(ns, "k")).value, 2);
  });

  test("delete writes a tombstone; then get is NotFound and find is null", async () => {
    const ns = unique("del");
    await t.admin.memory.put(ns, "k", { v: 1 });
    const tomb = await t.admin.memory.delete(ns, "k", { ifMatch: 1 });
    assert.deepEqual([tomb.deleted, tomb.version], [true, 2]);
    assert.equal((await rejection(t.admin.memory.get(ns, "k"), NotFound)).code, "memory_not_found");
    assert.equal(await t.admin.memory.find(ns, "k"), null);
    assert.equal((await t.admin.memory.put(ns, "k", { v: 3 })).version, 3);
  });

  test("list covers the prefix by whole segments, in order", async () => {
    const root = unique("list");
    for (const [ns, key] of [[root + ":a", "x"], [root + ":a", "y"], [root + ":b", "z"], [root + "x", "no"]] as const) {
      await t.admin.memory.put(ns, key, key);
    }
    assert.deepEqual((await t.admin.memory.list({ prefix: root, limit: 2 })).items.map((e) => e.key), ["x", "y"]);
    const listed = (await all<MemoryEntry>(t.admin.memory.iter({ prefix: root, pageSize: 2 }))).map((e) => `${e.namespace}/${e.key}`);
    assert.deepEqual(listed, [`${root}:a/x`, `${root}:a/y`, `${root}:b/z`]);
  });

  test("keyword search finds an entry by its text", async () => {
    const ns = unique("search") + ":alice";
    await t.admin.memory.put(ns, "drink", { likes: "tea" }, { text: "Alice prefers jasmine tea in the morning" });
    await t.admin.memory.put(ns, "food", { likes: "rice" }, { text: "Alice eats rice at lunch" });
    const hits = await t.admin.memory.search("jasmine", { prefix: ns, mode: "keyword" });
    assert.deepEqual(hits.map((h) => h.key), ["drink"]);
    assert.ok(hits[0] && "score" in hits[0]);
  });

  test("a bad namespace or search mode is InvalidInput", async () => {
    assert.equal((await rejection(t.admin.memory.put("bad namespace!", "k", 1), InvalidInput)).status, 400);
    const mode = await rejection(t.admin.memory.search("tea", { mode: "fuzzy" as never }), InvalidInput);
    assert.equal(mode.code, "invalid_search_mode");
  });
});
