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
      case StatekeeperException.RequestTimeout x -> 408;
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
      if (pf.opIndex() != null) {
        extra.put("op_index", pf.opIndex());
      }
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

  /** How long an error answer waits for the rest of a request body before it goes out anyway. */
  static final java.time.Duration DRAIN_WAIT = java.time.Duration.ofMillis(250);

  /**
   * Reads what is left of the request body before an error is answered. A request refused
   * before its body was read (401, 404, 412, 415, …) otherwise leaves unread bytes in the socket,
   * and closing a socket with unread input resets it: the client loses the answer ("header parser
   * received no bytes"). A body that does not come within {@link #DRAIN_WAIT} (slow, or announced
   * and never sent) is not waited for: the answer goes out then, with {@code Connection: close}.
   * A body over the size limit is not read at all (the answer is 413 and the connection closes).
   */
  private static void drainRequestBody(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared == 0 || Boolean.TRUE.equals(ctx.attribute(Requests.BODY_READ))) {
      return;
    }
    long max = ctx.req().getServletContext().getAttribute(MAX_BODY_ATTRIBUTE) instanceof Long m ? m : Long.MAX_VALUE;
    if (declared > max) {
      ctx.header("Connection", "close");
      return;
    }
    java.util.concurrent.CompletableFuture<Void> drained = new java.util.concurrent.CompletableFuture<>();
    Thread.ofVirtual().name("statekeeper-drain").start(() -> {
      try (var in = ctx.req().getInputStream()) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
        drained.complete(null);
      } catch (java.io.IOException | RuntimeException e) {
        drained.completeExceptionally(e);
      }
    });
    try {
      drained.get(DRAIN_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ctx.header("Connection", "close");
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      ctx.header("Connection", "close"); // the reader ends when the exchange does
    }
  }

  /** The servlet context attribute that holds the body limit, for {@link #drainRequestBody}. */
  static final String MAX_BODY_ATTRIBUTE = "statekeeper.maxBody";

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
