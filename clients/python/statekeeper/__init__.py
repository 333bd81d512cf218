"""Statekeeper's Python client: the whole HTTP API, a worker loop, and typed errors.

    import statekeeper
    client = statekeeper.Client("http://127.0.0.1:7070", api_key)
    task = client.tasks.create("summarize", payload={"doc": "a.md"})
    [claimed] = client.tasks.claim("worker-1")
    client.tasks.complete(claimed, {"ok": True})

Standard library only; Python 3.9 or newer. See README.md beside this package.
"""

import logging as _logging

from ._transport import RetryPolicy
from .client import Access, Admin, Client, Documents, Keys, Memory, Ops, Sessions, Tasks
from .errors import (
    AlreadyExists,
    Conflict,
    ConnectionFailed,
    Forbidden,
    IdempotencyKeyReused,
    InvalidInput,
    LeaseExpired,
    LeaseNotHeld,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
    RateLimited,
    RequestTimeout,
    ServerError,
    SessionTerminated,
    StatekeeperError,
    Unauthorized,
    Unavailable,
    UnsupportedMediaType,
)
from .worker import FailTask, Worker, WorkerStats

__version__ = "0.1.0"

# The worker logs under "statekeeper.worker"; the application decides where that goes.
_logging.getLogger("statekeeper").addHandler(_logging.NullHandler())

__all__ = [
    "Client", "Tasks", "Sessions", "Memory", "Documents", "Access", "Keys", "Admin", "Ops",
    "RetryPolicy", "Worker", "WorkerStats", "FailTask",
    "StatekeeperError", "InvalidInput", "Unauthorized", "Forbidden", "NotFound", "MethodNotAllowed",
    "RequestTimeout", "Conflict", "AlreadyExists", "LeaseNotHeld", "LeaseExpired", "IdempotencyKeyReused",
    "SessionTerminated", "PreconditionFailed", "PayloadTooLarge", "UnsupportedMediaType",
    "PreconditionRequired", "RateLimited", "ServerError", "Unavailable", "ConnectionFailed",
]
