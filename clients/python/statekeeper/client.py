"""The client: one method per route of the HTTP API (docs/http-api.md).

``Client(url, api_key)`` groups the routes by what they work on: ``client.tasks``,
``client.sessions``, ``client.memory``, ``client.documents``, ``client.access``,
``client.keys``, ``client.admin`` and ``client.ops``. Methods return the parsed JSON of the
answer (dicts typed in :mod:`statekeeper.types`) and raise a :class:`~statekeeper.errors.
StatekeeperError` subclass for every problem the server answers.

The client checks nothing the server checks: a bad value goes to the server, whose 4xx
answer comes back as the matching error (``InvalidInput`` with ``code`` ``invalid_priority``,
...). Query strings carry only the parameters each route documents.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Union, cast

from . import errors
from ._transport import NO_BODY, NO_RETRY, RetryPolicy, Transport, quote_segment
from .types import (
    Alerts, ApiKey, AuditPage, AuditRecord, Backup, Decision, Document, DocumentHit, Grant, Health,
    MemoryBatchDelete, MemoryBatchPut, MemoryBatchResult, MemoryEntry, MemoryFilter, MemoryHit,
    MemoryPage, MemoryPurge, NewApiKey, OpsSummary, Session, SessionDeleted, SessionEvent,
    SessionEventPage, SessionPage, Task, TaskEvent, TaskPage, TaskStats,
)

__all__ = ["Client", "Tasks", "Sessions", "Memory", "Documents", "Access", "Keys", "Admin", "Ops"]

TaskRef = Union[str, Mapping[str, Any]]
"""A task id, or a task dict (as ``claim`` or ``get`` return it)."""

SessionRef = Union[str, Mapping[str, Any]]
"""A session id, or a session dict (as ``create`` or ``get`` return it)."""

Filter = Union[MemoryFilter, Mapping[str, Any], str]
"""A memory filter: a dict (sent as JSON) or its JSON text."""

_RAISE: Any = object()


def _id(ref: Union[str, Mapping[str, Any]], field: str = "id") -> str:
    if isinstance(ref, Mapping):
        return str(ref[field])
    return str(ref)


def _if_match(value: Union[int, str, None]) -> Optional[str]:
    """``If-Match`` for a version number (``"3"``), ``*``, or a header value given as is."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError("if_match is a version number or '*'")
    if isinstance(value, int):
        return f'"{value}"'
    return value


def _body(**fields: Any) -> Dict[str, Any]:
    """The fields that have a value (None means: leave it to the server's default)."""
    return {k: v for k, v in fields.items() if v is not None}


def _is_version(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class Client:
    """A client of one Statekeeper server, for one API key.

    ``url`` is the server's address (``http://127.0.0.1:7070``); ``api_key`` is sent as
    ``Authorization: Bearer``. ``tenant`` (root keys only) acts in another tenant through
    ``Statekeeper-Tenant``. ``timeout`` bounds each request in seconds (claims add their
    ``wait_seconds``). ``retry`` says how safe requests are resent (``RetryPolicy(attempts=1)``
    turns that off).

    A client is safe to share between threads; it keeps connections alive and reuses them.
    ``close()`` (or ``with Client(...) as c:``) closes them.
    """

    def __init__(
        self,
        url: str,
        api_key: Optional[str],
        *,
        tenant: Optional[str] = None,
        timeout: float = 30.0,
        retry: Optional[RetryPolicy] = None,
        _transport: Optional[Transport] = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._transport = _transport or Transport(url, api_key, timeout=timeout, retry=retry)
        self._tenant = tenant
        self.tasks = Tasks(self)
        self.sessions = Sessions(self)
        self.memory = Memory(self)
        self.documents = Documents(self)
        self.access = Access(self)
        self.keys = Keys(self)
        self.admin = Admin(self)
        self.ops = Ops(self)

    @property
    def tenant(self) -> Optional[str]:
        """The tenant named in ``Statekeeper-Tenant``, or None (the key's own)."""
        return self._tenant

    def in_tenant(self, tenant: str) -> "Client":
        """The same client acting in ``tenant`` (a root key's power), sharing its connections."""
        return Client(self.url, None, tenant=tenant, _transport=self._transport)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = NO_BODY,
        headers: Optional[Mapping[str, str]] = None,
        safe: Optional[bool] = None,
        timeout: Optional[float] = None,
    ) -> Any:
        """Any route by hand: returns the parsed answer. ``safe`` defaults to True for GET only."""
        return self._call(method, path, query=query, body=body, headers=headers,
                          safe=(method.upper() == "GET") if safe is None else safe, timeout=timeout).body

    def _call(self, method: str, path: str, *, query: Optional[Mapping[str, Any]] = None, body: Any = NO_BODY,
              headers: Optional[Mapping[str, str]] = None, safe: bool = False, timeout: Optional[float] = None,
              accept_statuses: tuple = (), retry: Optional[RetryPolicy] = None) -> Any:
        h: Dict[str, str] = {}
        if self._tenant is not None:
            h["Statekeeper-Tenant"] = self._tenant
        if headers:
            h.update({k: v for k, v in headers.items() if v is not None})
        return self._transport.request(method, path, query=query, body=body, headers=h, safe=safe,
                                       timeout=timeout, accept_statuses=accept_statuses, retry=retry)

    def _get(self, path: str, **query: Any) -> Any:
        return self._call("GET", path, query=query, safe=True).body


def _pages(fetch: Any, cursor_field: str, cursor_param: str, start: Any) -> Iterator[Any]:
    cursor = start
    while True:
        page = fetch(**{cursor_param: cursor})
        yield from page["items"]
        cursor = page.get(cursor_field)
        if cursor is None:
            return


class Tasks:
    """``/v1/tasks``: create, claim, heartbeat, complete, fail, cancel, list, inspect."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def create(self, type: str, *, idempotency_key: Optional[str] = None, **fields: Any) -> Task:
        """Creates a task of ``type``; ``fields`` are ``queue``, ``payload``, ``priority``,
        ``max_attempts``, ``run_after`` and ``deadline`` (datetimes are welcome).

        Every create carries an ``Idempotency-Key`` (a random one unless given), so a create
        whose answer was lost is resent safely: the server answers the first task again.
        """
        key = idempotency_key or str(uuid.uuid4())
        body = _body(type=type, **fields)
        return cast(Task, self._c._call("POST", "/v1/tasks", body=body, headers={"Idempotency-Key": key},
                                        safe=True).body)

    def create_batch(self, tasks: Iterable[Mapping[str, Any]]) -> List[Task]:
        """Creates 1 to 1,000 tasks at once, all or nothing. Each item is a dict as for
        :meth:`create` (with ``type``); an item without ``idempotency_key`` gets a random one,
        so the batch is resent safely."""
        items = []
        for t in tasks:
            item = {k: v for k, v in t.items() if v is not None}
            item.setdefault("idempotency_key", str(uuid.uuid4()))
            items.append(item)
        return cast(List[Task], self._c._call("POST", "/v1/tasks/batch", body={"tasks": items}, safe=True).body["items"])

    def get(self, task: TaskRef) -> Task:
        return cast(Task, self._c._get("/v1/tasks/" + quote_segment(_id(task))))

    def list(self, *, queue: Optional[str] = None, status: Optional[str] = None, priority: Optional[str] = None,
             limit: Optional[int] = None, cursor: Optional[str] = None) -> TaskPage:
        """One page of tasks in creation order: ``{"items": [...], "next_cursor": ...}``."""
        return cast(TaskPage, self._c._get("/v1/tasks", queue=queue, status=status, priority=priority,
                                           limit=limit, cursor=cursor))

    def iter(self, *, queue: Optional[str] = None, status: Optional[str] = None, priority: Optional[str] = None,
             page_size: Optional[int] = None) -> Iterator[Task]:
        """Every task that matches, page after page."""
        return _pages(lambda cursor: self.list(queue=queue, status=status, priority=priority, limit=page_size,
                                               cursor=cursor), "next_cursor", "cursor", None)

    def patch(self, task: TaskRef, *, if_match: Union[int, str, None] = None, **fields: Any) -> Task:
        """Changes ``priority``, ``payload`` or ``run_after`` of a pending task.

        ``If-Match`` is the version of ``task`` when it is a dict, unless ``if_match`` is given.
        """
        version = if_match if if_match is not None else (task.get("version") if isinstance(task, Mapping) else None)
        return cast(Task, self._c._call("PATCH", "/v1/tasks/" + quote_segment(_id(task)), body=dict(fields),
                                        headers={"If-Match": _if_match(version)}).body)  # type: ignore[dict-item]

    def claim(self, agent: str, queues: Union[str, Sequence[str], None] = None, limit: int = 1,
              wait_seconds: int = 0, *, types: Optional[Sequence[str]] = None,
              lease_seconds: Optional[int] = None) -> List[Task]:
        """Leases up to ``limit`` (≤ 100) pending tasks of ``queues`` (default: ``["default"]``)
        to ``agent``, waiting up to ``wait_seconds`` (≤ 30) for one to arrive.

        Each task comes back with its ``attempt``, the fencing token that heartbeat, complete
        and fail send back. A claim is not resent on a 503: its answer may be lost after it
        leased tasks, which then return to pending when their lease ends.
        """
        if isinstance(queues, str):
            queues = [queues]
        body = _body(agent=agent, queues=list(queues) if queues is not None else None, types=types, limit=limit,
                     lease_seconds=lease_seconds, wait_seconds=wait_seconds or None)
        timeout = self._c._transport.timeout + (wait_seconds or 0)
        return cast(List[Task], self._c._call("POST", "/v1/tasks/claim", body=body, timeout=timeout).body["items"])

    def heartbeat(self, task: TaskRef, *, lease_seconds: Optional[int] = None, agent: Optional[str] = None,
                  attempt: Optional[int] = None) -> Task:
        """Extends the lease to ``lease_seconds`` from now (the server's default lease without it:
        not the claim's). Resent when safe: a repeated heartbeat only sets the same lease again."""
        return cast(Task, self._c._call("POST", self._lease_path(task, "heartbeat"),
                                        body=_body(**self._holder(task, agent, attempt), lease_seconds=lease_seconds),
                                        safe=True).body)

    def complete(self, task: TaskRef, result: Any = None, *, agent: Optional[str] = None,
                 attempt: Optional[int] = None) -> Task:
        """Completes a claimed task with ``result`` (any JSON).

        ``task`` is the dict the claim returned: its ``id``, its ``attempt`` and the agent of
        the claim (``claimed_by``) are sent. With a task id instead, give ``agent`` and
        ``attempt``. Raises :class:`~statekeeper.errors.LeaseNotHeld` when the lease is not
        the caller's (any more).
        """
        body = self._holder(task, agent, attempt)
        if result is not None:
            body["result"] = result
        return cast(Task, self._c._call("POST", self._lease_path(task, "complete"), body=body).body)

    def fail(self, task: TaskRef, error: str, retry: bool = True, *, agent: Optional[str] = None,
             attempt: Optional[int] = None) -> Task:
        """Fails the attempt with ``error``; with ``retry`` and attempts left the task goes back
        to pending after a backoff, else it fails for good."""
        body = self._holder(task, agent, attempt)
        body["error"] = error
        body["retry"] = retry
        return cast(Task, self._c._call("POST", self._lease_path(task, "fail"), body=body).body)

    def cancel(self, task: TaskRef, reason: Optional[str] = None) -> Task:
        return cast(Task, self._c._call("POST", "/v1/tasks/" + quote_segment(_id(task)) + "/cancel",
                                        body=_body(reason=reason)).body)

    def events(self, task: TaskRef) -> List[TaskEvent]:
        """The audit trail: ``created``, ``claimed``, ``completed``, ..."""
        return cast(List[TaskEvent], self._c._get("/v1/tasks/" + quote_segment(_id(task)) + "/events")["items"])

    def stats(self, queue: Optional[str] = None) -> TaskStats:
        return cast(TaskStats, self._c._get("/v1/tasks/stats", queue=queue))

    @staticmethod
    def _lease_path(task: TaskRef, action: str) -> str:
        return "/v1/tasks/" + quote_segment(_id(task)) + "/" + action

    @staticmethod
    def _holder(task: TaskRef, agent: Optional[str], attempt: Optional[int]) -> Dict[str, Any]:
        if isinstance(task, Mapping):
            agent = agent if agent is not None else task.get("claimed_by")
            attempt = attempt if attempt is not None else task.get("attempt")
        return _body(agent=agent, attempt=attempt)


class Sessions:
    """``/v1/sessions``: an event log and a JSON state per conversation or run."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def create(self, id: Optional[str] = None, **fields: Any) -> Session:
        """Creates a session (``agent``, ``user``, ``state``); without ``id`` one is generated.
        A taken id raises :class:`~statekeeper.errors.AlreadyExists`."""
        return cast(Session, self._c._call("POST", "/v1/sessions", body=_body(id=id, **fields)).body)

    def get(self, session: SessionRef) -> Session:
        return cast(Session, self._c._get(self._path(session)))

    def list(self, *, agent: Optional[str] = None, user: Optional[str] = None, status: Optional[str] = None,
             limit: Optional[int] = None, cursor: Optional[str] = None) -> SessionPage:
        """One page of the sessions the key may read (an admin key: all of the tenant's), newest
        created first, filtered by ``agent``, ``user`` and ``status`` (active | terminated):
        ``{"items": [...], "next_cursor": ...}``."""
        return cast(SessionPage, self._c._get("/v1/sessions", agent=agent, user=user, status=status, limit=limit,
                                              cursor=cursor))

    def iter(self, *, agent: Optional[str] = None, user: Optional[str] = None, status: Optional[str] = None,
             page_size: Optional[int] = None) -> Iterator[Session]:
        """Every session that matches, newest created first, page after page."""
        return _pages(lambda cursor: self.list(agent=agent, user=user, status=status, limit=page_size,
                                               cursor=cursor), "next_cursor", "cursor", None)

    def delete(self, session: SessionRef) -> SessionDeleted:
        """Removes the session for good, with its state, every event and the grants on it:
        ``{"id", "deleted": true, "events": <how many were removed>}``. For the session's owner
        or an admin key; the server records it in the audit log (``session.delete``).

        Not resent after a 503, 502, 504 or a lost answer (only after 408, 429 or a refused
        connection): the first try may have removed it, and a resend would then remove a
        session created anew under the same id, or answer 404. When unsure, look for the
        ``session.delete`` record of ``session:<id>`` in ``client.admin.audit()``: there is one
        exactly when the removal happened.
        """
        return cast(SessionDeleted, self._c._call("DELETE", self._path(session)).body)

    def append(self, session: SessionRef, type: str, data: Any = None) -> SessionEvent:
        """Appends one event and returns it with its ``seq``. Not resent on a 503 (it could
        be appended twice)."""
        items = self._c._call("POST", self._path(session) + "/events", body=_body(type=type, data=data)).body["items"]
        return cast(SessionEvent, items[0])

    def append_many(self, session: SessionRef, events: Iterable[Mapping[str, Any]]) -> List[SessionEvent]:
        """Appends 1 to 1,000 events ``{"type", "data"}`` with consecutive ``seq``, all or nothing."""
        return cast(List[SessionEvent], self._c._call("POST", self._path(session) + "/events",
                                                      body={"events": [dict(e) for e in events]}).body["items"])

    def events(self, session: SessionRef, *, after_seq: Optional[int] = None, before_seq: Optional[int] = None,
               order: Optional[str] = None, limit: Optional[int] = None) -> SessionEventPage:
        """One page of the events with ``after_seq < seq < before_seq`` (either bound may be
        left out), oldest first, or newest first with ``order="desc"`` (the latest events of a
        long log, without reading the rest): ``{"items", "next_after_seq", "next_before_seq"}``.
        Oldest first, ``next_after_seq`` is the ``after_seq`` of the next page; newest first,
        ``next_before_seq`` is its ``before_seq``; None at the end (the other is always None).
        """
        return cast(SessionEventPage, self._c._get(self._path(session) + "/events", after_seq=after_seq,
                                                   before_seq=before_seq, order=order, limit=limit))

    def iter_events(self, session: SessionRef, *, after_seq: int = 0, before_seq: Optional[int] = None,
                    order: str = "asc", page_size: Optional[int] = None) -> Iterator[SessionEvent]:
        """Every event with ``after_seq < seq < before_seq``, page after page: oldest first, or
        newest first with ``order="desc"`` (stop whenever you have read far enough back)."""
        if order == "desc":
            return _pages(lambda before_seq: self.events(session, after_seq=after_seq or None, before_seq=before_seq,
                                                         order="desc", limit=page_size),
                          "next_before_seq", "before_seq", before_seq)
        return _pages(lambda after_seq: self.events(session, after_seq=after_seq, before_seq=before_seq,
                                                    order=None if order == "asc" else order, limit=page_size),
                      "next_after_seq", "after_seq", after_seq)

    def set_state(self, session: SessionRef, state: Mapping[str, Any], *,
                  if_match: Union[int, str, None] = None) -> Session:
        """Replaces the state (``If-Match`` required: the version of ``session`` when it is a
        dict, unless ``if_match`` is given). A stale version raises PreconditionFailed."""
        version = if_match if if_match is not None else (
            session.get("version") if isinstance(session, Mapping) else None)
        return cast(Session, self._c._call("PUT", self._path(session) + "/state", body={"state": state},
                                           headers={"If-Match": _if_match(version)}).body)  # type: ignore[dict-item]

    def terminate(self, session: SessionRef) -> Session:
        return cast(Session, self._c._call("POST", self._path(session) + "/terminate").body)

    @staticmethod
    def _path(session: SessionRef) -> str:
        return "/v1/sessions/" + quote_segment(_id(session))


class Memory:
    """``/v1/memory``: versioned entries under a namespace and a key, with listing, batches,
    search, expiry (TTL) and purge."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def put(self, namespace: str, key: str, value: Any, *, ttl_seconds: Optional[int] = None,
            if_match: Union[int, str, None] = None, if_none_match: Optional[str] = None,
            **fields: Any) -> MemoryEntry:
        """Writes a new version of the entry; ``fields`` are ``type``, ``text`` and ``metadata``.

        Each write replaces the whole entry. ``ttl_seconds`` (1 to ten years) makes it expire
        that long after this write (``expires_at`` says when); a put without it makes the
        entry permanent again. ``if_match`` (a version, or ``"*"``: some live entry) and
        ``if_none_match="*"`` (only if none exists) make it a compare-and-set; a failed one
        raises PreconditionFailed. A put is not resent on a 503: it could write two versions.
        """
        headers = {"If-Match": _if_match(if_match), "If-None-Match": if_none_match}
        body = _body(value=value, ttl_seconds=ttl_seconds, **fields)
        return cast(MemoryEntry, self._c._call("PUT", self._path(namespace, key), body=body,
                                               headers=headers).body)  # type: ignore[arg-type]

    def get(self, namespace: str, key: str, version: Optional[int] = None, *, refresh_ttl: bool = False,
            default: Any = _RAISE) -> MemoryEntry:
        """The current version (or ``version``). A missing or expired entry raises NotFound, or
        returns ``default`` when one is given.

        ``refresh_ttl=True`` first moves ``expires_at`` to now + ``ttl_seconds`` (the entry's
        version stays; not with ``version``). That is a write: reader keys get 403
        ``read_only_key``. It is still resent when safe, as a repeat only sets the expiry again
        from a moment later.
        """
        try:
            return cast(MemoryEntry, self._c._get(self._path(namespace, key), version=version,
                                                  refresh_ttl=True if refresh_ttl else None))
        except errors.NotFound as e:
            if default is _RAISE or e.code != "memory_not_found":
                raise
            return cast(MemoryEntry, default)

    def history(self, namespace: str, key: str, *, limit: Optional[int] = None,
                cursor: Optional[str] = None) -> MemoryPage:
        """Every version, oldest first, tombstones included: one page."""
        return cast(MemoryPage, self._c._get(self._path(namespace, key) + "/history", limit=limit, cursor=cursor))

    def iter_history(self, namespace: str, key: str, *, page_size: Optional[int] = None) -> Iterator[MemoryEntry]:
        return _pages(lambda cursor: self.history(namespace, key, limit=page_size, cursor=cursor),
                      "next_cursor", "cursor", None)

    def delete(self, namespace: str, key: str, *, if_match: Union[int, str, None] = None) -> MemoryEntry:
        """Writes a tombstone version and returns it (``deleted: true``); the history stays.
        See :meth:`purge` to remove an entry for good."""
        return cast(MemoryEntry, self._c._call("DELETE", self._path(namespace, key),
                                               headers={"If-Match": _if_match(if_match)}).body)  # type: ignore[dict-item]

    def list(self, prefix: Optional[str] = None, *, namespace: Optional[str] = None, type: Optional[str] = None,
             order: Optional[str] = None, start_after: Optional[str] = None, end_before: Optional[str] = None,
             filter: Optional[Filter] = None, limit: Optional[int] = None,
             cursor: Optional[str] = None) -> MemoryPage:
        """One page of live entries: those of ``prefix`` and below (whole segments), or of
        exactly one ``namespace`` (not both), in (namespace, key) order, or its reverse with
        ``order="desc"``. ``start_after`` and ``end_before`` bound the keys (exclusive);
        ``filter`` (a :class:`~statekeeper.types.MemoryFilter` dict, or its JSON text) keeps
        the entries whose ``metadata`` and ``value`` fields match.

        ``list(namespace=ns, order="desc", limit=1)`` is the newest checkpoint of a thread;
        add ``end_before=key`` for the ones before it.
        """
        return cast(MemoryPage, self._c._get("/v1/memory", prefix=prefix, namespace=namespace, type=type, order=order,
                                             start_after=start_after, end_before=end_before, filter=filter,
                                             limit=limit, cursor=cursor))

    def iter(self, prefix: Optional[str] = None, *, namespace: Optional[str] = None, type: Optional[str] = None,
             order: Optional[str] = None, start_after: Optional[str] = None, end_before: Optional[str] = None,
             filter: Optional[Filter] = None, page_size: Optional[int] = None) -> Iterator[MemoryEntry]:
        """Every entry :meth:`list` would show, page after page, in the same order."""
        return _pages(lambda cursor: self.list(prefix, namespace=namespace, type=type, order=order,
                                               start_after=start_after, end_before=end_before, filter=filter,
                                               limit=page_size, cursor=cursor), "next_cursor", "cursor", None)

    def batch(self, ops: Iterable[Mapping[str, Any]]) -> List[MemoryBatchResult]:
        """Applies 1 to 500 puts and deletes in one transaction, all or nothing, and returns
        what each did, in the order sent: ``[{"op", "namespace", "key", "entry", "created"}]``
        (``entry`` is None for a delete of an entry that did not exist).

        Each op is a dict as :meth:`put_op` and :meth:`delete_op` make them; None values are
        left out. ``if_version: N`` applies an op only if N is the current version,
        ``if_absent: True`` only if no live entry exists. One failed precondition raises
        PreconditionFailed with ``op_index`` (the op, from 0) and writes nothing; an invalid op
        raises InvalidInput, also writing nothing.

        Resending: after a 408, 429 or refused connection always (the server did not run it).
        After a 503, 502, 504 or a lost answer only when every op carries ``if_version``: a
        batch that was applied can never apply again, since each of its versions has moved on.
        Then, though, a PreconditionFailed with ``attempts > 1`` may mean the first try was
        applied: read the entries back. Any other batch is not resent (its puts would write
        another version, its ``if_absent`` puts and plain deletes could undo a change someone
        made in between); the error is raised.
        """
        body_ops = [{k: v for k, v in op.items() if v is not None} for op in ops]
        safe = bool(body_ops) and all(_is_version(op.get("if_version")) for op in body_ops)
        return cast(List[MemoryBatchResult], self._c._call("POST", "/v1/memory/batch", body={"ops": body_ops},
                                                           safe=safe).body["items"])

    @staticmethod
    def put_op(namespace: str, key: str, value: Any, *, type: Optional[str] = None, text: Optional[str] = None,
               metadata: Optional[Mapping[str, Any]] = None, ttl_seconds: Optional[int] = None,
               if_version: Optional[int] = None, if_absent: Optional[bool] = None) -> MemoryBatchPut:
        """A put for :meth:`batch`."""
        return cast(MemoryBatchPut, _body(op="put", namespace=namespace, key=key, value=value, type=type, text=text,
                                          metadata=metadata, ttl_seconds=ttl_seconds, if_version=if_version,
                                          if_absent=if_absent))

    @staticmethod
    def delete_op(namespace: str, key: str, *, if_version: Optional[int] = None) -> MemoryBatchDelete:
        """A delete for :meth:`batch` (a tombstone, as :meth:`delete` writes)."""
        return cast(MemoryBatchDelete, _body(op="delete", namespace=namespace, key=key, if_version=if_version))

    def namespaces(self, prefix: Optional[str] = None, *, suffix: Optional[str] = None,
                   max_depth: Optional[int] = None, limit: Optional[int] = None,
                   offset: Optional[int] = None) -> List[str]:
        """The namespaces holding live entries the key may read, in order: within ``prefix``
        (whole segments), ending with the segments of ``suffix``, cut to their first
        ``max_depth`` segments and then listed once. ``limit`` (≤ 1,000, default 100) and
        ``offset`` (≤ 10,000) page through them."""
        return cast(List[str], self._c._get("/v1/memory/namespaces", prefix=prefix, suffix=suffix,
                                            max_depth=max_depth, limit=limit, offset=offset)["items"])

    def search(self, query: Optional[str] = None, *, prefix: Optional[str] = None, type: Optional[str] = None,
               mode: Optional[str] = None, filter: Optional[Filter] = None, limit: Optional[int] = None,
               offset: Optional[int] = None, **fields: Any) -> List[MemoryHit]:
        """Best hits first among the live entries with ``text``, within ``prefix``, ``type``
        and ``filter``; ``mode`` is keyword | semantic | hybrid (the default), ``limit`` ≤ 100
        (default 10), ``offset`` ≤ 10,000. Without a ``query`` (or a blank one): the entries
        passing the other conditions, with or without text, most recently updated first, with
        ``score`` None. A search changes nothing, so it is resent when safe."""
        if isinstance(filter, str):
            filter = cast(Filter, json.loads(filter))
        body = _body(query=query, prefix=prefix, type=type, mode=mode, filter=filter, limit=limit, offset=offset,
                     **fields)
        return cast(List[MemoryHit], self._c._call("POST", "/v1/memory/search", body=body, safe=True).body["items"])

    def purge(self, namespace: str, key: str) -> MemoryPurge:
        """Removes one entry for good (admin keys): every version, its vector and queued
        embedding work: ``{"target", "entries", "versions", "vectors", "queued"}``. An entry
        never written (or already purged) raises NotFound. Recorded in the audit log.

        Not resent after a 503, 502, 504 or a lost answer (only after 408, 429 or a refused
        connection): the first try may have purged it, and a resend would then answer 404, or
        purge an entry written in between. When unsure, look for the ``memory.purge`` record
        of ``memory:<namespace>/<key>`` in ``client.admin.audit()``.
        """
        return cast(MemoryPurge, self._c._call("DELETE", self._path(namespace, key), query={"purge": True}).body)

    def purge_prefix(self, prefix: str) -> MemoryPurge:
        """Removes the subtree ``prefix`` (whole segments) for good (admin keys): every entry
        and version, the vectors, queued embedding work and the grants on it and below it. A
        subtree with nothing in it answers zeros. Recorded in the audit log (when it removed
        something). Not resent after a 503, 502, 504 or a lost answer, as :meth:`purge`."""
        return cast(MemoryPurge, self._c._call("DELETE", "/v1/memory", query={"prefix": prefix, "purge": True}).body)

    @staticmethod
    def _path(namespace: str, key: str) -> str:
        return "/v1/memory/" + quote_segment(namespace) + "/" + quote_segment(key)


class Documents:
    """``/v1/documents``: text split into searchable chunks."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def create(self, text: str, *, id: Optional[str] = None, **fields: Any) -> Document:
        """Creates a document (``title``, ``source``, ``metadata``); a taken id raises AlreadyExists."""
        return cast(Document, self._c._call("POST", "/v1/documents", body=_body(id=id, text=text, **fields)).body)

    def put(self, id: str, text: str, **fields: Any) -> Document:
        """Creates or replaces document ``id`` (which may hold ``/``, as a file path does)."""
        return cast(Document, self._c._call("PUT", self._path(id), body=_body(text=text, **fields)).body)

    def get(self, id: str) -> Document:
        return cast(Document, self._c._get(self._path(id)))

    def delete(self, id: str) -> Dict[str, Any]:
        """Removes it, its chunks and its grants: ``{"id", "deleted": true}``."""
        return cast(Dict[str, Any], self._c._call("DELETE", self._path(id)).body)

    def search(self, query: str, **fields: Any) -> List[DocumentHit]:
        """Chunks best first; ``fields``: ``mode``, ``limit``, ``source``."""
        return cast(List[DocumentHit], self._c._call("POST", "/v1/documents/search",
                                                     body=_body(query=query, **fields), safe=True).body["items"])

    @staticmethod
    def _path(id: str) -> str:
        return "/v1/documents/" + quote_segment(id, safe="/")


class Access:
    """``/v1/access``: grants and checks."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def grant(self, resource: str, relation: str, subject: str) -> Grant:
        return cast(Grant, self._c._call("POST", "/v1/access/grants",
                                         body={"resource": resource, "relation": relation, "subject": subject}).body)

    def revoke(self, resource: str, relation: str, subject: str) -> Grant:
        return cast(Grant, self._c._call("DELETE", "/v1/access/grants",
                                         body={"resource": resource, "relation": relation, "subject": subject}).body)

    def grants(self, *, resource: Optional[str] = None, subject: Optional[str] = None) -> List[Grant]:
        return cast(List[Grant], self._c._get("/v1/access/grants", resource=resource, subject=subject)["items"])

    def check(self, subject: str, action: str, resource: str) -> Decision:
        """``{"allowed", "reason"}`` for ``action`` (read | write | delete | share)."""
        return cast(Decision, self._c._call("POST", "/v1/access/check",
                                            body={"subject": subject, "action": action, "resource": resource},
                                            safe=True).body)

    def check_batch(self, checks: Iterable[Union[Mapping[str, Any], Sequence[str]]]) -> List[Decision]:
        """1 to 100 checks, each a dict ``{subject, action, resource}`` or a tuple in that order."""
        body = []
        for c in checks:
            if isinstance(c, Mapping):
                body.append(dict(c))
            else:
                subject, action, resource = c
                body.append({"subject": subject, "action": action, "resource": resource})
        return cast(List[Decision], self._c._call("POST", "/v1/access/check-batch", body={"checks": body},
                                                  safe=True).body["items"])


class Keys:
    """``/v1/keys``: making, listing and revoking API keys (admin and root keys)."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def create(self, tenant: str, subject: str, role: str) -> NewApiKey:
        """A new key; its secret (``key``) is in this answer only."""
        return cast(NewApiKey, self._c._call("POST", "/v1/keys",
                                             body={"tenant": tenant, "subject": subject, "role": role}).body)

    def list(self, tenant: Optional[str] = None) -> List[ApiKey]:
        return cast(List[ApiKey], self._c._get("/v1/keys", tenant=tenant)["items"])

    def revoke(self, key: Union[str, Mapping[str, Any]]) -> ApiKey:
        return cast(ApiKey, self._c._call("DELETE", "/v1/keys/" + quote_segment(_id(key))).body)


class Admin:
    """``/v1/admin`` (root keys) and the audit log ``/v1/audit`` (admin and root keys)."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def backup(self) -> Backup:
        """Takes a backup now into the server's backup directory."""
        return cast(Backup, self._c._call("POST", "/v1/admin/backups").body)

    def audit(self, *, before_id: Optional[int] = None, limit: Optional[int] = None) -> AuditPage:
        """One page of the audit log of the key's tenant, newest first: what was removed for
        good (``memory.purge``, ``session.delete``), by whom and how much:
        ``{"items": [{"id", "at", "actor", "action", "target", "detail"}], "next_before_id"}``.
        Other keys than admin and root get 403 ``admin_required``."""
        return cast(AuditPage, self._c._get("/v1/audit", before_id=before_id, limit=limit))

    def iter_audit(self, *, before_id: Optional[int] = None, page_size: Optional[int] = None) -> Iterator[AuditRecord]:
        """Every record older than ``before_id`` (all without it), newest first, page after page."""
        return _pages(lambda before_id: self.audit(before_id=before_id, limit=page_size),
                      "next_before_id", "before_id", before_id)


class Ops:
    """Health, metrics and the operations data of the dashboard.

    ``live``, ``ready`` and ``health`` return the status document as it is, also when it says
    DOWN (with 503): they report, they do not raise or retry.
    """

    def __init__(self, client: Client) -> None:
        self._c = client

    def live(self) -> Health:
        return cast(Health, self._c._call("GET", "/health/live", retry=NO_RETRY, accept_statuses=(503,)).body)

    def ready(self) -> Health:
        """``{"status": "UP"}``, or ``{"status": "DOWN", "reason": ...}`` while the store does not answer."""
        return cast(Health, self._c._call("GET", "/health/ready", retry=NO_RETRY, accept_statuses=(503,)).body)

    def health(self) -> Health:
        """UP, DEGRADED or DOWN; with an admin or root key also every check."""
        return cast(Health, self._c._call("GET", "/health", retry=NO_RETRY, accept_statuses=(503,)).body)

    def metrics(self) -> str:
        """The Prometheus text of ``/metrics``."""
        return cast(str, self._c._call("GET", "/metrics", safe=True).body)

    def summary(self) -> OpsSummary:
        return cast(OpsSummary, self._c._get("/v1/ops/summary"))

    def alerts(self) -> Alerts:
        return cast(Alerts, self._c._get("/v1/ops/alerts"))
