/**
 * The shapes of requests and answers, as docs/http-api.md defines them. Field names are the
 * wire's (`snake_case`); every field of a resource is present, `null` when it has no value.
 * Times are RFC 3339 strings in UTC.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type Priority = "CRITICAL" | "HIGH" | "NORMAL" | "LOW";
export type TaskStatus = "pending" | "claimed" | "completed" | "failed" | "cancelled";
export type SlaStatus = "none" | "pending" | "met" | "violated";
export type MemoryType = "semantic" | "episodic" | "procedural";
export type SearchMode = "keyword" | "semantic" | "hybrid";
export type Role = "root" | "admin" | "agent" | "reader";
export type Relation = "owner" | "editor" | "viewer" | "member";
export type Action = "read" | "write" | "delete" | "share";

export interface Task {
  id: string;
  queue: string;
  type: string;
  payload: JsonObject;
  priority: Priority;
  status: TaskStatus;
  /** Counts claims; the fencing token heartbeat, complete and fail send back. */
  attempt: number;
  max_attempts: number;
  version: number;
  created_at: string;
  updated_at: string;
  run_after: string | null;
  /** The agent name the claim gave. */
  claimed_by: string | null;
  /** The subject of the key that claimed. */
  claimed_by_subject: string | null;
  lease_expires_at: string | null;
  deadline: string | null;
  sla_status: SlaStatus;
  result: Json;
  error: string | null;
}

/** What a task create takes besides its `type`. */
export interface NewTaskFields {
  queue?: string;
  payload?: JsonObject;
  priority?: Priority;
  max_attempts?: number;
  run_after?: string | Date;
  deadline?: string | Date;
}

/** One item of a batch create. */
export interface NewTask extends NewTaskFields {
  type: string;
  idempotency_key?: string;
}

export interface TaskPatch {
  priority?: Priority;
  payload?: JsonObject;
  run_after?: string | Date | null;
}

export interface TaskEvent {
  at: string;
  actor: string;
  action: string;
  from_status: TaskStatus | null;
  to_status: TaskStatus | null;
  attempt: number;
  detail: JsonObject | null;
}

export type StatusCounts = Record<TaskStatus, number>;

export interface TaskStats {
  counts: StatusCounts;
  by_priority: Record<Priority, StatusCounts>;
  oldest_pending_age_seconds: Record<Priority, number | null>;
  sla: { pending: number; met: number; violated: number };
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Session {
  id: string;
  status: "active" | "terminated";
  agent: string | null;
  user: string | null;
  state: JsonObject;
  version: number;
  event_count: number;
  created_at: string;
  updated_at: string;
}

export interface NewSession {
  id?: string;
  agent?: string;
  user?: string;
  state?: JsonObject;
}

export interface SessionEvent {
  seq: number;
  type: string;
  data: Json;
  created_at: string;
}

export interface NewEvent {
  type: string;
  data?: Json;
}

export interface SessionEventPage {
  items: SessionEvent[];
  /** Oldest first: the `afterSeq` of the next page; `null` at the end (always with `order: "desc"`). */
  next_after_seq: number | null;
  /** Newest first: the `beforeSeq` of the next page; `null` at the end (always with `order: "asc"`). */
  next_before_seq: number | null;
}

export type SessionStatus = Session["status"];
export type Order = "asc" | "desc";

/** What `DELETE /v1/sessions/{id}` answers: the session, its state, events and grants are gone. */
export interface SessionDeleted {
  id: string;
  deleted: true;
  /** How many events were removed. */
  events: number;
}

export interface MemoryEntry {
  namespace: string;
  key: string;
  version: number;
  type: MemoryType;
  value: Json;
  text: string | null;
  metadata: JsonObject;
  deleted: boolean;
  created_at: string;
  updated_at: string;
  written_by: string | null;
  /** The TTL the last write gave, `null` for an entry that never expires. */
  ttl_seconds: number | null;
  /** When the entry expires, `null` for one that never does. */
  expires_at: string | null;
}

/** What a memory write takes besides its `value`. Each write replaces the whole entry. */
export interface MemoryFields {
  type?: MemoryType;
  text?: string;
  metadata?: JsonObject;
  /** 1 s to ten years: the entry expires that long after the write; without it it never does. */
  ttl_seconds?: number;
}

/** A scalar a filter compares with. */
export type FilterScalar = string | number | boolean | null;
/** A plain value means `$eq`; `$gt`…`$lte` compare numbers with numbers and strings with strings. */
export type FilterCondition =
  | FilterScalar
  | {
      $eq?: FilterScalar;
      $ne?: FilterScalar;
      $gt?: FilterScalar;
      $gte?: FilterScalar;
      $lt?: FilterScalar;
      $lte?: FilterScalar;
      $in?: FilterScalar[];
    };

/**
 * Conditions over fields of an entry's `metadata` and `value`, all of which must hold; dotted
 * names reach nested fields (`"run.attempt"`). At most 20 conditions, 8 path segments, 100
 * `$in` values and 8 KiB (else InvalidInput `invalid_filter`).
 */
export interface MemoryFilter {
  metadata?: Record<string, FilterCondition>;
  value?: Record<string, FilterCondition>;
}

export interface MemorySearch {
  prefix?: string;
  type?: MemoryType;
  /** Default `hybrid`; ignored without a query. */
  mode?: SearchMode;
  filter?: MemoryFilter;
  /** 1 to 100, default 10. */
  limit?: number;
  /** Hits to skip (≤ 10,000), default 0. */
  offset?: number;
}

/** The current version of an entry found by a search; `score` is `null` for a search without a query. */
export type MemoryHit = Omit<MemoryEntry, "deleted" | "ttl_seconds"> & { score: number | null };

/** One op of `POST /v1/memory/batch`; `if_version` / `if_absent` are its preconditions. */
export type MemoryBatchOp = MemoryBatchPut | MemoryBatchDelete;

export interface MemoryBatchPut extends MemoryFields {
  op: "put";
  namespace: string;
  key: string;
  /** Any JSON except `null`. */
  value: Json;
  /** Apply only if this is the current version (else the whole batch is a 412). */
  if_version?: number;
  /** Apply only if there is no live entry; not with `if_version`. */
  if_absent?: boolean;
}

/** A delete of an entry that does not exist is a no-op (`entry: null`) unless it has `if_version`. */
export interface MemoryBatchDelete {
  op: "delete";
  namespace: string;
  key: string;
  if_version?: number;
}

export interface MemoryBatchResult {
  op: "put" | "delete";
  namespace: string;
  key: string;
  /** The version written (a tombstone for a delete); `null` for a delete of nothing. */
  entry: MemoryEntry | null;
  /** True when a put made a new entry. */
  created: boolean;
}

/** What a purge removed for good. */
export interface MemoryPurge {
  /** `memory:<namespace>/<key>` or `memory:<prefix>`. */
  target: string;
  entries: number;
  versions: number;
  vectors: number;
  /** Queued embedding work removed. */
  queued: number;
}

/** One record of the audit log: something removed for good. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  /** `memory.purge` or `session.delete`. */
  action: string;
  /** `memory:<namespace>[/<key>]` or `session:<id>`. */
  target: string;
  /** `{entries, versions, vectors, queued}` for memory.purge, `{events}` for session.delete. */
  detail: JsonObject;
}

/** Newest first. */
export interface AuditPage {
  items: AuditEntry[];
  /** The `beforeId` of the next page; `null` on the last one. */
  next_before_id: number | null;
}

export interface Document {
  id: string;
  version: number;
  chunks: number;
  title: string | null;
  source: string | null;
  metadata: JsonObject;
  /** null in the answers of create and replace. */
  text: string | null;
  created_at: string;
  updated_at: string;
  written_by: string | null;
}

export interface DocumentFields {
  title?: string;
  source?: string;
  metadata?: JsonObject;
}

export interface DocumentSearch {
  mode?: SearchMode;
  limit?: number;
  source?: string;
}

export interface DocumentHit {
  document_id: string;
  chunk: number;
  text: string;
  score: number;
  title: string | null;
  source: string | null;
}

export interface Grant {
  resource: string;
  relation: Relation;
  subject: string;
}

export interface Check {
  subject: string;
  action: Action;
  resource: string;
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

export interface ApiKey {
  id: string;
  tenant: string;
  subject: string;
  role: Role;
  created_at: string;
  revoked_at: string | null;
}

export interface NewApiKey {
  id: string;
  /** The secret, shown this once. */
  key: string;
  tenant: string;
  subject: string;
  role: Role;
}

export interface Backup {
  path: string;
  created_at: string;
  schema_version: number;
  tables: Array<{ name: string; file: string; rows: number; bytes: number; sha256: string; columns: string[] }>;
}

export interface Health {
  status: "UP" | "DEGRADED" | "DOWN";
  /** Only for admin and root keys (`/health`). */
  checks?: Record<string, { status: string; [detail: string]: unknown }>;
  /** `/health/ready` when DOWN. */
  reason?: string;
}

export interface Alert {
  name: string;
  severity: string;
  summary: string;
  value: number;
  threshold: number;
  starts_at: string;
}

export interface Alerts {
  firing: Alert[];
  rules: Array<{ name: string; severity: string; description: string; threshold: number }>;
}

export interface OpsSummary {
  health: Health;
  alerts: Alerts;
  store: string;
  metrics: boolean;
}
