"""Errors raised by the client: one class per kind of problem the server answers.

Every error the server sends is ``application/problem+json`` with a stable ``code``
(``lease_not_held``, ``memory_not_found``, ...). The client raises a
:class:`StatekeeperError` subclass chosen by that code, or else by the HTTP status, so that
``except statekeeper.NotFound`` and ``except statekeeper.LeaseNotHeld`` read as what they
mean. ``.status``, ``.code`` and ``.detail`` are always there; ``.problem`` holds the whole
problem document (``current_version`` of a 412, ``retry_after_seconds`` of a 429, ...), and
``.attempts`` how many times the client sent the request before giving up (more than 1 when it
was resent, see the README, "Retries").
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Type

__all__ = [
    "StatekeeperError",
    "InvalidInput",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "MethodNotAllowed",
    "RequestTimeout",
    "Conflict",
    "AlreadyExists",
    "LeaseNotHeld",
    "LeaseExpired",
    "IdempotencyKeyReused",
    "SessionTerminated",
    "PreconditionFailed",
    "PayloadTooLarge",
    "UnsupportedMediaType",
    "PreconditionRequired",
    "RateLimited",
    "ServerError",
    "Unavailable",
    "ConnectionFailed",
    "error_from_response",
]


class StatekeeperError(Exception):
    """Base of every error this client raises for a request that did not succeed.

    ``status`` is the HTTP status (``None`` when no answer came, see
    :class:`ConnectionFailed`); ``code`` the problem's stable code; ``detail`` the text for
    people; ``problem`` the whole problem document; ``retry_after`` the seconds of a
    ``Retry-After`` header, when the answer had one; ``attempts`` how many times the request
    was sent (1 unless the client resent it: then this error is the answer to the last try,
    and an earlier try may have been applied although its answer was lost).
    """

    attempts: int

    def __init__(
        self,
        status: Optional[int],
        code: str,
        detail: str = "",
        problem: Optional[Mapping[str, Any]] = None,
        retry_after: Optional[float] = None,
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail}" if status is not None else f"{code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.problem: Dict[str, Any] = dict(problem or {})
        self.retry_after = retry_after
        self.request_id = request_id
        self.attempts = 1


class InvalidInput(StatekeeperError):
    """400: the request is malformed or a value is out of range; resending it unchanged fails again."""


class Unauthorized(StatekeeperError):
    """401: no key (``missing_key``) or an unknown or revoked one (``invalid_key``)."""


class Forbidden(StatekeeperError):
    """403: the key may not do this (``access_denied``, ``read_only_key``, ``admin_required``, ...)."""


class NotFound(StatekeeperError):
    """404: no such object in this tenant, or one the caller may not read."""


class MethodNotAllowed(StatekeeperError):
    """405: a known path with another method."""


class RequestTimeout(StatekeeperError):
    """408 ``body_timeout``: the request body was not read in time; nothing changed, so any
    request may be resent (the client does)."""


class Conflict(StatekeeperError):
    """409: the request conflicts with the current state."""


class AlreadyExists(Conflict):
    """409 ``session_exists`` / ``document_exists``: the id is taken in this tenant."""


class LeaseNotHeld(Conflict):
    """409 ``lease_not_held`` (and ``lease_expired``): the caller does not hold the task's lease.

    Another key or agent holds it, the attempt is old, or the task is no longer claimed.
    Nothing changed; the work done under that lease should be dropped.
    """


class LeaseExpired(LeaseNotHeld):
    """409 ``lease_expired``: the caller's own lease ran out before this call."""


class IdempotencyKeyReused(Conflict):
    """409 ``idempotency_key_reused``: the same ``Idempotency-Key`` with another body."""


class SessionTerminated(Conflict):
    """409 ``session_terminated``: appends and state writes on a terminated session."""


class PreconditionFailed(StatekeeperError):
    """412 ``version_mismatch``: an ``If-Match`` (or ``If-None-Match: *``) did not hold.

    ``current_version`` is the version now stored (0 when no live memory entry exists). In a
    memory batch, ``op_index`` is the index (from 0) of the op whose ``if_version`` or
    ``if_absent`` failed, and nothing of the batch was written; it is None elsewhere.
    """

    @property
    def current_version(self) -> Optional[int]:
        v = self.problem.get("current_version")
        return v if isinstance(v, int) and not isinstance(v, bool) else None

    @property
    def op_index(self) -> Optional[int]:
        v = self.problem.get("op_index")
        return v if isinstance(v, int) and not isinstance(v, bool) else None


class PayloadTooLarge(StatekeeperError):
    """413: a body, event, state or value over its size limit; resending it never succeeds."""


class UnsupportedMediaType(StatekeeperError):
    """415: the body was not JSON."""


class PreconditionRequired(StatekeeperError):
    """428 ``if_match_required``: this write needs ``If-Match`` (task PATCH, session state)."""


class RateLimited(StatekeeperError):
    """429: the key spent its request budget; ``retry_after`` says when to try again.

    The server refuses such a request before doing anything, so any request may be resent.
    """


class ServerError(StatekeeperError):
    """5xx other than 503 (500 ``internal_error`` is a server bug; its detail names an incident)."""


class Unavailable(ServerError):
    """503 ``store_unavailable``: the database did not answer. ``retry_after`` is set.

    A write answered 503 may still have been applied: the client resends only requests that
    are safe to repeat (see the README, "Retries").
    """


class ConnectionFailed(StatekeeperError, ConnectionError):
    """No answer: the connection was refused, reset or timed out (``status`` is ``None``).

    ``sent`` is False when the request certainly never reached the server (the connection
    was refused), True when it may have.
    """

    def __init__(self, detail: str, sent: bool) -> None:
        super().__init__(None, "connection_failed", detail)
        self.sent = sent


_BY_CODE: Dict[str, Type[StatekeeperError]] = {
    "lease_not_held": LeaseNotHeld,
    "lease_expired": LeaseExpired,
    "idempotency_key_reused": IdempotencyKeyReused,
    "session_exists": AlreadyExists,
    "document_exists": AlreadyExists,
    "session_terminated": SessionTerminated,
    "store_unavailable": Unavailable,
    "rate_limited": RateLimited,
}

_BY_STATUS: Dict[int, Type[StatekeeperError]] = {
    400: InvalidInput,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    408: RequestTimeout,
    409: Conflict,
    412: PreconditionFailed,
    413: PayloadTooLarge,
    414: InvalidInput,
    415: UnsupportedMediaType,
    428: PreconditionRequired,
    429: RateLimited,
    431: InvalidInput,
    503: Unavailable,
}


def error_from_response(
    status: int,
    body: Any,
    retry_after: Optional[float] = None,
    request_id: Optional[str] = None,
) -> StatekeeperError:
    """The error for an answer with status ``status`` and (parsed or raw) ``body``."""
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        code = body["code"]
        detail = str(body.get("detail") or body.get("title") or "")
        problem: Mapping[str, Any] = body
    else:
        code = f"http_{status}"
        text = body if isinstance(body, str) else ("" if body is None else repr(body))
        detail = text.strip()[:500]
        problem = {}
    cls = _BY_CODE.get(code) or _BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else StatekeeperError
    return cls(status, code, detail, problem, retry_after, request_id)
