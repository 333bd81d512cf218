"""Retries against a stub server that answers what each test scripts: no real server, no waiting."""

import http.server
import json
import socket
import threading
import unittest
import urllib.parse

import support  # noqa: F401 - puts the package on the path

import statekeeper
from statekeeper import Memory, errors

TASK = {"id": "01a2", "queue": "default", "type": "t", "status": "pending", "attempt": 0}


class StubServer:
    """Answers each request with the next scripted (status, headers, body) and records it."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.requests = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                stub.requests.append((self.command, self.path, dict(self.headers), body))
                status, headers, payload = stub.answers.pop(0) if stub.answers else (500, {}, {"code": "no_more"})
                data = json.dumps(payload).encode()
                self.send_response(status)
                ctype = "application/json" if status < 400 else "application/problem+json"
                self.send_header("Content-Type", ctype)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def unavailable(retry_after="1"):
    return (503, {"Retry-After": retry_after},
            {"type": "urn:statekeeper:problem:store_unavailable", "title": "Service Unavailable", "status": 503,
             "detail": "the database does not answer", "code": "store_unavailable"})


def rate_limited(seconds):
    return (429, {"Retry-After": str(seconds)},
            {"type": "urn:statekeeper:problem:rate_limited", "title": "Too Many Requests", "status": 429,
             "detail": "slow down", "code": "rate_limited", "retry_after_seconds": seconds})


class StubTest(unittest.TestCase):
    """A client of a stub server (``self.stub(answers...)``) whose retries sleep into ``self.sleeps``."""

    def setUp(self):
        self.sleeps = []
        self.policy = statekeeper.RetryPolicy(attempts=4, sleep=self.sleeps.append, random=lambda: 0.0)

    def stub(self, *answers):
        s = StubServer(answers)
        self.addCleanup(s.close)
        c = statekeeper.Client(s.url, "sk_test", retry=self.policy)
        self.addCleanup(c.close)
        return s, c


class RetryTest(StubTest):
    def test_aTaskCreate_answered503_isSentAgainAfterRetryAfter_withTheSameIdempotencyKey(self):
        s, c = self.stub(unavailable("7"), (201, {}, TASK))
        self.assertEqual(c.tasks.create("t"), TASK)
        self.assertEqual(self.sleeps, [7.0])
        self.assertEqual(len(s.requests), 2)
        keys = [r[2].get("Idempotency-Key") for r in s.requests]
        self.assertTrue(keys[0])
        self.assertEqual(keys[0], keys[1])
        self.assertEqual(s.requests[0][3], s.requests[1][3])

    def test_aGet_isRetriedWithGrowingJitteredWaits_andGivesUpAfterTheAttempts(self):
        policy = statekeeper.RetryPolicy(attempts=4, base_delay=1.0, sleep=self.sleeps.append, random=lambda: 1.0)
        s = StubServer([unavailable("0")] * 4)
        self.addCleanup(s.close)
        c = statekeeper.Client(s.url, "sk_test", retry=policy)
        self.addCleanup(c.close)
        with self.assertRaises(statekeeper.Unavailable) as e:
            c.tasks.get("x")
        self.assertEqual((e.exception.status, e.exception.code, e.exception.retry_after), (503, "store_unavailable", 0.0))
        self.assertEqual(len(s.requests), 4)
        self.assertEqual(self.sleeps, [1.0, 2.0, 4.0])
        self.assertEqual(statekeeper.RetryPolicy(base_delay=1.0, random=lambda: 0.0).delay(3, None), 2.0)

    def test_aComplete_answered503_isNotSentAgain(self):
        s, c = self.stub(unavailable(), (200, {}, TASK))
        with self.assertRaises(statekeeper.Unavailable):
            c.tasks.complete({"id": "01a2", "attempt": 1, "claimed_by": "w"}, {"ok": True})
        self.assertEqual(len(s.requests), 1)
        self.assertEqual(self.sleeps, [])

    def test_memoryPutsEventAppendsAndClaims_answered503_areNotSentAgain(self):
        s, c = self.stub(unavailable(), unavailable(), unavailable())
        with self.assertRaises(statekeeper.Unavailable):
            c.memory.put("ns", "k", 1)
        with self.assertRaises(statekeeper.Unavailable):
            c.sessions.append("s", "message")
        with self.assertRaises(statekeeper.Unavailable):
            c.tasks.claim("w")
        self.assertEqual(len(s.requests), 3)

    def test_anyRequest_answered429_isSentAgain_asTheServerRefusedItBeforeRunningIt(self):
        s, c = self.stub(rate_limited(3), (200, {}, TASK))
        self.assertEqual(c.tasks.complete({"id": "01a2", "attempt": 1, "claimed_by": "w"}), TASK)
        self.assertEqual(self.sleeps, [3.0])
        self.assertEqual(len(s.requests), 2)

    def test_anyRequest_answered408_isSentAgain_asItsBodyWasNotRead(self):
        timeout = (408, {}, {"status": 408, "code": "body_timeout", "detail": "nothing was changed"})
        s, c = self.stub(timeout, (200, {}, TASK))
        self.assertEqual(c.tasks.complete({"id": "01a2", "attempt": 1, "claimed_by": "w"}), TASK)
        self.assertEqual(len(s.requests), 2)
        self.assertEqual(len(self.sleeps), 1)

    def test_aRetryAfterBeyondTheBound_isRaisedAtOnce(self):
        s, c = self.stub(rate_limited(3600), (200, {}, TASK))
        with self.assertRaises(statekeeper.RateLimited) as e:
            c.tasks.get("x")
        self.assertEqual(e.exception.retry_after, 3600.0)
        self.assertEqual(self.sleeps, [])

    def test_searchesAndHeartbeats_areSafe_andSentAgain(self):
        s, c = self.stub(unavailable(), (200, {}, {"items": []}), unavailable(), (200, {}, TASK))
        self.assertEqual(c.memory.search("tea"), [])
        self.assertEqual(c.tasks.heartbeat({"id": "01a2", "attempt": 1, "claimed_by": "w"}), TASK)
        self.assertEqual(len(s.requests), 4)

    def test_a4xx_isNeverSentAgain(self):
        s, c = self.stub((404, {}, {"code": "task_not_found", "status": 404, "detail": "no task x"}))
        with self.assertRaises(statekeeper.NotFound):
            c.tasks.get("x")
        self.assertEqual(len(s.requests), 1)

    def test_aRefusedConnection_isSentAgain_evenForAWrite_asNothingWasSent(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        c = statekeeper.Client(f"http://127.0.0.1:{port}", "sk_test", retry=self.policy)
        self.addCleanup(c.close)
        with self.assertRaises(statekeeper.ConnectionFailed) as e:
            c.memory.put("ns", "k", 1)
        self.assertIsNone(e.exception.status)
        self.assertFalse(e.exception.sent)
        self.assertIsInstance(e.exception, ConnectionError)
        self.assertEqual(len(self.sleeps), 3)

    def test_theQueryCarriesOnlyTheParametersGiven(self):
        s, c = self.stub((200, {}, {"items": [], "next_cursor": None}))
        c.tasks.list(queue="a b", limit=5)
        self.assertEqual(s.requests[0][1], "/v1/tasks?queue=a%20b&limit=5")

    def test_aTenantClientSendsTheTenantHeader(self):
        s, c = self.stub((200, {}, TASK))
        c.in_tenant("acme").tasks.get("x")
        self.assertEqual(s.requests[0][2].get("Statekeeper-Tenant"), "acme")
        self.assertEqual(s.requests[0][2].get("Authorization"), "Bearer sk_test")


def version_mismatch(op_index):
    return (412, {"ETag": '"2"'},
            {"type": "urn:statekeeper:problem:version_mismatch", "title": "Precondition Failed", "status": 412,
             "detail": f"ops[{op_index}]: memory ns/a is at version 2, not 1", "code": "version_mismatch",
             "current_version": 2, "op_index": op_index})


PURGED = {"target": "memory:ns/k", "entries": 1, "versions": 1, "vectors": 0, "queued": 0}


class NewRoutesRetryTest(StubTest):
    """What the memory batch, purge, session delete and the new reads resend, and what they send."""

    def test_aMemoryBatch_isSentAgainAfter503_onlyWhenEveryOpCarriesIfVersion(self):
        done = {"items": [{"op": "put", "namespace": "ns", "key": "a", "entry": None, "created": False}]}
        s, c = self.stub(unavailable(), unavailable(), unavailable(), unavailable(), (200, {}, done))
        with self.assertRaises(statekeeper.Unavailable) as e:
            c.memory.batch([Memory.put_op("ns", "a", 1, if_version=1), Memory.put_op("ns", "b", 1)])
        self.assertEqual(e.exception.attempts, 1)
        with self.assertRaises(statekeeper.Unavailable):
            c.memory.batch([Memory.put_op("ns", "a", 1, if_absent=True)])
        with self.assertRaises(statekeeper.Unavailable):
            c.memory.batch([Memory.delete_op("ns", "a")])
        self.assertEqual(len(s.requests), 3)
        self.assertEqual(c.memory.batch([Memory.put_op("ns", "a", 1, if_version=1),
                                         Memory.delete_op("ns", "b", if_version=4)]), done["items"])
        self.assertEqual(len(s.requests), 5)
        self.assertEqual(s.requests[3][3], s.requests[4][3])
        self.assertEqual(json.loads(s.requests[4][3]), {"ops": [
            {"op": "put", "namespace": "ns", "key": "a", "value": 1, "if_version": 1},
            {"op": "delete", "namespace": "ns", "key": "b", "if_version": 4}]})

    def test_aResentBatchAnswered412_saysItWasResent_andNamesTheOp(self):
        s, c = self.stub(unavailable(), version_mismatch(0))
        with self.assertRaises(statekeeper.PreconditionFailed) as e:
            c.memory.batch([Memory.put_op("ns", "a", 1, if_version=1)])
        self.assertEqual((e.exception.attempts, e.exception.op_index, e.exception.current_version), (2, 0, 2))
        self.assertEqual(len(s.requests), 2)

    def test_purgesAndSessionDeletes_answered503_areNotSentAgain_but429Is(self):
        s, c = self.stub(unavailable(), unavailable(), unavailable(), rate_limited(1), (200, {}, PURGED))
        with self.assertRaises(statekeeper.Unavailable):
            c.memory.purge("user:alice", "k")
        with self.assertRaises(statekeeper.Unavailable):
            c.memory.purge_prefix("user:alice")
        with self.assertRaises(statekeeper.Unavailable):
            c.sessions.delete({"id": "chat-7"})
        self.assertEqual(c.memory.purge("ns", "k"), PURGED)
        self.assertEqual([(r[0], r[1]) for r in s.requests], [
            ("DELETE", "/v1/memory/user:alice/k?purge=true"),
            ("DELETE", "/v1/memory?prefix=user%3Aalice&purge=true"),
            ("DELETE", "/v1/sessions/chat-7"),
            ("DELETE", "/v1/memory/ns/k?purge=true"),
            ("DELETE", "/v1/memory/ns/k?purge=true"),
        ])

    def test_aRefreshingGet_isResent_andSendsRefreshTtlOnlyWhenAsked(self):
        entry = {"namespace": "ns", "key": "k", "version": 1}
        s, c = self.stub(unavailable(), (200, {}, entry), (200, {}, entry))
        self.assertEqual(c.memory.get("ns", "k", refresh_ttl=True), entry)
        c.memory.get("ns", "k")
        self.assertEqual([r[1] for r in s.requests],
                         ["/v1/memory/ns/k?refresh_ttl=true", "/v1/memory/ns/k?refresh_ttl=true", "/v1/memory/ns/k"])

    def test_theMemoryListing_sendsItsFilterAsJson_andItsBounds(self):
        s, c = self.stub((200, {}, {"items": [], "next_cursor": None}), (200, {}, {"items": [], "next_cursor": None}))
        flt = {"metadata": {"source": "loop", "step": {"$gte": 2}}, "value": {"kind": {"$in": ["a", "b"]}}}
        c.memory.list(namespace="thread:7", order="desc", end_before="ck-0003", filter=flt, limit=1)
        c.memory.list("thread", start_after="a", filter='{"value":{"n":1}}')
        first = urllib.parse.urlsplit(s.requests[0][1])
        self.assertEqual(first.path, "/v1/memory")
        query = dict(urllib.parse.parse_qsl(first.query))
        self.assertEqual(json.loads(query.pop("filter")), flt)
        self.assertEqual(query, {"namespace": "thread:7", "order": "desc", "end_before": "ck-0003", "limit": "1"})
        self.assertEqual(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(s.requests[1][1]).query)),
                         {"prefix": "thread", "start_after": "a", "filter": '{"value":{"n":1}}'})

    def test_aSearchWithoutAQuery_sendsNoQuery_andItsFilterAsAnObject(self):
        s, c = self.stub((200, {}, {"items": []}))
        self.assertEqual(c.memory.search(prefix="ns", filter='{"metadata":{"a":1}}', offset=5), [])
        self.assertEqual(json.loads(s.requests[0][3]), {"prefix": "ns", "filter": {"metadata": {"a": 1}}, "offset": 5})

    def test_theIterators_followTheirCursors(self):
        ev = lambda seq: {"seq": seq, "type": "t", "data": None, "created_at": "2026-01-01T00:00:00Z"}  # noqa: E731
        s, c = self.stub(
            (200, {}, {"items": [ev(9), ev(8)], "next_after_seq": None, "next_before_seq": 8}),
            (200, {}, {"items": [ev(7)], "next_after_seq": None, "next_before_seq": None}),
            (200, {}, {"items": [{"id": "s2"}], "next_cursor": "c1"}),
            (200, {}, {"items": [{"id": "s1"}], "next_cursor": None}),
            (200, {}, {"items": [{"id": 5}], "next_before_id": 5}),
            (200, {}, {"items": [], "next_before_id": None}),
        )
        self.assertEqual([e["seq"] for e in c.sessions.iter_events("chat", order="desc", after_seq=6, page_size=2)],
                         [9, 8, 7])
        self.assertEqual([x["id"] for x in c.sessions.iter(agent="agent:a", status="active", page_size=1)], ["s2", "s1"])
        self.assertEqual([x["id"] for x in c.admin.iter_audit(page_size=1)], [5])
        self.assertEqual([r[1] for r in s.requests], [
            "/v1/sessions/chat/events?after_seq=6&order=desc&limit=2",
            "/v1/sessions/chat/events?after_seq=6&before_seq=8&order=desc&limit=2",
            "/v1/sessions?agent=agent%3Aa&status=active&limit=1",
            "/v1/sessions?agent=agent%3Aa&status=active&limit=1&cursor=c1",
            "/v1/audit?limit=1",
            "/v1/audit?before_id=5&limit=1",
        ])


class ErrorsTest(unittest.TestCase):
    def test_problemCodes_pickTheClass_elseTheStatusDoes(self):
        cases = {
            (409, "lease_not_held"): statekeeper.LeaseNotHeld,
            (409, "lease_expired"): statekeeper.LeaseExpired,
            (409, "task_final"): statekeeper.Conflict,
            (409, "session_exists"): statekeeper.AlreadyExists,
            (400, "invalid_priority"): statekeeper.InvalidInput,
            (401, "invalid_key"): statekeeper.Unauthorized,
            (403, "access_denied"): statekeeper.Forbidden,
            (404, "memory_not_found"): statekeeper.NotFound,
            (412, "version_mismatch"): statekeeper.PreconditionFailed,
            (413, "value_too_large"): statekeeper.PayloadTooLarge,
            (428, "if_match_required"): statekeeper.PreconditionRequired,
            (429, "rate_limited"): statekeeper.RateLimited,
            (500, "internal_error"): statekeeper.ServerError,
            (503, "store_unavailable"): statekeeper.Unavailable,
        }
        for (status, code), cls in cases.items():
            e = errors.error_from_response(status, {"status": status, "code": code, "detail": "d", "current_version": 4})
            self.assertIs(type(e), cls, code)
            self.assertIsInstance(e, statekeeper.StatekeeperError)
            self.assertEqual((e.status, e.code, e.detail), (status, code, "d"))
        self.assertIsInstance(errors.error_from_response(409, {"code": "lease_expired"}), statekeeper.LeaseNotHeld)
        self.assertEqual(errors.error_from_response(412, {"code": "version_mismatch", "current_version": 4})
                         .current_version, 4)
        batch = errors.error_from_response(412, {"code": "version_mismatch", "current_version": 0, "op_index": 3})
        self.assertEqual((batch.op_index, batch.current_version, batch.attempts), (3, 0, 1))
        self.assertIsNone(errors.error_from_response(412, {"code": "version_mismatch"}).op_index)

    def test_anAnswerThatIsNoProblem_getsAnHttpCode(self):
        e = errors.error_from_response(502, "<html>502 Bad Gateway</html>")
        self.assertIsInstance(e, statekeeper.ServerError)
        self.assertEqual(e.code, "http_502")
        self.assertIn("Bad Gateway", e.detail)
