from support import ServerTest, unique

import statekeeper


class SessionsTest(ServerTest):
    def test_create_get_andATakenIdIsAlreadyExists(self):
        sid = unique("chat")
        s = self.admin.sessions.create(sid, agent="agent:planner", state={"step": 0})
        self.assertEqual((s["id"], s["status"], s["version"], s["state"]), (sid, "active", 1, {"step": 0}))
        self.assertEqual(self.admin.sessions.get(sid)["agent"], "agent:planner")
        with self.assertRaises(statekeeper.AlreadyExists) as e:
            self.admin.sessions.create(sid)
        self.assertEqual(e.exception.code, "session_exists")
        generated = self.admin.sessions.create(user="user:alice")
        self.assertTrue(generated["id"])

    def test_appendAndAppendMany_numberEventsWithoutGaps_andEventsPage(self):
        s = self.admin.sessions.create()
        first = self.admin.sessions.append(s, "message", {"text": "hi"})
        self.assertEqual(first["seq"], 1)
        more = self.admin.sessions.append_many(s, [{"type": "tool", "data": {"n": i}} for i in range(4)])
        self.assertEqual([e["seq"] for e in more], [2, 3, 4, 5])
        page = self.admin.sessions.events(s, after_seq=1, limit=2)
        self.assertEqual([e["seq"] for e in page["items"]], [2, 3])
        self.assertEqual(page["next_after_seq"], 3)
        self.assertEqual([e["seq"] for e in self.admin.sessions.iter_events(s, page_size=2)], [1, 2, 3, 4, 5])
        self.assertEqual(self.admin.sessions.get(s)["event_count"], 5)

    def test_setState_needsTheCurrentVersion(self):
        s = self.admin.sessions.create(state={"step": 0})
        s2 = self.admin.sessions.set_state(s, {"step": 1})
        self.assertEqual((s2["state"], s2["version"]), ({"step": 1}, 2))
        with self.assertRaises(statekeeper.PreconditionFailed) as e:
            self.admin.sessions.set_state(s, {"step": 9})
        self.assertEqual(e.exception.current_version, 2)
        with self.assertRaises(statekeeper.PreconditionRequired):
            self.admin.sessions.set_state(s["id"], {"step": 9})
        self.assertEqual(self.admin.sessions.get(s)["state"], {"step": 1})

    def test_terminate_isFinal_forAppendsAndState(self):
        s = self.admin.sessions.create()
        t = self.admin.sessions.terminate(s)
        self.assertEqual(t["status"], "terminated")
        with self.assertRaises(statekeeper.SessionTerminated) as e:
            self.admin.sessions.append(s, "late")
        self.assertEqual((e.exception.status, e.exception.code), (409, "session_terminated"))
        with self.assertRaises(statekeeper.NotFound):
            self.admin.sessions.get(unique("none"))


class MemoryTest(ServerTest):
    def test_put_makesVersions_andGetReadsTheCurrentOrAnyVersion(self):
        ns = unique("user") + ":prefs"
        first = self.admin.memory.put(ns, "drink", {"likes": "green tea"}, text="prefers green tea")
        self.assertEqual((first["version"], first["type"], first["written_by"]), (1, "semantic", "user:admin"))
        second = self.admin.memory.put(ns, "drink", {"likes": "oolong"}, type="episodic")
        self.assertEqual(second["version"], 2)
        self.assertEqual(self.admin.memory.get(ns, "drink")["value"], {"likes": "oolong"})
        self.assertEqual(self.admin.memory.get(ns, "drink", version=1)["value"], {"likes": "green tea"})
        self.assertEqual([e["version"] for e in self.admin.memory.iter_history(ns, "drink", page_size=1)], [1, 2])

    def test_preconditions_ifMatchAndIfNoneMatch(self):
        ns = unique("cas")
        self.admin.memory.put(ns, "k", 1, if_none_match="*")
        with self.assertRaises(statekeeper.PreconditionFailed) as e:
            self.admin.memory.put(ns, "k", 2, if_none_match="*")
        self.assertEqual(e.exception.current_version, 1)
        self.assertEqual(self.admin.memory.put(ns, "k", 2, if_match=1)["version"], 2)
        with self.assertRaises(statekeeper.PreconditionFailed):
            self.admin.memory.put(ns, "k", 3, if_match=1)
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.memory.put(ns, "k", 3, if_match=2, if_none_match="*")
        self.assertEqual(e.exception.code, "invalid_precondition")
        self.assertEqual(self.admin.memory.get(ns, "k")["value"], 2)

    def test_delete_writesATombstone_thenGetIsNotFound_orTheDefault(self):
        ns = unique("del")
        self.admin.memory.put(ns, "k", {"v": 1})
        tomb = self.admin.memory.delete(ns, "k", if_match=1)
        self.assertEqual((tomb["deleted"], tomb["version"]), (True, 2))
        with self.assertRaises(statekeeper.NotFound) as e:
            self.admin.memory.get(ns, "k")
        self.assertEqual(e.exception.code, "memory_not_found")
        self.assertIsNone(self.admin.memory.get(ns, "k", default=None))
        self.assertEqual(self.admin.memory.put(ns, "k", {"v": 3})["version"], 3)

    def test_list_coversThePrefixByWholeSegments_inOrder(self):
        root = unique("list")
        for ns, key in [(root + ":a", "x"), (root + ":a", "y"), (root + ":b", "z"), (root + "x", "no")]:
            self.admin.memory.put(ns, key, key)
        page = self.admin.memory.list(root, limit=2)
        self.assertEqual([e["key"] for e in page["items"]], ["x", "y"])
        self.assertEqual([(e["namespace"], e["key"]) for e in self.admin.memory.iter(root, page_size=2)],
                         [(root + ":a", "x"), (root + ":a", "y"), (root + ":b", "z")])
        self.assertEqual([e["key"] for e in self.admin.memory.iter(root, type="episodic")], [])

    def test_search_byKeyword_findsTheEntryByItsText(self):
        ns = unique("search") + ":alice"
        self.admin.memory.put(ns, "drink", {"likes": "tea"}, text="Alice prefers jasmine tea in the morning")
        self.admin.memory.put(ns, "food", {"likes": "rice"}, text="Alice eats rice at lunch")
        hits = self.admin.memory.search("jasmine", prefix=ns, mode="keyword")
        self.assertEqual([h["key"] for h in hits], ["drink"])
        self.assertIn("score", hits[0])

    def test_badNamespace_isInvalidInput(self):
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.memory.put("bad namespace!", "k", 1)
        self.assertEqual(e.exception.status, 400)
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.memory.search("tea", mode="fuzzy")
        self.assertEqual(e.exception.code, "invalid_search_mode")
