"""A worker loop: claim tasks, run a handler on each, heartbeat meanwhile, complete or fail.

    def handle(task):
        return {"summary": summarize(task["payload"]["doc"])}

    statekeeper.Worker(client, "worker-1", ["docs"], handle, concurrency=4).run()

Concurrency: the thread that calls :meth:`Worker.run` claims; ``concurrency`` handler threads
(a ``ThreadPoolExecutor``) run the handler and settle each task; one heartbeat thread extends
the leases of the tasks in flight. ``_in_flight`` (the tasks being handled) and ``_lost`` (their
ids whose lease is gone) are guarded by ``_lock``; ``_slots`` is signalled when a task is
settled. Statistics are guarded by ``_lock`` too. ``_lock`` is reentrant because the SIGTERM
handler (which runs on the main thread, between any two bytecodes of it) takes it to notify.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as _dt
import logging
import random
import re
import signal
import threading
import time
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Set, Union

from . import errors
from ._transport import dumps
from .client import Client
from .types import Task

__all__ = ["Worker", "WorkerStats", "FailTask"]

log = logging.getLogger("statekeeper.worker")

_MAX_ERROR_CHARS = 65536
_TRANSIENT = (errors.Unavailable, errors.RateLimited, errors.RequestTimeout, errors.ConnectionFailed, errors.ServerError)


class FailTask(Exception):
    """Raise it from a handler to fail the attempt with this message; ``retry=False`` fails the
    task for good instead of leaving it to the retry policy."""

    def __init__(self, message: str, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


@dataclasses.dataclass
class WorkerStats:
    """What one :meth:`Worker.run` did."""

    claimed: int = 0
    completed: int = 0  # handler returned and the completion was stored
    failed: int = 0  # handler raised and the failure was stored
    lost: int = 0  # the lease was gone before the outcome could be stored (nothing was stored)
    errors: int = 0  # the outcome could not be stored for another reason (logged)


class Worker:
    """Claims tasks of ``queues`` as ``agent`` and runs ``handler(task) -> result`` on each.

    - Claims in batches of up to ``concurrency`` (the free handler slots), long-polling
      ``wait_seconds`` when idle, and backing off after an empty answer or a failed claim.
    - While a handler runs, its lease is extended every ``heartbeat_fraction`` of the lease
      (a third by default). The lease is ``lease_seconds`` when given, else the one the server
      granted (its ``--default-lease``).
    - The handler's return value (any JSON, or None) completes the task; an exception fails
      the attempt with its type and message (retried by the server's policy; raise
      :class:`FailTask` with ``retry=False`` to fail it for good).
    - A completion or failure whose answer is a 503 or a lost connection is not blindly sent
      again: the worker reads the task back and resends only if it is still held by this
      attempt.
    - SIGTERM and SIGINT (when ``run`` is called on the main thread and ``handle_signals``)
      or :meth:`stop` stop it gracefully: no more claims, the tasks in flight are finished
      and settled, then ``run`` returns.
    """

    def __init__(
        self,
        client: Client,
        agent: str,
        queues: Union[str, Sequence[str], None],
        handler: Callable[[Task], Any],
        concurrency: int = 1,
        *,
        types: Optional[Sequence[str]] = None,
        lease_seconds: Optional[int] = None,
        heartbeat_fraction: float = 1 / 3,
        wait_seconds: int = 5,
        idle_backoff: float = 0.2,
        max_idle_backoff: float = 5.0,
        handle_signals: bool = True,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if not 0 < heartbeat_fraction < 1:
            raise ValueError("heartbeat_fraction must be between 0 and 1")
        self.client = client
        self.agent = agent
        self.queues: Optional[List[str]] = [queues] if isinstance(queues, str) else (
            list(queues) if queues is not None else None)
        self.handler = handler
        self.concurrency = concurrency
        self.types = list(types) if types is not None else None
        self.lease_seconds = lease_seconds
        self.heartbeat_fraction = heartbeat_fraction
        self.wait_seconds = wait_seconds
        self.idle_backoff = idle_backoff
        self.max_idle_backoff = max_idle_backoff
        self.handle_signals = handle_signals
        self._stop = threading.Event()
        # reentrant: the signal handler runs on the main thread, which may hold it at that moment
        self._lock = threading.RLock()
        self._slots = threading.Condition(self._lock)
        self._in_flight: Dict[str, Task] = {}  # guarded by _lock
        self._lost: Set[str] = set()  # guarded by _lock
        self._stats = WorkerStats()  # guarded by _lock
        self._heartbeats: Optional[_Heartbeats] = None

    # -- control ------------------------------------------------------------------------------

    def stop(self) -> None:
        """Asks ``run`` to stop: no more claims; tasks in flight are finished. Thread-safe."""
        self._stop.set()
        with self._slots:
            self._slots.notify_all()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def lease_lost(self, task: Union[str, Mapping[str, Any]]) -> bool:
        """True once the worker knows that ``task``'s lease is gone (a heartbeat was refused):
        a handler may check it to give up early; its result would be dropped anyway."""
        task_id = task if isinstance(task, str) else str(task["id"])
        with self._lock:
            return task_id in self._lost

    @property
    def stats(self) -> WorkerStats:
        with self._lock:
            return dataclasses.replace(self._stats)

    # -- the loop -----------------------------------------------------------------------------

    def run(self, until_idle: bool = False) -> WorkerStats:
        """Works until stopped (or, with ``until_idle``, until a claim finds nothing and no task
        is in flight) and returns what it did. A claim refused for good (a 4xx such as 403
        ``access_denied``) stops the loop and is raised once the tasks in flight are settled."""
        self._stop.clear()
        restore = self._install_signal_handlers()
        heartbeats = _Heartbeats(self)
        self._heartbeats = heartbeats
        heartbeats.start()
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=self.concurrency,
                                                     thread_name_prefix=f"statekeeper-worker-{self.agent}")
        fatal: Optional[BaseException] = None
        try:
            self._loop(pool, until_idle)
        except BaseException as e:  # noqa: B902 - re-raised below, after the tasks in flight settle
            fatal = e
            self._stop.set()
        finally:
            pool.shutdown(wait=True)
            heartbeats.close()
            self._heartbeats = None
            restore()
        if fatal is not None:
            raise fatal
        return self.stats

    def _loop(self, pool: concurrent.futures.ThreadPoolExecutor, until_idle: bool) -> None:
        idle = self.idle_backoff
        failures = 0
        while not self._stop.is_set():
            free = self._wait_for_slots()
            if free == 0:
                continue
            try:
                tasks = self.client.tasks.claim(
                    self.agent, self.queues, limit=min(free, 100),
                    wait_seconds=0 if until_idle else self.wait_seconds,
                    types=self.types, lease_seconds=self.lease_seconds)
            except _TRANSIENT as e:
                failures += 1
                delay = min(self.max_idle_backoff, self.idle_backoff * 2 ** failures) * (0.5 + random.random() / 2)
                log.warning("statekeeper worker %s: claim failed (%s); again in %.1f s", self.agent, e, delay)
                self._stop.wait(delay)
                continue
            failures = 0
            if not tasks:
                if until_idle:
                    # idle means: nothing to claim while nothing is in flight (a task settled
                    # meanwhile may have made work, so claim again after each one settles)
                    if self._wait_until_nothing_in_flight():
                        return
                    continue
                self._stop.wait(idle * (0.5 + random.random() / 2))
                idle = min(self.max_idle_backoff, idle * 2)
                continue
            idle = self.idle_backoff
            with self._lock:
                self._stats.claimed += len(tasks)
                for t in tasks:
                    self._in_flight[t["id"]] = t
            for t in tasks:
                assert self._heartbeats is not None
                self._heartbeats.track(t)
                pool.submit(self._work, t)

    def _wait_for_slots(self) -> int:
        with self._slots:
            while len(self._in_flight) >= self.concurrency and not self._stop.is_set():
                self._slots.wait(1.0)  # woken on every settle; the timeout keeps signals prompt
            return 0 if self._stop.is_set() else self.concurrency - len(self._in_flight)

    def _wait_until_nothing_in_flight(self) -> bool:
        """True when nothing was in flight; else waits for one to settle and returns False."""
        with self._slots:
            if not self._in_flight:
                return True
            self._slots.wait(1.0)
            return False

    # -- one task -----------------------------------------------------------------------------

    def _work(self, task: Task) -> None:
        try:
            try:
                result = self.handler(task)
            except FailTask as e:
                self._settle(task, "fail", error=str(e), retry=e.retry)
            except Exception as e:  # the handler's failure fails the attempt
                self._settle(task, "fail", error=_describe(e), retry=True)
            else:
                self._settle(task, "complete", result=result)
        except BaseException:  # never lose a slot, whatever happened
            log.exception("statekeeper worker %s: task %s could not be settled", self.agent, task["id"])
            with self._lock:
                self._stats.errors += 1
        finally:
            if self._heartbeats is not None:
                self._heartbeats.untrack(task["id"])
            with self._slots:
                self._in_flight.pop(task["id"], None)
                self._lost.discard(task["id"])
                self._slots.notify_all()

    def _settle(self, task: Task, action: str, *, result: Any = None, error: str = "", retry: bool = True) -> None:
        """Stores the outcome of ``task``'s attempt. Where batched completions exist on the server,
        this is the one place that would queue them for the next claim instead."""
        if self._heartbeats is not None:
            self._heartbeats.untrack(task["id"])  # no heartbeat may race the outcome
        if self.lease_lost(task):
            self._count("lost")
            log.warning("statekeeper worker %s: lease of task %s (attempt %s) was lost; its %s is dropped",
                        self.agent, task["id"], task["attempt"], action)
            return
        tasks = self.client.tasks
        if action == "complete":
            try:
                dumps(result)
            except (TypeError, ValueError) as e:  # the result cannot be sent: the attempt fails instead
                action, error, retry = "fail", f"the handler's result is not JSON: {e}", True

        def send() -> None:
            if action == "complete":
                tasks.complete(task, result, agent=self.agent)
            else:
                tasks.fail(task, error[:_MAX_ERROR_CHARS], retry, agent=self.agent)

        outcome = "completed" if action == "complete" else "failed"
        for round_ in range(1, 6):
            try:
                send()
                self._count(outcome)
                return
            except errors.LeaseNotHeld as e:
                self._count("lost")
                log.warning("statekeeper worker %s: task %s: %s", self.agent, task["id"], e)
                return
            except _TRANSIENT as e:
                # The outcome may or may not have been stored: look before sending it again.
                time.sleep(min(5.0, 0.2 * 2 ** round_) * (0.5 + random.random() / 2))
                try:
                    current = tasks.get(task)
                except errors.StatekeeperError:
                    continue
                held = (current["status"] == "claimed" and current["attempt"] == task["attempt"]
                        and current["claimed_by"] == self.agent)
                if held:
                    continue
                if current["attempt"] == task["attempt"] and current["status"] in (
                        ("completed",) if action == "complete" else ("pending", "failed")):
                    self._count(outcome)
                else:
                    self._count("lost")
                log.info("statekeeper worker %s: %s of task %s answered %s; it is now %s",
                         self.agent, action, task["id"], e.code, current["status"])
                return
            except errors.StatekeeperError as e:
                self._count("errors")
                log.error("statekeeper worker %s: %s of task %s refused: %s", self.agent, action, task["id"], e)
                return
        self._count("errors")
        log.error("statekeeper worker %s: %s of task %s not stored after 5 tries", self.agent, action, task["id"])

    def _count(self, field: str) -> None:
        with self._lock:
            setattr(self._stats, field, getattr(self._stats, field) + 1)

    def _mark_lost(self, task_id: str) -> None:
        with self._lock:
            if task_id in self._in_flight:
                self._lost.add(task_id)

    # -- signals ------------------------------------------------------------------------------

    def _install_signal_handlers(self) -> Callable[[], None]:
        if not self.handle_signals or threading.current_thread() is not threading.main_thread():
            return lambda: None
        previous = {}

        def on_signal(signum: int, frame: Any) -> None:
            name = signal.Signals(signum).name
            n = len(self._in_flight)  # no lock: a signal handler must not wait for one
            log.warning("statekeeper worker %s: %s: stopping; finishing %d task(s) in flight", self.agent, name, n)
            self.stop()
            # a second signal does what it did before (SIGINT: KeyboardInterrupt)
            for s, h in previous.items():
                signal.signal(s, h)

        for s in (signal.SIGTERM, signal.SIGINT):
            previous[s] = signal.getsignal(s)
            signal.signal(s, on_signal)

        def restore() -> None:
            for s, h in previous.items():
                signal.signal(s, h)

        return restore


class _Heartbeats(threading.Thread):
    """Extends the leases of the tasks in flight, each every ``heartbeat_fraction`` of its lease.

    Concurrency: ``_due`` (task id → [task, lease seconds, next time]) is guarded by ``_cond``;
    heartbeats are sent outside it.
    """

    def __init__(self, worker: Worker) -> None:
        super().__init__(name=f"statekeeper-heartbeat-{worker.agent}", daemon=True)
        self._w = worker
        self._cond = threading.Condition()
        self._due: Dict[str, List[Any]] = {}  # guarded by _cond
        self._closed = False  # guarded by _cond

    def track(self, task: Task) -> None:
        lease = self._w.lease_seconds or _lease_of(task)
        with self._cond:
            self._due[task["id"]] = [task, lease, time.monotonic() + lease * self._w.heartbeat_fraction]
            self._cond.notify()

    def untrack(self, task_id: str) -> None:
        with self._cond:
            self._due.pop(task_id, None)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self.join()

    def run(self) -> None:
        while True:
            with self._cond:
                if self._closed:
                    return
                now = time.monotonic()
                ready = [(tid, e[0], e[1]) for tid, e in self._due.items() if e[2] <= now]
                if not ready:
                    nxt = min((e[2] for e in self._due.values()), default=now + 60)
                    self._cond.wait(max(0.0, nxt - now))
                    continue
                for tid, _, lease in ready:
                    self._due[tid][2] = now + lease * self._w.heartbeat_fraction
            for tid, task, lease in ready:
                self._beat(tid, task, lease)

    def _beat(self, task_id: str, task: Task, lease: int) -> None:
        try:
            self._w.client.tasks.heartbeat(task, lease_seconds=lease, agent=self._w.agent)
        except errors.LeaseNotHeld as e:
            with self._cond:
                tracked = self._due.pop(task_id, None) is not None
            if tracked:  # else the task was settled meanwhile: the refusal is expected
                self._w._mark_lost(task_id)
                log.warning("statekeeper worker %s: lease of task %s lost: %s", self._w.agent, task_id, e)
        except errors.StatekeeperError as e:
            # try again sooner than usual: a third of the lease leaves room for two misses
            with self._cond:
                entry = self._due.get(task_id)
                if entry is not None:
                    entry[2] = time.monotonic() + max(0.2, lease * self._w.heartbeat_fraction / 2)
            log.warning("statekeeper worker %s: heartbeat of task %s failed: %s", self._w.agent, task_id, e)


_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$")


def parse_time(s: str) -> _dt.datetime:
    """An RFC 3339 time as the server writes it (any number of fraction digits)."""
    m = _TIME.match(s)
    if not m:
        raise ValueError(f"not an RFC 3339 time: {s!r}")
    frac = (m.group(2) or "")[:6].ljust(6, "0")
    zone = "+00:00" if m.group(3) == "Z" else m.group(3)
    return _dt.datetime.fromisoformat(f"{m.group(1)}.{frac}{zone}")


def _lease_of(task: Mapping[str, Any]) -> int:
    """The lease the server granted: from the claim (``updated_at``) to ``lease_expires_at``,
    both on the database's clock; 30 s (the server's default) when the task does not say."""
    try:
        seconds = (parse_time(task["lease_expires_at"]) - parse_time(task["updated_at"])).total_seconds()
        return max(1, int(round(seconds)))
    except (KeyError, TypeError, ValueError):
        return 30


def _describe(e: BaseException) -> str:
    message = str(e)
    return f"{type(e).__name__}: {message}" if message else type(e).__name__
