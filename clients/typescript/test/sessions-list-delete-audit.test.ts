import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { AuditEntry, Forbidden, NotFound, Session, SessionEvent } from "../src/index.js";
import { Tenant, newTenant, rejection, skip, unique } from "./support.js";

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("sessions listing, deletion, events newest first", { skip }, () => {
  let t: Tenant;
  before(async () => (t = await newTenant()));

  test("list is newest first, filtered by agent, user and status; iter pages", async () => {
    const agent = unique("agent:lister");
    const made: Session[] = [];
    for (const user of ["user:a", "user:b", "user:a"]) made.push(await t.admin.sessions.create({ agent, user }));
    await t.admin.sessions.terminate(made[0]!);
    const ids = (await t.admin.sessions.list({ agent })).items.map((s) => s.id);
    assert.deepEqual(ids, [made[2]!.id, made[1]!.id, made[0]!.id]);
    assert.deepEqual((await t.admin.sessions.list({ agent, user: "user:a" })).items.map((s) => s.id), [made[2]!.id, made[0]!.id]);
    assert.deepEqual((await t.admin.sessions.list({ agent, status: "terminated" })).items.map((s) => s.id), [made[0]!.id]);
    const first = await t.admin.sessions.list({ agent, limit: 2 });
    assert.equal(first.items.length, 2);
    assert.notEqual(first.next_cursor, null);
    const second = await t.admin.sessions.list({ agent, limit: 2, cursor: first.next_cursor! });
    assert.deepEqual([second.items.map((s) => s.id), second.next_cursor], [[made[0]!.id], null]);
    assert.deepEqual((await all<Session>(t.admin.sessions.iter({ agent, pageSize: 1 }))).map((s) => s.id), ids);
  });

  test("an agent key lists only the sessions it may read", async () => {
    const agent = await t.key("agent:own");
    const mine = await agent.sessions.create({ agent: "agent:own" });
    await t.admin.sessions.create({ agent: "agent:own" });
    assert.deepEqual((await agent.sessions.list({ agent: "agent:own" })).items.map((s) => s.id), [mine.id]);
  });

  test("events newest first with beforeSeq; iterEvents in both orders", async () => {
    const s = await t.admin.sessions.create();
    await t.admin.sessions.appendMany(s, [1, 2, 3, 4, 5, 6].map((n) => ({ type: "step", data: { n } })));
    const latest = await t.admin.sessions.events(s, { order: "desc", limit: 2 });
    assert.deepEqual([latest.items.map((e) => e.seq), latest.next_before_seq, latest.next_after_seq], [[6, 5], 5, null]);
    const older = await t.admin.sessions.events(s, { order: "desc", beforeSeq: 5, limit: 10 });
    assert.deepEqual([older.items.map((e) => e.seq), older.next_before_seq], [[4, 3, 2, 1], null]);
    const window = await t.admin.sessions.events(s, { afterSeq: 2, beforeSeq: 5 });
    assert.deepEqual([window.items.map((e) => e.seq), window.next_after_seq, window.next_before_seq], [[3, 4], null, null]);
    const desc = (await all<SessionEvent>(t.admin.sessions.iterEvents(s, { order: "desc", pageSize: 4 }))).map((e) => e.seq);
    assert.deepEqual(desc, [6, 5, 4, 3, 2, 1]);
    const bounded = (await all<SessionEvent>(t.admin.sessions.iterEvents(s, { order: "desc", afterSeq: 1, beforeSeq: 6, pageSize: 2 }))).map((e) => e.seq);
    assert.deepEqual(bounded, [5, 4, 3, 2]);
    const asc = (await all<SessionEvent>(t.admin.sessions.iterEvents(s, { afterSeq: 3, pageSize: 2 }))).map((e) => e.seq);
    assert.deepEqual(asc, [4, 5, 6]);
  });

  test("delete removes the session and its events, and is audited", async () => {
    const id = unique("gone");
    const s = await t.admin.sessions.create({ id, state: { x: 1 } });
    await t.admin.sessions.appendMany(s, [{ type: "a" }, { type: "b" }, { type: "c" }]);
    assert.deepEqual(await t.admin.sessions.delete(s), { id, deleted: true, events: 3 });
    assert.equal((await rejection(t.admin.sessions.get(id), NotFound)).code, "session_not_found");
    await rejection(t.admin.sessions.delete(id), NotFound);
    const again = await t.admin.sessions.create({ id });
    assert.deepEqual([again.version, again.event_count, again.state], [1, 0, {}]);

    const records = await all<AuditEntry>(t.admin.audit.iter({ pageSize: 1 }));
    const rec = records.find((r) => r.action === "session.delete" && r.target === `session:${id}`);
    assert.ok(rec, JSON.stringify(records));
    assert.deepEqual([rec.actor, rec.detail], ["user:admin", { events: 3 }]);
    const ids = records.map((r) => r.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  });

  test("an editor may not delete, nor a reader that can see it; one that cannot see it gets NotFound", async () => {
    const s = await t.admin.sessions.create();
    const reader = await t.key("user:r", "reader");
    await rejection(reader.sessions.delete(s), NotFound);
    await t.admin.access.grant(`session:${s.id}`, "viewer", "user:r");
    assert.equal((await rejection(reader.sessions.delete(s), Forbidden)).code, "read_only_key");
    const editor = await t.key("agent:ed");
    await t.admin.access.grant(`session:${s.id}`, "editor", "agent:ed");
    assert.equal((await rejection(editor.sessions.delete(s), Forbidden)).code, "access_denied");
    assert.equal((await t.admin.sessions.get(s)).id, s.id);
  });
});
