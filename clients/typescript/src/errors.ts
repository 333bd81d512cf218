/**
 * Errors thrown by the client: one class per kind of problem the server answers.
 *
 * Every error the server sends is `application/problem+json` with a stable `code`
 * (`lease_not_held`, `memory_not_found`, …). The client throws a {@link StatekeeperError}
 * subclass chosen by that code, else by the HTTP status, so `err instanceof LeaseNotHeld` reads
 * as what it means. `status`, `code` and `detail` are always there; `problem` is the whole
 * problem document (`current_version` of a 412, `retry_after_seconds` of a 429, …).
 */

/** An RFC 9457 problem document as Statekeeper writes it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  current_version?: number;
  /** 412 of a memory batch: the index of the op whose precondition failed. */
  op_index?: number;
  retry_after_seconds?: number;
  [field: string]: unknown;
}

/** Base of every error this client throws for a request that did not succeed. */
export class StatekeeperError extends Error {
  /** The HTTP status; `null` when no answer came ({@link ConnectionFailed}). */
  readonly status: number | null;
  /** The problem's stable code, for programs. */
  readonly code: string;
  /** The problem's detail, for people. */
  readonly detail: string;
  /** The whole problem document. */
  readonly problem: Problem;
  /** Seconds of the answer's `Retry-After`, when it had one. */
  readonly retryAfter: number | null;
  /** The server's `X-Request-Id` of the answer, to find it in the server log. */
  readonly requestId: string | null;

  constructor(
    status: number | null,
    code: string,
    detail = "",
    problem: Problem = {},
    retryAfter: number | null = null,
    requestId: string | null = null,
  ) {
    super(status === null ? `${code}: ${detail}` : `${status} ${code}: ${detail}`);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.problem = problem;
    this.retryAfter = retryAfter;
    this.requestId = requestId;
  }
}

/** 400: malformed input or a value out of range; resending it unchanged fails again. */
export class InvalidInput extends StatekeeperError {}
/** 401: no key (`missing_key`) or an unknown or revoked one (`invalid_key`). */
export class Unauthorized extends StatekeeperError {}
/** 403: the key may not do this (`access_denied`, `read_only_key`, `admin_required`, …). */
export class Forbidden extends StatekeeperError {}
/** 404: no such object in this tenant, or one the caller may not read. */
export class NotFound extends StatekeeperError {}
/** 405: a known path with another method. */
export class MethodNotAllowed extends StatekeeperError {}
/** 408 `body_timeout`: the body was not read in time; nothing changed, so any request may be resent (the client does). */
export class RequestTimeout extends StatekeeperError {}
/** 409: the request conflicts with the current state. */
export class Conflict extends StatekeeperError {}
/** 409 `session_exists` / `document_exists`: the id is taken in this tenant. */
export class AlreadyExists extends Conflict {}
/**
 * 409 `lease_not_held` (and `lease_expired`): the caller does not hold the task's lease.
 * Nothing changed; the work done under that lease should be dropped.
 */
export class LeaseNotHeld extends Conflict {}
/** 409 `lease_expired`: the caller's own lease ran out before this call. */
export class LeaseExpired extends LeaseNotHeld {}
/** 409 `idempotency_key_reused`: the same `Idempotency-Key` with another body. */
export class IdempotencyKeyReused extends Conflict {}
/** 409 `session_terminated`: appends and state writes on a terminated session. */
export class SessionTerminated extends Conflict {}

/**
 * 412 `version_mismatch`: an `If-Match` (or `If-None-Match: *`) did not hold, or an
 * `if_version` / `if_absent` of a memory batch (then nothing of the batch was written).
 */
export class PreconditionFailed extends StatekeeperError {
  /** The version now stored (0 when no live memory entry exists). */
  get currentVersion(): number | null {
    const v = this.problem.current_version;
    return typeof v === "number" ? v : null;
  }

  /** In a memory batch: the index of the op whose precondition failed; else `null`. */
  get opIndex(): number | null {
    const v = this.problem.op_index;
    return typeof v === "number" ? v : null;
  }
}

/** 413: over a size limit; resending it never succeeds. */
export class PayloadTooLarge extends StatekeeperError {}
/** 415: the body was not JSON. */
export class UnsupportedMediaType extends StatekeeperError {}
/** 428 `if_match_required`: this write needs `If-Match` (task PATCH, session state). */
export class PreconditionRequired extends StatekeeperError {}
/** 429: the key spent its budget; refused before it ran, so any request may be resent. */
export class RateLimited extends StatekeeperError {}
/** 5xx other than 503 (500 `internal_error` is a server bug; the detail names an incident). */
export class ServerError extends StatekeeperError {}
/**
 * 503 `store_unavailable`: the database did not answer. A write answered 503 may still have
 * been applied: the client resends only requests that are safe to repeat.
 */
export class Unavailable extends ServerError {}

/**
 * No answer: the connection was refused, reset or timed out (`status` is `null`). `sent` is
 * false when the request certainly never reached the server (the connection was refused).
 */
export class ConnectionFailed extends StatekeeperError {
  readonly sent: boolean;

  constructor(detail: string, sent: boolean, cause?: unknown) {
    super(null, "connection_failed", detail);
    this.sent = sent;
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

type ErrorClass = new (
  status: number | null,
  code: string,
  detail?: string,
  problem?: Problem,
  retryAfter?: number | null,
  requestId?: string | null,
) => StatekeeperError;

const BY_CODE: Record<string, ErrorClass> = {
  lease_not_held: LeaseNotHeld,
  lease_expired: LeaseExpired,
  idempotency_key_reused: IdempotencyKeyReused,
  session_exists: AlreadyExists,
  document_exists: AlreadyExists,
  session_terminated: SessionTerminated,
  store_unavailable: Unavailable,
  rate_limited: RateLimited,
};

const BY_STATUS: Record<number, ErrorClass> = {
  400: InvalidInput,
  401: Unauthorized,
  403: Forbidden,
  404: NotFound,
  405: MethodNotAllowed,
  408: RequestTimeout,
  409: Conflict,
  412: PreconditionFailed,
  413: PayloadTooLarge,
  414: InvalidInput,
  415: UnsupportedMediaType,
  428: PreconditionRequired,
  429: RateLimited,
  431: InvalidInput,
  503: Unavailable,
};

/** The error for an answer with `status` and a parsed (or raw text) `body`. */
export function errorFromResponse(
  status: number,
  body: unknown,
  retryAfter: number | null = null,
  requestId: string | null = null,
): StatekeeperError {
  let code: string;
  let detail: string;
  let problem: Problem = {};
  if (body !== null && typeof body === "object" && typeof (body as Problem).code === "string") {
    problem = body as Problem;
    code = problem.code as string;
    detail = String(problem.detail ?? problem.title ?? "");
  } else {
    code = `http_${status}`;
    detail = typeof body === "string" ? body.trim().slice(0, 500) : body == null ? "" : JSON.stringify(body);
  }
  const cls = BY_CODE[code] ?? BY_STATUS[status] ?? (status >= 500 ? ServerError : StatekeeperError);
  return new cls(status, code, detail, problem, retryAfter, requestId);
}
