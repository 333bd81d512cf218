/**
 * Statekeeper's TypeScript client: the whole HTTP API, a worker loop, and typed errors.
 * Dependency-free at run time (Node 20+, the global fetch).
 *
 * ```ts
 * import { Client } from "@statekeeper/client";
 * const client = new Client({ url: "http://127.0.0.1:7070", apiKey });
 * const task = await client.tasks.create("summarize", { payload: { doc: "a.md" } });
 * const [claimed] = await client.tasks.claim("worker-1");
 * await client.tasks.complete(claimed!, { ok: true });
 * ```
 */

export * from "./client.js";
export * from "./errors.js";
export * from "./types.js";
export { RetryPolicy, NO_RETRY } from "./transport.js";
export type { RetryOptions, RequestOptions, Answer } from "./transport.js";
export { Worker, FailTask, leaseOf } from "./worker.js";
export type { Handler, TaskContext, WorkerOptions, WorkerStats, Logger } from "./worker.js";
