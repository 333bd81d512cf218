/**
 * What the validation suite does not check: the storage layout, how many requests each call
 * costs (and that the latest-checkpoint read does not grow with the thread), server-side
 * filtering, the first-write-wins rule of putWrites, purging, and the key encoding.
 */

import { describe, expect, test, beforeAll } from "vitest";
import { Forbidden } from "@statekeeper/client";
import {
  type Checkpoint,
  type CheckpointMetadata,
  type CheckpointTuple,
  ERROR,
  emptyCheckpoint,
  uuid6,
} from "@langchain/langgraph-checkpoint";
import type { RunnableConfig } from "@langchain/core/runnables";
import { StatekeeperSaver, decodeSegment, encodeSegment } from "../src/index.js";
import { type CountingClient, HAVE_SERVER, type Tenant, newTenant, unique } from "./support.js";

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function checkpoint(values: Record<string, unknown>, versions: Record<string, number>): Checkpoint {
  return { ...emptyCheckpoint(), id: uuid6(-3), channel_values: values, channel_versions: versions };
}

const meta = (step: number, extra: Record<string, unknown> = {}): CheckpointMetadata =>
  ({ source: step < 0 ? "input" : "loop", step, parents: {}, ...extra }) as CheckpointMetadata;

/** Puts `n` checkpoints in a chain, each changing `counter`; returns the configs. */
async function chain(saver: StatekeeperSaver, thread: string, n: number, ns = ""): Promise<RunnableConfig[]> {
  let config: RunnableConfig = { configurable: { thread_id: thread, checkpoint_ns: ns } };
  const out: RunnableConfig[] = [];
  for (let i = 0; i < n; i++) {
    const ck = checkpoint({ counter: i, fixed: "same" }, { counter: i + 1, fixed: 1 });
    config = await saver.put(config, ck, meta(i - 1, { i }), i === 0 ? { counter: 1, fixed: 1 } : { counter: i + 1 });
    out.push(config);
  }
  return out;
}

describe("encoding", () => {
  test("kept characters stand for themselves, others become .XX of their UTF-8 bytes, reversibly", () => {
    expect(encodeSegment("1ef4a2b0-7c3d-6e5f-8a9b-0c1d2e3f4a5b")).toBe("1ef4a2b0-7c3d-6e5f-8a9b-0c1d2e3f4a5b");
    expect(encodeSegment("user_42")).toBe("user_42");
    expect(encodeSegment("")).toBe("_");
    expect(encodeSegment("_")).toBe(".5F");
    expect(encodeSegment("agent:1|tool:2")).toBe("agent.3A1.7Ctool.3A2");
    expect(encodeSegment("a.b")).toBe("a.2Eb");
    expect(encodeSegment("..")).toBe(".2E.2E");
    expect(encodeSegment("é 🙂")).toBe(".C3.A9.20.F0.9F.99.82");
    for (const s of ["", "_", "__", "a:b", "x.y", "..", "é 🙂", "user@example.com", "a/b?c#d", ".5F", "_2E"]) {
      const e = encodeSegment(s);
      expect(e).toMatch(/^[A-Za-z0-9_.-]+$/);
      expect(e).not.toMatch(/^\.+$/);
      expect(decodeSegment(e)).toBe(s);
    }
  });

  test("uuid6 ids keep their order as keys", () => {
    const ids = Array.from({ length: 50 }, () => uuid6(-3));
    const keys = ids.map(encodeSegment);
    expect([...keys].sort()).toEqual(keys);
  });
});

describe.skipIf(!HAVE_SERVER)("StatekeeperSaver on the server", () => {
  let t: Tenant;
  let c: CountingClient;
  beforeAll(async () => {
    t = await newTenant();
    c = t.admin;
  });

  test("layout: one entry per checkpoint, keyed by id, metadata on the entry; writes beside them", async () => {
    const saver = new StatekeeperSaver({ client: c, prefix: unique("lay") });
    const thread = "user:42/é";
    const ns = "agent:1|tool:2";
    const [config] = await chain(saver, thread, 1, ns);
    await saver.putWrites(config!, [["counter", 5], ["log", "x"]], "task-1", "~__pregel_pull, agent");
    const id = config!.configurable!.checkpoint_id as string;
    const ckNs = `${saver.prefix}:user.3A42.2F.C3.A9:agent.3A1.7Ctool.3A2`;
    expect(saver.checkpointNamespace(thread, ns)).toBe(ckNs);
    const entry = await c.memory.get(ckNs, id);
    expect(entry.type).toBe("episodic");
    expect(entry.metadata).toEqual({ source: "input", step: -1, parents: {}, i: 0 });
    const v = entry.value as Record<string, any>;
    expect(v).toMatchObject({ format: "statekeeper-langgraph/1", thread_id: thread, checkpoint_ns: ns, checkpoint_id: id, parent_checkpoint_id: null });
    expect(v.stored_versions).toEqual({ counter: 1, fixed: 1 });
    expect(v.checkpoint.type).toBe("json");
    expect(JSON.parse(v.checkpoint.json).channel_values).toEqual({ counter: 0, fixed: "same" });
    const writes = (await c.memory.list({ namespace: ckNs + ":w" })).items;
    expect(writes.map((w) => [w.key, w.type])).toEqual([
      [`${id}.task-1.0`, "procedural"],
      [`${id}.task-1.1`, "procedural"],
    ]);
    expect(writes[0]!.value).toMatchObject({ task_id: "task-1", task_path: "~__pregel_pull, agent", channel: "counter", idx: 0 });
    expect(await c.memory.namespaces({ prefix: saver.prefix })).toEqual([ckNs, ckNs + ":w"]);
  });

  test("only changed and carried-over channels are stored; reads rebuild the whole state", async () => {
    const saver = new StatekeeperSaver({ client: c, prefix: unique("delta") });
    const configs = await chain(saver, "t", 3);
    const last = (await saver.getTuple(configs[2]!))!;
    expect(last.checkpoint.channel_values).toEqual({ counter: 2, fixed: "same" });
    // a fresh saver (empty cache) reads the parent's versions once, then puts in one request
    const fresh = new StatekeeperSaver({ client: c, prefix: saver.prefix });
    c.reset();
    const next = await fresh.put(configs[2]!, checkpoint({ counter: 3, fixed: "same" }, { counter: 4, fixed: 1 }), meta(2), { counter: 4 });
    expect(c.reset()).toEqual([
      `GET /v1/memory/${saver.prefix}:t:_/${configs[2]!.configurable!.checkpoint_id}`,
      "POST /v1/memory/batch",
    ]);
    expect((await fresh.getTuple(next))!.checkpoint.channel_values).toEqual({ counter: 3, fixed: "same" });
    // a parent that does not exist carries nothing over: then every value is kept
    const orphan = await fresh.put(
      { configurable: { thread_id: "t", checkpoint_ns: "", checkpoint_id: uuid6(-3) } },
      checkpoint({ counter: 9, fixed: "same" }, { counter: 10, fixed: 1 }),
      meta(9),
      { counter: 10 },
    );
    expect((await fresh.getTuple(orphan))!.checkpoint.channel_values).toEqual({ counter: 9, fixed: "same" });
  });

  test("requests: put and putWrites are one batch; getTuple is two requests sent together, whatever the thread's length", async () => {
    const saver = new StatekeeperSaver({ client: c, prefix: unique("cost") });
    const short = await chain(saver, "short", 10);
    const long = await chain(saver, "long", 200);
    c.reset();
    const put = await saver.put(long[199]!, checkpoint({ counter: 200 }, { counter: 201, fixed: 1 }), meta(199), { counter: 201 });
    expect(c.reset()).toEqual(["POST /v1/memory/batch"]);
    await saver.putWrites(put, [["counter", 1], ["other", 2]], "task");
    expect(c.reset()).toEqual(["POST /v1/memory/batch"]);

    const latest = async (thread: string) => {
      c.reset();
      const tuple = await saver.getTuple({ configurable: { thread_id: thread } });
      return { tuple, requests: c.reset() };
    };
    const a = await latest("short");
    const b = await latest("long");
    expect(a.tuple!.config.configurable!.checkpoint_id).toBe(short[9]!.configurable!.checkpoint_id);
    expect(b.tuple!.config.configurable!.checkpoint_id).toBe(put.configurable!.checkpoint_id);
    expect(b.tuple!.pendingWrites).toEqual([["task", "counter", 1], ["task", "other", 2]]);
    const shape = (r: string[]) => r.map((x) => x.replace(/(short|long)/g, "T")).sort();
    expect(shape(a.requests)).toEqual(shape(b.requests));
    expect(b.requests.sort()).toEqual([
      `GET /v1/memory?namespace=${saver.prefix}:long:_&order=desc&limit=1`,
      `GET /v1/memory?namespace=${saver.prefix}:long:_:w&order=desc&limit=16`,
    ]);

    const id = long[100]!.configurable!.checkpoint_id as string;
    c.reset();
    const byId = await saver.getTuple(long[100]!);
    expect(byId!.checkpoint.id).toBe(id);
    expect(byId!.parentConfig!.configurable!.checkpoint_id).toBe(long[99]!.configurable!.checkpoint_id);
    expect(c.reset().sort()).toEqual([
      `GET /v1/memory/${saver.prefix}:long:_/${id}`,
      `GET /v1/memory?namespace=${saver.prefix}:long:_:w&start_after=${id}.&end_before=${id}0&limit=1000`,
    ]);
  });

  test("latest: writes of an older checkpoint are not taken; many writes are read page after page", async () => {
    const saver = new StatekeeperSaver({ client: c, prefix: unique("lw") });
    const [first, second] = await chain(saver, "t", 2);
    await saver.putWrites(first!, [["counter", 1]], "old-task");
    expect((await saver.getTuple({ configurable: { thread_id: "t" } }))!.pendingWrites).toEqual([]);
    const many = Array.from({ length: 40 }, (_, i) => ["ch" + i, i] as [string, number]);
    await saver.putWrites(second!, many, "busy");
    const tuple = (await saver.getTuple({ configurable: { thread_id: "t", checkpoint_ns: "" } }))!;
    expect(tuple.pendingWrites!.length).toBe(40);
    expect(tuple.pendingWrites!.map(([, , v]) => v)).toEqual(many.map(([, v]) => v));
  });

  test("putWrites: a regular write already stored is kept, a special one is replaced", async () => {
    const saver = new StatekeeperSaver({ client: c, prefix: unique("pw") });
    const [config] = await chain(saver, "t", 1);
    await saver.putWrites(config!, [["a", "first"], [ERROR, "boom 1"]], "task");
    await saver.putWrites(config!, [["a", "second"], ["b", "new"], [ERROR, "boom 2"]], "task");
    const tuple = (await saver.getTuple(config!))!;
    expect(tuple.pendingWrites).toEqual([["task", ERROR, "boom 2"], ["task", "a", "first"], ["task", "b", "new"]]);
  });

  test("list: order desc, before → end_before, limit, metadata filter on the server; other filters here", async () => {
    const saver = new StatekeeperSaver({ client: c, prefix: unique("list") });
    const configs = await chain(saver, "t", 6);
    const ids = configs.map((x) => x.configurable!.checkpoint_id as string);
    c.reset();
    const listed = await all(saver.list({ configurable: { thread_id: "t", checkpoint_ns: "" } }, { before: configs[4], limit: 2, filter: { source: "loop" } }));
    expect(listed.map((x) => x.checkpoint.id)).toEqual([ids[3], ids[2]]);
    const [listRequest] = c.reset();
    expect(decodeURIComponent(listRequest!)).toBe(
      `GET /v1/memory?namespace=${saver.prefix}:t:_&order=desc&end_before=${ids[4]}&filter={"metadata":{"source":"loop"}}&limit=2`,
    );
    // a filter value the server cannot compare (an object) is checked here, limit still honoured
    const local = await all(saver.list({ configurable: { thread_id: "t" } }, { filter: { parents: {}, source: "loop" }, limit: 3 }));
    expect(local.map((x) => x.checkpoint.id)).toEqual([ids[5], ids[4], ids[3]]);
    const input = await all(saver.list({ configurable: {} }, { filter: { source: "input", i: 0 } }));
    expect(input.map((x) => x.checkpoint.id)).toEqual([ids[0]]);
    const none = await all(saver.list({ configurable: { thread_id: "t" } }, { filter: { i: 99 } }));
    expect(none).toEqual([]);
    expect(await all(saver.list({ configurable: { thread_id: "t" } }, { limit: 0 }))).toEqual([]);
    const every = await all(saver.list({ configurable: { thread_id: "t" } }));
    expect(every.map((x) => x.checkpoint.id)).toEqual([...ids].reverse());
  });

  test("list across namespaces and threads reads the writes of a page in one request per namespace", async () => {
    const saver = new StatekeeperSaver({ client: c, prefix: unique("multi") });
    const root = await chain(saver, "t", 3);
    const child = await chain(saver, "t", 2, "sub:1");
    await saver.putWrites(root[1]!, [["counter", "r"]], "task");
    await saver.putWrites(child[0]!, [["counter", "c"]], "task");
    c.reset();
    const tuples: CheckpointTuple[] = await all(saver.list({ configurable: { thread_id: "t" } }));
    const requests = c.reset();
    expect(tuples.length).toBe(5);
    expect(requests.length).toBe(3); // the page, and the writes of each of its two namespaces
    const writes = Object.fromEntries(tuples.map((x) => [x.checkpoint.id, x.pendingWrites]));
    expect(writes[root[1]!.configurable!.checkpoint_id as string]).toEqual([["task", "counter", "r"]]);
    expect(writes[child[0]!.configurable!.checkpoint_id as string]).toEqual([["task", "counter", "c"]]);
    expect(tuples.filter((x) => x.config.configurable!.checkpoint_ns === "sub:1").length).toBe(2);
  });

  test("deleteThread purges the thread's subtree (admin key); an agent key is refused", async () => {
    const saver = new StatekeeperSaver({ client: c, prefix: unique("del") });
    const [gone] = await chain(saver, "gone", 2);
    await saver.putWrites(gone!, [["counter", 1]], "task");
    await chain(saver, "kept", 1);
    const agentSaver = new StatekeeperSaver({ client: await t.key("agent:runner"), prefix: saver.prefix });
    const refused = await agentSaver.deleteThread("gone").catch((e) => e);
    expect(refused).toBeInstanceOf(Forbidden);
    expect((refused as Forbidden).code).toBe("admin_required");
    c.reset();
    await saver.deleteThread("gone");
    expect(c.reset()).toEqual([`DELETE /v1/memory?prefix=${saver.prefix}:gone&purge=true`]);
    expect(await saver.getTuple({ configurable: { thread_id: "gone" } })).toBeUndefined();
    expect(await saver.getTuple({ configurable: { thread_id: "kept" } })).toBeDefined();
    const audit = await c.audit.list({ limit: 5 });
    expect(audit.items[0]).toMatchObject({ action: "memory.purge", target: `memory:${saver.prefix}:gone`, detail: { entries: 3, versions: 3 } });
  });

  test("values go through the serde: JSON as its text (NUL, lone surrogates), bytes as base64", async () => {
    const saver = new StatekeeperSaver({ client: c, prefix: unique("bytes") });
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const config = await saver.put(
      { configurable: { thread_id: "b" } },
      checkpoint({ nul: "a\u0000b", lone: "x\ud800y" }, { nul: 1, lone: 1 }),
      meta(0),
      { nul: 1, lone: 1 },
    );
    await saver.putWrites(config, [["blob", bytes]], "task");
    const tuple = (await saver.getTuple(config))!;
    // NUL and a lone surrogate would be refused by the server inside a JSON value: kept as JSON text they pass
    expect(tuple.checkpoint.channel_values).toEqual({ nul: "a\u0000b", lone: "x\ud800y" });
    expect(tuple.pendingWrites).toEqual([["task", "blob", bytes]]);
    const [w] = (await c.memory.list({ namespace: `${saver.prefix}:b:_:w` })).items;
    expect((w!.value as Record<string, any>).value).toEqual({ type: "bytes", base64: "AAEC+v8=" });
  });

  test("ids that do not fit are refused before any request", async () => {
    const saver = new StatekeeperSaver({ client: c, prefix: unique("long") });
    c.reset();
    await expect(saver.put({ configurable: { thread_id: "x".repeat(300) } }, checkpoint({}, {}), meta(0), {})).rejects.toThrow(RangeError);
    expect(c.reset()).toEqual([]);
  });
});
