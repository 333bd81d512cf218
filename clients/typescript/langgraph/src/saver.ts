/**
 * A LangGraph checkpointer on Statekeeper's memory API. Layout (see README.md):
 *
 *   <prefix>:<thread>:<ns>      key <checkpoint_id>              one entry per checkpoint (type episodic)
 *   <prefix>:<thread>:<ns>:w    key <checkpoint_id>.<task>.<idx>  one entry per pending write (type procedural)
 *
 * with `<thread>`, `<ns>`, `<task>` and odd checkpoint ids encoded by ./encoding.ts (the root
 * namespace `""` is `_`). Checkpoint ids are uuid6, so keys sort by time and "the latest" is
 * the last key of the namespace.
 */

import type { RunnableConfig } from "@langchain/core/runnables";
import {
  BaseCheckpointSaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type PendingWrite,
  type SerializerProtocol,
  TASKS,
  WRITES_IDX_MAP,
  compareWritesSortKeys,
  copyCheckpoint,
  getCheckpointId,
  maxChannelVersion,
  writesSortKey,
} from "@langchain/langgraph-checkpoint";
import {
  type Client,
  type Json,
  type JsonObject,
  type MemoryBatchPut,
  type MemoryEntry,
  type MemoryFilter,
  type MemoryListQuery,
  PreconditionFailed,
} from "@statekeeper/client";
import { checkKey, checkNamespace, checkPrefix, encodeSegment } from "./encoding.js";
import { deepEqual, isScalar } from "./json.js";

type ChannelVersion = number | string;

/** The memory `type` of checkpoint entries and of pending-write entries (to tell them apart in subtree listings). */
export const CHECKPOINT_TYPE = "episodic" as const;
export const WRITE_TYPE = "procedural" as const;
/** `format` of the values this saver writes. */
export const FORMAT = "statekeeper-langgraph/1";

/**
 * A value serialized with the saver's `serde`: JSON kinds are kept as their JSON text (a string,
 * so any text, NUL and lone surrogates included, round-trips), other kinds as base64.
 */
export interface SerializedValue {
  type: string;
  json?: string;
  base64?: string;
}

/** The `value` of a checkpoint entry. */
export interface CheckpointValue {
  format: typeof FORMAT;
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string;
  parent_checkpoint_id: string | null;
  /** The channels whose values this entry holds, at their versions. */
  stored_versions: Record<string, ChannelVersion>;
  checkpoint: SerializedValue;
  metadata: SerializedValue;
}

/** The `value` of a pending-write entry. */
export interface WriteValue {
  format: typeof FORMAT;
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string;
  task_id: string;
  task_path: string;
  channel: string;
  idx: number;
  value: SerializedValue;
}

export interface StatekeeperSaverOptions {
  /** A client whose key may read and write the prefix; `deleteThread` needs an admin key. */
  client: Client;
  /** The namespace root of every checkpoint: 1–5 segments. Default `lg`. */
  prefix?: string;
  /** Default: LangGraph's JsonPlusSerializer. */
  serde?: SerializerProtocol;
  /** How many checkpoints' channel versions are remembered to make puts one request. Default 1000. */
  cacheSize?: number;
}

/**
 * Filters fit for the server: scalar equality on a top-level metadata field; 20 conditions at
 * most, two of which may be the saver's own (`value.checkpoint_ns`, `value.checkpoint_id`).
 */
const MAX_SERVER_CONDITIONS = 18;
const WRITES_PAGE = 1000;
/** Writes read alongside the latest checkpoint, newest first (more pages when it has more). */
const LATEST_WRITES_PAGE = 16;
const MAX_METADATA_CHARS = 60_000;

const utf8 = new TextDecoder();



/** The metadata as JSON for the entry's `metadata` (what the server filters on). */
function filterableMetadata(metadata: CheckpointMetadata | undefined): JsonObject {
  let copy: JsonObject;
  try {
    copy = JSON.parse(JSON.stringify(metadata ?? {})) as JsonObject;
  } catch {
    copy = {};
  }
  if (JSON.stringify(copy).length <= MAX_METADATA_CHARS) return copy;
  // Too large for an entry's metadata (64 KiB): keep the scalar fields, which filters can use.
  return Object.fromEntries(Object.entries(copy).filter(([, v]) => isScalar(v) && JSON.stringify(v).length < 1000));
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `BaseCheckpointSaver` on Statekeeper memory. Per call:
 *
 * - `put`: one `POST /v1/memory/batch` (plus, only when the parent checkpoint is not in the
 *   saver's cache, one GET of the parent's channel versions);
 * - `putWrites`: one `POST /v1/memory/batch` (repeated without a write that already exists);
 * - `getTuple` by id: one GET and one key-range listing of its writes, sent together;
 *   the latest: one `order=desc&limit=1` listing and one listing of the newest writes, sent
 *   together: neither grows with the thread's length;
 * - `list`: pages of `order=desc` listings with `end_before` (before), `limit` and the metadata
 *   filter on the server, and one key-range listing of writes per page;
 * - `deleteThread`: one `DELETE /v1/memory?prefix=<prefix>:<thread>&purge=true` (admin key).
 */
export class StatekeeperSaver extends BaseCheckpointSaver {
  readonly client: Client;
  readonly prefix: string;
  private readonly cacheSize: number;
  /** checkpoint identity → the channel versions its entry stores. */
  private readonly storedVersions = new Map<string, Record<string, ChannelVersion>>();

  constructor(options: StatekeeperSaverOptions) {
    super(options.serde);
    this.client = options.client;
    this.prefix = checkPrefix(options.prefix ?? "lg");
    if (this.prefix.split(":").length > 5) throw new RangeError("prefix: at most 5 segments (3 more are needed)");
    this.cacheSize = options.cacheSize ?? 1000;
  }

  // ---- layout

  /** `<prefix>:<thread>`: everything of one thread (what deleteThread purges). */
  threadNamespace(threadId: string): string {
    return checkNamespace(`${this.prefix}:${encodeSegment(String(threadId))}`, `thread_id ${JSON.stringify(threadId)}`);
  }

  /** `<prefix>:<thread>:<ns>`: the checkpoints of one checkpoint namespace, keyed by id. */
  checkpointNamespace(threadId: string, checkpointNs: string): string {
    return checkNamespace(
      `${this.prefix}:${encodeSegment(String(threadId))}:${encodeSegment(checkpointNs)}`,
      `thread_id ${JSON.stringify(threadId)} with checkpoint_ns ${JSON.stringify(checkpointNs)}`,
    );
  }

  /** `<prefix>:<thread>:<ns>:w`: the pending writes of those checkpoints. */
  writesNamespace(threadId: string, checkpointNs: string): string {
    return checkNamespace(this.checkpointNamespace(threadId, checkpointNs) + ":w", "the writes namespace");
  }

  checkpointKey(checkpointId: string): string {
    return checkKey(encodeSegment(checkpointId), `checkpoint_id ${JSON.stringify(checkpointId)}`);
  }

  writeKey(checkpointId: string, taskId: string, idx: number): string {
    return checkKey(`${this.checkpointKey(checkpointId)}.${encodeSegment(taskId)}.${idx}`, `the write of task ${JSON.stringify(taskId)}`);
  }

  // ---- serde

  private async dump(value: unknown): Promise<SerializedValue> {
    const [type, data] = await this.serde.dumpsTyped(value);
    if (type === "json") return { type, json: typeof data === "string" ? data : utf8.decode(data) };
    return { type, base64: Buffer.from(typeof data === "string" ? new TextEncoder().encode(data) : data).toString("base64") };
  }

  private async load(value: SerializedValue): Promise<any> {
    if (value.json !== undefined) return this.serde.loadsTyped(value.type, value.json);
    return this.serde.loadsTyped(value.type, new Uint8Array(Buffer.from(value.base64 ?? "", "base64")));
  }

  // ---- the cache of stored channel versions (what makes a put one request)

  private cacheKey(threadId: string, checkpointNs: string, checkpointId: string): string {
    return JSON.stringify([threadId, checkpointNs, checkpointId]);
  }

  private remember(v: CheckpointValue): void {
    const key = this.cacheKey(v.thread_id, v.checkpoint_ns, v.checkpoint_id);
    this.storedVersions.delete(key);
    this.storedVersions.set(key, v.stored_versions ?? {});
    while (this.storedVersions.size > this.cacheSize) {
      const oldest = this.storedVersions.keys().next().value as string;
      this.storedVersions.delete(oldest);
    }
  }

  /** The channel versions the parent's entry stores; `null` when there is no such checkpoint. */
  private async parentVersions(threadId: string, checkpointNs: string, parentId: string): Promise<Record<string, ChannelVersion> | null> {
    const cached = this.storedVersions.get(this.cacheKey(threadId, checkpointNs, parentId));
    if (cached) return cached;
    const entry = await this.client.memory.find(this.checkpointNamespace(threadId, checkpointNs), this.checkpointKey(parentId));
    if (!entry) return null;
    const v = this.checkpointValue(entry);
    this.remember(v);
    return v.stored_versions ?? {};
  }

  private checkpointValue(entry: MemoryEntry): CheckpointValue {
    const v = entry.value as unknown as CheckpointValue;
    if (!v || typeof v !== "object" || v.format !== FORMAT) {
      throw new Error(`memory ${entry.namespace}/${entry.key} is not a checkpoint of ${FORMAT}`);
    }
    return v;
  }

  // ---- BaseCheckpointSaver

  /**
   * Stores the checkpoint in one atomic `POST /v1/memory/batch`. Like LangGraph's Postgres
   * saver it keeps only the channels that changed (`newVersions`) and those carried over
   * unchanged from the parent checkpoint (`config.configurable.checkpoint_id`), whose versions
   * the saver remembers from its own puts and reads. A parent that does not exist (purged, or a
   * made-up id) carries nothing over, so then every channel value is kept.
   */
  async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    const threadId = config.configurable?.thread_id;
    if (threadId === undefined || threadId === null) {
      throw new Error('Failed to put checkpoint: the config has no "thread_id" in "configurable"');
    }
    const thread = String(threadId);
    const checkpointNs: string = config.configurable?.checkpoint_ns ?? "";
    const parentId: string | undefined = config.configurable?.checkpoint_id || undefined;
    const namespace = this.checkpointNamespace(thread, checkpointNs);
    const key = this.checkpointKey(checkpoint.id);
    const parentStored = parentId ? await this.parentVersions(thread, checkpointNs, parentId) : {};
    const keepAll = parentStored === null;

    const prepared = copyCheckpoint(checkpoint);
    const values: Record<string, unknown> = {};
    const stored: Record<string, ChannelVersion> = {};
    for (const [channel, value] of Object.entries(prepared.channel_values)) {
      if (value === undefined) continue;
      const version = prepared.channel_versions[channel] ?? newVersions[channel];
      const changed = Object.prototype.hasOwnProperty.call(newVersions, channel);
      const carried = keepAll || (version !== undefined && parentStored[channel] !== undefined && parentStored[channel] === version);
      if (!changed && !carried) continue;
      values[channel] = value;
      if (version !== undefined) stored[channel] = version;
    }
    prepared.channel_values = values;

    const [serializedCheckpoint, serializedMetadata] = await Promise.all([this.dump(prepared), this.dump(metadata)]);
    const value: CheckpointValue = {
      format: FORMAT,
      thread_id: thread,
      checkpoint_ns: checkpointNs,
      checkpoint_id: checkpoint.id,
      parent_checkpoint_id: parentId ?? null,
      stored_versions: stored,
      checkpoint: serializedCheckpoint,
      metadata: serializedMetadata,
    };
    await this.client.memory.batch([
      {
        op: "put",
        namespace,
        key,
        value: value as unknown as Json,
        type: CHECKPOINT_TYPE,
        metadata: filterableMetadata(metadata),
      },
    ]);
    this.remember(value);
    return { configurable: { thread_id: thread, checkpoint_ns: checkpointNs, checkpoint_id: checkpoint.id } };
  }

  /**
   * Stores the writes of one task in one `POST /v1/memory/batch`. A regular write that is
   * already stored is kept (LangGraph's rule: the first one wins): the server refuses the batch
   * with a 412 naming it, and the batch is sent again without it. Special writes (errors,
   * interrupts, …) replace what was there. More than 500 writes go in several batches.
   */
  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void> {
    const threadId = config.configurable?.thread_id;
    const checkpointId = config.configurable?.checkpoint_id;
    if (threadId === undefined || threadId === null) throw new Error('Failed to put writes: the config has no "thread_id" in "configurable"');
    if (!checkpointId) throw new Error('Failed to put writes: the config has no "checkpoint_id" in "configurable"');
    const thread = String(threadId);
    const checkpointNs: string = config.configurable?.checkpoint_ns ?? "";
    const namespace = this.writesNamespace(thread, checkpointNs);
    const byKey = new Map<string, MemoryBatchPut>();
    const ops = await Promise.all(
      writes.map(async ([channel, value], i): Promise<MemoryBatchPut> => {
        const idx = WRITES_IDX_MAP[channel] ?? i;
        const v: WriteValue = {
          format: FORMAT,
          thread_id: thread,
          checkpoint_ns: checkpointNs,
          checkpoint_id: checkpointId,
          task_id: taskId,
          task_path: taskPath ?? "",
          channel,
          idx,
          value: await this.dump(value),
        };
        return {
          op: "put",
          namespace,
          key: this.writeKey(checkpointId, taskId, idx),
          value: v as unknown as Json,
          type: WRITE_TYPE,
          if_absent: idx >= 0 ? true : undefined,
        };
      }),
    );
    for (const op of ops) byKey.set(op.key, op); // the same special channel twice: the last one
    const all = [...byKey.values()];
    for (let start = 0; start < all.length; start += 500) {
      const chunk = all.slice(start, start + 500);
      while (chunk.length > 0) {
        try {
          await this.client.memory.batch(chunk);
          break;
        } catch (e) {
          const i = e instanceof PreconditionFailed ? e.opIndex : null;
          if (i === null || !chunk[i]?.if_absent) throw e;
          chunk.splice(i, 1); // already stored: keep the first
        }
      }
    }
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = config.configurable?.thread_id;
    if (threadId === undefined || threadId === null) return undefined;
    const thread = String(threadId);
    const checkpointNs: string = config.configurable?.checkpoint_ns ?? "";
    const checkpointId = getCheckpointId(config);
    const namespace = this.checkpointNamespace(thread, checkpointNs);
    if (checkpointId) {
      const [entry, writes] = await Promise.all([
        this.client.memory.find(namespace, this.checkpointKey(checkpointId)),
        this.writesOf(thread, checkpointNs, [checkpointId]),
      ]);
      return entry ? this.toTuple(entry, writes) : undefined;
    }
    const [page, writes] = await Promise.all([
      this.client.memory.list({ namespace, order: "desc", limit: 1 }),
      this.newestWrites(thread, checkpointNs),
    ]);
    const entry = page.items[0];
    if (!entry) return undefined;
    const latest = this.checkpointValue(entry).checkpoint_id;
    return this.toTuple(entry, await writes.of(latest));
  }

  async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const { before, filter } = options;
    let remaining = options.limit;
    if (remaining !== undefined && remaining <= 0) return;
    const threadId = config.configurable?.thread_id;
    const checkpointNs: string | undefined = config.configurable?.checkpoint_ns;
    const onlyId: string | undefined = config.configurable?.checkpoint_id || undefined;

    const serverFilter: Record<string, string | number | boolean | null> = {};
    const localFilter: Array<[string, unknown]> = [];
    for (const [k, v] of Object.entries(filter ?? {})) {
      if (v === undefined) continue;
      const fits = isScalar(v) && !k.includes(".") && !k.startsWith("$") && Object.keys(serverFilter).length < MAX_SERVER_CONDITIONS;
      if (fits) serverFilter[k] = v;
      else localFilter.push([k, v]);
    }

    // One namespace, a thread's subtree, or every thread (checkpoint_ns then checked on the
    // server against the entry's value).
    const valueFilter: Record<string, string> = {};
    const query: MemoryListQuery =
      threadId === undefined || threadId === null
        ? { prefix: this.prefix, type: CHECKPOINT_TYPE }
        : checkpointNs === undefined
          ? { prefix: this.threadNamespace(String(threadId)), type: CHECKPOINT_TYPE }
          : { namespace: this.checkpointNamespace(String(threadId), checkpointNs) };
    if ((threadId === undefined || threadId === null) && checkpointNs !== undefined) valueFilter.checkpoint_ns = checkpointNs;
    if (onlyId !== undefined) valueFilter.checkpoint_id = onlyId;
    query.order = "desc";
    const beforeId = before?.configurable?.checkpoint_id;
    if (beforeId) query.endBefore = this.checkpointKey(beforeId);
    const f: MemoryFilter = {};
    if (Object.keys(serverFilter).length > 0) f.metadata = serverFilter;
    if (Object.keys(valueFilter).length > 0) f.value = valueFilter;
    if (f.metadata || f.value) query.filter = f;
    const exact = localFilter.length === 0;
    const pageSize = exact && remaining !== undefined ? Math.min(remaining, 1000) : 100;

    let cursor: string | undefined;
    do {
      const page = await this.client.memory.list({ ...query, limit: pageSize, cursor });
      cursor = page.next_cursor ?? undefined;
      let entries = page.items.filter((e) => e.type === CHECKPOINT_TYPE);
      if (localFilter.length > 0) {
        const kept: MemoryEntry[] = [];
        for (const e of entries) {
          const metadata = (await this.load(this.checkpointValue(e).metadata)) as Record<string, unknown>;
          if (localFilter.every(([k, v]) => deepEqual(metadata?.[k], v))) kept.push(e);
        }
        entries = kept;
      }
      if (remaining !== undefined) entries = entries.slice(0, remaining);
      const writes = await this.writesOfEntries(entries);
      for (const e of entries) {
        const v = this.checkpointValue(e);
        yield await this.toTuple(e, writes.get(this.cacheKey(v.thread_id, v.checkpoint_ns, v.checkpoint_id)) ?? []);
      }
      if (remaining !== undefined) {
        remaining -= entries.length;
        if (remaining <= 0) return;
      }
    } while (cursor !== undefined);
  }

  /**
   * Removes every checkpoint and write of the thread for good: one
   * `DELETE /v1/memory?prefix=<prefix>:<thread>&purge=true`. Needs an admin key (else
   * Forbidden `admin_required`); recorded in the server's audit log.
   */
  async deleteThread(threadId: string): Promise<void> {
    const thread = String(threadId);
    await this.client.memory.purgePrefix(this.threadNamespace(thread));
    for (const key of [...this.storedVersions.keys()]) {
      if ((JSON.parse(key) as string[])[0] === thread) this.storedVersions.delete(key);
    }
  }

  // ---- reading

  private async toTuple(entry: MemoryEntry, writes: WriteValue[]): Promise<CheckpointTuple> {
    const v = this.checkpointValue(entry);
    this.remember(v);
    const [checkpoint, metadata, pendingWrites] = await Promise.all([
      this.load(v.checkpoint) as Promise<Checkpoint>,
      this.load(v.metadata) as Promise<CheckpointMetadata>,
      this.pendingWrites(writes),
    ]);
    const parentId = v.parent_checkpoint_id ?? undefined;
    if (checkpoint.v < 4 && parentId !== undefined) await this.migratePendingSends(checkpoint, v.thread_id, v.checkpoint_ns, parentId);
    const tuple: CheckpointTuple = {
      config: { configurable: { thread_id: v.thread_id, checkpoint_ns: v.checkpoint_ns, checkpoint_id: v.checkpoint_id } },
      checkpoint,
      metadata,
      pendingWrites,
    };
    if (parentId !== undefined) {
      tuple.parentConfig = { configurable: { thread_id: v.thread_id, checkpoint_ns: v.checkpoint_ns, checkpoint_id: parentId } };
    }
    return tuple;
  }

  /** In LangGraph's order (`writesSortKey`: task path, task id, idx). */
  private async pendingWrites(writes: WriteValue[]): Promise<CheckpointPendingWrite[]> {
    const sorted = [...writes].sort((a, b) =>
      compareWritesSortKeys(writesSortKey(a.task_path, a.task_id, a.idx), writesSortKey(b.task_path, b.task_id, b.idx)),
    );
    return Promise.all(sorted.map(async (w): Promise<CheckpointPendingWrite> => [w.task_id, w.channel, await this.load(w.value)]));
  }

  /** Checkpoints before format 4 kept pending sends as writes of the parent: move them into the TASKS channel. */
  private async migratePendingSends(checkpoint: Checkpoint, threadId: string, checkpointNs: string, parentId: string): Promise<void> {
    const parentWrites = (await this.writesOf(threadId, checkpointNs, [parentId])).filter((w) => w.channel === TASKS);
    const sends = await Promise.all((await this.pendingWrites(parentWrites)).map(([, , value]) => value));
    checkpoint.channel_values ??= {};
    checkpoint.channel_values[TASKS] = sends;
    checkpoint.channel_versions ??= {};
    checkpoint.channel_versions[TASKS] =
      Object.keys(checkpoint.channel_versions).length > 0
        ? maxChannelVersion(...Object.values(checkpoint.channel_versions))
        : this.getNextVersion(undefined);
  }

  /**
   * The writes of checkpoints `ids` of one namespace: one key-range listing from the smallest
   * id to the largest (`start_after=<min>.`, `end_before=<max>0`: every key `<id>.…` between),
   * more pages only when there are more than 1,000 writes in the range.
   */
  private async writesOf(threadId: string, checkpointNs: string, ids: string[]): Promise<WriteValue[]> {
    if (ids.length === 0) return [];
    const keys = ids.map((id) => this.checkpointKey(id)).sort(compareKeys);
    const wanted = new Set(ids);
    const out: WriteValue[] = [];
    for await (const e of this.client.memory.iter({
      namespace: this.writesNamespace(threadId, checkpointNs),
      startAfter: `${keys[0]}.`,
      endBefore: `${keys[keys.length - 1]}0`,
      pageSize: WRITES_PAGE,
    })) {
      const w = e.value as unknown as WriteValue;
      if (w && w.format === FORMAT && wanted.has(w.checkpoint_id)) out.push(w);
    }
    return out;
  }

  /** The writes of listed checkpoints, grouped per namespace: one range listing each. */
  private async writesOfEntries(entries: MemoryEntry[]): Promise<Map<string, WriteValue[]>> {
    const groups = new Map<string, { thread: string; ns: string; ids: string[] }>();
    for (const e of entries) {
      const v = this.checkpointValue(e);
      const g = groups.get(e.namespace) ?? { thread: v.thread_id, ns: v.checkpoint_ns, ids: [] };
      g.ids.push(v.checkpoint_id);
      groups.set(e.namespace, g);
    }
    const out = new Map<string, WriteValue[]>();
    await Promise.all(
      [...groups.values()].map(async (g) => {
        for (const w of await this.writesOf(g.thread, g.ns, g.ids)) {
          const key = this.cacheKey(w.thread_id, w.checkpoint_ns, w.checkpoint_id);
          out.set(key, [...(out.get(key) ?? []), w]);
        }
      }),
    );
    return out;
  }

  /**
   * The newest writes of a namespace, read while the latest checkpoint is: its writes (if it
   * has any) have the greatest keys. `of(id)` takes the ones of `id`, reading further pages
   * only while they may still hold some.
   */
  private async newestWrites(threadId: string, checkpointNs: string) {
    const namespace = this.writesNamespace(threadId, checkpointNs);
    const first = await this.client.memory.list({ namespace, order: "desc", limit: LATEST_WRITES_PAGE });
    return {
      of: async (checkpointId: string): Promise<WriteValue[]> => {
        const lower = `${this.checkpointKey(checkpointId)}.`;
        const out: WriteValue[] = [];
        let page = first;
        for (;;) {
          for (const e of page.items) {
            if (compareKeys(e.key, lower) <= 0) return out; // below the checkpoint's range: done
            const w = e.value as unknown as WriteValue;
            if (w && w.format === FORMAT && w.checkpoint_id === checkpointId) out.push(w);
          }
          if (page.next_cursor === null) return out;
          const last = page.items[page.items.length - 1];
          if (last && compareKeys(last.key, `${this.checkpointKey(checkpointId)}0`) >= 0 && out.length === 0) {
            // Still above the checkpoint's range (writes of a newer checkpoint put since): jump to it.
            return this.writesOf(threadId, checkpointNs, [checkpointId]);
          }
          page = await this.client.memory.list({ namespace, order: "desc", limit: WRITES_PAGE, cursor: page.next_cursor });
        }
      },
    };
  }
}
