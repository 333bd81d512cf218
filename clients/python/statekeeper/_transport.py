"""HTTP for the client: kept-alive connections, JSON in and out, errors, and safe retries.

Concurrency: one :class:`Transport` is shared by every thread of a client. Each request takes
a connection of its own from the pool (or opens one) and gives it back when the answer has
been read, so no connection is ever used by two threads at once; the pool's list is guarded
by its lock.
"""

from __future__ import annotations

import datetime as _dt
import http.client
import json
import random as _random
import socket
import ssl
import threading
import time
import urllib.parse
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from . import errors

__all__ = ["RetryPolicy", "Transport", "Response", "NO_BODY"]

USER_AGENT = "statekeeper-python/0.1"

# Statuses worth another try when the request is safe to repeat: the store did not answer,
# the key was over its budget, or a proxy in front could not reach a node.
_RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})
# Statuses that say the request was refused before it ran, so that any request may be resent:
# 408 (its body was not read: "nothing was changed") and 429 (over the key's budget).
_NOT_RUN_STATUSES = frozenset({408, 429})


class RetryPolicy:
    """How many times, and how long apart, a request is tried.

    ``attempts`` counts the first try (1 disables retries). Waits grow exponentially from
    ``base_delay`` up to ``max_delay``, with equal jitter (between half and all of the step);
    a ``Retry-After`` from the server is the least wait. ``sleep`` and ``random`` are
    injectable so tests need not wait; ``max_retry_after`` bounds how long a ``Retry-After``
    may make the client wait before it gives up instead.
    """

    def __init__(
        self,
        attempts: int = 4,
        base_delay: float = 0.25,
        max_delay: float = 8.0,
        max_retry_after: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = _random.random,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after
        self.sleep = sleep
        self.random = random

    def delay(self, retry: int, retry_after: Optional[float]) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry)."""
        step = min(self.max_delay, self.base_delay * (2 ** (retry - 1)))
        wait = step / 2 + self.random() * step / 2
        if retry_after is not None:
            wait = max(wait, retry_after)
        return wait


NO_RETRY = RetryPolicy(attempts=1)


class _NoBody:
    def __repr__(self) -> str:
        return "NO_BODY"


NO_BODY: Any = _NoBody()


class Response:
    """A successful answer: status, headers (lower-case names) and the parsed body."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: Dict[str, str], body: Any) -> None:
        self.status = status
        self.headers = headers
        self.body = body


def _json_default(o: Any) -> Any:
    if isinstance(o, _dt.datetime):
        if o.tzinfo is None:
            raise TypeError(f"naive datetime {o!r}: give it a timezone (datetime.timezone.utc)")
        return o.astimezone(_dt.timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(o, _dt.date):
        return o.isoformat()
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    raise TypeError(f"{type(o).__name__} is not JSON serializable")


def dumps(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON (datetimes as RFC 3339 UTC)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default).encode("utf-8")


def _retry_after(headers: Mapping[str, str]) -> Optional[float]:
    v = headers.get("retry-after")
    if v is None:
        return None
    try:
        return max(0.0, float(v.strip()))
    except ValueError:
        return None  # an HTTP date: not sent by Statekeeper; fall back to the backoff


class _Pool:
    """Idle kept-alive connections to one origin, newest first.

    A connection idle longer than ``idle_seconds`` is closed rather than reused: the server
    closes idle connections after 30 s, and a request sent on a connection the server is
    closing would fail without an answer.
    """

    def __init__(self, scheme: str, host: str, port: Optional[int], ssl_context: Optional[ssl.SSLContext],
                 max_idle: int = 16, idle_seconds: float = 5.0) -> None:
        self._scheme = scheme
        self._host = host
        self._port = port
        self._ssl = ssl_context
        self._max_idle = max_idle
        self._idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._idle: List[Tuple[http.client.HTTPConnection, float]] = []  # guarded by _lock
        self._closed = False  # guarded by _lock

    def take(self, timeout: float) -> Tuple[http.client.HTTPConnection, bool]:
        """A connection and whether it was reused; a new one is connected before it is returned."""
        now = time.monotonic()
        stale: List[http.client.HTTPConnection] = []
        conn: Optional[http.client.HTTPConnection] = None
        with self._lock:
            while self._idle:
                c, since = self._idle.pop()
                if now - since < self._idle_seconds:
                    conn = c
                    break
                stale.append(c)
        for c in stale:
            c.close()
        if conn is not None:
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
            return conn, True
        if self._scheme == "https":
            conn = http.client.HTTPSConnection(self._host, self._port, timeout=timeout, context=self._ssl)
        else:
            conn = http.client.HTTPConnection(self._host, self._port, timeout=timeout)
        try:
            conn.connect()
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            raise errors.ConnectionFailed(f"cannot connect to {self._host}:{self._port}: {e}", sent=False) from e
        if conn.sock is not None:
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, False

    def give_back(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self._max_idle:
                self._idle.append((conn, time.monotonic()))
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle, self._closed = self._idle, [], True
        for c, _ in idle:
            c.close()


class Transport:
    """Sends requests to one Statekeeper server and turns answers into values or errors."""

    def __init__(
        self,
        url: str,
        api_key: Optional[str],
        timeout: float = 30.0,
        retry: Optional[RetryPolicy] = None,
        ssl_context: Optional[ssl.SSLContext] = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url must be http://host[:port] or https://host[:port], got {url!r}")
        self.base_path = parts.path.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.retry = retry if retry is not None else RetryPolicy()
        self.user_agent = user_agent
        self._pool = _Pool(parts.scheme, parts.hostname, parts.port, ssl_context)

    def close(self) -> None:
        self._pool.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = NO_BODY,
        headers: Optional[Mapping[str, str]] = None,
        safe: bool = False,
        timeout: Optional[float] = None,
        accept_statuses: Tuple[int, ...] = (),
        retry: Optional[RetryPolicy] = None,
    ) -> Response:
        """Sends one request, resending it as far as that is safe, and returns the answer.

        ``safe`` says that repeating the request cannot change its outcome (a read, a search,
        a create with an idempotency key, a heartbeat). Such a request is resent after a 408,
        429, 502, 503 or 504 and after a failed connection. Any other request is resent only
        when the server certainly did not act on it: after a 408 or 429 (refused before it ran)
        or when the connection was refused. An answer with a status in ``accept_statuses`` is
        returned rather than raised.
        """
        policy = retry if retry is not None else self.retry
        target = self.base_path + path
        if query:
            pairs = [(k, _query_value(v)) for k, v in query.items() if v is not None]
            if pairs:
                target += "?" + urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote)
        data = None if body is NO_BODY else dumps(body)
        all_headers = {"Accept": "application/json, application/problem+json", "User-Agent": self.user_agent}
        if self.api_key:
            all_headers["Authorization"] = "Bearer " + self.api_key
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        if headers:
            all_headers.update(headers)
        wait = self.timeout if timeout is None else timeout

        retry_number = 0
        while True:
            try:
                return self._send_once(method, target, data, all_headers, wait, accept_statuses)
            except errors.StatekeeperError as e:
                retry_number += 1
                e.attempts = retry_number
                if retry_number >= policy.attempts or not _may_resend(e, safe):
                    raise
                if e.retry_after is not None and e.retry_after > policy.max_retry_after:
                    raise
                policy.sleep(policy.delay(retry_number, e.retry_after))

    def _send_once(self, method: str, target: str, data: Optional[bytes], headers: Dict[str, str],
                   timeout: float, accept_statuses: Tuple[int, ...]) -> Response:
        conn, reused = self._pool.take(timeout)
        try:
            conn.request(method, target, body=data, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            kind = "timed out" if isinstance(e, socket.timeout) else "failed"
            again = " (on a kept-alive connection)" if reused else ""
            raise errors.ConnectionFailed(f"{method} {target} {kind}{again}: {e!r}", sent=True) from e
        resp_headers = {k.lower(): v for k, v in resp.getheaders()}
        if resp.will_close:
            conn.close()
        else:
            self._pool.give_back(conn)
        parsed = _parse(resp_headers.get("content-type", ""), raw)
        if 200 <= resp.status < 300 or resp.status in accept_statuses:
            return Response(resp.status, resp_headers, parsed)
        raise errors.error_from_response(
            resp.status, parsed, _retry_after(resp_headers), resp_headers.get("x-request-id"))


def _may_resend(e: errors.StatekeeperError, safe: bool) -> bool:
    if isinstance(e, errors.ConnectionFailed):
        return safe or not e.sent
    if e.status in _NOT_RUN_STATUSES:
        return True
    return safe and e.status in _RETRY_STATUSES


def _query_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (Mapping, list, tuple)):
        return dumps(v).decode("utf-8")  # a JSON parameter (the memory listing's filter)
    return str(v)


def _parse(content_type: str, raw: bytes) -> Any:
    if not raw:
        return None
    ct = content_type.split(";", 1)[0].strip().lower()
    if ct == "application/json" or ct.endswith("+json"):
        try:
            return json.loads(raw.decode("utf-8"))
        except ValueError:
            pass
    return raw.decode("utf-8", errors="replace")


def quote_segment(s: str, safe: str = "") -> str:
    """One path segment (or, with ``safe='/'``, several), percent-encoded."""
    return urllib.parse.quote(str(s), safe=safe + ":@")
