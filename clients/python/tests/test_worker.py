import collections
import os
import queue as queues
import signal
import subprocess
import sys
import threading

from support import ROOT_KEY, URL, ServerTest, unique, wait_for

import statekeeper
from statekeeper.worker import parse_time

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class WorkerTest(ServerTest):
    def test_severalWorkers_drain2000Tasks_eachHandledAndCompletedExactlyOnce(self):
        q = unique("drain")
        created = []
        for start in (0, 1000):
            created += self.admin.tasks.create_batch({"type": "n", "queue": q, "payload": {"n": start + i}}
                                                      for i in range(1000))
        handled = []
        lock = threading.Lock()

        def handle(task):
            with lock:
                handled.append(task["id"])
            return {"n": task["payload"]["n"]}

        workers = [statekeeper.Worker(self.admin, f"drainer-{i}", [q], handle, concurrency=4) for i in range(4)]
        results = [None] * len(workers)

        def run(i):
            results[i] = workers[i].run(until_idle=True)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(workers))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertFalse(any(t.is_alive() for t in threads), "a worker is still running")

        counts = collections.Counter(handled)
        self.assertEqual(set(counts), {t["id"] for t in created})
        self.assertEqual(max(counts.values()), 1, "a task was handled twice")
        self.assertEqual(sum(r.completed for r in results), 2000)
        self.assertEqual(sum(r.claimed for r in results), 2000)
        self.assertEqual(sum(r.lost + r.errors + r.failed for r in results), 0)
        self.assertGreater(min(r.completed for r in results), 0, "every worker took a share")
        stats = self.admin.tasks.stats(q)["counts"]
        self.assertEqual((stats["completed"], stats["pending"], stats["claimed"]), (2000, 0, 0))
        done = list(self.admin.tasks.iter(queue=q, page_size=1000))
        self.assertEqual(len(done), 2000)
        for t in done:
            self.assertEqual((t["status"], t["attempt"], t["result"]), ("completed", 1, {"n": t["payload"]["n"]}))

    def test_heartbeats_keepTheLeaseAlivePastItsLength_whileTheHandlerRuns(self):
        q = unique("hb")
        created = self.admin.tasks.create("slow", queue=q)
        started, release = threading.Event(), threading.Event()
        seen = []

        def handle(task):
            seen.append(task)
            started.set()
            release.wait(60)
            return {"ok": True}

        worker = statekeeper.Worker(self.admin, "slow-worker", q, handle, lease_seconds=2)
        out = []
        runner = threading.Thread(target=lambda: out.append(worker.run(until_idle=True)))
        runner.start()
        try:
            self.assertTrue(started.wait(30))
            first_lease_end = parse_time(seen[0]["lease_expires_at"])

            def renewed_after_first_lease_ended():
                t = self.admin.tasks.get(created)
                self.assertEqual((t["status"], t["attempt"]), ("claimed", 1))
                return parse_time(t["updated_at"]) > first_lease_end

            wait_for(renewed_after_first_lease_ended, "a heartbeat after the first lease would have ended")
        finally:
            release.set()
            runner.join(30)
        self.assertEqual((out[0].completed, out[0].lost), (1, 0))
        done = self.admin.tasks.get(created)
        self.assertEqual((done["status"], done["attempt"], done["result"]), ("completed", 1, {"ok": True}))
        self.assertEqual([e["action"] for e in self.admin.tasks.events(created)], ["created", "claimed", "completed"])

    def test_aHandlersException_failsTheAttemptWithItsMessage(self):
        q = unique("fail")
        boom = self.admin.tasks.create("boom", queue=q, max_attempts=1)
        final = self.admin.tasks.create("final", queue=q, max_attempts=5)
        not_json = self.admin.tasks.create("not-json", queue=q, max_attempts=1)

        def handle(task):
            if task["type"] == "boom":
                raise ValueError("no such document")
            if task["type"] == "final":
                raise statekeeper.FailTask("bad payload", retry=False)
            return object()

        stats = statekeeper.Worker(self.admin, "failing", q, handle, concurrency=3).run(until_idle=True)
        self.assertEqual((stats.failed, stats.completed), (3, 0))
        self.assertEqual(self.admin.tasks.get(boom)["error"], "ValueError: no such document")
        self.assertEqual((self.admin.tasks.get(final)["status"], self.admin.tasks.get(final)["error"]),
                         ("failed", "bad payload"))
        t = self.admin.tasks.get(not_json)
        self.assertEqual(t["status"], "failed")
        self.assertIn("not JSON", t["error"])

    def test_aLeaseTakenAway_isSeenByTheHandler_andItsResultIsDropped(self):
        q = unique("lost")
        created = self.admin.tasks.create("t", queue=q)
        started = threading.Event()
        worker = None

        def handle(task):
            started.set()
            wait_for(lambda: worker.lease_lost(task), "the worker to notice the lost lease")
            return {"late": True}

        worker = statekeeper.Worker(self.admin, "loser", q, handle, lease_seconds=2)
        out = []
        runner = threading.Thread(target=lambda: out.append(worker.run(until_idle=True)))
        runner.start()
        self.assertTrue(started.wait(30))
        self.admin.tasks.cancel(created, "taken away")
        runner.join(30)
        self.assertEqual((out[0].lost, out[0].completed), (1, 0))
        t = self.admin.tasks.get(created)
        self.assertEqual((t["status"], t["result"]), ("cancelled", None))

    def test_aClaimRefusedForGood_isRaised(self):
        agent = self.key("agent:" + unique("nogrant"))
        worker = statekeeper.Worker(agent, "w", unique("q"), lambda t: None)
        with self.assertRaises(statekeeper.Forbidden):
            worker.run(until_idle=True)


class WorkerSignalTest(ServerTest):
    SCRIPT = r"""
import logging, sys, threading
import statekeeper
url, key, queue = sys.argv[1:4]
logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
release, printing = threading.Event(), threading.Lock()
threading.Thread(target=lambda: (sys.stdin.readline(), release.set()), daemon=True).start()
def handle(task):
    with printing:  # print() writes the text and the newline apart: two threads would mix them
        print("started", task["id"], flush=True)
    release.wait(60)
    return {"done": True}
stats = statekeeper.Worker(statekeeper.Client(url, key), "sigterm-worker", [queue], handle,
                           concurrency=2, wait_seconds=1).run()
print("stats", stats.claimed, stats.completed, flush=True)
"""

    def test_sigterm_finishesTheTasksInFlight_claimsNoMore_andExitsCleanly(self):
        q = unique("sig")
        key = self.admin.keys.create(self.tenant, "user:sig", "admin")["key"]
        ids = [t["id"] for t in self.admin.tasks.create_batch([{"type": "t", "queue": q}] * 5)]
        env = dict(os.environ, PYTHONPATH=PACKAGE_DIR)
        proc = subprocess.Popen([sys.executable, "-c", self.SCRIPT, URL, key, q], env=env, text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        lines = queues.Queue()
        reader = threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in proc.stdout], daemon=True)
        reader.start()
        output = []

        def next_line():
            try:
                line = lines.get(timeout=30)
            except queues.Empty:
                raise AssertionError("the worker printed nothing more in 30 s; so far:\n" + "\n".join(output)) from None
            output.append(line)
            return line

        try:
            started = set()
            while len(started) < 2:
                line = next_line()
                if line.startswith("started "):
                    started.add(line.split()[1])
            proc.send_signal(signal.SIGTERM)
            while "SIGTERM: stopping" not in next_line():
                pass
            proc.stdin.write("go\n")
            proc.stdin.flush()
            self.assertEqual(proc.wait(30), 0, "\n".join(output))
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdin.close()
        reader.join(10)
        proc.stdout.close()
        while not lines.empty():
            output.append(lines.get())
        self.assertIn("stats 2 2", output)
        by_status = collections.defaultdict(set)
        for t in self.admin.tasks.iter(queue=q):
            by_status[(t["status"], t["attempt"])].add(t["id"])
        self.assertEqual(by_status[("completed", 1)], started)
        self.assertEqual(by_status[("pending", 0)], set(ids) - started)


del ROOT_KEY  # imported for symmetry with URL; the tests use their own tenant's keys
