/**
 * A LangGraph `BaseStore` on Statekeeper memory: item `["users", "alice", "prefs"]` / `k` is
 * the entry `<prefix>:users:alice:prefs` / `k` (labels and keys encoded by ./encoding.ts),
 * its `value` the item's value, its `text` what search finds it by.
 */

import {
  BaseStore,
  type GetOperation,
  type Item,
  type ListNamespacesOperation,
  type MatchCondition,
  type Operation,
  type OperationResults,
  type PutOperation,
  type SearchItem,
  type SearchOperation,
  getTextAtPath,
  validateNamespace,
} from "@langchain/langgraph-checkpoint";
import type {
  Client,
  FilterCondition,
  Json,
  MemoryBatchOp,
  MemoryEntry,
  MemoryFilter,
  MemoryHit,
  SearchMode,
} from "@statekeeper/client";
import { checkKey, checkNamespace, checkPrefix, decodeSegment, encodeSegment } from "./encoding.js";
import { deepEqual, isScalar } from "./json.js";

/** A put that may carry a TTL in minutes (`null`: never expires; absent: the store's default). */
export type StorePutOperation = PutOperation & { ttl?: number | null };
/** A get that may move the entry's expiry to now + its TTL. */
export type StoreGetOperation = GetOperation & { refreshTtl?: boolean };

export interface StoreTtlConfig {
  /** Minutes until an item expires when a put names none. Default: items never expire. */
  defaultTtl?: number;
  /** Whether gets refresh the TTL unless told otherwise. Default true (with a ttl config). */
  refreshOnRead?: boolean;
}

export interface StatekeeperStoreOptions {
  client: Client;
  /**
   * The namespace root of every item, 1–7 segments (LangGraph namespaces may then have 8 minus
   * that many labels); `null` for none (items then share the tenant's namespaces with
   * everything else). Default `lgstore`.
   */
  prefix?: string | null;
  /**
   * What a put makes searchable (the entry's `text`): paths into the value (`"$"` is the whole
   * value as JSON, `"a.b"`, `"tags[*]"`), or `false` for nothing. A put's own `index` overrides
   * it. Default `["$"]`.
   */
  index?: { fields?: string[] } | false;
  /** The mode of searches with a query. Default `hybrid`. */
  searchMode?: SearchMode;
  ttl?: StoreTtlConfig;
}

const MAX_TEXT = 65_536;
const SEARCH_PAGE = 100;
const MAX_OFFSET = 10_000;
const NAMESPACE_PAGE = 1000;
const OPERATORS = new Set(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in"]);



/** LangGraph's filter semantics (InMemoryStore's `compareValues`), for what the server cannot check. */
function matches(itemValue: unknown, filterValue: unknown): boolean {
  if (typeof filterValue === "object" && filterValue !== null && !Array.isArray(filterValue)) {
    const keys = Object.keys(filterValue);
    if (keys.length > 0 && keys.every((k) => k.startsWith("$"))) {
      const f = filterValue as Record<string, unknown>;
      return keys.every((op) => {
        const v = f[op];
        switch (op) {
          case "$eq": return deepEqual(itemValue, v);
          case "$ne": return !deepEqual(itemValue, v);
          case "$gt": return Number(itemValue) > Number(v);
          case "$gte": return Number(itemValue) >= Number(v);
          case "$lt": return Number(itemValue) < Number(v);
          case "$lte": return Number(itemValue) <= Number(v);
          case "$in": return Array.isArray(v) ? v.some((x) => deepEqual(itemValue, x)) : false;
          case "$nin": return Array.isArray(v) ? !v.some((x) => deepEqual(itemValue, x)) : true;
          default: return false;
        }
      });
    }
  }
  return deepEqual(itemValue, filterValue);
}

function valueAt(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Splits a LangGraph filter into the server's `value` filter and the rest, checked here. */
function splitFilter(filter: Record<string, unknown> | undefined): { server: Record<string, FilterCondition>; local: Array<[string, unknown]> } {
  const server: Record<string, FilterCondition> = {};
  const local: Array<[string, unknown]> = [];
  let conditions = 0;
  for (const [key, cond] of Object.entries(filter ?? {})) {
    if (cond === undefined) continue;
    let fits = false;
    let count = 1;
    if (isScalar(cond)) {
      fits = true;
    } else if (typeof cond === "object" && cond !== null && !Array.isArray(cond)) {
      const ops = Object.entries(cond as Record<string, unknown>);
      count = ops.length;
      fits =
        ops.length > 0 &&
        ops.every(([op, v]) =>
          op === "$in" ? Array.isArray(v) && v.length <= 100 && v.every(isScalar) : OPERATORS.has(op) && isScalar(v),
        ) &&
        // the server compares $gt…$lte within one kind only; LangGraph coerces to numbers
        ops.every(([op, v]) => !["$gt", "$gte", "$lt", "$lte"].includes(op) || typeof v === "number");
    }
    if (fits && !key.startsWith("$") && key.split(".").length <= 8 && conditions + count <= 20) {
      server[key] = cond as FilterCondition;
      conditions += count;
    } else {
      local.push([key, cond]);
    }
  }
  return { server, local };
}

/**
 * `BaseStore` on Statekeeper memory.
 *
 * - get: `GET /v1/memory/{ns}/{key}` (`?refresh_ttl=true` when asked or by the ttl config);
 * - put / delete: the puts and deletes that follow one another in a batch go in one atomic
 *   `POST /v1/memory/batch` (`ttl` minutes → `ttl_seconds`; a `null` value deletes);
 * - search: `POST /v1/memory/search` with the prefix, the filter on `value` and
 *   limit/offset; with a query in the store's `searchMode`, without one the newest updated first;
 * - listNamespaces: `GET /v1/memory/namespaces` (prefix, suffix, maxDepth, limit, offset).
 *
 * Reads between writes run concurrently; writes run in the order of the batch.
 */
export class StatekeeperStore extends BaseStore {
  readonly client: Client;
  readonly prefix: string | null;
  private readonly prefixSegments: number;
  private readonly indexFields: string[] | false;
  private readonly searchMode: SearchMode;
  private readonly ttl: StoreTtlConfig | undefined;

  constructor(options: StatekeeperStoreOptions) {
    super();
    this.client = options.client;
    this.prefix = options.prefix === null ? null : checkPrefix(options.prefix ?? "lgstore");
    this.prefixSegments = this.prefix === null ? 0 : this.prefix.split(":").length;
    if (this.prefixSegments > 7) throw new RangeError("prefix: at most 7 segments");
    this.indexFields = options.index === false ? false : (options.index?.fields ?? ["$"]);
    this.searchMode = options.searchMode ?? "hybrid";
    this.ttl = options.ttl;
  }

  // ---- mapping

  /** The Statekeeper namespace of a LangGraph namespace (`[]`: the prefix, or `undefined` without one). */
  toNamespace(namespace: string[]): string | undefined {
    const segments = namespace.map((label) => encodeSegment(String(label)));
    if (this.prefix !== null) segments.unshift(this.prefix);
    if (segments.length === 0) return undefined;
    return checkNamespace(segments.join(":"), `namespace ${JSON.stringify(namespace)}`);
  }

  fromNamespace(namespace: string): string[] {
    return namespace.split(":").slice(this.prefixSegments).map(decodeSegment);
  }

  toKey(key: string): string {
    return checkKey(encodeSegment(String(key)), `key ${JSON.stringify(key)}`);
  }

  private item(e: MemoryEntry | MemoryHit): Item {
    return {
      namespace: this.fromNamespace(e.namespace),
      key: decodeSegment(e.key),
      value: e.value as Record<string, any>,
      createdAt: new Date(e.created_at),
      updatedAt: new Date(e.updated_at),
    };
  }

  // ---- BaseStore

  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    const results: unknown[] = new Array(operations.length).fill(null);
    let i = 0;
    while (i < operations.length) {
      if (isPut(operations[i]!)) {
        const start = i;
        while (i < operations.length && isPut(operations[i]!)) i++;
        await this.writeAll(operations.slice(start, i) as StorePutOperation[]);
      } else {
        const start = i;
        while (i < operations.length && !isPut(operations[i]!)) i++;
        await Promise.all(
          operations.slice(start, i).map(async (op, j) => {
            results[start + j] = await this.read(op);
          }),
        );
      }
    }
    return results as OperationResults<Op>;
  }

  /** `ttl` (minutes) is an extension of LangGraph.js's `put`, as in LangGraph for Python. */
  override async put(
    namespace: string[],
    key: string,
    value: Record<string, any>,
    index?: false | string[],
    options: { ttl?: number | null } = {},
  ): Promise<void> {
    validateNamespace(namespace);
    const op: StorePutOperation = { namespace, key, value, index };
    if ("ttl" in options) op.ttl = options.ttl;
    await this.batch([op]);
  }

  /** `refreshTtl` is an extension of LangGraph.js's `get`, as in LangGraph for Python. */
  override async get(namespace: string[], key: string, options: { refreshTtl?: boolean } = {}): Promise<Item | null> {
    validateNamespace(namespace, { allowEmpty: true, allowReservedRoot: true });
    const op: StoreGetOperation = { namespace, key };
    if (options.refreshTtl !== undefined) op.refreshTtl = options.refreshTtl;
    return (await this.batch([op]))[0] as Item | null;
  }

  private async read(op: Operation): Promise<unknown> {
    if ("namespacePrefix" in op) return this.search_(op);
    if ("matchConditions" in op || !("key" in op)) return this.listNamespaces_(op as ListNamespacesOperation);
    return this.get_(op as StoreGetOperation);
  }

  private async get_(op: StoreGetOperation): Promise<Item | null> {
    const namespace = this.toNamespace(op.namespace);
    if (namespace === undefined) return null;
    const refreshTtl = op.refreshTtl ?? (this.ttl ? this.ttl.refreshOnRead ?? true : false);
    const entry = await this.client.memory.find(namespace, this.toKey(op.key), refreshTtl ? { refreshTtl: true } : undefined);
    return entry ? this.item(entry) : null;
  }

  private text(op: PutOperation): string | undefined {
    const fields = op.index === false ? [] : op.index ?? (this.indexFields === false ? [] : this.indexFields);
    const texts: string[] = [];
    for (const field of fields) {
      if (field === "$") texts.push(JSON.stringify(op.value));
      else texts.push(...getTextAtPath(op.value, field));
    }
    const text = texts.filter((t) => t.trim() !== "").join("\n");
    return text === "" ? undefined : text.slice(0, MAX_TEXT);
  }

  private async writeAll(ops: StorePutOperation[]): Promise<void> {
    const batch: MemoryBatchOp[] = ops.map((op) => {
      const namespace = this.toNamespace(op.namespace);
      if (namespace === undefined) throw new Error("a put needs a namespace of one label or more");
      const key = this.toKey(op.key);
      if (op.value === null) return { op: "delete", namespace, key };
      const ttl = op.ttl === undefined ? this.ttl?.defaultTtl : op.ttl;
      return {
        op: "put",
        namespace,
        key,
        value: op.value as Json,
        text: this.text(op),
        ttl_seconds: ttl === null || ttl === undefined ? undefined : Math.max(1, Math.round(ttl * 60)),
      };
    });
    for (let start = 0; start < batch.length; start += 500) await this.client.memory.batch(batch.slice(start, start + 500));
  }

  private async search_(op: SearchOperation): Promise<SearchItem[]> {
    const prefix = this.toNamespace(op.namespacePrefix);
    const limit = op.limit ?? 10;
    const offset = op.offset ?? 0;
    const query = op.query && op.query.trim() !== "" ? op.query : undefined;
    const { server, local } = splitFilter(op.filter);
    const filter: MemoryFilter | undefined = Object.keys(server).length > 0 ? { value: server } : undefined;
    const ask = (lim: number, off: number) =>
      this.client.memory.search(query, { prefix, filter, mode: query ? this.searchMode : undefined, limit: lim, offset: off });
    const out: SearchItem[] = [];
    if (local.length === 0) {
      for (let off = offset; out.length < limit && off <= MAX_OFFSET; ) {
        const want = Math.min(SEARCH_PAGE, limit - out.length);
        const hits = await ask(want, off);
        out.push(...hits.map((h) => this.hit(h)));
        if (hits.length < want) break;
        off += hits.length;
      }
      return out;
    }
    // Some conditions are checked here: read pages from the start, keep what passes.
    let skipped = 0;
    for (let off = 0; out.length < limit && off <= MAX_OFFSET; ) {
      const hits = await ask(SEARCH_PAGE, off);
      for (const h of hits) {
        if (!local.every(([path, cond]) => matches(valueAt(h.value, path), cond))) continue;
        if (skipped < offset) skipped++;
        else if (out.length < limit) out.push(this.hit(h));
      }
      if (hits.length < SEARCH_PAGE) break;
      off += hits.length;
    }
    return out;
  }

  private hit(h: MemoryHit): SearchItem {
    const item: SearchItem = this.item(h);
    if (h.score !== null) item.score = h.score;
    return item;
  }

  private async listNamespaces_(op: ListNamespacesOperation): Promise<string[][]> {
    const conditions = op.matchConditions ?? [];
    const prefixes = conditions.filter((c) => c.matchType === "prefix");
    const suffixes = conditions.filter((c) => c.matchType === "suffix");
    const wild = conditions.some((c) => c.path.includes("*"));
    const limit = op.limit ?? 100;
    const offset = op.offset ?? 0;
    if (!wild && prefixes.length <= 1 && suffixes.length <= 1 && conditions.length === prefixes.length + suffixes.length) {
      const prefix = this.toNamespace(prefixes[0]?.path ?? []);
      const suffixPath = suffixes[0]?.path;
      const suffix = suffixPath && suffixPath.length > 0 ? suffixPath.map((l) => encodeSegment(String(l))).join(":") : undefined;
      const maxDepth = op.maxDepth === undefined ? undefined : op.maxDepth + this.prefixSegments;
      const out: string[][] = [];
      for (let off = offset; out.length < limit; ) {
        const want = Math.min(NAMESPACE_PAGE, limit - out.length);
        const items = await this.client.memory.namespaces({ prefix, suffix, maxDepth, limit: want, offset: off });
        out.push(...items.map((ns) => this.fromNamespace(ns)));
        if (items.length < want) break;
        off += items.length;
      }
      return out;
    }
    // Wildcards or several conditions of a kind: list the literal part, match here.
    const first = prefixes[0]?.path ?? [];
    const literal = first.slice(0, first.includes("*") ? first.indexOf("*") : first.length) as string[];
    const all: string[][] = [];
    for (let off = 0; off <= MAX_OFFSET; ) {
      const items = await this.client.memory.namespaces({ prefix: this.toNamespace(literal), limit: NAMESPACE_PAGE, offset: off });
      all.push(...items.map((ns) => this.fromNamespace(ns)));
      if (items.length < NAMESPACE_PAGE) break;
      off += items.length;
    }
    let found = all.filter((ns) => conditions.every((c) => matchesCondition(c, ns)));
    if (op.maxDepth !== undefined) {
      const seen = new Set<string>();
      found = found
        .map((ns) => ns.slice(0, op.maxDepth))
        .filter((ns) => {
          const k = JSON.stringify(ns);
          return seen.has(k) ? false : (seen.add(k), true);
        });
    }
    return found.slice(offset, offset + limit);
  }
}

function isPut(op: Operation): op is PutOperation {
  return "value" in op && "namespace" in op && "key" in op;
}

function matchesCondition(c: MatchCondition, ns: string[]): boolean {
  if (c.path.length > ns.length) return false;
  const base = c.matchType === "prefix" ? 0 : ns.length - c.path.length;
  return c.path.every((label, i) => label === "*" || ns[base + i] === label);
}
