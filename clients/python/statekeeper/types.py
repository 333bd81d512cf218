"""The shapes of what the server answers, as TypedDicts (plain dicts at run time).

Field names and meanings are those of docs/http-api.md. Every field of a resource is present;
it is ``None`` when it has no value. Times are RFC 3339 strings in UTC.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict, Union

JSON = Any
"""Any JSON value: dict, list, str, int, float, bool or None."""

__all__ = [
    "JSON", "Task", "TaskEvent", "TaskStats", "TaskPage", "Session", "SessionPage", "SessionDeleted",
    "SessionEvent", "SessionEventPage", "MemoryEntry", "MemoryPage", "MemoryHit", "MemoryFilter",
    "MemoryBatchPut", "MemoryBatchDelete", "MemoryBatchOp", "MemoryBatchResult", "MemoryPurge",
    "Document", "DocumentHit", "Grant", "Decision", "ApiKey", "NewApiKey", "Backup", "AuditRecord",
    "AuditPage", "Health", "Alerts", "OpsSummary",
]


class Task(TypedDict):
    id: str
    queue: str
    type: str
    payload: Dict[str, Any]
    priority: str  # CRITICAL | HIGH | NORMAL | LOW
    status: str  # pending | claimed | completed | failed | cancelled
    attempt: int  # the fencing token of the current claim
    max_attempts: int
    version: int
    created_at: str
    updated_at: str
    run_after: Optional[str]
    claimed_by: Optional[str]  # the agent name of the claim
    claimed_by_subject: Optional[str]  # the subject of the key that claimed
    lease_expires_at: Optional[str]
    deadline: Optional[str]
    sla_status: str  # none | pending | met | violated
    result: JSON
    error: Optional[str]


class TaskEvent(TypedDict):
    at: str
    actor: str
    action: str
    from_status: Optional[str]
    to_status: Optional[str]
    attempt: int
    detail: Optional[Dict[str, Any]]


class TaskStats(TypedDict):
    counts: Dict[str, int]
    by_priority: Dict[str, Dict[str, int]]
    oldest_pending_age_seconds: Dict[str, Optional[float]]
    sla: Dict[str, int]


class TaskPage(TypedDict):
    items: List[Task]
    next_cursor: Optional[str]


class Session(TypedDict):
    id: str
    status: str  # active | terminated
    agent: Optional[str]
    user: Optional[str]
    state: Dict[str, Any]
    version: int
    event_count: int
    created_at: str
    updated_at: str


class SessionPage(TypedDict):
    items: List[Session]  # newest created first
    next_cursor: Optional[str]


class SessionDeleted(TypedDict):
    id: str
    deleted: bool  # always True
    events: int  # how many events were removed


class SessionEvent(TypedDict):
    seq: int
    type: str
    data: JSON
    created_at: str


class SessionEventPage(TypedDict):
    items: List[SessionEvent]
    next_after_seq: Optional[int]  # oldest first: the after_seq of the next page (None with order=desc)
    next_before_seq: Optional[int]  # newest first: the before_seq of the next page (None with order=asc)


class MemoryEntry(TypedDict):
    namespace: str
    key: str
    version: int
    type: str  # semantic | episodic | procedural
    value: JSON  # None only in a tombstone
    text: Optional[str]
    metadata: Optional[Dict[str, Any]]  # None only in a tombstone
    deleted: bool
    created_at: str
    updated_at: str
    written_by: Optional[str]
    ttl_seconds: Optional[int]  # None: the entry never expires
    expires_at: Optional[str]  # None: the entry never expires


class MemoryPage(TypedDict):
    items: List[MemoryEntry]
    next_cursor: Optional[str]


class MemoryHit(TypedDict):
    """A search hit: the entry's current version (without ``deleted`` and ``ttl_seconds``)."""

    namespace: str
    key: str
    version: int
    type: str
    value: JSON
    text: Optional[str]
    metadata: Optional[Dict[str, Any]]
    created_at: str
    updated_at: str
    written_by: Optional[str]
    expires_at: Optional[str]
    score: Optional[float]  # None for a search without a query


class MemoryFilter(TypedDict, total=False):
    """Conditions over fields of ``metadata`` and ``value``: ``{"metadata": {"source": "loop",
    "step": {"$gte": 2}}, "value": {"kind": {"$in": ["a", "b"]}}}``. A plain value means
    ``$eq``; the operators are ``$eq $ne $gt $gte $lt $lte $in``; dotted names reach nested
    fields (``"run.attempt"``)."""

    metadata: Dict[str, Any]
    value: Dict[str, Any]


class _MemoryBatchPutRequired(TypedDict):
    op: str  # "put"
    namespace: str
    key: str
    value: JSON


class MemoryBatchPut(_MemoryBatchPutRequired, total=False):
    """A put of a memory batch (:meth:`statekeeper.Memory.put_op` makes one)."""

    type: str
    text: str
    metadata: Dict[str, Any]
    ttl_seconds: int
    if_version: int  # apply only if this is the current version
    if_absent: bool  # apply only if there is no live entry


class _MemoryBatchDeleteRequired(TypedDict):
    op: str  # "delete"
    namespace: str
    key: str


class MemoryBatchDelete(_MemoryBatchDeleteRequired, total=False):
    """A delete of a memory batch (:meth:`statekeeper.Memory.delete_op` makes one)."""

    if_version: int


MemoryBatchOp = Union[MemoryBatchPut, MemoryBatchDelete]


class MemoryBatchResult(TypedDict):
    op: str  # put | delete
    namespace: str
    key: str
    entry: Optional[MemoryEntry]  # the version written; None for a delete of an entry that did not exist
    created: bool  # True when a put made a new entry


class MemoryPurge(TypedDict):
    target: str  # memory:<namespace>/<key> or memory:<prefix>
    entries: int
    versions: int
    vectors: int
    queued: int  # queued embedding work removed


class Document(TypedDict):
    id: str
    version: int
    chunks: int
    title: Optional[str]
    source: Optional[str]
    metadata: Dict[str, Any]
    text: Optional[str]  # null in the answers of create and replace
    created_at: str
    updated_at: str
    written_by: Optional[str]


class DocumentHit(TypedDict):
    document_id: str
    chunk: int
    text: str
    score: float
    title: Optional[str]
    source: Optional[str]


class Grant(TypedDict):
    resource: str
    relation: str  # owner | editor | viewer | member
    subject: str


class Decision(TypedDict):
    allowed: bool
    reason: str


class ApiKey(TypedDict):
    id: str
    tenant: str
    subject: str
    role: str  # root | admin | agent | reader
    created_at: str
    revoked_at: Optional[str]


class NewApiKey(TypedDict):
    id: str
    key: str  # the secret, shown this once
    tenant: str
    subject: str
    role: str


class Backup(TypedDict):
    path: str
    created_at: str
    schema_version: int
    tables: List[Dict[str, Any]]


class AuditRecord(TypedDict):
    id: int
    at: str
    actor: str  # the subject of the key that removed the data
    action: str  # memory.purge | session.delete
    target: str  # memory:<namespace>[/<key>] | session:<id>
    detail: Dict[str, Any]  # {entries, versions, vectors, queued} | {events}


class AuditPage(TypedDict):
    items: List[AuditRecord]  # newest first
    next_before_id: Optional[int]


class Health(TypedDict, total=False):
    status: str  # UP | DEGRADED | DOWN
    checks: Dict[str, Dict[str, Any]]  # only for admin and root keys
    reason: str  # /health/ready when DOWN


class Alerts(TypedDict):
    firing: List[Dict[str, Any]]
    rules: List[Dict[str, Any]]


class OpsSummary(TypedDict):
    health: Health
    alerts: Alerts
    store: str
    metrics: bool
