// Retries against a stub server that answers what each test scripts: no real server, no waiting.
import assert from "node:assert/strict";
import { createServer, IncomingHttpHeaders, Server } from "node:http";
import { AddressInfo, createServer as createTcpServer } from "node:net";
import { afterEach, describe, test } from "node:test";
import {
  AlreadyExists, Client, Conflict, ConnectionFailed, InvalidInput, LeaseExpired, LeaseNotHeld, NotFound, PreconditionFailed,
  RateLimited, RetryPolicy, ServerError, StatekeeperError, Unavailable, errorFromResponse,
} from "../src/index.js";
import { rejection } from "./support.js";

type Scripted = [status: number, headers: Record<string, string>, body: unknown];
interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const TASK = { id: "01a2", queue: "default", type: "t", status: "pending", attempt: 0 };
const HOLDER = { id: "01a2", attempt: 1, claimed_by: "w" };

function unavailable(retryAfter = "1"): Scripted {
  return [503, { "Retry-After": retryAfter }, { status: 503, code: "store_unavailable", detail: "the database does not answer" }];
}

function rateLimited(seconds: number): Scripted {
  return [429, { "Retry-After": String(seconds) }, { status: 429, code: "rate_limited", retry_after_seconds: seconds }];
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function stub(answers: Scripted[], policy: RetryPolicy): Promise<{ seen: Seen[]; client: Client }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const [status, headers, payload] = answers.shift() ?? [500, {}, { code: "no_more" }];
      res.writeHead(status, { "Content-Type": status < 400 ? "application/json" : "application/problem+json", ...headers });
      res.end(JSON.stringify(payload));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { seen, client: new Client({ url: `http://127.0.0.1:${port}`, apiKey: "sk_test", retry: policy }) };
}

describe("retries", () => {
  const sleeps: number[] = [];
  const policy = () => {
    sleeps.length = 0;
    return new RetryPolicy({ attempts: 4, sleep: async (ms) => void sleeps.push(ms), random: () => 0 });
  };

  test("a task create answered 503 is sent again after Retry-After, with the same Idempotency-Key", async () => {
    const { seen, client } = await stub([unavailable("7"), [201, {}, TASK]], policy());
    assert.deepEqual(await client.tasks.create("t"), TASK);
    assert.deepEqual(sleeps, [7000]);
    assert.equal(seen.length, 2);
    const keys = seen.map((s) => s.headers["idempotency-key"]);
    assert.ok(keys[0]);
    assert.equal(keys[0], keys[1]);
    assert.equal(seen[0]?.body, seen[1]?.body);
  });

  test("a GET is retried with growing jittered waits and gives up after the attempts", async () => {
    sleeps.length = 0;
    const p = new RetryPolicy({ attempts: 4, baseDelayMs: 1000, sleep: async (ms) => void sleeps.push(ms), random: () => 1 });
    const { seen, client } = await stub([unavailable("0"), unavailable("0"), unavailable("0"), unavailable("0")], p);
    const e = await rejection(client.tasks.get("x"), Unavailable);
    assert.deepEqual([e.status, e.code, e.retryAfter], [503, "store_unavailable", 0]);
    assert.equal(seen.length, 4);
    assert.deepEqual(sleeps, [1000, 2000, 4000]);
    assert.equal(new RetryPolicy({ baseDelayMs: 1000, random: () => 0 }).delayMs(3, null), 2000);
  });

  test("a complete, a memory put, an event append and a claim answered 503 are not sent again", async () => {
    const { seen, client } = await stub([unavailable(), unavailable(), unavailable(), unavailable()], policy());
    await rejection(client.tasks.complete(HOLDER, { ok: true }), Unavailable);
    await rejection(client.memory.put("ns", "k", 1), Unavailable);
    await rejection(client.sessions.append("s", "message"), Unavailable);
    await rejection(client.tasks.claim("w"), Unavailable);
    assert.equal(seen.length, 4);
    assert.deepEqual(sleeps, []);
  });

  test("any request answered 429 is sent again, as the server refused it before running it", async () => {
    const { seen, client } = await stub([rateLimited(3), [200, {}, TASK]], policy());
    assert.deepEqual(await client.tasks.complete(HOLDER), TASK);
    assert.deepEqual(sleeps, [3000]);
    assert.equal(seen.length, 2);
    assert.deepEqual(JSON.parse(seen[0]!.body), { agent: "w", attempt: 1 });
  });

  test("any request answered 408 is sent again, as its body was not read", async () => {
    const timeout: Scripted = [408, {}, { status: 408, code: "body_timeout", detail: "nothing was changed" }];
    const { seen, client } = await stub([timeout, [200, {}, TASK]], policy());
    assert.deepEqual(await client.tasks.complete(HOLDER), TASK);
    assert.equal(seen.length, 2);
    assert.equal(sleeps.length, 1);
  });

  test("a Retry-After beyond the bound is thrown at once", async () => {
    const { client } = await stub([rateLimited(3600), [200, {}, TASK]], policy());
    assert.equal((await rejection(client.tasks.get("x"), RateLimited)).retryAfter, 3600);
    assert.deepEqual(sleeps, []);
  });

  test("searches and heartbeats are safe and sent again; a 4xx never is", async () => {
    const { seen, client } = await stub(
      [unavailable(), [200, {}, { items: [] }], unavailable(), [200, {}, TASK], [404, {}, { status: 404, code: "task_not_found" }]],
      policy(),
    );
    assert.deepEqual(await client.memory.search("tea"), []);
    assert.deepEqual(await client.tasks.heartbeat(HOLDER), TASK);
    await rejection(client.tasks.get("x"), NotFound);
    assert.equal(seen.length, 5);
  });

  test("a refused connection is sent again even for a write, as nothing was sent", async () => {
    const probe = createTcpServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const client = new Client({ url: `http://127.0.0.1:${port}`, apiKey: "sk_test", retry: policy() });
    const e = await rejection(client.memory.put("ns", "k", 1), ConnectionFailed);
    assert.equal(e.status, null);
    assert.equal(e.sent, false);
    assert.equal(sleeps.length, 3);
  });

  test("the query carries only the parameters given; a tenant client sends its header", async () => {
    const { seen, client } = await stub([[200, {}, { items: [], next_cursor: null }], [200, {}, TASK]], policy());
    await client.tasks.list({ queue: "a b", limit: 5 });
    assert.equal(seen[0]?.url, "/v1/tasks?queue=a%20b&limit=5");
    await client.inTenant("acme").tasks.get("x");
    assert.equal(seen[1]?.headers["statekeeper-tenant"], "acme");
    assert.equal(seen[1]?.headers["authorization"], "Bearer sk_test");
  });
});

describe("errors", () => {
  test("problem codes pick the class, else the status does", () => {
    const cases: Array<[number, string, new (...a: never[]) => StatekeeperError]> = [
      [409, "lease_not_held", LeaseNotHeld],
      [409, "lease_expired", LeaseExpired],
      [409, "task_final", Conflict],
      [409, "document_exists", AlreadyExists],
      [400, "invalid_priority", InvalidInput],
      [404, "memory_not_found", NotFound],
      [412, "version_mismatch", PreconditionFailed],
      [429, "rate_limited", RateLimited],
      [500, "internal_error", ServerError],
      [503, "store_unavailable", Unavailable],
    ];
    for (const [status, code, cls] of cases) {
      const e = errorFromResponse(status, { status, code, detail: "d" });
      assert.equal(e.constructor, cls, code);
      assert.ok(e instanceof StatekeeperError);
      assert.deepEqual([e.status, e.code, e.detail], [status, code, "d"]);
    }
    assert.ok(errorFromResponse(409, { code: "lease_expired" }) instanceof LeaseNotHeld);
    const pf = errorFromResponse(412, { code: "version_mismatch", current_version: 4 }) as PreconditionFailed;
    assert.equal(pf.currentVersion, 4);
  });

  test("an answer that is no problem gets an http_ code", () => {
    const e = errorFromResponse(502, "<html>502 Bad Gateway</html>");
    assert.ok(e instanceof ServerError);
    assert.equal(e.code, "http_502");
    assert.match(e.detail, /Bad Gateway/);
  });
});
