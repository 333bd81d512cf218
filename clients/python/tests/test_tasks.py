import threading
import uuid

from support import ServerTest, unique

import statekeeper


class TasksTest(ServerTest):
    def test_create_answersThePendingTaskWithTheServersDefaults(self):
        t = self.admin.tasks.create("summarize", queue=unique("q"), payload={"doc": "a.md"}, priority="HIGH")
        self.assertEqual(t["status"], "pending")
        self.assertEqual(t["attempt"], 0)
        self.assertEqual(t["priority"], "HIGH")
        self.assertEqual(t["payload"], {"doc": "a.md"})
        self.assertEqual(t["max_attempts"], 3)
        self.assertEqual(self.admin.tasks.get(t["id"]), self.admin.tasks.get(t))

    def test_create_withTheSameIdempotencyKey_returnsTheFirstTask_andAnotherBodyIsAConflict(self):
        q, key = unique("q"), str(uuid.uuid4())
        first = self.admin.tasks.create("t", queue=q, idempotency_key=key)
        again = self.admin.tasks.create("t", queue=q, idempotency_key=key)
        self.assertEqual(again["id"], first["id"])
        with self.assertRaises(statekeeper.IdempotencyKeyReused) as e:
            self.admin.tasks.create("other", queue=q, idempotency_key=key)
        self.assertEqual(e.exception.status, 409)
        self.assertEqual(self.admin.tasks.stats(q)["counts"]["pending"], 1)

    def test_createBatch_createsAllInOrder_andAnItemsIdempotencyKeyReturnsTheSameTaskAgain(self):
        q = unique("q")
        items = self.admin.tasks.create_batch([{"type": "a", "queue": q}, {"type": "b", "queue": q, "idempotency_key": "k-b"}])
        self.assertEqual([t["type"] for t in items], ["a", "b"])
        [again] = self.admin.tasks.create_batch([{"type": "b", "queue": q, "idempotency_key": "k-b"}])
        self.assertEqual(again["id"], items[1]["id"])
        self.assertEqual([t["id"] for t in self.admin.tasks.iter(queue=q)], [t["id"] for t in items])

    def test_createBatch_withABadItem_createsNothing(self):
        q = unique("q")
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.tasks.create_batch([{"type": "a", "queue": q}, {"type": "b", "queue": q, "priority": "urgent"}])
        self.assertEqual(e.exception.code, "invalid_priority")
        self.assertEqual(self.admin.tasks.list(queue=q)["items"], [])

    def test_claimThenComplete_withTheClaimedDict_sendsItsAgentAndAttempt(self):
        q = unique("q")
        created = self.admin.tasks.create("t", queue=q)
        [claimed] = self.admin.tasks.claim("worker-1", [q])
        self.assertEqual(claimed["id"], created["id"])
        self.assertEqual((claimed["status"], claimed["attempt"], claimed["claimed_by"]), ("claimed", 1, "worker-1"))
        done = self.admin.tasks.complete(claimed, {"ok": True})
        self.assertEqual((done["status"], done["result"]), ("completed", {"ok": True}))
        events = self.admin.tasks.events(claimed)
        self.assertEqual([e["action"] for e in events], ["created", "claimed", "completed"])
        self.assertEqual(events[2]["actor"], "user:admin/worker-1")

    def test_complete_byAnotherAgent_isLeaseNotHeld_andChangesNothing(self):
        q = unique("q")
        self.admin.tasks.create("t", queue=q)
        [claimed] = self.admin.tasks.claim("worker-1", q)
        with self.assertRaises(statekeeper.LeaseNotHeld) as e:
            self.admin.tasks.complete(claimed, agent="worker-2")
        self.assertEqual((e.exception.status, e.exception.code), (409, "lease_not_held"))
        self.assertIsInstance(e.exception, statekeeper.Conflict)
        self.assertEqual(self.admin.tasks.get(claimed)["status"], "claimed")

    def test_complete_byAnotherKeyNamingTheSameAgent_isLeaseNotHeld(self):
        q = unique("q")
        self.admin.tasks.create("t", queue=q)
        [claimed] = self.admin.tasks.claim("worker-1", q)
        with self.assertRaises(statekeeper.LeaseNotHeld):
            self.root.in_tenant(self.tenant).tasks.complete(claimed)
        self.assertEqual(self.admin.tasks.complete(claimed)["status"], "completed")

    def test_complete_byIdWithoutAnAttempt_isTheServers400(self):
        q = unique("q")
        self.admin.tasks.create("t", queue=q)
        [claimed] = self.admin.tasks.claim("worker-1", q)
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.tasks.complete(claimed["id"], agent="worker-1")
        self.assertEqual(e.exception.code, "attempt_required")
        self.assertEqual(self.admin.tasks.complete(claimed["id"], agent="worker-1", attempt=1)["status"], "completed")

    def test_fail_withoutRetry_failsForGood_withTheError(self):
        q = unique("q")
        self.admin.tasks.create("t", queue=q)
        [claimed] = self.admin.tasks.claim("w", q)
        failed = self.admin.tasks.fail(claimed, "disk full", retry=False)
        self.assertEqual((failed["status"], failed["error"]), ("failed", "disk full"))

    def test_fail_withRetry_putsItBackToPending(self):
        q = unique("q")
        self.admin.tasks.create("t", queue=q)
        [claimed] = self.admin.tasks.claim("w", q)
        again = self.admin.tasks.fail(claimed, "flaky")
        self.assertEqual((again["status"], again["attempt"]), ("pending", 1))

    def test_heartbeat_extendsTheLease_toTheSecondsItNames(self):
        q = unique("q")
        self.admin.tasks.create("t", queue=q)
        [claimed] = self.admin.tasks.claim("w", q, lease_seconds=5)
        beat = self.admin.tasks.heartbeat(claimed, lease_seconds=600)
        self.assertGreater(beat["lease_expires_at"], claimed["lease_expires_at"])
        self.assertEqual(beat["attempt"], 1)

    def test_patch_usesTheDictsVersion_andAStaleOneIsPreconditionFailed(self):
        t = self.admin.tasks.create("t", queue=unique("q"))
        patched = self.admin.tasks.patch(t, priority="CRITICAL")
        self.assertEqual((patched["priority"], patched["version"]), ("CRITICAL", t["version"] + 1))
        with self.assertRaises(statekeeper.PreconditionFailed) as e:
            self.admin.tasks.patch(t, priority="LOW")
        self.assertEqual(e.exception.current_version, patched["version"])
        with self.assertRaises(statekeeper.PreconditionRequired) as e:
            self.admin.tasks.patch(t["id"], priority="LOW")
        self.assertEqual(e.exception.code, "if_match_required")
        self.assertEqual(self.admin.tasks.patch(t["id"], if_match="*", priority="LOW")["priority"], "LOW")

    def test_cancel_cancels_andASecondCancelIsTaskFinal(self):
        t = self.admin.tasks.create("t", queue=unique("q"))
        self.assertEqual(self.admin.tasks.cancel(t, "not needed")["status"], "cancelled")
        with self.assertRaises(statekeeper.Conflict) as e:
            self.admin.tasks.cancel(t)
        self.assertEqual(e.exception.code, "task_final")

    def test_list_pagesInCreationOrder_andFiltersByStatus(self):
        q = unique("q")
        ids = [self.admin.tasks.create("t", queue=q)["id"] for _ in range(5)]
        page = self.admin.tasks.list(queue=q, limit=2)
        self.assertEqual(len(page["items"]), 2)
        self.assertIsNotNone(page["next_cursor"])
        self.assertEqual([t["id"] for t in self.admin.tasks.iter(queue=q, page_size=2)], ids)
        self.admin.tasks.cancel(ids[0])
        self.assertEqual([t["id"] for t in self.admin.tasks.iter(queue=q, status="cancelled")], ids[:1])

    def test_stats_countsByStatus(self):
        q = unique("q")
        self.admin.tasks.create_batch([{"type": "t", "queue": q}] * 3)
        [claimed] = self.admin.tasks.claim("w", q)
        self.admin.tasks.complete(claimed)
        stats = self.admin.tasks.stats(q)
        self.assertEqual(stats["counts"]["pending"], 2)
        self.assertEqual(stats["counts"]["completed"], 1)
        self.assertEqual(stats["by_priority"]["NORMAL"]["pending"], 2)

    def test_claim_withWaitSeconds_returnsATaskCreatedWhileItWaits(self):
        q = unique("q")
        got = []
        waiter = threading.Thread(target=lambda: got.extend(self.admin.tasks.claim("w", q, wait_seconds=20)))
        waiter.start()
        created = self.admin.tasks.create("t", queue=q)
        waiter.join(30)
        self.assertEqual([t["id"] for t in got], [created["id"]])

    def test_badInput_isTheServers4xx(self):
        with self.assertRaises(statekeeper.NotFound) as e:
            self.admin.tasks.get("01a00000-0000-7000-8000-000000000000")
        self.assertEqual(e.exception.code, "task_not_found")
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.tasks.create("t", priority="urgent")
        self.assertEqual(e.exception.code, "invalid_priority")
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.tasks.create("t", colour="red")
        self.assertEqual(e.exception.code, "unknown_field")
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.tasks.claim("w", "q", limit=1000)
        self.assertEqual(e.exception.status, 400)
