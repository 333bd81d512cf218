import { beforeAll, describe, expect, test } from "vitest";
import { Forbidden } from "@statekeeper/client";
import { StatekeeperStore } from "../src/index.js";
import { type CountingClient, HAVE_SERVER, type Tenant, newTenant, unique } from "./support.js";

async function waitFor<T>(f: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!HAVE_SERVER)("StatekeeperStore", () => {
  let t: Tenant;
  let c: CountingClient;
  beforeAll(async () => {
    t = await newTenant();
    c = t.admin;
  });

  const fresh = (options: Partial<ConstructorParameters<typeof StatekeeperStore>[0]> = {}) =>
    new StatekeeperStore({ client: c, prefix: unique("st"), ...options });

  test("put, get, update and delete; items map to entries under the prefix", async () => {
    const store = fresh();
    await store.put(["users", "alice"], "prefs", { drink: "tea", n: 1 });
    const item = (await store.get(["users", "alice"], "prefs"))!;
    expect(item).toMatchObject({ namespace: ["users", "alice"], key: "prefs", value: { drink: "tea", n: 1 } });
    expect(item.createdAt).toBeInstanceOf(Date);
    const entry = await c.memory.get(`${store.prefix}:users:alice`, "prefs");
    expect(entry.value).toEqual({ drink: "tea", n: 1 });
    expect(entry.text).toBe('{"drink":"tea","n":1}'); // index "$" by default
    await store.put(["users", "alice"], "prefs", { drink: "coffee" });
    const updated = (await store.get(["users", "alice"], "prefs"))!;
    expect(updated.value).toEqual({ drink: "coffee" });
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(item.updatedAt.getTime());
    await store.delete(["users", "alice"], "prefs");
    expect(await store.get(["users", "alice"], "prefs")).toBeNull();
    expect(await store.get(["nobody"], "none")).toBeNull();
  });

  test("labels and keys outside the server's alphabet round-trip", async () => {
    const store = fresh();
    const ns = ["user@example", "notes & todos", "é"]; // LangGraph itself forbids "." and ":" in labels
    await store.put(ns, "file name.txt", { ok: true });
    expect((await store.get(ns, "file name.txt"))!.value).toEqual({ ok: true });
    expect(await store.listNamespaces()).toEqual([ns]);
    const [hit] = await store.search(["user@example"]);
    expect([hit!.namespace, hit!.key]).toEqual([ns, "file name.txt"]);
    expect(await c.memory.namespaces({ prefix: store.prefix! })).toEqual([`${store.prefix}:user.40example:notes.20.26.20todos:.C3.A9`]);
  });

  test("a batch: consecutive puts and deletes are one atomic request, reads see the writes before them", async () => {
    const store = fresh();
    await store.put(["b"], "gone", { v: 0 });
    c.reset();
    const results: any[] = await store.batch([
      { namespace: ["b"], key: "x", value: { v: 1 } },
      { namespace: ["b"], key: "y", value: { v: 2 } },
      { namespace: ["b"], key: "gone", value: null },
      { namespace: ["b"], key: "x" },
      { namespace: ["b"], key: "gone" },
      { namespacePrefix: ["b"], limit: 10, offset: 0 },
      { matchConditions: undefined, limit: 10, offset: 0 },
      { namespace: ["b"], key: "x", value: { v: 3 } },
      { namespace: ["b"], key: "x" },
    ] as any[]);
    const requests = c.reset();
    expect(requests.filter((r) => r === "POST /v1/memory/batch").length).toBe(2);
    expect(requests.length).toBe(7); // batch; 2 gets, a search and a listing together; batch; get
    expect(results[0]).toBeNull();
    expect(results[3].value).toEqual({ v: 1 });
    expect(results[4]).toBeNull();
    expect(results[5].map((i: any) => i.key).sort()).toEqual(["x", "y"]);
    expect(results[6]).toEqual([["b"]]);
    expect(results[8].value).toEqual({ v: 3 });
  });

  test("search without a query: filter on value (server operators, and the rest here), limit, offset", async () => {
    const store = fresh();
    for (let i = 0; i < 6; i++) {
      await store.put(["docs", i % 2 ? "odd" : "even"], `d${i}`, { n: i, kind: i % 2 ? "odd" : "even", tags: ["t" + i], nested: { deep: i } });
      await new Promise((r) => setTimeout(r, 3)); // distinct updated_at, also at SQLite's millisecond precision
    }
    const keys = async (filter: Record<string, unknown>, options: { limit?: number; offset?: number } = {}, prefix = ["docs"]) =>
      (await store.search(prefix, { filter, ...options })).map((x) => x.key).sort();
    expect(await keys({ kind: "odd" })).toEqual(["d1", "d3", "d5"]);
    expect(await keys({ n: { $gte: 2, $lt: 5 } })).toEqual(["d2", "d3", "d4"]);
    expect(await keys({ n: { $in: [0, 5] } })).toEqual(["d0", "d5"]);
    expect(await keys({ kind: { $ne: "odd" } })).toEqual(["d0", "d2", "d4"]);
    expect(await keys({ "nested.deep": 4 })).toEqual(["d4"]);
    // not for the server: an array value, $nin
    expect(await keys({ tags: ["t3"] })).toEqual(["d3"]);
    expect(await keys({ n: { $nin: [0, 1, 2, 3] } })).toEqual(["d4", "d5"]);
    expect((await keys({ n: { $nin: [0] } }, { limit: 2, offset: 1 })).length).toBe(2);
    // newest updated first without a query; limit and offset
    const page = await store.search(["docs"], { limit: 2, offset: 1 });
    expect(page.map((x) => x.key)).toEqual(["d4", "d3"]);
    expect(page[0]!.score).toBeUndefined();
    expect((await store.search(["docs", "even"])).map((x) => x.key).sort()).toEqual(["d0", "d2", "d4"]);
    expect((await store.search([], { limit: 100 })).length).toBe(6);
  });

  test("search with a query: hybrid by default, keyword and semantic when configured; index picks the text", async () => {
    const store = fresh({ index: { fields: ["text"] } });
    await store.put(["mem"], "tea", { text: "Alice prefers jasmine tea in the morning", other: "bicycle" });
    await store.put(["mem"], "bike", { text: "Bob rides a bicycle to work" });
    await store.put(["mem"], "hidden", { text: "jasmine jasmine jasmine" }, false);
    const hits = await waitFor(() => store.search(["mem"], { query: "what does alice drink", limit: 5 }), (h) => h.length >= 2 && h[0]!.key === "tea", "hybrid hits");
    expect(typeof hits[0]!.score).toBe("number");
    expect(hits.map((h) => h.key)).not.toContain("hidden");
    const keyword = fresh({ index: { fields: ["text"] }, searchMode: "keyword", prefix: store.prefix });
    expect((await keyword.search(["mem"], { query: "jasmine" })).map((h) => h.key)).toEqual(["tea"]);
    expect((await keyword.search(["mem"], { query: "bicycle" })).map((h) => h.key)).toEqual(["bike"]); // "other" is not indexed
    const semantic = fresh({ index: { fields: ["text"] }, searchMode: "semantic", prefix: store.prefix });
    const sem = await waitFor(() => semantic.search(["mem"], { query: "cycling to the office" }), (h) => h.length > 0, "semantic hits");
    expect(sem[0]!.key).toBe("bike");
  });

  test("listNamespaces: prefix, suffix, maxDepth, limit, offset, and wildcards", async () => {
    const store = fresh();
    for (const ns of [["a", "x", "prefs"], ["a", "y", "prefs"], ["a", "y", "notes"], ["b", "x", "prefs"], ["b"]]) await store.put(ns, "k", { v: 1 });
    c.reset();
    expect(await store.listNamespaces()).toEqual([["a", "x", "prefs"], ["a", "y", "notes"], ["a", "y", "prefs"], ["b"], ["b", "x", "prefs"]]);
    expect(c.reset()).toEqual([`GET /v1/memory/namespaces?prefix=${store.prefix}&limit=100&offset=0`]);
    expect(await store.listNamespaces({ prefix: ["a"] })).toEqual([["a", "x", "prefs"], ["a", "y", "notes"], ["a", "y", "prefs"]]);
    expect(await store.listNamespaces({ suffix: ["prefs"] })).toEqual([["a", "x", "prefs"], ["a", "y", "prefs"], ["b", "x", "prefs"]]);
    expect(await store.listNamespaces({ prefix: ["a"], suffix: ["prefs"] })).toEqual([["a", "x", "prefs"], ["a", "y", "prefs"]]);
    expect(await store.listNamespaces({ maxDepth: 1 })).toEqual([["a"], ["b"]]);
    expect(await store.listNamespaces({ prefix: ["a"], maxDepth: 2 })).toEqual([["a", "x"], ["a", "y"]]);
    c.reset();
    expect(await store.listNamespaces({ limit: 2, offset: 1 })).toEqual([["a", "y", "notes"], ["a", "y", "prefs"]]);
    expect(c.reset()).toEqual([`GET /v1/memory/namespaces?prefix=${store.prefix}&limit=2&offset=1`]);
    expect(await store.listNamespaces({ prefix: ["*", "x"] })).toEqual([["a", "x", "prefs"], ["b", "x", "prefs"]]);
    expect(await store.listNamespaces({ suffix: ["*", "prefs"], maxDepth: 1 })).toEqual([["a"], ["b"]]);
  });

  test("TTL in minutes on put, default TTL, refresh on read; ttl null makes an item permanent", async () => {
    const store = fresh({ ttl: { defaultTtl: 60 } });
    await store.put(["ttl"], "default", { v: 1 });
    await store.put(["ttl"], "short", { v: 1 }, undefined, { ttl: 0.5 });
    await store.put(["ttl"], "forever", { v: 1 }, undefined, { ttl: null });
    const entry = (k: string) => c.memory.get(`${store.prefix}:ttl`, k);
    expect((await entry("default")).ttl_seconds).toBe(3600);
    expect((await entry("short")).ttl_seconds).toBe(30);
    expect((await entry("forever")).expires_at).toBeNull();
    const before = (await entry("default")).expires_at!;
    await new Promise((r) => setTimeout(r, 20));
    c.reset();
    await store.get(["ttl"], "default"); // refreshOnRead defaults to true with a ttl config
    expect(c.reset()).toEqual([`GET /v1/memory/${store.prefix}:ttl/default?refresh_ttl=true`]);
    expect(Date.parse((await entry("default")).expires_at!)).toBeGreaterThan(Date.parse(before));
    c.reset();
    await store.get(["ttl"], "default", { refreshTtl: false });
    expect(c.reset()).toEqual([`GET /v1/memory/${store.prefix}:ttl/default`]);
    // a batch op may carry ttl too
    await store.batch([{ namespace: ["ttl"], key: "op", value: { v: 1 }, ttl: 2 }]);
    expect((await entry("op")).ttl_seconds).toBe(120);
    // a store without ttl config never refreshes unless asked
    const plain = fresh({ prefix: store.prefix });
    c.reset();
    await plain.get(["ttl"], "default");
    await plain.get(["ttl"], "default", { refreshTtl: true });
    expect(c.reset()).toEqual([`GET /v1/memory/${store.prefix}:ttl/default`, `GET /v1/memory/${store.prefix}:ttl/default?refresh_ttl=true`]);
    // a reader key may read (with a grant), not refresh
    await c.access.grant(`memory:${store.prefix}`, "viewer", "user:reader");
    const reader = new StatekeeperStore({ client: await t.key("user:reader", "reader"), prefix: store.prefix });
    expect((await reader.get(["ttl"], "forever"))!.value).toEqual({ v: 1 });
    await expect(reader.get(["ttl"], "forever", { refreshTtl: true })).rejects.toBeInstanceOf(Forbidden);
  });

  test("an expired item is gone at once", async () => {
    const store = fresh();
    await store.put(["exp"], "k", { v: 1 }, undefined, { ttl: 1 / 60 }); // one second
    expect(await store.get(["exp"], "k")).not.toBeNull();
    await new Promise((r) => setTimeout(r, 1300));
    expect(await store.get(["exp"], "k")).toBeNull();
    expect(await store.search(["exp"])).toEqual([]);
  });

  test("LangGraph's namespace rules still apply to put; a namespace too deep for the server is refused before sending", async () => {
    const store = fresh();
    await expect(store.put(["a.b"], "k", { v: 1 })).rejects.toThrow(/periods/);
    await expect(store.put(["langgraph"], "k", { v: 1 })).rejects.toThrow(/langgraph/);
    await expect(store.put(["1", "2", "3", "4", "5", "6", "7", "8"], "k", { v: 1 })).rejects.toThrow(/at most 8 segments/);
    const unprefixed = new StatekeeperStore({ client: c, prefix: null });
    const ns = unique("np");
    await unprefixed.put([ns, "2", "3", "4", "5", "6", "7", "8"], "k", { v: 1 });
    expect((await c.memory.get(`${ns}:2:3:4:5:6:7:8`, "k")).value).toEqual({ v: 1 });
  });
});
