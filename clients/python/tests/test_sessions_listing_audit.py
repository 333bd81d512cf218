"""Sessions listing, delete and newest-first events, and the audit log, against a real server
(docs/http-api.md, "Sessions" and "Admin")."""

import time

from support import ServerTest, unique

import statekeeper
from statekeeper import Memory


class SessionsListingTest(ServerTest):
    def test_list_isNewestCreatedFirst_filteredByAgentUserAndStatus(self):
        agent = "agent:" + unique("planner")
        made = []
        for user in ("user:alice", "user:bob", "user:alice"):
            made.append(self.admin.sessions.create(agent=agent, user=user)["id"])
            time.sleep(0.005)  # distinct creation times: same-millisecond sessions come in id order
        self.admin.sessions.create(agent="agent:" + unique("other"))
        newest_first = list(reversed(made))

        page = self.admin.sessions.list(agent=agent)
        self.assertEqual([s["id"] for s in page["items"]], newest_first)
        self.assertIsNone(page["next_cursor"])
        self.assertEqual([s["id"] for s in self.admin.sessions.iter(agent=agent, page_size=1)], newest_first)
        first = self.admin.sessions.list(agent=agent, limit=2)
        self.assertEqual([s["id"] for s in first["items"]], newest_first[:2])
        rest = self.admin.sessions.list(agent=agent, limit=2, cursor=first["next_cursor"])
        self.assertEqual([s["id"] for s in rest["items"]], newest_first[2:])
        self.assertEqual([s["id"] for s in self.admin.sessions.iter(agent=agent, user="user:alice")],
                         [made[2], made[0]])

        self.admin.sessions.terminate(made[1])
        self.assertEqual([s["id"] for s in self.admin.sessions.iter(agent=agent, status="terminated")], [made[1]])
        self.assertEqual([s["id"] for s in self.admin.sessions.iter(agent=agent, status="active")],
                         [made[2], made[0]])
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.sessions.list(status="ACTIVE")
        self.assertEqual(e.exception.code, "invalid_status")

    def test_list_showsAnAgentKeyOnlyWhatItMayRead(self):
        who = "agent:" + unique("a")
        agent = self.key(who)
        mine = agent.sessions.create(agent=who)["id"]
        self.admin.sessions.create(agent=who)  # the admin's own: not the agent's to read
        self.assertEqual([s["id"] for s in agent.sessions.iter()], [mine])

    def test_delete_removesTheSessionAndItsEvents_andTheIdStartsEmptyAgain(self):
        sid = unique("chat")
        self.admin.sessions.create(sid, state={"step": 3})
        self.admin.sessions.append_many(sid, [{"type": "message", "data": {"n": i}} for i in range(3)])
        self.assertEqual(self.admin.sessions.delete(sid), {"id": sid, "deleted": True, "events": 3})
        with self.assertRaises(statekeeper.NotFound) as e:
            self.admin.sessions.get(sid)
        self.assertEqual(e.exception.code, "session_not_found")
        with self.assertRaises(statekeeper.NotFound):
            self.admin.sessions.events(sid)
        with self.assertRaises(statekeeper.NotFound):
            self.admin.sessions.delete(sid)
        again = self.admin.sessions.create(sid)
        self.assertEqual((again["event_count"], again["state"]), (0, {}))
        self.assertEqual(self.admin.sessions.events(sid)["items"], [])

    def test_delete_isForTheOwnerOrAnAdmin_notAnEditorOrAReader(self):
        owner_name, editor_name = "agent:" + unique("owner"), "agent:" + unique("editor")
        owner, editor = self.key(owner_name), self.key(editor_name)
        reader_name = "user:" + unique("reader")
        reader = self.key(reader_name, "reader")
        s = owner.sessions.create(agent=owner_name)
        owner.access.grant("session:" + s["id"], "editor", editor_name)
        owner.access.grant("session:" + s["id"], "viewer", reader_name)
        self.assertEqual(reader.sessions.get(s)["id"], s["id"])
        editor.sessions.append(s, "note")
        with self.assertRaises(statekeeper.Forbidden) as e:
            editor.sessions.delete(s)
        self.assertEqual(e.exception.code, "access_denied")
        with self.assertRaises(statekeeper.Forbidden) as e:
            reader.sessions.delete(s)
        self.assertEqual(e.exception.code, "read_only_key")
        self.assertEqual(owner.sessions.delete(s)["events"], 1)

    def test_events_newestFirst_pageBackwards_withinBounds(self):
        s = self.admin.sessions.create()
        self.admin.sessions.append_many(s, [{"type": "step", "data": {"n": i}} for i in range(1, 8)])
        latest = self.admin.sessions.events(s, order="desc", limit=3)
        self.assertEqual([e["seq"] for e in latest["items"]], [7, 6, 5])
        self.assertEqual((latest["next_before_seq"], latest["next_after_seq"]), (5, None))
        older = self.admin.sessions.events(s, order="desc", before_seq=latest["next_before_seq"], limit=3)
        self.assertEqual([e["seq"] for e in older["items"]], [4, 3, 2])
        oldest_first = self.admin.sessions.events(s, limit=3)
        self.assertEqual((oldest_first["next_after_seq"], oldest_first["next_before_seq"]), (3, None))
        self.assertEqual([e["seq"] for e in self.admin.sessions.iter_events(s, order="desc", page_size=3)],
                         [7, 6, 5, 4, 3, 2, 1])
        self.assertEqual([e["seq"] for e in self.admin.sessions.iter_events(s, order="desc", after_seq=2,
                                                                            before_seq=7, page_size=2)],
                         [6, 5, 4, 3])
        self.assertEqual([e["seq"] for e in self.admin.sessions.iter_events(s, after_seq=2, before_seq=6,
                                                                            page_size=2)],
                         [3, 4, 5])
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.sessions.events(s, order="newest")
        self.assertEqual(e.exception.code, "invalid_order")
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.sessions.events(s, before_seq=0)
        self.assertEqual(e.exception.code, "invalid_before_seq")


class AuditTest(ServerTest):
    def test_audit_recordsPurgesAndSessionDeletes_newestFirst_forAdminKeysOnly(self):
        root = unique("audit")
        self.admin.memory.put(root + ":a", "k", 1)
        self.admin.memory.put(root + ":a", "k", 2)
        self.admin.memory.put(root + ":b", "k", 1)
        self.admin.memory.purge(root + ":a", "k")
        self.admin.memory.purge_prefix(root)
        s = self.admin.sessions.create()
        self.admin.sessions.append(s, "message")
        self.admin.sessions.delete(s)

        records = [r for r in self.admin.admin.iter_audit(page_size=1)
                   if r["target"].startswith("memory:" + root) or r["target"] == "session:" + s["id"]]
        # vectors and queued depend on how far the embedding worker got: only their presence is checked
        self.assertEqual([(r["action"], r["target"], r["detail"].get("entries"), r["detail"].get("versions"),
                           r["detail"].get("events")) for r in records], [
            ("session.delete", "session:" + s["id"], None, None, 1),
            ("memory.purge", "memory:" + root, 1, 1, None),
            ("memory.purge", f"memory:{root}:a/k", 1, 2, None),
        ])
        self.assertEqual(sorted(records[1]["detail"]), ["entries", "queued", "vectors", "versions"])
        self.assertEqual({r["actor"] for r in records}, {"user:admin"})
        ids = [r["id"] for r in records]
        self.assertEqual(ids, sorted(ids, reverse=True))
        self.assertTrue(all(r["at"].endswith("Z") for r in records))

        page = self.admin.admin.audit(limit=1)
        self.assertEqual(page["items"][0]["id"], ids[0])
        older = self.admin.admin.audit(before_id=page["next_before_id"], limit=2)
        self.assertEqual([r["id"] for r in older["items"]], ids[1:])

        agent = self.key("agent:" + unique("a"))
        with self.assertRaises(statekeeper.Forbidden) as e:
            agent.admin.audit()
        self.assertEqual(e.exception.code, "admin_required")
        self.assertEqual(self.root.in_tenant(self.tenant).admin.audit(limit=3)["items"],
                         self.admin.admin.audit(limit=3)["items"])  # a root key reads the tenant's log too

    def test_aBatchDelete_writesATombstone_andNoAuditRecord(self):
        ns = unique("audit")
        self.admin.memory.put(ns, "k", 1)
        self.admin.memory.batch([Memory.delete_op(ns, "k")])
        self.assertEqual([r for r in self.admin.admin.iter_audit() if r["target"].startswith("memory:" + ns)], [])
