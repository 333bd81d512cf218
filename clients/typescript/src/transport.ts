/**
 * HTTP for the client: JSON in and out over the global `fetch`, errors, and safe retries.
 * Node's fetch keeps connections alive by itself.
 */

import { ConnectionFailed, StatekeeperError, errorFromResponse } from "./errors.js";

export const USER_AGENT = "statekeeper-typescript/0.1";

/** Statuses worth another try when the request is safe to repeat. */
const RETRY_STATUSES = new Set([408, 429, 502, 503, 504]);
/**
 * Statuses that say the request was refused before it ran, so that any request may be resent:
 * 408 (its body was not read: "nothing was changed") and 429 (over the key's budget).
 */
const NOT_RUN_STATUSES = new Set([408, 429]);

/** Error codes of Node's sockets that mean: no connection was made, nothing was sent. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

export interface RetryOptions {
  /** Tries in all, the first included (1 turns retries off). Default 4. */
  attempts?: number;
  /** First backoff step in ms. Default 250. */
  baseDelayMs?: number;
  /** Longest backoff step in ms. Default 8000. */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this (ms) is thrown at once instead of waited for. Default 60000. */
  maxRetryAfterMs?: number;
  /** How to wait (injectable for tests). Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) for the jitter (injectable for tests). Default: Math.random. */
  random?: () => number;
}

/**
 * How many times, and how long apart, a request is tried: exponential steps from
 * `baseDelayMs` up to `maxDelayMs` with equal jitter (between half and all of the step), and
 * never less than the server's `Retry-After`.
 */
export class RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;

  constructor(options: RetryOptions = {}) {
    this.attempts = options.attempts ?? 4;
    if (!(this.attempts >= 1)) throw new RangeError("attempts must be at least 1");
    this.baseDelayMs = options.baseDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 8000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /** Milliseconds to wait before retry number `retry` (1 for the first retry). */
  delayMs(retry: number, retryAfterSeconds: number | null): number {
    const step = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (retry - 1));
    const wait = step / 2 + (this.random() * step) / 2;
    return retryAfterSeconds === null ? wait : Math.max(wait, retryAfterSeconds * 1000);
  }
}

export const NO_RETRY = new RetryPolicy({ attempts: 1 });

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** The JSON body; `undefined` sends none. */
  body?: unknown;
  headers?: Record<string, string | null | undefined>;
  /**
   * Repeating the request cannot change its outcome (a read, a search, a create with an
   * idempotency key, a heartbeat): resent after 408/429/502/503/504 and failed connections. Any
   * other request is resent only after a 408 or 429 (refused before it ran) or a refused
   * connection.
   */
  safe?: boolean;
  /** Overrides the client's timeout (ms). */
  timeoutMs?: number;
  /** Statuses returned as answers rather than thrown. */
  acceptStatuses?: number[];
  retry?: RetryPolicy;
  signal?: AbortSignal;
}

export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TransportOptions {
  url: string;
  apiKey?: string | null;
  timeoutMs?: number;
  retry?: RetryPolicy | RetryOptions;
  userAgent?: string;
}

/** Sends requests to one Statekeeper server and turns answers into values or errors. */
export class Transport {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  private readonly apiKey: string | null;
  private readonly userAgent: string;

  constructor(options: TransportOptions) {
    const u = new URL(options.url);
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new TypeError(`url must be http(s)://host[:port], got ${options.url}`);
    }
    this.baseUrl = options.url.replace(/\/+$/, "");
    this.apiKey = options.apiKey ?? null;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retry = options.retry instanceof RetryPolicy ? options.retry : new RetryPolicy(options.retry);
    this.userAgent = options.userAgent ?? USER_AGENT;
  }

  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
    const policy = options.retry ?? this.retry;
    let target = this.baseUrl + path;
    if (options.query) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(options.query)) {
        if (v !== undefined && v !== null) params.append(k, String(v));
      }
      const qs = params.toString().replace(/\+/g, "%20");
      if (qs) target += "?" + qs;
    }
    const headers: Record<string, string> = {
      Accept: "application/json, application/problem+json",
      "User-Agent": this.userAgent,
    };
    if (this.apiKey) headers["Authorization"] = "Bearer " + this.apiKey;
    const data = options.body === undefined ? undefined : JSON.stringify(options.body);
    if (data !== undefined) headers["Content-Type"] = "application/json";
    for (const [k, v] of Object.entries(options.headers ?? {})) {
      if (v !== undefined && v !== null) headers[k] = v;
    }
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;

    for (let retry = 0; ; ) {
      try {
        return await this.sendOnce<T>(method, target, headers, data, timeoutMs, options);
      } catch (e) {
        retry += 1;
        if (!(e instanceof StatekeeperError) || retry >= policy.attempts || !mayResend(e, options.safe ?? false)) {
          throw e;
        }
        if (e.retryAfter !== null && e.retryAfter * 1000 > policy.maxRetryAfterMs) throw e;
        if (options.signal?.aborted) throw e;
        await policy.sleep(policy.delayMs(retry, e.retryAfter));
      }
    }
  }

  private async sendOnce<T>(
    method: string,
    target: string,
    headers: Record<string, string>,
    data: string | undefined,
    timeoutMs: number,
    options: RequestOptions,
  ): Promise<Answer<T>> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    let text: string;
    try {
      response = await fetch(target, { method, headers, body: data, signal });
      text = await response.text();
    } catch (e) {
      if (options.signal?.aborted) throw e; // the caller's own abort: not a connection failure
      const code = causeCode(e);
      const what = timeout.aborted ? `timed out after ${timeoutMs} ms` : `failed (${code ?? String(e)})`;
      throw new ConnectionFailed(`${method} ${target} ${what}`, !(code !== null && NOT_SENT.has(code)), e);
    }
    const parsed = parse(response.headers.get("content-type") ?? "", text);
    if ((response.status >= 200 && response.status < 300) || options.acceptStatuses?.includes(response.status)) {
      return { status: response.status, headers: response.headers, body: parsed as T };
    }
    throw errorFromResponse(
      response.status,
      parsed,
      retryAfterSeconds(response.headers.get("retry-after")),
      response.headers.get("x-request-id"),
    );
  }
}

function mayResend(e: StatekeeperError, safe: boolean): boolean {
  if (e instanceof ConnectionFailed) return safe || !e.sent;
  if (e.status !== null && NOT_RUN_STATUSES.has(e.status)) return true;
  return safe && e.status !== null && RETRY_STATUSES.has(e.status);
}

function causeCode(e: unknown): string | null {
  for (let c: unknown = e, depth = 0; c && depth < 5; depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === "string") return code;
    c = (c as { cause?: unknown }).cause;
  }
  return null;
}

function retryAfterSeconds(v: string | null): number | null {
  if (v === null) return null;
  const n = Number(v.trim());
  return Number.isFinite(n) && n >= 0 ? n : null; // an HTTP date is not sent by Statekeeper
}

function parse(contentType: string, text: string): unknown {
  if (text === "") return null;
  const ct = (contentType.split(";", 1)[0] ?? "").trim().toLowerCase();
  if (ct === "application/json" || ct.endsWith("+json")) {
    try {
      return JSON.parse(text);
    } catch {
      // fall through: the raw text
    }
  }
  return text;
}

/** One path segment percent-encoded (`:` and `@` kept); with `keepSlashes` `/` too. */
export function segment(s: string, keepSlashes = false): string {
  const encoded = encodeURIComponent(s).replace(/%3A/gi, ":").replace(/%40/gi, "@");
  return keepSlashes ? encoded.replace(/%2F/gi, "/") : encoded;
}
