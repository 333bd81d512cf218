/**
 * A worker loop: claim tasks, run a handler on each, heartbeat meanwhile, complete or fail.
 *
 * ```ts
 * const worker = new Worker({ client, agent: "worker-1", queues: ["docs"], concurrency: 4,
 *   handler: async (task) => ({ summary: await summarize(task.payload.doc) }) });
 * await worker.run(); // until SIGTERM / SIGINT, worker.stop() or options.signal
 * ```
 */

import type { Client } from "./client.js";
import { ConnectionFailed, LeaseNotHeld, RateLimited, RequestTimeout, ServerError, StatekeeperError } from "./errors.js";
import type { Json, Task } from "./types.js";

const MAX_ERROR_CHARS = 65536;

/** Throw it from a handler to fail the attempt with this message; `retry: false` fails it for good. */
export class FailTask extends Error {
  readonly retry: boolean;

  constructor(message: string, options: { retry?: boolean } = {}) {
    super(message);
    this.name = "FailTask";
    this.retry = options.retry ?? true;
  }
}

export interface TaskContext {
  /** Aborted when the worker learns that the task's lease is gone: its result would be dropped. */
  signal: AbortSignal;
}

/** Resolves to the task's result (any JSON, or undefined); a rejection fails the attempt. */
export type Handler = (task: Task, context: TaskContext) => Json | undefined | void | Promise<Json | undefined | void>;

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface WorkerOptions {
  client: Client;
  agent: string;
  /** Default: `["default"]`. */
  queues?: string | string[];
  handler: Handler;
  /** Handlers running at once; claims take up to this many. Default 1. */
  concurrency?: number;
  types?: string[];
  /** Lease of each claim; default: what the server grants (its `--default-lease`). */
  leaseSeconds?: number;
  /** Heartbeat every this fraction of the lease. Default 1/3. */
  heartbeatFraction?: number;
  /** Long poll of an idle claim, in seconds. Default 5. */
  waitSeconds?: number;
  /** First idle backoff in ms (doubles up to `maxIdleBackoffMs`). Defaults 200 and 5000. */
  idleBackoffMs?: number;
  maxIdleBackoffMs?: number;
  /** Aborting it stops the worker gracefully. */
  signal?: AbortSignal;
  /** Stop gracefully on SIGTERM and SIGINT. Default true. */
  handleSignals?: boolean;
  /** Where the worker reports; default `console`, `null` for nowhere. */
  logger?: Logger | null;
}

/** What one {@link Worker.run} did. */
export interface WorkerStats {
  claimed: number;
  /** The handler resolved and the completion was stored. */
  completed: number;
  /** The handler rejected and the failure was stored. */
  failed: number;
  /** The lease was gone before the outcome could be stored (nothing was stored). */
  lost: number;
  /** The outcome could not be stored for another reason (logged). */
  errors: number;
}

const SILENT: Logger = { info() {}, warn() {}, error() {} };

function isTransient(e: unknown): boolean {
  return e instanceof ServerError || e instanceof RateLimited || e instanceof RequestTimeout || e instanceof ConnectionFailed;
}

function jitter(ms: number): number {
  return ms * (0.5 + Math.random() / 2);
}

/**
 * Claims tasks of `queues` as `agent` and runs `handler` on each.
 *
 * - Claims in batches of up to `concurrency` (the free slots), long-polling `waitSeconds` when
 *   idle and backing off after empty answers and failed claims.
 * - While a handler runs, its lease is extended every `heartbeatFraction` of the lease (timers
 *   on the event loop: a handler that blocks the loop blocks its heartbeats too).
 * - A resolved value completes the task; a rejection fails the attempt with its message
 *   (retried by the server's policy; {@link FailTask} with `retry: false` fails it for good).
 * - A completion or failure answered 503 (or without an answer) is not blindly resent: the
 *   worker reads the task back and resends only while this attempt still holds it.
 * - SIGTERM/SIGINT, `stop()` or `signal` stop it gracefully: no more claims, the tasks in flight
 *   finish and are settled, then `run()` resolves.
 */
export class Worker {
  readonly client: Client;
  readonly agent: string;
  readonly queues: string[] | undefined;
  readonly concurrency: number;
  private readonly options: WorkerOptions;
  private readonly log: Logger;
  private stopped = false;
  private wake: () => void = () => {};
  private stopSignal: Promise<void> = Promise.resolve();
  private readonly lost = new Set<string>();
  private counts: WorkerStats = { claimed: 0, completed: 0, failed: 0, lost: 0, errors: 0 };

  constructor(options: WorkerOptions) {
    this.options = options;
    this.client = options.client;
    this.agent = options.agent;
    this.queues = typeof options.queues === "string" ? [options.queues] : options.queues;
    this.concurrency = options.concurrency ?? 1;
    if (!(this.concurrency >= 1)) throw new RangeError("concurrency must be at least 1");
    const f = options.heartbeatFraction ?? 1 / 3;
    if (!(f > 0 && f < 1)) throw new RangeError("heartbeatFraction must be between 0 and 1");
    this.log = options.logger === null ? SILENT : (options.logger ?? console);
  }

  /** Asks `run` to stop: no more claims; the tasks in flight are finished. */
  stop(): void {
    this.stopped = true;
    this.wake();
  }

  get stopping(): boolean {
    return this.stopped;
  }

  /** True once the worker knows that the task's lease is gone (a heartbeat was refused). */
  leaseLost(task: string | { id: string }): boolean {
    return this.lost.has(typeof task === "string" ? task : task.id);
  }

  get stats(): WorkerStats {
    return { ...this.counts };
  }

  /**
   * Works until stopped (or, with `untilIdle`, until a claim finds nothing while nothing is in
   * flight) and resolves to what it did. A claim refused for good (a 4xx such as 403) stops the
   * loop and rejects once the tasks in flight are settled.
   */
  async run(options: { untilIdle?: boolean } = {}): Promise<WorkerStats> {
    const untilIdle = options.untilIdle ?? false;
    this.stopped = false;
    this.stopSignal = new Promise<void>((resolve) => (this.wake = resolve));
    const external = this.options.signal;
    const onAbort = () => this.stop();
    if (external?.aborted) this.stop();
    external?.addEventListener("abort", onAbort, { once: true });
    const removeSignalHandlers = this.installSignalHandlers();
    const inFlight = new Map<string, Promise<void>>();
    let fatal: unknown = undefined;
    try {
      await this.loop(inFlight, untilIdle);
    } catch (e) {
      fatal = e;
      this.stopped = true;
    } finally {
      await Promise.allSettled(inFlight.values());
      removeSignalHandlers();
      external?.removeEventListener("abort", onAbort);
    }
    if (fatal !== undefined) throw fatal;
    return this.stats;
  }

  private async loop(inFlight: Map<string, Promise<void>>, untilIdle: boolean): Promise<void> {
    const base = this.options.idleBackoffMs ?? 200;
    const max = this.options.maxIdleBackoffMs ?? 5000;
    let idle = base;
    let failures = 0;
    while (!this.stopped) {
      if (inFlight.size >= this.concurrency) {
        await Promise.race([...inFlight.values(), this.stopSignal]);
        continue;
      }
      let tasks: Task[];
      try {
        tasks = await this.client.tasks.claim(this.agent, {
          queues: this.queues,
          types: this.options.types,
          limit: Math.min(this.concurrency - inFlight.size, 100),
          waitSeconds: untilIdle ? 0 : (this.options.waitSeconds ?? 5),
          leaseSeconds: this.options.leaseSeconds,
        });
      } catch (e) {
        if (!isTransient(e)) throw e;
        failures += 1;
        const delay = jitter(Math.min(max, base * 2 ** failures));
        this.log.warn(`statekeeper worker ${this.agent}: claim failed (${String(e)}); again in ${Math.round(delay)} ms`);
        await this.pause(delay);
        continue;
      }
      failures = 0;
      if (tasks.length === 0) {
        if (untilIdle) {
          // idle means: nothing to claim while nothing is in flight (a task settled meanwhile
          // may have made work, so claim again after each one settles)
          if (inFlight.size === 0) return;
          await Promise.race([...inFlight.values(), this.stopSignal]);
          continue;
        }
        await this.pause(jitter(idle));
        idle = Math.min(max, idle * 2);
        continue;
      }
      idle = base;
      this.counts.claimed += tasks.length;
      for (const task of tasks) {
        inFlight.set(task.id, this.work(task).finally(() => inFlight.delete(task.id)));
      }
    }
  }

  /** Waits `ms`, or less when the worker is stopped meanwhile. */
  private pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))), this.stopSignal]).finally(() =>
      clearTimeout(timer),
    );
  }

  private async work(task: Task): Promise<void> {
    const lease = this.options.leaseSeconds ?? leaseOf(task);
    const control = new AbortController();
    const heartbeats = this.heartbeat(task, lease, control);
    try {
      let action: "complete" | "fail";
      let result: Json | undefined;
      let error = "";
      let retry = true;
      try {
        result = (await this.options.handler(task, { signal: control.signal })) ?? undefined;
        action = "complete";
        try {
          JSON.stringify(result);
        } catch (e) {
          action = "fail";
          error = `the handler's result is not JSON: ${String(e)}`;
        }
      } catch (e) {
        action = "fail";
        error = e instanceof FailTask ? e.message : describe(e);
        retry = e instanceof FailTask ? e.retry : true;
      }
      heartbeats.stop(); // no heartbeat may race the outcome
      await this.settle(task, action, result, error, retry);
    } catch (e) {
      this.counts.errors += 1;
      this.log.error(`statekeeper worker ${this.agent}: task ${task.id} could not be settled: ${String(e)}`);
    } finally {
      heartbeats.stop();
      this.lost.delete(task.id);
    }
  }

  private heartbeat(task: Task, lease: number, control: AbortController): { stop(): void } {
    const every = lease * 1000 * (this.options.heartbeatFraction ?? 1 / 3);
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const schedule = (ms: number) => {
      if (!stopped) timer = setTimeout(beat, ms);
    };
    const beat = async () => {
      if (stopped) return;
      try {
        await this.client.tasks.heartbeat(task, { leaseSeconds: lease, agent: this.agent });
        schedule(every);
      } catch (e) {
        if (stopped) return; // settled meanwhile: a refusal is expected
        if (e instanceof LeaseNotHeld) {
          stopped = true;
          this.lost.add(task.id);
          this.log.warn(`statekeeper worker ${this.agent}: lease of task ${task.id} lost: ${e.message}`);
          control.abort(e);
          return;
        }
        this.log.warn(`statekeeper worker ${this.agent}: heartbeat of task ${task.id} failed: ${String(e)}`);
        schedule(Math.max(200, every / 2)); // sooner than usual: a third of the lease leaves room for two misses
      }
    };
    schedule(every);
    return {
      stop() {
        stopped = true;
        clearTimeout(timer);
      },
    };
  }

  /**
   * Stores the outcome of the task's attempt. Where batched completions exist on the server,
   * this is the one place that would queue them for the next claim instead.
   */
  private async settle(task: Task, action: "complete" | "fail", result: Json | undefined, error: string, retry: boolean) {
    if (this.leaseLost(task)) {
      this.counts.lost += 1;
      this.log.warn(`statekeeper worker ${this.agent}: lease of task ${task.id} was lost; its ${action} is dropped`);
      return;
    }
    const tasks = this.client.tasks;
    const outcome = action === "complete" ? "completed" : "failed";
    for (let round = 1; round <= 5; round++) {
      try {
        if (action === "complete") await tasks.complete(task, result, { agent: this.agent });
        else await tasks.fail(task, error.slice(0, MAX_ERROR_CHARS), { retry, agent: this.agent });
        this.counts[outcome] += 1;
        return;
      } catch (e) {
        if (e instanceof LeaseNotHeld) {
          this.counts.lost += 1;
          this.log.warn(`statekeeper worker ${this.agent}: task ${task.id}: ${e.message}`);
          return;
        }
        if (!isTransient(e)) {
          this.counts.errors += 1;
          this.log.error(`statekeeper worker ${this.agent}: ${action} of task ${task.id} refused: ${String(e)}`);
          return;
        }
        // The outcome may or may not have been stored: look before sending it again.
        await new Promise((resolve) => setTimeout(resolve, jitter(Math.min(5000, 200 * 2 ** round))));
        let current: Task;
        try {
          current = await tasks.get(task);
        } catch {
          continue;
        }
        if (current.status === "claimed" && current.attempt === task.attempt && current.claimed_by === this.agent) continue;
        const applied =
          current.attempt === task.attempt &&
          (action === "complete" ? current.status === "completed" : current.status === "pending" || current.status === "failed");
        this.counts[applied ? outcome : "lost"] += 1;
        this.log.info(
          `statekeeper worker ${this.agent}: ${action} of task ${task.id} answered ${(e as StatekeeperError).code}; it is now ${current.status}`,
        );
        return;
      }
    }
    this.counts.errors += 1;
    this.log.error(`statekeeper worker ${this.agent}: ${action} of task ${task.id} not stored after 5 tries`);
  }

  private installSignalHandlers(): () => void {
    if (this.options.handleSignals === false) return () => {};
    const onSignal = (name: NodeJS.Signals) => {
      this.log.warn(`statekeeper worker ${this.agent}: ${name}: stopping; finishing the tasks in flight`);
      this.stop();
      remove(); // a second signal does what it did before (the default ends the process)
    };
    const remove = () => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    return remove;
  }
}

/**
 * The lease the server granted: from the claim (`updated_at`) to `lease_expires_at`, both on the
 * database's clock; 30 s (the server's default) when the task does not say.
 */
export function leaseOf(task: Pick<Task, "lease_expires_at" | "updated_at">): number {
  if (!task.lease_expires_at) return 30;
  const seconds = (Date.parse(task.lease_expires_at) - Date.parse(task.updated_at)) / 1000;
  return Number.isFinite(seconds) ? Math.max(1, Math.round(seconds)) : 30;
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message ? `${e.name}: ${e.message}` : e.name;
  return String(e);
}
