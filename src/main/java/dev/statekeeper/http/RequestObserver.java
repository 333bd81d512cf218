package dev.statekeeper.http;

import dev.statekeeper.Caller;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.store.Ids;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.javalin.router.InternalRouter;
import io.javalin.router.ParsedEndpoint;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is observed of every request: a request id (a sane incoming {@code X-Request-Id} is kept,
 * else one is made; either way it is echoed in the answer), one log line (method, path, status,
 * duration, request id, route, key id and tenant — never a key's secret, never the query string),
 * and the {@code http_server_requests_seconds} timer by method, route template, status and
 * outcome. The route is the template ({@code /v1/tasks/{id}}), never the raw path, so the number
 * of time series stays bounded; unmatched paths count as {@code NOT_FOUND}.
 *
 * <p>Concurrency: called on every request's virtual thread; per-request state lives in the
 * request's attributes, {@link #router} is written once before the server starts, and Micrometer's
 * meters are thread-safe.
 */
final class RequestObserver {

  static final String REQUEST_ID_HEADER = "X-Request-Id";
  static final String KEY_ID = "statekeeper.keyId";
  private static final String REQUEST_ID = "statekeeper.requestId";
  private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Logger requests = LoggerFactory.getLogger("dev.statekeeper.http.requests");

  /** Bucket bounds of the request histogram (seconds in Prometheus' {@code le} labels). */
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofMillis(750), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)
  };

  private final boolean log;
  private volatile InternalRouter router; // set once the app exists, before it starts
  private final Meter.MeterProvider<Timer> timers; // null when metrics are off

  RequestObserver(HttpSettings http, boolean metricsEnabled, MeterRegistry meters) {
    this.log = http.requestLog();
    this.timers =
        metricsEnabled
            ? Timer.builder("http.server.requests")
                .description("HTTP requests by method, route template, status and outcome")
                .serviceLevelObjectives(BUCKETS)
                .withRegistry(meters)
            : null;
  }

  /** Lets {@link #route} find the template of a path whose handler never ran (401 before it, say). */
  void attach(InternalRouter router) {
    this.router = router;
  }

  /** Before any handler: the request id, on the context and in the answer. */
  void begin(Context ctx) {
    String incoming = ctx.header(REQUEST_ID_HEADER);
    String id = incoming != null && SANE_ID.matcher(incoming).matches() ? incoming : Ids.next();
    ctx.attribute(REQUEST_ID, id);
    ctx.header(REQUEST_ID_HEADER, id);
  }

  /** After the answer is ready (Javalin's request logger): the timer and the log line. */
  void end(Context ctx, Float millis) {
    int status = ctx.status().getCode();
    String method = ctx.method().name();
    String route = route(ctx, status);
    double ms = millis == null ? 0 : millis;
    if (timers != null) {
      timers.withTags(Tags.of("method", method, "uri", route, "status", Integer.toString(status), "outcome", outcome(status)))
          .record((long) (ms * 1_000_000), TimeUnit.NANOSECONDS);
    }
    if (log && requests.isInfoEnabled()) {
      Caller caller = ctx.attribute(Requests.CALLER);
      var line =
          requests.atInfo()
              .addKeyValue("request_id", ctx.<String>attribute(REQUEST_ID))
              .addKeyValue("method", method)
              .addKeyValue("route", route)
              .addKeyValue("status", status)
              .addKeyValue("duration_ms", Math.round(ms * 100) / 100.0);
      String keyId = ctx.attribute(KEY_ID);
      if (keyId != null) {
        line = line.addKeyValue("key_id", keyId);
      }
      if (caller != null) {
        line = line.addKeyValue("tenant", caller.tenant());
      }
      line.log("{} {} {} {} ms", method, ctx.path(), status, String.format(Locale.ROOT, "%.2f", ms));
    }
  }

  static String requestId(Context ctx) {
    return ctx.attribute(REQUEST_ID);
  }

  private String route(Context ctx, int status) {
    String path = null;
    try {
      Endpoint e = ctx.endpoints().matchedHttpEndpoint();
      path = e == null ? null : e.path;
      InternalRouter r = router;
      if (path == null && r != null) {
        // a before-handler (authentication, rate limit) answered before the endpoint ran
        HandlerType method = ctx.method() == HandlerType.HEAD ? HandlerType.GET : ctx.method();
        ParsedEndpoint found = r.findFirstHttpHandlerEntry(method, ctx.path());
        path = found == null ? null : found.endpoint.path;
      }
    } catch (RuntimeException ignored) {
      // no endpoint matched
    }
    if (path == null || path.isEmpty() || path.equals("*") || path.endsWith("*")) {
      return status == 404 ? "NOT_FOUND" : status == 405 ? "METHOD_NOT_ALLOWED" : "UNKNOWN";
    }
    return path;
  }

  private static String outcome(int status) {
    if (status < 200) return "INFORMATIONAL";
    if (status < 300) return "SUCCESS";
    if (status < 400) return "REDIRECTION";
    if (status < 500) return "CLIENT_ERROR";
    return "SERVER_ERROR";
  }
}
