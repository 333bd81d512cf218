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
  Alerts, ApiKey, Backup, Check, Decision, Document, DocumentFields, DocumentHit, DocumentSearch, Grant,
  Health, Json, JsonObject, MemoryEntry, MemoryFields, MemoryHit, MemorySearch, MemoryType, NewApiKey,
  NewEvent, NewSession, NewTask, NewTaskFields, OpsSummary, Page, Priority, Relation, Role, Session,
  SessionEvent, SessionEventPage, Task, TaskEvent, TaskPatch, TaskStats, TaskStatus, Action,
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

  events(session: SessionRef, query: { afterSeq?: number; limit?: number } = {}): Promise<SessionEventPage> {
    return this.c.get<SessionEventPage>(sessionPath(session) + "/events", { after_seq: query.afterSeq, limit: query.limit });
  }

  async *iterEvents(session: SessionRef, options: { afterSeq?: number; pageSize?: number } = {}): AsyncGenerator<SessionEvent> {
    let after: number | null = options.afterSeq ?? 0;
    while (after !== null) {
      const page = await this.events(session, { afterSeq: after, limit: options.pageSize });
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

  /** The current version (or `version`); a missing entry rejects with NotFound. */
  get(namespace: string, key: string, version?: number): Promise<MemoryEntry> {
    return this.c.get<MemoryEntry>(memoryPath(namespace, key), { version });
  }

  /** Like {@link get}, but `null` for an entry that does not exist (or was deleted). */
  async find(namespace: string, key: string, version?: number): Promise<MemoryEntry | null> {
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

  /** Live entries of `prefix` and below (whole segments), in (namespace, key) order. */
  list(query: { prefix?: string; type?: MemoryType; limit?: number; cursor?: string } = {}): Promise<Page<MemoryEntry>> {
    return this.c.get<Page<MemoryEntry>>("/v1/memory", { ...query });
  }

  iter(query: { prefix?: string; type?: MemoryType; pageSize?: number } = {}): AsyncGenerator<MemoryEntry> {
    return pages((cursor) => this.list({ prefix: query.prefix, type: query.type, limit: query.pageSize, cursor }));
  }

  /** Best hits first. A search changes nothing, so it is resent when safe. */
  async search(query: string, options: MemorySearch = {}): Promise<MemoryHit[]> {
    return (
      await this.c.call<{ items: MemoryHit[] }>("POST", "/v1/memory/search", { body: defined({ query, ...options }), safe: true })
    ).body.items;
  }
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
