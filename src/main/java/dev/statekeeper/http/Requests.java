package dev.statekeeper.http;

import dev.statekeeper.Caller;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.StatekeeperException.InvalidInput;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading requests: bodies within the size limit, JSON only, preconditions, query parameters. */
public final class Requests {

  static final String CALLER = "statekeeper.caller";
  /** Set once a handler has read the whole body: nothing is left to drain before an error answer. */
  static final String BODY_READ = "statekeeper.body-read";
  private static final Pattern ENTITY_TAG = Pattern.compile("\"(\\d{1,18})\"|(\\d{1,18})");
  private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.US_ASCII);

  private Requests() {}

  static void setCaller(Context ctx, Caller caller) {
    ctx.attribute(CALLER, caller);
  }

  public static Caller caller(Context ctx) {
    Caller c = ctx.attribute(CALLER);
    if (c == null) {
      throw new IllegalStateException("no caller on a /v1 request, which indicates a bug in routing");
    }
    return c;
  }

  /** The body bound to {@code type}; an empty body reads as {@code {}}. */
  public static <T> T body(Context ctx, Class<T> type, long maxBytes) {
    return Json.read(rawBody(ctx, maxBytes), type);
  }

  private static byte[] rawBody(Context ctx, long maxBytes) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBytes) {
      throw tooLarge(maxBytes, declared);
    }
    byte[] bytes;
    try (InputStream in = ctx.req().getInputStream()) {
      bytes = readTimely(in, (int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    } catch (IOException | org.eclipse.jetty.http.BadMessageException e) {
      if (timedOut(e)) {
        throw bodyTimeout();
      }
      throw new InvalidInput("unreadable_body", "the request body could not be read: " + e.getMessage());
    }
    if (bytes.length > maxBytes) {
      throw tooLarge(maxBytes, -1);
    }
    ctx.attribute(BODY_READ, true);
    if (bytes.length == 0) {
      return EMPTY_OBJECT;
    }
    String contentType = ctx.contentType();
    if (!isJson(contentType)) {
      throw new StatekeeperException.UnsupportedMediaType(
          "send the body as application/json; got " + (contentType == null ? "no Content-Type" : contentType));
    }
    return bytes;
  }

  /**
   * Reads up to {@code limit} bytes, refusing a body that trickles: once {@link
   * HttpServer#BODY_RATE_GRACE} has passed since reading began, the bytes so far must have come at
   * {@link HttpServer#MIN_BODY_RATE} on average (a stalled read ends by Jetty's idle timeout).
   */
  private static byte[] readTimely(InputStream in, int limit) throws IOException {
    long start = System.nanoTime();
    long graceNanos = HttpServer.BODY_RATE_GRACE.toNanos();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int total = 0;
    while (total < limit) {
      int n = in.read(buf, 0, Math.min(buf.length, limit - total));
      if (n < 0) break;
      out.write(buf, 0, n);
      total += n;
      long allowed = graceNanos + total * 1_000_000_000L / HttpServer.MIN_BODY_RATE;
      if (System.nanoTime() - start > allowed) {
        throw bodyTimeout();
      }
    }
    return out.toByteArray();
  }

  private static StatekeeperException.RequestTimeout bodyTimeout() {
    return new StatekeeperException.RequestTimeout(
        "the request body did not arrive in time (it may stall at most " + HttpServer.BODY_IDLE_TIMEOUT.toSeconds()
            + " s and, after " + HttpServer.BODY_RATE_GRACE.toSeconds() + " s, must have come at "
            + HttpServer.MIN_BODY_RATE / 1024 + " KiB/s or faster); nothing was changed");
  }

  private static boolean timedOut(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.util.concurrent.TimeoutException
          || t instanceof org.eclipse.jetty.http.BadMessageException b && b.getCode() == 408) {
        return true;
      }
    }
    return false;
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String mime = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return mime.equals("application/json") || (mime.startsWith("application/") && mime.endsWith("+json"));
  }

  private static StatekeeperException tooLarge(long max, long declared) {
    return new StatekeeperException.PayloadTooLarge(
        "request bodies are limited to " + max + " bytes" + (declared > 0 ? "; this one is " + declared : ""));
  }

  /**
   * The version an {@code If-Match} header expects: a number, or null for {@code *} (any
   * version). Missing: {@link StatekeeperException.PreconditionRequired} when required, else null.
   */
  public static Long ifMatch(Context ctx, boolean required) {
    String h = ctx.header("If-Match");
    if (h == null || h.isBlank()) {
      if (required) {
        throw new StatekeeperException.PreconditionRequired(
            "send If-Match: \"<version>\" with the version you last read (from the ETag header)");
      }
      return null;
    }
    String v = h.trim();
    if (v.equals("*")) {
      return null;
    }
    Matcher m = ENTITY_TAG.matcher(v);
    if (!m.matches()) {
      throw new InvalidInput(
          "invalid_if_match", "If-Match must be a version such as \"3\" (or *); got " + h);
    }
    return Long.parseLong(m.group(1) != null ? m.group(1) : m.group(2));
  }

  public static Duration seconds(Integer seconds) {
    return seconds == null ? null : Duration.ofSeconds(seconds);
  }

  public static void json(Context ctx, int status, Object body) {
    ctx.status(status).contentType("application/json").result(Json.write(body));
  }
}
