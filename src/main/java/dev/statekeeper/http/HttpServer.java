package dev.statekeeper.http;

import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.keys.Keys;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/JSON face of Statekeeper: Javalin on Jetty 12, handlers on virtual threads. Every
 * {@code /v1} request is authenticated here (see {@link #authenticate}) and then handed to the
 * embedded API; errors become problem documents in {@link Problems}.
 */
public final class HttpServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  /** Header with which a root key acts in another tenant. */
  static final String TENANT_HEADER = "Statekeeper-Tenant";

  /** How long a request body may stall (no byte arriving) before the request is answered 408. */
  static final java.time.Duration BODY_IDLE_TIMEOUT = java.time.Duration.ofSeconds(10);
  /**
   * The slowest a request body may arrive on average, in bytes per second, after {@link
   * #BODY_RATE_GRACE}, checked by {@link Requests} as it reads the body: a body of the largest size
   * (1 MiB) takes at most 2 + 128 s. (Not Jetty's {@code minRequestDataRate}: it counts from the
   * request's first byte, so a small body read a few milliseconds later — after authentication,
   * or a pause of a busy machine — looked slower than 8 KiB/s and got a 408.)
   */
  static final long MIN_BODY_RATE = 8 * 1024;

  /** How long a body may take before {@link #MIN_BODY_RATE} applies to it. */
  static final java.time.Duration BODY_RATE_GRACE = java.time.Duration.ofSeconds(2);

  private static final Set<String> KEY_QUERY_PARAMETERS = Set.of("key", "api_key", "apikey", "access_token", "token");
  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  private final Javalin app;
  private final Statekeeper sk;

  private final List<Routes.Route> routes;

  private HttpServer(Javalin app, Statekeeper sk, List<Routes.Route> routes) {
    this.app = app;
    this.sk = sk;
    this.routes = routes;
  }

  /** Starts serving {@code sk} on the configured host and port (0: any free port). */
  public static HttpServer start(Statekeeper sk) {
    StatekeeperConfig config = sk.config();
    long maxBody = config.http().maxBodyBytes();
    List<Routes.Route> registered = new java.util.ArrayList<>();
    RequestObserver observer = new RequestObserver(config.http(), config.ops().metricsEnabled(), sk.meterRegistry());
    RateLimits rateLimits = new RateLimits(config.http(), sk.meterRegistry());
    Javalin app =
        Javalin.create(
            c -> {
              c.startup.showJavalinBanner = false;
              c.startup.showOldJavalinVersionWarning = false;
              c.concurrency.useVirtualThreads = true;
              c.http.maxRequestSize = maxBody;
              c.http.prefer405over404 = true;
              c.jetty.host = config.http().host();
              c.jetty.port = config.http().port();
              // A body that stalls or trickles is answered 408 instead of holding a request
              // for the connector's idle timeout (30 s) or longer; idle connections and long
              // polls (nothing being read) are not affected.
              c.jetty.modifyHttpConfiguration(h -> h.setIdleTimeout(BODY_IDLE_TIMEOUT.toMillis()));
              c.jetty.timeoutStatus = 408;
              c.jetty.modifyServer(server -> {
                server.setErrorHandler(new ProblemErrorHandler());
                // Graceful stop: refuse new requests, let those in flight finish (up to the timeout).
                server.setStopTimeout(config.http().shutdownTimeout().toMillis());
                server.setHandler(new GracefulHandler(server.getHandler()));
              });
              c.requestLogger.http(observer::end);
              c.jetty.modifyServletContextHandler(h -> {
                h.setErrorHandler(new ProblemErrorHandler());
                h.setAttribute(Problems.MAX_BODY_ATTRIBUTE, maxBody);
              });

              c.routes.before(observer::begin);
              c.routes.before(Query::parse);
              c.routes.before("/v1/*", ctx -> authenticate(ctx, sk, rateLimits));
              Routes routes = new Routes(c.routes, maxBody);
              new OpsRoutes(sk).register(routes);
              sk.capabilities().forEach(capability -> capability.routes(routes));
              registered.addAll(routes.all());

              c.routes.exception(StatekeeperException.class, (e, ctx) -> Problems.respond(ctx, e));
              c.routes.exception(HttpResponseException.class, (e, ctx) ->
                  Problems.respond(ctx, e.getStatus(), codeFor(e.getStatus()), e.getMessage(), Map.of()));
              c.routes.exception(Exception.class, HttpServer::unexpected);
              c.routes.error(404, ctx -> fallback(ctx, 404, "not_found", "no such resource: " + ctx.method() + " " + ctx.path()));
              c.routes.error(405, ctx -> fallback(ctx, 405, "method_not_allowed", ctx.method() + " is not allowed on " + ctx.path()));
            });
    observer.attach(app.unsafe.internalRouter);
    app.start();
    return new HttpServer(app, sk, List.copyOf(registered));
  }

  /** Every route this server answers, with the query parameters each takes. */
  List<Routes.Route> routes() {
    return routes;
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return app.port();
  }

  /**
   * Stops gracefully: refuses new connections, lets requests in flight finish for up to {@code
   * shutdown-timeout}, then cuts what is left. Long-polling claims return (empty) at once.
   */
  @Override
  public void close() {
    sk.tasks().stopWaiting();
    try {
      app.stop();
    } catch (RuntimeException e) {
      log.warn("requests still in flight after the shutdown timeout were cut off: {}", e.toString());
    }
  }

  /**
   * The caller of a request outside {@code /v1} that may carry a key ({@code /health}, {@code
   * /metrics}): null without an {@code Authorization} header; a bad key fails as on {@code /v1}.
   */
  static Caller authenticateOptional(Context ctx, Statekeeper sk) {
    String token = bearerToken(ctx);
    if (token == null) {
      return null;
    }
    ctx.attribute(RequestObserver.KEY_ID, Keys.keyIdOf(token));
    return sk.keys().authenticate(token);
  }

  private static void authenticate(Context ctx, Statekeeper sk, RateLimits rateLimits) {
    String token = bearerToken(ctx);
    String keyId = Keys.keyIdOf(token);
    ctx.attribute(RequestObserver.KEY_ID, keyId);
    for (String name : Query.names(ctx)) {
      if (KEY_QUERY_PARAMETERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        throw new StatekeeperException.InvalidInput(
            "key_in_query",
            "API keys are accepted only in the Authorization header, never in the query string; "
                + "a key sent there may now be in logs, so revoke it");
      }
    }
    Caller caller = sk.keys().authenticate(token);
    rateLimits.acquire(keyId, caller.role());
    String tenant = ctx.header(TENANT_HEADER);
    if (tenant != null && !tenant.equals(caller.tenant())) {
      if (caller.role() != Role.ROOT) {
        throw new StatekeeperException.Forbidden(
            "tenant_forbidden", "only root keys act in another tenant with " + TENANT_HEADER);
      }
      if (!TENANT.matcher(tenant).matches()) {
        throw new StatekeeperException.InvalidInput("invalid_tenant", TENANT_HEADER + " is not a valid tenant name");
      }
      caller = caller.inTenant(tenant);
    }
    Requests.setCaller(ctx, caller);
  }

  /** The token of an {@code Authorization: Bearer <token>} header, or null. */
  static String bearerToken(Context ctx) {
    String h = ctx.header("Authorization");
    if (h == null) {
      return null;
    }
    String v = h.trim();
    if (v.length() > 7 && v.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return v.substring(7).trim();
    }
    return null;
  }

  private static void fallback(Context ctx, int status, String code, String detail) {
    String type = ctx.res().getContentType();
    if (type != null && type.startsWith(Problems.CONTENT_TYPE)) {
      return; // a handler already answered with a problem document
    }
    Problems.respond(ctx, status, code, detail, Map.of());
  }

  private static void unexpected(Exception e, Context ctx) {
    String incident = UUID.randomUUID().toString();
    log.error("unexpected failure on {} {} (incident {}, request {})", ctx.method(), ctx.path(), incident,
        RequestObserver.requestId(ctx), e);
    Problems.respond(
        ctx, 500, "internal_error", "an unexpected error occurred; incident " + incident + " is in the server log", Map.of());
  }

  private static String codeFor(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 413 -> "body_too_large";
      case 415 -> "unsupported_media_type";
      default -> "http_" + status;
    };
  }
}
