"""The shapes of what the server answers, as TypedDicts (plain dicts at run time).

Field names and meanings are those of docs/http-api.md. Every field of a resource is present;
it is ``None`` when it has no value. Times are RFC 3339 strings in UTC.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict

JSON = Any
"""Any JSON value: dict, list, str, int, float, bool or None."""

__all__ = [
    "JSON", "Task", "TaskEvent", "TaskStats", "TaskPage", "Session", "SessionEvent", "SessionEventPage",
    "MemoryEntry", "MemoryPage", "MemoryHit", "Document", "DocumentHit", "Grant", "Decision",
    "ApiKey", "NewApiKey", "Backup", "Health", "Alerts", "OpsSummary",
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


class SessionEvent(TypedDict):
    seq: int
    type: str
    data: JSON
    created_at: str


class SessionEventPage(TypedDict):
    items: List[SessionEvent]
    next_after_seq: Optional[int]


class MemoryEntry(TypedDict):
    namespace: str
    key: str
    version: int
    type: str  # semantic | episodic | procedural
    value: JSON
    text: Optional[str]
    metadata: Dict[str, Any]
    deleted: bool
    created_at: str
    updated_at: str
    written_by: Optional[str]


class MemoryPage(TypedDict):
    items: List[MemoryEntry]
    next_cursor: Optional[str]


class MemoryHit(TypedDict):
    namespace: str
    key: str
    version: int
    type: str
    value: JSON
    text: Optional[str]
    metadata: Dict[str, Any]
    created_at: str
    updated_at: str
    written_by: Optional[str]
    score: float


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
