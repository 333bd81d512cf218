package dev.statekeeper.http;

import dev.statekeeper.StatekeeperException;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpStatus;

/**
 * Errors as RFC 9457 problem documents: {@code {type, title, status, detail, code}}, with the
 * table from exception to status in one place ({@link #status}). The {@code code} is stable and
 * machine-readable; {@code detail} is for people.
 */
final class Problems {

  static final String CONTENT_TYPE = "application/problem+json";

  /** Seconds a client should wait before retrying a 503. */
  static final String RETRY_AFTER_SECONDS = "1";

  private Problems() {}

  static int status(StatekeeperException e) {
    return switch (e) {
      case StatekeeperException.InvalidInput x -> 400;
      case StatekeeperException.Unauthorized x -> 401;
      case StatekeeperException.Forbidden x -> 403;
      case StatekeeperException.NotFound x -> 404;
      case StatekeeperException.Conflict x -> 409;
      case StatekeeperException.PreconditionFailed x -> 412;
      case StatekeeperException.PayloadTooLarge x -> 413;
      case StatekeeperException.UnsupportedMediaType x -> 415;
      case StatekeeperException.PreconditionRequired x -> 428;
      case StatekeeperException.RateLimited x -> 429;
      case StatekeeperException.StoreUnavailable x -> 503;
    };
  }

  static void respond(Context ctx, StatekeeperException e) {
    int status = status(e);
    Map<String, Object> extra = new LinkedHashMap<>();
    if (e instanceof StatekeeperException.PreconditionFailed pf) {
      extra.put("current_version", pf.currentVersion());
      ctx.header("ETag", "\"" + pf.currentVersion() + "\"");
    }
    if (status == 503) {
      ctx.header("Retry-After", RETRY_AFTER_SECONDS);
    }
    if (e instanceof StatekeeperException.RateLimited rl) {
      ctx.header("Retry-After", Long.toString(rl.retryAfterSeconds()));
      extra.put("retry_after_seconds", rl.retryAfterSeconds());
    }
    if (status == 401) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"statekeeper\"");
    }
    respond(ctx, status, e.code(), e.getMessage(), extra);
  }

  static void respond(Context ctx, int status, String code, String detail, Map<String, Object> extra) {
    drainRequestBody(ctx);
    ctx.status(status).contentType(CONTENT_TYPE).result(body(status, code, detail, extra));
  }

  /**
   * Reads what is left of the request body before an error is answered. A request refused
   * before its body was read (401, 404, 412, 415, …) otherwise leaves unread bytes on the
   * connection, and Jetty closes a connection it cannot reuse after the answer is sent: a client
   * that sends its next request on that connection at the same moment gets no answer at all
   * ("header parser received no bytes"), which the malformed-input test saw now and then. A body
   * over the size limit is not read (Javalin refuses it as 413, and the connection is closed).
   */
  private static void drainRequestBody(Context ctx) {
    if (ctx.req().getContentLengthLong() == 0) {
      return;
    }
    try {
      ctx.bodyAsBytes(); // read once and kept by Javalin, so a handler that read it already costs nothing
    } catch (RuntimeException tooLargeOrGone) {
      // nothing more to do: the answer is sent, and Jetty closes the connection if it must
    }
  }

  static byte[] body(int status, String code, String detail, Map<String, Object> extra) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("type", "urn:statekeeper:problem:" + code);
    p.put("title", HttpStatus.getMessage(status));
    p.put("status", status);
    p.put("detail", detail);
    p.put("code", code);
    p.putAll(extra);
    return Json.write(p);
  }
}
