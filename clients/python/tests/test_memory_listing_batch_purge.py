"""Memory against a real server: listing order and bounds, filters, namespaces, search without a
query, TTL, batches and purge (docs/http-api.md, "Memory")."""

import datetime as dt
import re

from support import ServerTest, unique, wait_for

import statekeeper
from statekeeper import Memory


def parse_time(s: str) -> dt.datetime:
    """An RFC 3339 UTC time as the server writes it (3 or 6 fraction digits, or none)."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z", s)
    assert m, s
    base = dt.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.timezone.utc)
    return base + dt.timedelta(microseconds=int((m.group(2) or "0").ljust(6, "0")[:6]))


class MemoryListingTest(ServerTest):
    def test_list_ofOneNamespace_newestFirst_boundedByEndBeforeAndStartAfter(self):
        ns = unique("thread") + ":7"
        keys = [f"ck-{i:04d}" for i in range(1, 6)]
        for k in keys:
            self.admin.memory.put(ns, k, {"step": k})
        self.admin.memory.put(ns + ":child", "ck-9999", 0)  # below ns: not in a namespace= listing

        [newest] = self.admin.memory.list(namespace=ns, order="desc", limit=1)["items"]
        self.assertEqual(newest["key"], "ck-0005")
        before = self.admin.memory.list(namespace=ns, order="desc", end_before="ck-0003")
        self.assertEqual([e["key"] for e in before["items"]], ["ck-0002", "ck-0001"])
        self.assertIsNone(before["next_cursor"])
        between = self.admin.memory.list(namespace=ns, start_after="ck-0001", end_before="ck-0004")
        self.assertEqual([e["key"] for e in between["items"]], ["ck-0002", "ck-0003"])
        self.assertEqual([e["key"] for e in self.admin.memory.iter(namespace=ns, order="desc", page_size=2)],
                         list(reversed(keys)))
        self.assertEqual([e["key"] for e in self.admin.memory.iter(namespace=ns, order="desc", end_before="ck-0004",
                                                                    page_size=1)],
                         ["ck-0003", "ck-0002", "ck-0001"])

    def test_list_ofAPrefix_boundsTheKeysOfEveryNamespace_inReverseOrder(self):
        root = unique("tree")
        for ns in (root + ":a", root + ":b"):
            for k in ("k1", "k2", "k3"):
                self.admin.memory.put(ns, k, k)
        got = [(e["namespace"], e["key"]) for e in self.admin.memory.iter(root, order="desc", end_before="k3",
                                                                           page_size=1)]
        self.assertEqual(got, [(root + ":b", "k2"), (root + ":b", "k1"), (root + ":a", "k2"), (root + ":a", "k1")])

    def test_list_byPrefixAndNamespaceAtOnce_isInvalidInput(self):
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.memory.list("a", namespace="a:b")
        self.assertEqual(e.exception.code, "invalid_parameter")
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.memory.list("a", order="newest")
        self.assertEqual(e.exception.code, "invalid_order")

    def test_filter_overMetadataAndValue_withOperators(self):
        ns = unique("loop")
        self.admin.memory.put(ns, "a", {"kind": "a", "n": 1}, metadata={"source": "loop", "step": 1})
        self.admin.memory.put(ns, "b", {"kind": "b", "n": 2}, metadata={"source": "loop", "step": 2, "run": {"attempt": 2}})
        self.admin.memory.put(ns, "c", {"kind": "c", "n": 3}, metadata={"source": "user", "step": 3})

        def keys(flt, **kw):
            return [e["key"] for e in self.admin.memory.iter(ns, filter=flt, **kw)]

        self.assertEqual(keys({"metadata": {"source": "loop"}}), ["a", "b"])
        self.assertEqual(keys({"metadata": {"source": "loop", "step": {"$gte": 2}}}), ["b"])
        self.assertEqual(keys({"value": {"kind": {"$in": ["a", "c"]}}}), ["a", "c"])
        self.assertEqual(keys({"metadata": {"run.attempt": {"$ne": 2}}}), ["a", "c"])  # $ne holds when missing
        self.assertEqual(keys({"value": {"n": {"$lt": 3}}, "metadata": {"step": {"$gt": 1}}}, order="desc"), ["b"])
        self.assertEqual(keys('{"metadata":{"source":"user"}}'), ["c"])  # JSON text is sent as it is
        self.assertEqual(keys({"metadata": {"source": "loop"}}, page_size=1), ["a", "b"])
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.memory.list(ns, filter={"metadata": {"step": {"$regex": "x"}}})
        self.assertEqual(e.exception.code, "invalid_filter")

    def test_namespaces_withinAPrefix_bySuffix_cutToMaxDepth_andPaged(self):
        root = unique("users")
        for ns in (f"{root}:alice:prefs", f"{root}:alice:notes", f"{root}:bob:prefs", f"{root}:carol:prefs:old"):
            self.admin.memory.put(ns, "k", 1)
        self.assertEqual(self.admin.memory.namespaces(root),
                         [f"{root}:alice:notes", f"{root}:alice:prefs", f"{root}:bob:prefs", f"{root}:carol:prefs:old"])
        self.assertEqual(self.admin.memory.namespaces(root, max_depth=2),
                         [f"{root}:alice", f"{root}:bob", f"{root}:carol"])
        self.assertEqual(self.admin.memory.namespaces(root, max_depth=1), [root])
        self.assertEqual(self.admin.memory.namespaces(root, suffix="prefs"), [f"{root}:alice:prefs", f"{root}:bob:prefs"])
        self.assertEqual(self.admin.memory.namespaces(root, max_depth=2, limit=1, offset=1), [f"{root}:bob"])
        self.admin.memory.delete(f"{root}:bob:prefs", "k")
        self.assertEqual(self.admin.memory.namespaces(root, max_depth=2), [f"{root}:alice", f"{root}:carol"])
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.memory.namespaces(root, max_depth=0)
        self.assertEqual(e.exception.code, "invalid_max_depth")

    def test_search_withoutAQuery_isTheFilteredEntries_newestUpdatedFirst_withoutScores(self):
        ns = unique("notes")
        self.admin.memory.put(ns, "old", 1, text="green tea", metadata={"topic": "tea"})
        self.admin.memory.put(ns, "plain", 2, metadata={"topic": "tea"})  # no text: still listed without a query
        self.admin.memory.put(ns, "other", 3, text="coffee", metadata={"topic": "coffee"})
        self.admin.memory.put(ns, "old", 4, text="green tea, again", metadata={"topic": "tea"})  # updated last
        hits = self.admin.memory.search(prefix=ns, filter={"metadata": {"topic": "tea"}})
        self.assertEqual([h["key"] for h in hits], ["old", "plain"])
        self.assertEqual([h["score"] for h in hits], [None, None])
        self.assertIn("expires_at", hits[0])
        self.assertEqual([h["key"] for h in self.admin.memory.search(prefix=ns, limit=1, offset=1)], ["other"])
        found = self.admin.memory.search("green", prefix=ns, mode="keyword", filter='{"metadata":{"topic":"tea"}}')
        self.assertEqual([h["key"] for h in found], ["old"])
        self.assertIsInstance(found[0]["score"], float)


class MemoryTtlTest(ServerTest):
    def test_aPutWithTtl_setsTtlSecondsAndExpiresAt_andAPutWithoutMakesItPermanent(self):
        ns = unique("ttl")
        e = self.admin.memory.put(ns, "k", {"v": 1}, ttl_seconds=3600)
        self.assertEqual(e["ttl_seconds"], 3600)
        self.assertAlmostEqual((parse_time(e["expires_at"]) - parse_time(e["updated_at"])).total_seconds(), 3600, delta=1)
        self.assertEqual(self.admin.memory.get(ns, "k")["expires_at"], e["expires_at"])
        permanent = self.admin.memory.put(ns, "k", {"v": 2})
        self.assertEqual((permanent["ttl_seconds"], permanent["expires_at"]), (None, None))
        with self.assertRaises(statekeeper.InvalidInput) as err:
            self.admin.memory.put(ns, "k", 1, ttl_seconds=0)
        self.assertEqual(err.exception.code, "invalid_ttl")

    def test_refreshTtl_movesExpiresAt_keepsTheVersion_andIsAWrite(self):
        ns = unique("ttl")
        e = self.admin.memory.put(ns, "k", 1, ttl_seconds=600)
        refreshed = wait_for(lambda: (lambda r: r if r["expires_at"] > e["expires_at"] else None)(
            self.admin.memory.get(ns, "k", refresh_ttl=True)), "a later expires_at")
        self.assertEqual((refreshed["version"], refreshed["ttl_seconds"]), (e["version"], 600))
        self.assertGreater(parse_time(refreshed["expires_at"]), parse_time(e["expires_at"]))
        self.assertEqual(self.admin.memory.get(ns, "k")["expires_at"], refreshed["expires_at"])
        with self.assertRaises(statekeeper.InvalidInput):
            self.admin.memory.get(ns, "k", 1, refresh_ttl=True)
        self.admin.access.grant("memory:" + ns, "viewer", "user:reader")
        reader = self.key("user:reader", "reader")
        self.assertEqual(reader.memory.get(ns, "k")["value"], 1)
        with self.assertRaises(statekeeper.Forbidden) as err:
            reader.memory.get(ns, "k", refresh_ttl=True)
        self.assertEqual(err.exception.code, "read_only_key")

    def test_anExpiredEntry_readsAsNotFound_andLeavesListingsAndSearch(self):
        ns = unique("ttl")
        self.admin.memory.put(ns, "short", 1, ttl_seconds=1, text="ephemeral kumquat")
        self.admin.memory.batch([Memory.put_op(ns, "short2", 2, ttl_seconds=1)])
        self.admin.memory.put(ns, "long", 3)
        wait_for(lambda: self.admin.memory.get(ns, "short", default=None) is None, "the entry to expire", every=0.2)
        wait_for(lambda: self.admin.memory.get(ns, "short2", default=None) is None, "the entry to expire", every=0.2)
        with self.assertRaises(statekeeper.NotFound) as e:
            self.admin.memory.get(ns, "short")
        self.assertEqual(e.exception.code, "memory_not_found")
        self.assertEqual([x["key"] for x in self.admin.memory.iter(namespace=ns)], ["long"])
        self.assertEqual(self.admin.memory.search("kumquat", prefix=ns, mode="keyword"), [])
        self.assertEqual(self.admin.memory.put(ns, "short", 9, if_none_match="*")["expires_at"], None)


class MemoryBatchTest(ServerTest):
    def test_batch_appliesPutsAndDeletes_inTheOrderSent(self):
        ns = unique("batch")
        self.admin.memory.put(ns, "old", 1)
        items = self.admin.memory.batch([
            Memory.put_op(ns, "new", {"n": 1}, metadata={"source": "loop"}, ttl_seconds=60, if_absent=True),
            Memory.put_op(ns, "old", 2, if_version=1, type="episodic", text="the second"),
            Memory.delete_op(ns, "never-written"),
            {"op": "delete", "namespace": ns, "key": "new", "if_version": None},  # None fields are left out
        ])
        self.assertEqual([(i["op"], i["key"], i["created"]) for i in items],
                         [("put", "new", True), ("put", "old", False), ("delete", "never-written", False),
                          ("delete", "new", False)])
        self.assertEqual((items[0]["entry"]["version"], items[0]["entry"]["ttl_seconds"]), (1, 60))
        self.assertEqual((items[1]["entry"]["version"], items[1]["entry"]["type"]), (2, "episodic"))
        self.assertIsNone(items[2]["entry"])
        self.assertEqual((items[3]["entry"]["version"], items[3]["entry"]["deleted"]), (2, True))
        self.assertEqual(self.admin.memory.get(ns, "old")["text"], "the second")
        self.assertIsNone(self.admin.memory.get(ns, "new", default=None))

    def test_aBatchWhoseSecondOpFails_appliesNothing_andNamesTheOp(self):
        ns = unique("batch")
        self.admin.memory.put(ns, "latest", "ck-0001")
        self.admin.memory.put(ns, "latest", "ck-0002")
        with self.assertRaises(statekeeper.PreconditionFailed) as e:
            self.admin.memory.batch([
                Memory.put_op(ns, "ck-0003", {"step": 3}, if_absent=True),
                Memory.put_op(ns, "latest", "ck-0003", if_version=1),
            ])
        self.assertEqual((e.exception.status, e.exception.code), (412, "version_mismatch"))
        self.assertEqual((e.exception.op_index, e.exception.current_version), (1, 2))
        self.assertIn("ops[1]", e.exception.detail)
        self.assertIsNone(self.admin.memory.get(ns, "ck-0003", default=None))
        self.assertEqual(self.admin.memory.get(ns, "latest")["version"], 2)

        # each op sees the ops before it: the second create of one key fails, and the first is undone
        with self.assertRaises(statekeeper.PreconditionFailed) as e:
            self.admin.memory.batch([Memory.put_op(ns, "twice", 1, if_absent=True),
                                     Memory.put_op(ns, "twice", 2, if_absent=True)])
        self.assertEqual((e.exception.op_index, e.exception.current_version), (1, 1))
        self.assertIsNone(self.admin.memory.get(ns, "twice", default=None))
        items = self.admin.memory.batch([Memory.delete_op(ns, "latest"), Memory.put_op(ns, "latest", "x", if_absent=True)])
        self.assertEqual([(i["entry"]["version"], i["created"]) for i in items], [(3, False), (4, True)])

    def test_anInvalidOp_isInvalidInput_andWritesNothing(self):
        ns = unique("batch")
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.memory.batch([Memory.put_op(ns, "a", 1), {"op": "upsert", "namespace": ns, "key": "b"}])
        self.assertEqual(e.exception.code, "invalid_op")
        self.assertIsNone(self.admin.memory.get(ns, "a", default=None))
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.memory.batch([Memory.delete_op(ns, str(i)) for i in range(501)])
        self.assertEqual(e.exception.code, "batch_too_large")
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.memory.batch([])
        self.assertEqual(e.exception.code, "invalid_batch")


class MemoryPurgeTest(ServerTest):
    def test_purge_removesEveryVersion_thenNotFound_andIsForAdminKeys(self):
        ns = unique("purge")
        self.admin.memory.put(ns, "k", 1, text="to be purged")
        self.admin.memory.put(ns, "k", 2)
        self.admin.memory.delete(ns, "k")
        agent = self.key("agent:" + unique("a"))
        with self.assertRaises(statekeeper.Forbidden) as e:
            agent.memory.purge(ns, "k")
        self.assertEqual(e.exception.code, "admin_required")
        report = self.admin.memory.purge(ns, "k")
        self.assertEqual(report, {"target": f"memory:{ns}/k", "entries": 1, "versions": 3,
                                  "vectors": report["vectors"], "queued": report["queued"]})
        with self.assertRaises(statekeeper.NotFound) as e:
            self.admin.memory.history(ns, "k")
        self.assertEqual(e.exception.code, "memory_not_found")
        with self.assertRaises(statekeeper.NotFound):
            self.admin.memory.get(ns, "k", version=1)
        with self.assertRaises(statekeeper.NotFound):
            self.admin.memory.purge(ns, "k")
        self.assertEqual(self.admin.memory.put(ns, "k", 3)["version"], 1)  # starts again

    def test_purgePrefix_removesTheSubtreeByWholeSegments(self):
        root = unique("purge")
        self.admin.memory.put(root + ":a", "x", 1)
        self.admin.memory.put(root + ":a", "x", 2)
        self.admin.memory.put(root + ":b:c", "y", 1)
        self.admin.memory.put(root + "x", "z", 1)  # another subtree
        agent = self.key("agent:" + unique("a"))
        with self.assertRaises(statekeeper.Forbidden) as e:
            agent.memory.purge_prefix(root)
        self.assertEqual(e.exception.code, "admin_required")
        report = self.admin.memory.purge_prefix(root)
        self.assertEqual((report["target"], report["entries"], report["versions"]), ("memory:" + root, 2, 3))
        self.assertEqual(list(self.admin.memory.iter(root)), [])
        self.assertEqual(self.admin.memory.namespaces(root), [])
        self.assertEqual(self.admin.memory.get(root + "x", "z")["value"], 1)
        again = self.admin.memory.purge_prefix(root)
        self.assertEqual((again["entries"], again["versions"]), (0, 0))
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.request("DELETE", "/v1/memory", query={"prefix": root})
        self.assertEqual(e.exception.code, "purge_required")
