from support import URL, ServerTest, unique, wait_for

import statekeeper


class DocumentsTest(ServerTest):
    def test_createPutGetSearchDelete_withAnIdThatIsAPath(self):
        doc_id = unique("guides") + "/tea.md"
        made = self.admin.documents.create("Oolong is brewed at ninety degrees.", id=doc_id, title="Tea")
        self.assertEqual((made["id"], made["version"], made["text"]), (doc_id, 1, None))
        replaced = self.admin.documents.put(doc_id, "Sencha is brewed at seventy degrees.", title="Tea")
        self.assertEqual(replaced["version"], 2)
        self.assertEqual(self.admin.documents.get(doc_id)["text"], "Sencha is brewed at seventy degrees.")
        hits = self.admin.documents.search("sencha", mode="keyword")
        self.assertIn(doc_id, [h["document_id"] for h in hits])
        with self.assertRaises(statekeeper.AlreadyExists):
            self.admin.documents.create("again", id=doc_id)
        self.assertEqual(self.admin.documents.delete(doc_id), {"id": doc_id, "deleted": True})
        with self.assertRaises(statekeeper.NotFound) as e:
            self.admin.documents.get(doc_id)
        self.assertEqual(e.exception.code, "document_not_found")

    def test_blankText_isInvalidInput(self):
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.documents.create("   ")
        self.assertEqual(e.exception.status, 400)


class AccessTest(ServerTest):
    def test_aGrantLetsAnAgentWorkAQueue_andItsRevocationStopsIt(self):
        q = unique("jobs")
        who = "agent:" + unique("w")
        agent = self.key(who)
        with self.assertRaises(statekeeper.Forbidden):
            agent.tasks.create("t", queue=q)
        grant = self.admin.access.grant("queue:" + q, "editor", who)
        self.assertEqual(grant, {"resource": "queue:" + q, "relation": "editor", "subject": who})
        self.assertIn(grant, self.admin.access.grants(resource="queue:" + q))
        agent.tasks.create("t", queue=q)
        [claimed] = agent.tasks.claim("w1", q)
        self.assertEqual(agent.tasks.complete(claimed)["status"], "completed")
        self.assertEqual(self.admin.access.revoke("queue:" + q, "editor", who), grant)
        with self.assertRaises(statekeeper.NotFound) as e:
            self.admin.access.revoke("queue:" + q, "editor", who)
        self.assertEqual(e.exception.code, "grant_not_found")

    def test_check_andCheckBatch(self):
        ns = unique("user")
        self.admin.access.grant("memory:" + ns, "owner", "user:alice")
        d = self.admin.access.check("user:alice", "write", "memory:" + ns + ":prefs")
        self.assertTrue(d["allowed"])
        self.assertIn("owner", d["reason"])
        decisions = self.admin.access.check_batch([
            ("user:alice", "read", "memory:" + ns),
            {"subject": "user:bob", "action": "read", "resource": "memory:" + ns},
        ])
        self.assertEqual([x["allowed"] for x in decisions], [True, False])
        with self.assertRaises(statekeeper.InvalidInput) as e:
            self.admin.access.check("user:alice", "READ", "memory:" + ns)
        self.assertEqual(e.exception.code, "invalid_action")

    def test_aReaderKeyCannotWrite(self):
        reader = self.key("user:" + unique("r"), role="reader")
        with self.assertRaises(statekeeper.Forbidden) as e:
            reader.sessions.create()
        self.assertEqual(e.exception.code, "read_only_key")


class KeysTest(ServerTest):
    def test_createListRevoke_andARevokedKeyIsRefused(self):
        subject = "agent:" + unique("k")
        made = self.admin.keys.create(self.tenant, subject, "agent")
        self.assertTrue(made["key"].startswith("sk_"))
        listed = [k for k in self.admin.keys.list() if k["id"] == made["id"]]
        self.assertEqual(len(listed), 1)
        self.assertNotIn("key", listed[0])
        c = statekeeper.Client(URL, made["key"])
        self.addCleanup(c.close)
        c.sessions.create()
        revoked = self.admin.keys.revoke(made["id"])
        self.assertIsNotNone(revoked["revoked_at"])

        def refused():
            try:
                c.sessions.create()
                return False
            except statekeeper.Unauthorized as e:
                return e.code

        self.assertEqual(wait_for(refused, "the revoked key to be refused"), "invalid_key")

    def test_anAgentKeyCannotMakeKeys_andNoKeyIsUnauthorized(self):
        agent = self.key("agent:" + unique("a"))
        with self.assertRaises(statekeeper.Forbidden) as e:
            agent.keys.create(self.tenant, "agent:x", "agent")
        self.assertEqual(e.exception.code, "admin_required")
        with statekeeper.Client(URL, None) as anonymous:
            with self.assertRaises(statekeeper.Unauthorized) as e:
                anonymous.tasks.stats()
        self.assertEqual((e.exception.status, e.exception.code), (401, "missing_key"))
        with statekeeper.Client(URL, "sk_0000000000000000_nope") as wrong:
            with self.assertRaises(statekeeper.Unauthorized) as e:
                wrong.tasks.stats()
        self.assertEqual(e.exception.code, "invalid_key")

    def test_aRootClientInTheTenant_seesTheTenantsObjects(self):
        s = self.admin.sessions.create()
        self.assertEqual(self.root.in_tenant(self.tenant).sessions.get(s["id"])["id"], s["id"])
        with self.assertRaises(statekeeper.NotFound):
            self.root.sessions.get(s["id"])


class OpsTest(ServerTest):
    def test_healthEndpoints_answerUp_andAnAdminSeesTheChecks(self):
        self.assertEqual(self.admin.ops.live(), {"status": "UP"})
        self.assertEqual(self.admin.ops.ready(), {"status": "UP"})
        health = self.admin.ops.health()
        self.assertIn(health["status"], ("UP", "DEGRADED"))
        self.assertIn("database", health["checks"])
        with statekeeper.Client(URL, None) as anonymous:
            self.assertNotIn("checks", anonymous.ops.health())

    def test_metrics_summaryAndAlerts(self):
        self.assertIn("# TYPE", self.admin.ops.metrics())
        summary = self.admin.ops.summary()
        self.assertIn(summary["store"], ("sqlite", "postgres"))
        self.assertIn("firing", summary["alerts"])
        self.assertTrue(self.admin.ops.alerts()["rules"])
        agent = self.key("agent:" + unique("o"))
        with self.assertRaises(statekeeper.Forbidden) as e:
            agent.ops.alerts()
        self.assertEqual(e.exception.code, "admin_required")

    def test_backup_isForRootKeys(self):
        with self.assertRaises(statekeeper.Forbidden) as e:
            self.admin.admin.backup()
        self.assertEqual(e.exception.code, "root_required")
        backup = self.root.admin.backup()
        self.assertIn("tasks", [t["name"] for t in backup["tables"]])
