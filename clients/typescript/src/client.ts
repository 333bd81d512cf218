/**
 * The client: one method per route of the HTTP API (docs/http-api.md), grouped by what they
 * work on. Methods resolve to the parsed JSON of the answer and reject with a
 * {@link StatekeeperError} subclass for every problem the server answers. The client checks
 * nothing the server checks: a bad value is the server's 4xx, thrown with the server's code.
 */

import { randomUUID } from "node:crypto";
import { NotFound } from "./errors.js";
import { NO_RETRY, RetryOptions, RetryPolicy, Transport, QueryValue, RequestOptions, segment } from "./transport.js";
import type {
  Alerts, ApiKey, AuditEntry, AuditPage, Backup, Check, Decision, Document, DocumentFields, DocumentHit, DocumentSearch,
  Grant, Health, Json, JsonObject, MemoryBatchOp, MemoryBatchResult, MemoryEntry, MemoryFields, MemoryFilter, MemoryHit,
  MemoryPurge, MemorySearch, MemoryType, NewApiKey, NewEvent, NewSession, NewTask, NewTaskFields, OpsSummary, Order, Page,
  Priority, Relation, Role, Session, SessionDeleted, SessionEvent, SessionEventPage, SessionStatus, Task, TaskEvent,
  TaskPatch, TaskStats, TaskStatus, Action,
} from "./types.js";

export interface ClientOptions {
  /** The server, e.g. `http://127.0.0.1:7070`. */
  url: string;
  /** Sent as `Authorization: Bearer`. */
  apiKey?: string | null;
  /** A root key acting in another tenant (`Statekeeper-Tenant`). */
  tenant?: string;
  /** Bound on each request in ms (claims add their `waitSeconds`). Default 30000. */
  timeoutMs?: number;
  /** How safe requests are resent; `{ attempts: 1 }` turns that off. */
  retry?: RetryPolicy | RetryOptions;
}

/** A task id, or a task as a claim or a read returned it. */
export type TaskRef = string | Pick<Task, "id"> & Partial<Pick<Task, "attempt" | "claimed_by" | "version">>;
/** A session id, or a session. */
export type SessionRef = string | Pick<Session, "id"> & Partial<Pick<Session, "version">>;
/** A version number, `*`, or a header value given as is. */
export type IfMatch = number | string;

export interface Holder {
  /** The agent of the claim; default: the task's `claimed_by`. */
  agent?: string;
  /** The fencing token; default: the task's `attempt`. */
  attempt?: number;
}

function idOf(ref: string | { id: string }): string {
  return typeof ref === "string" ? ref : ref.id;
}

function ifMatch(v: IfMatch | null | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === "number" ? `"${v}"` : v;
}

/** The fields that have a value (undefined: leave it to the server's default). */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function* pages<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.items;
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined);
}

/** A client of one Statekeeper server for one API key. Share it freely. */
export class Client {
  readonly tasks: Tasks;
  readonly sessions: Sessions;
  readonly memory: Memory;
  readonly documents: Documents;
  readonly access: Access;
  readonly keys: Keys;
  readonly admin: Admin;
  readonly audit: Audit;
  readonly ops: Ops;
  readonly tenant: string | null;
  /** @internal */
  readonly transport: Transport;

  constructor(options: ClientOptions);
  /** @internal */
  constructor(options: ClientOptions, transport: Transport);
  constructor(options: ClientOptions, transport?: Transport) {
    this.transport =
      transport ??
      new Transport({ url: options.url, apiKey: options.apiKey ?? null, timeoutMs: options.timeoutMs, retry: options.retry });
    this.tenant = options.tenant ?? null;
    this.tasks = new Tasks(this);
    this.sessions = new Sessions(this);
    this.memory = new Memory(this);
    this.documents = new Documents(this);
    this.access = new Access(this);
    this.keys = new Keys(this);
    this.admin = new Admin(this);
    this.audit = new Audit(this);
    this.ops = new Ops(this);
  }

  /** The same client acting in `tenant` (a root key's power). */
  inTenant(tenant: string): Client {
    return new Client({ url: this.transport.baseUrl, tenant }, this.transport);
  }

  /** Any route by hand; `safe` defaults to true for GET only. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.call<T>(method, path, { safe: method.toUpperCase() === "GET", ...options })).body;
  }

  /** @internal */
  async call<T>(method: string, path: string, options: RequestOptions = {}) {
    const headers = { ...(options.headers ?? {}) };
    if (this.tenant !== null) headers["Statekeeper-Tenant"] = this.tenant;
    return this.transport.request<T>(method, path, { ...options, headers });
  }

  /** @internal */
  async get<T>(path: string, query?: Record<string, QueryValue>): Promise<T> {
    return (await this.call<T>("GET", path, { query, safe: true })).body;
  }
}

export interface ClaimOptions {
  /** Default: `["default"]`. */
  queues?: string | string[];
  types?: string[];
  /** Up to 100; default 1. */
  limit?: number;
  /** Long poll: wait up to this long (≤ 30 s) for a task. Default 0. */
  waitSeconds?: number;
  leaseSeconds?: number;
  signal?: AbortSignal;
}

export interface TaskListQuery {
  queue?: string;
  status?: TaskStatus;
  priority?: Priority;
  limit?: number;
  cursor?: string;
}

/** `/v1/tasks`: create, claim, heartbeat, complete, fail, cancel, list, inspect. */
export class Tasks {
  constructor(private readonly c: Client) {}

  /**
   * Creates a task. Every create carries an `Idempotency-Key` (a random one unless given), so a
   * create whose answer was lost is resent safely: the server answers the first task again.
   */
  async create(type: string, fields: NewTaskFields = {}, options: { idempotencyKey?: string } = {}): Promise<Task> {
    const headers = { "Idempotency-Key": options.idempotencyKey ?? randomUUID() };
    return (await this.c.call<Task>("POST", "/v1/tasks", { body: defined({ type, ...fields }), headers, safe: true })).body;
  }

  /** Creates 1 to 1,000 tasks, all or nothing; items without `idempotency_key` get a random one. */
  async createBatch(tasks: NewTask[]): Promise<Task[]> {
    const items = tasks.map((t) => ({ idempotency_key: randomUUID(), ...defined(t) }));
    return (await this.c.call<{ items: Task[] }>("POST", "/v1/tasks/batch", { body: { tasks: items }, safe: true })).body
      .items;
  }

  get(task: TaskRef): Promise<Task> {
    return this.c.get<Task>("/v1/tasks/" + segment(idOf(task)));
  }

  /** One page in creation order. */
  list(query: TaskListQuery = {}): Promise<Page<Task>> {
    return this.c.get<Page<Task>>("/v1/tasks", { ...query });
  }

  /** Every task that matches, page after page. */
  iter(query: Omit<TaskListQuery, "cursor"> = {}): AsyncGenerator<Task> {
    return pages((cursor) => this.list({ ...query, cursor }));
  }

  /** Changes a pending task; `If-Match` is the task's `version` unless `ifMatch` is given. */
  async patch(task: TaskRef, patch: TaskPatch, options: { ifMatch?: IfMatch } = {}): Promise<Task> {
    const version = options.ifMatch ?? (typeof task === "string" ? undefined : task.version);
    return (
      await this.c.call<Task>("PATCH", "/v1/tasks/" + segment(idOf(task)), {
        body: patch,
        headers: { "If-Match": ifMatch(version) },
      })
    ).body;
  }

  /**
   * Leases up to `limit` pending tasks to `agent`. Not resent on a 503: its answer may be lost
   * after it leased tasks, which return to pending when their lease ends.
   */
  async claim(agent: string, options: ClaimOptions = {}): Promise<Task[]> {
    const queues = typeof options.queues === "string" ? [options.queues] : options.queues;
    const wait = options.waitSeconds ?? 0;
    const body = defined({
      agent,
      queues,
      types: options.types,
      limit: options.limit ?? 1,
      lease_seconds: options.leaseSeconds,
      wait_seconds: wait || undefined,
    });
    const timeoutMs = this.c.transport.timeoutMs + wait * 1000;
    return (await this.c.call<{ items: Task[] }>("POST", "/v1/tasks/claim", { body, timeoutMs, signal: options.signal }))
      .body.items;
  }

  /**
   * Extends the lease to `leaseSeconds` from now (the server's default lease without it, not the
   * claim's). Resent when safe: a repeated heartbeat sets the same lease again.
   */
  async heartbeat(task: TaskRef, options: Holder & { leaseSeconds?: number } = {}): Promise<Task> {
    const body = defined({ ...holder(task, options), lease_seconds: options.leaseSeconds });
    return (await this.c.call<Task>("POST", leasePath(task, "heartbeat"), { body, safe: true })).body;
  }

  /**
   * Completes a claimed task: sends its id, its `attempt` and its `claimed_by` as the agent
   * (override with `agent`/`attempt`, needed with a bare id). Rejects with LeaseNotHeld when
   * the lease is not the caller's (any more).
   */
  async complete(task: TaskRef, result?: Json, options: Holder = {}): Promise<Task> {
    const body = defined({ ...holder(task, options), result });
    return (await this.c.call<Task>("POST", leasePath(task, "complete"), { body })).body;
  }

  /** Fails the attempt; with `retry` (default) and attempts left it goes back to pending. */
  async fail(task: TaskRef, error: string, options: Holder & { retry?: boolean } = {}): Promise<Task> {
    const body = { ...holder(task, options), error, retry: options.retry ?? true };
    return (await this.c.call<Task>("POST", leasePath(task, "fail"), { body })).body;
  }

  async cancel(task: TaskRef, reason?: string): Promise<Task> {
    return (await this.c.call<Task>("POST", "/v1/tasks/" + segment(idOf(task)) + "/cancel", { body: defined({ reason }) }))
      .body;
  }

  /** The audit trail. */
  async events(task: TaskRef): Promise<TaskEvent[]> {
    return (await this.c.get<{ items: TaskEvent[] }>("/v1/tasks/" + segment(idOf(task)) + "/events")).items;
  }

  stats(queue?: string): Promise<TaskStats> {
    return this.c.get<TaskStats>("/v1/tasks/stats", { queue });
  }
}

function leasePath(task: TaskRef, action: string): string {
  return "/v1/tasks/" + segment(idOf(task)) + "/" + action;
}

function holder(task: TaskRef, h: Holder): { agent?: string; attempt?: number } {
  const fromTask = typeof task === "string" ? {} : { agent: task.claimed_by ?? undefined, attempt: task.attempt };
  return defined({ agent: h.agent ?? fromTask.agent, attempt: h.attempt ?? fromTask.attempt });
}

/** `/v1/sessions`: an event log and a JSON state per conversation or run. */
export class Sessions {
  constructor(private readonly c: Client) {}

  /** A taken id rejects with AlreadyExists; without `id` one is generated. */
  async create(session: NewSession = {}): Promise<Session> {
    return (await this.c.call<Session>("POST", "/v1/sessions", { body: defined(session) })).body;
  }

  get(session: SessionRef): Promise<Session> {
    return this.c.get<Session>(sessionPath(session));
  }

  /**
   * One page of the sessions the key may read, newest created first, filtered by `agent`,
   * `user` and `status` when given.
   */
  list(query: SessionListQuery = {}): Promise<Page<Session>> {
    return this.c.get<Page<Session>>("/v1/sessions", { ...query });
  }

  /** Every session that matches, newest first, page after page. */
  iter(query: Omit<SessionListQuery, "cursor" | "limit"> & { pageSize?: number } = {}): AsyncGenerator<Session> {
    const { pageSize, ...rest } = query;
    return pages((cursor) => this.list({ ...rest, limit: pageSize, cursor }));
  }

  /**
   * Removes the session, its state, every event and the grants on it, for good (the owner or an
   * admin key; recorded in the audit log). Not resent on a 503.
   */
  async delete(session: SessionRef): Promise<SessionDeleted> {
    return (await this.c.call<SessionDeleted>("DELETE", sessionPath(session))).body;
  }

  /** Appends one event (not resent on a 503: it could be appended twice). */
  async append(session: SessionRef, type: string, data?: Json): Promise<SessionEvent> {
    const items = (
      await this.c.call<{ items: SessionEvent[] }>("POST", sessionPath(session) + "/events", { body: defined({ type, data }) })
    ).body.items;
    return items[0] as SessionEvent;
  }

  /** Appends 1 to 1,000 events with consecutive `seq`, all or nothing. */
  async appendMany(session: SessionRef, events: NewEvent[]): Promise<SessionEvent[]> {
    return (await this.c.call<{ items: SessionEvent[] }>("POST", sessionPath(session) + "/events", { body: { events } }))
      .body.items;
  }

  /**
   * One page of the events with `afterSeq < seq < beforeSeq`, oldest first, or newest first
   * with `order: "desc"` (the latest events of a long log, read without the rest).
   */
  events(session: SessionRef, query: EventQuery = {}): Promise<SessionEventPage> {
    return this.c.get<SessionEventPage>(sessionPath(session) + "/events", {
      after_seq: query.afterSeq,
      before_seq: query.beforeSeq,
      order: query.order,
      limit: query.limit,
    });
  }

  /** Every event in the range, page after page, in `order` (default oldest first). */
  async *iterEvents(session: SessionRef, options: Omit<EventQuery, "limit"> & { pageSize?: number } = {}): AsyncGenerator<SessionEvent> {
    const base = { order: options.order, limit: options.pageSize };
    if (options.order === "desc") {
      let before: number | null | undefined = options.beforeSeq;
      do {
        const page: SessionEventPage = await this.events(session, { ...base, afterSeq: options.afterSeq, beforeSeq: before });
        yield* page.items;
        before = page.next_before_seq;
      } while (before !== null);
      return;
    }
    let after: number | null = options.afterSeq ?? 0;
    while (after !== null) {
      const page: SessionEventPage = await this.events(session, { ...base, afterSeq: after, beforeSeq: options.beforeSeq });
      yield* page.items;
      after = page.next_after_seq;
    }
  }

  /** Replaces the state; `If-Match` is the session's `version` unless `ifMatch` is given. */
  async setState(session: SessionRef, state: JsonObject, options: { ifMatch?: IfMatch } = {}): Promise<Session> {
    const version = options.ifMatch ?? (typeof session === "string" ? undefined : session.version);
    return (
      await this.c.call<Session>("PUT", sessionPath(session) + "/state", {
        body: { state },
        headers: { "If-Match": ifMatch(version) },
      })
    ).body;
  }

  async terminate(session: SessionRef): Promise<Session> {
    return (await this.c.call<Session>("POST", sessionPath(session) + "/terminate")).body;
  }
}

export interface SessionListQuery {
  agent?: string;
  user?: string;
  status?: SessionStatus;
  /** 1 to 1,000, default 100. */
  limit?: number;
  cursor?: string;
}

export interface EventQuery {
  /** Only events after this `seq` (default 0). */
  afterSeq?: number;
  /** Only events before this `seq`. */
  beforeSeq?: number;
  /** `asc` (default): oldest first; `desc`: newest first. */
  order?: Order;
  /** 1 to 1,000, default 100. */
  limit?: number;
}

function sessionPath(session: SessionRef): string {
  return "/v1/sessions/" + segment(idOf(session));
}

export interface PutOptions {
  /** A version, or `*` (some live entry exists). */
  ifMatch?: IfMatch;
  /** `*`: only if no live entry exists. */
  ifNoneMatch?: "*";
}

/** `/v1/memory`: versioned entries under a namespace and a key, with search. */
export class Memory {
  constructor(private readonly c: Client) {}

  /** Writes a new version (not resent on a 503: it could write two). */
  async put(namespace: string, key: string, value: Json, fields: MemoryFields = {}, options: PutOptions = {}): Promise<MemoryEntry> {
    return (
      await this.c.call<MemoryEntry>("PUT", memoryPath(namespace, key), {
        body: defined({ value, ...fields }),
        headers: { "If-Match": ifMatch(options.ifMatch), "If-None-Match": options.ifNoneMatch },
      })
    ).body;
  }

  /**
   * The current version (or `version`); a missing, deleted or expired entry rejects with
   * NotFound. `{ refreshTtl: true }` first moves `expires_at` to now + `ttl_seconds` (a write:
   * reader keys get Forbidden `read_only_key`; repeating it is harmless, so it is resent).
   */
  get(namespace: string, key: string, version?: number | MemoryGetOptions): Promise<MemoryEntry> {
    const o: MemoryGetOptions = typeof version === "number" ? { version } : version ?? {};
    return this.c.get<MemoryEntry>(memoryPath(namespace, key), {
      version: o.version,
      refresh_ttl: o.refreshTtl ? true : undefined,
    });
  }

  /** Like {@link get}, but `null` for an entry that does not exist (or was deleted, or expired). */
  async find(namespace: string, key: string, version?: number | MemoryGetOptions): Promise<MemoryEntry | null> {
    try {
      return await this.get(namespace, key, version);
    } catch (e) {
      if (e instanceof NotFound && e.code === "memory_not_found") return null;
      throw e;
    }
  }

  history(namespace: string, key: string, query: { limit?: number; cursor?: string } = {}): Promise<Page<MemoryEntry>> {
    return this.c.get<Page<MemoryEntry>>(memoryPath(namespace, key) + "/history", { ...query });
  }

  iterHistory(namespace: string, key: string, options: { pageSize?: number } = {}): AsyncGenerator<MemoryEntry> {
    return pages((cursor) => this.history(namespace, key, { limit: options.pageSize, cursor }));
  }

  /** Writes a tombstone version and returns it. */
  async delete(namespace: string, key: string, options: { ifMatch?: IfMatch } = {}): Promise<MemoryEntry> {
    return (
      await this.c.call<MemoryEntry>("DELETE", memoryPath(namespace, key), { headers: { "If-Match": ifMatch(options.ifMatch) } })
    ).body;
  }

  /**
   * One page of the live entries of `prefix` and below (whole segments) or of exactly one
   * `namespace`, in (namespace, key) order or its reverse (`order: "desc"`), keys bounded by
   * `startAfter` / `endBefore` (exclusive), narrowed by `filter`. Order and bounds are part of
   * the index range read: `{ namespace, order: "desc", limit: 1 }` is the last key however many
   * there are.
   */
  list(query: MemoryListQuery = {}): Promise<Page<MemoryEntry>> {
    return this.c.get<Page<MemoryEntry>>("/v1/memory", {
      prefix: query.prefix,
      namespace: query.namespace,
      type: query.type,
      order: query.order,
      start_after: query.startAfter,
      end_before: query.endBefore,
      filter: filterText(query.filter),
      limit: query.limit,
      cursor: query.cursor,
    });
  }

  /** Every entry that {@link list} matches, page after page. */
  iter(query: Omit<MemoryListQuery, "cursor" | "limit"> & { pageSize?: number } = {}): AsyncGenerator<MemoryEntry> {
    const { pageSize, ...rest } = query;
    return pages((cursor) => this.list({ ...rest, limit: pageSize, cursor }));
  }

  /**
   * Up to 500 puts and deletes in one transaction, all or nothing; the results come in the
   * order of `ops`. A failed `if_version` / `if_absent` rejects with PreconditionFailed whose
   * `opIndex` names the op, and nothing is written. Not resent on a 503.
   */
  async batch(ops: MemoryBatchOp[]): Promise<MemoryBatchResult[]> {
    const body = { ops: ops.map((op) => defined(op)) };
    return (await this.c.call<{ items: MemoryBatchResult[] }>("POST", "/v1/memory/batch", { body })).body.items;
  }

  /**
   * The namespaces holding live entries the caller may read, in order: within `prefix`, ending
   * with the segments of `suffix`, cut to their first `maxDepth` segments and listed once.
   */
  async namespaces(query: NamespaceQuery = {}): Promise<string[]> {
    return (
      await this.c.get<{ items: string[] }>("/v1/memory/namespaces", {
        prefix: query.prefix,
        suffix: query.suffix,
        max_depth: query.maxDepth,
        limit: query.limit,
        offset: query.offset,
      })
    ).items;
  }

  /**
   * Best hits first. Without a `query` (or a blank one): the entries passing the other
   * conditions, most recently updated first, `score: null`. A search changes nothing, so it is
   * resent when safe.
   */
  async search(query?: string | null, options: MemorySearch = {}): Promise<MemoryHit[]> {
    const body = defined({ query: query ?? undefined, ...options });
    return (await this.c.call<{ items: MemoryHit[] }>("POST", "/v1/memory/search", { body, safe: true })).body.items;
  }

  /**
   * Removes one entry for good: every version, its vector and queued embedding work (admin
   * keys; recorded in the audit log). NotFound if it was never written. Not resent on a 503.
   */
  async purge(namespace: string, key: string): Promise<MemoryPurge> {
    return (await this.c.call<MemoryPurge>("DELETE", memoryPath(namespace, key), { query: { purge: true } })).body;
  }

  /**
   * Removes `prefix` and everything below it (whole segments) for good, with the grants on the
   * subtree (admin keys; recorded in the audit log). Not resent on a 503.
   */
  async purgePrefix(prefix: string): Promise<MemoryPurge> {
    return (await this.c.call<MemoryPurge>("DELETE", "/v1/memory", { query: { prefix, purge: true } })).body;
  }
}

export interface MemoryGetOptions {
  /** A version still kept (tombstones read with `deleted: true`). Not with `refreshTtl`. */
  version?: number;
  /** Move `expires_at` to now + `ttl_seconds` first. */
  refreshTtl?: boolean;
}

export interface MemoryListQuery {
  /** A subtree, by whole segments. Not with `namespace`. */
  prefix?: string;
  /** Exactly this namespace. Not with `prefix`. */
  namespace?: string;
  type?: MemoryType;
  /** `asc` (default) or `desc`. */
  order?: Order;
  /** Only keys after this one (exclusive). */
  startAfter?: string;
  /** Only keys before this one (exclusive). */
  endBefore?: string;
  /** Conditions over `metadata` and `value` (an object, or its JSON text). */
  filter?: MemoryFilter | string;
  /** 1 to 1,000, default 100. */
  limit?: number;
  cursor?: string;
}

export interface NamespaceQuery {
  prefix?: string;
  /** Segments a namespace must end with. */
  suffix?: string;
  /** 1 to 8: cut namespaces to their first `maxDepth` segments. */
  maxDepth?: number;
  /** 1 to 1,000, default 100. */
  limit?: number;
  /** 0 to 10,000. */
  offset?: number;
}

function filterText(filter: MemoryFilter | string | undefined): string | undefined {
  if (filter === undefined) return undefined;
  return typeof filter === "string" ? filter : JSON.stringify(filter);
}

function memoryPath(namespace: string, key: string): string {
  return "/v1/memory/" + segment(namespace) + "/" + segment(key);
}

/** `/v1/documents`: text split into searchable chunks. Ids may hold `/`. */
export class Documents {
  constructor(private readonly c: Client) {}

  /** A taken id rejects with AlreadyExists. */
  async create(text: string, fields: DocumentFields & { id?: string } = {}): Promise<Document> {
    return (await this.c.call<Document>("POST", "/v1/documents", { body: defined({ ...fields, text }) })).body;
  }

  /** Creates or replaces document `id`. */
  async put(id: string, text: string, fields: DocumentFields = {}): Promise<Document> {
    return (await this.c.call<Document>("PUT", documentPath(id), { body: defined({ ...fields, text }) })).body;
  }

  get(id: string): Promise<Document> {
    return this.c.get<Document>(documentPath(id));
  }

  async delete(id: string): Promise<{ id: string; deleted: boolean }> {
    return (await this.c.call<{ id: string; deleted: boolean }>("DELETE", documentPath(id))).body;
  }

  async search(query: string, options: DocumentSearch = {}): Promise<DocumentHit[]> {
    return (
      await this.c.call<{ items: DocumentHit[] }>("POST", "/v1/documents/search", { body: defined({ query, ...options }), safe: true })
    ).body.items;
  }
}

function documentPath(id: string): string {
  return "/v1/documents/" + segment(id, true);
}

/** `/v1/access`: grants and checks. */
export class Access {
  constructor(private readonly c: Client) {}

  async grant(resource: string, relation: Relation, subject: string): Promise<Grant> {
    return (await this.c.call<Grant>("POST", "/v1/access/grants", { body: { resource, relation, subject } })).body;
  }

  async revoke(resource: string, relation: Relation, subject: string): Promise<Grant> {
    return (await this.c.call<Grant>("DELETE", "/v1/access/grants", { body: { resource, relation, subject } })).body;
  }

  async grants(query: { resource?: string; subject?: string } = {}): Promise<Grant[]> {
    return (await this.c.get<{ items: Grant[] }>("/v1/access/grants", { ...query })).items;
  }

  async check(subject: string, action: Action, resource: string): Promise<Decision> {
    return (await this.c.call<Decision>("POST", "/v1/access/check", { body: { subject, action, resource }, safe: true })).body;
  }

  /** 1 to 100 checks. */
  async checkBatch(checks: Check[]): Promise<Decision[]> {
    return (await this.c.call<{ items: Decision[] }>("POST", "/v1/access/check-batch", { body: { checks }, safe: true })).body
      .items;
  }
}

/** `/v1/keys`: making, listing and revoking API keys. */
export class Keys {
  constructor(private readonly c: Client) {}

  /** A new key; its secret (`key`) is in this answer only. */
  async create(tenant: string, subject: string, role: Role): Promise<NewApiKey> {
    return (await this.c.call<NewApiKey>("POST", "/v1/keys", { body: { tenant, subject, role } })).body;
  }

  async list(tenant?: string): Promise<ApiKey[]> {
    return (await this.c.get<{ items: ApiKey[] }>("/v1/keys", { tenant })).items;
  }

  async revoke(key: string | { id: string }): Promise<ApiKey> {
    return (await this.c.call<ApiKey>("DELETE", "/v1/keys/" + segment(idOf(key)))).body;
  }
}

/** `/v1/admin`: operations on the whole store (root keys). */
export class Admin {
  constructor(private readonly c: Client) {}

  async backup(): Promise<Backup> {
    return (await this.c.call<Backup>("POST", "/v1/admin/backups")).body;
  }
}

/** `/v1/audit`: what was removed for good in the caller's tenant (admin and root keys). */
export class Audit {
  constructor(private readonly c: Client) {}

  /** One page, newest first; pass `next_before_id` as `beforeId` for the next. */
  list(query: { beforeId?: number; limit?: number } = {}): Promise<AuditPage> {
    return this.c.get<AuditPage>("/v1/audit", { before_id: query.beforeId, limit: query.limit });
  }

  /** Every record, newest first, page after page. */
  async *iter(options: { beforeId?: number; pageSize?: number } = {}): AsyncGenerator<AuditEntry> {
    let before: number | null | undefined = options.beforeId;
    do {
      const page: AuditPage = await this.list({ beforeId: before, limit: options.pageSize });
      yield* page.items;
      before = page.next_before_id;
    } while (before !== null);
  }
}

/**
 * Health, metrics and the dashboard's operations data. `live`, `ready` and `health` resolve to
 * the status document also when it says DOWN (503): they report, they neither throw nor retry.
 */
export class Ops {
  constructor(private readonly c: Client) {}

  private async status(path: string): Promise<Health> {
    return (await this.c.call<Health>("GET", path, { retry: NO_RETRY, acceptStatuses: [503] })).body;
  }

  live(): Promise<Health> {
    return this.status("/health/live");
  }

  ready(): Promise<Health> {
    return this.status("/health/ready");
  }

  /** UP, DEGRADED or DOWN; with an admin or root key also every check. */
  health(): Promise<Health> {
    return this.status("/health");
  }

  /** The Prometheus text of `/metrics`. */
  async metrics(): Promise<string> {
    return (await this.c.call<string>("GET", "/metrics", { safe: true })).body;
  }

  summary(): Promise<OpsSummary> {
    return this.c.get<OpsSummary>("/v1/ops/summary");
  }

  alerts(): Promise<Alerts> {
    return this.c.get<Alerts>("/v1/ops/alerts");
  }
}
