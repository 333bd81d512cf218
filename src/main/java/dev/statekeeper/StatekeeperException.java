package dev.statekeeper;

/**
 * The few ways a Statekeeper operation can fail, each with a stable machine-readable {@link #code()}.
 *
 * <p>Every failure a caller can act on is one of these subclasses; the HTTP layer maps each to one
 * status code in a single table ({@code dev.statekeeper.http.Problems}). Anything else escaping the
 * store is a bug.
 */
public abstract sealed class StatekeeperException extends RuntimeException {

  private final String code;

  private StatekeeperException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** A stable, machine-readable code such as {@code lease_not_held}. */
  public String code() {
    return code;
  }

  /** The input is malformed or violates a documented limit. Nothing was changed. */
  public static final class InvalidInput extends StatekeeperException {
    public InvalidInput(String code, String message) {
      super(code, message, null);
    }
  }

  /** The resource does not exist, or belongs to another tenant. */
  public static final class NotFound extends StatekeeperException {
    public NotFound(String code, String message) {
      super(code, message, null);
    }
  }

  /** The request conflicts with the current state (lease not held, duplicate id, ...). */
  public static final class Conflict extends StatekeeperException {
    public Conflict(String code, String message) {
      super(code, message, null);
    }
  }

  /** An {@code If-Match} version did not match the stored one. */
  public static final class PreconditionFailed extends StatekeeperException {
    private final long currentVersion;
    private final Integer opIndex;

    public PreconditionFailed(String message, long currentVersion) {
      this(message, currentVersion, null);
    }

    /** A precondition of one operation of a batch ({@code opIndex}: its index) did not hold. */
    public PreconditionFailed(String message, long currentVersion, Integer opIndex) {
      super("version_mismatch", message, null);
      this.currentVersion = currentVersion;
      this.opIndex = opIndex;
    }

    public long currentVersion() {
      return currentVersion;
    }

    /** The index of the batch operation that failed, or null outside a batch. */
    public Integer opIndex() {
      return opIndex;
    }
  }

  /** The operation requires a version precondition ({@code If-Match}) and none was given. */
  public static final class PreconditionRequired extends StatekeeperException {
    public PreconditionRequired(String message) {
      super("if_match_required", message, null);
    }
  }

  /** The caller could not be identified (missing, unknown or revoked key). */
  public static final class Unauthorized extends StatekeeperException {
    public Unauthorized(String code, String message) {
      super(code, message, null);
    }
  }

  /** The caller is known but may not do this. */
  public static final class Forbidden extends StatekeeperException {
    public Forbidden(String code, String message) {
      super(code, message, null);
    }
  }

  /**
   * The request body, or a part of it with a limit of its own (an event's data, a session's
   * state, a memory value), exceeds the configured limit.
   */
  public static final class PayloadTooLarge extends StatekeeperException {
    public PayloadTooLarge(String message) {
      this("body_too_large", message);
    }

    public PayloadTooLarge(String code, String message) {
      super(code, message, null);
    }
  }

  /**
   * The request body did not arrive in time: it stalled longer than the server waits, or came
   * slower than the minimum data rate. Nothing was changed; the client may send it again.
   */
  public static final class RequestTimeout extends StatekeeperException {
    public RequestTimeout(String message) {
      super("body_timeout", message, null);
    }
  }

  /** The body is not JSON. */
  public static final class UnsupportedMediaType extends StatekeeperException {
    public UnsupportedMediaType(String message) {
      super("unsupported_media_type", message, null);
    }
  }

  /** The key spent its request budget; the caller may retry after {@link #retryAfterSeconds()}. */
  public static final class RateLimited extends StatekeeperException {
    private final long retryAfterSeconds;

    public RateLimited(String message, long retryAfterSeconds) {
      super("rate_limited", message, null);
      this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    /** Whole seconds until the budget has room again (at least 1). */
    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  /** The store cannot be reached or is overloaded; the caller should retry later. */
  public static final class StoreUnavailable extends StatekeeperException {
    public StoreUnavailable(String message, Throwable cause) {
      super("store_unavailable", message, cause);
    }
  }
}
