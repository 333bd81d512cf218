package dev.statekeeper.http;

import dev.statekeeper.Caller;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperException;
import dev.statekeeper.ops.Alert;
import dev.statekeeper.ops.Health;
import dev.statekeeper.ops.HealthReport;
import dev.statekeeper.ops.Operations;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Operations over HTTP. No key needed: {@code /health/live} (the process answers), {@code
 * /health/ready} (critical checks: the store answers, no migration pending; 503 otherwise), {@code
 * /health} (overall UP/DEGRADED/DOWN; its checks only for admin and root keys), {@code /metrics}
 * (Prometheus text; with {@code metrics-require-key}, admin and root keys only) and the {@code
 * /dashboard} page, which asks for an admin key and sends it as a bearer token to {@code
 * /v1/ops/summary} for its data.
 */
final class OpsRoutes {

  private static final Map<String, String> ASSETS =
      Map.of(
          "index.html", "text/html; charset=utf-8",
          "dashboard.js", "text/javascript; charset=utf-8",
          "dashboard.css", "text/css; charset=utf-8",
          "uPlot.iife.min.js", "text/javascript; charset=utf-8",
          "uPlot.min.css", "text/css; charset=utf-8");
  private static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
          + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  /** The API description, a resource kept true by OpenApiContractTest and linted in CI. */
  public static final String OPENAPI = "/openapi.json";

  private final Statekeeper sk;
  private final Operations ops;
  private final Map<String, byte[]> assets = new LinkedHashMap<>();
  private final byte[] openApi;

  OpsRoutes(Statekeeper sk) {
    this.sk = sk;
    this.ops = sk.operations();
    try (InputStream in = OpsRoutes.class.getResourceAsStream(OPENAPI)) {
      if (in == null) {
        throw new IllegalStateException("the jar lacks " + OPENAPI + ", which indicates a broken build");
      }
      openApi = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String name : ASSETS.keySet()) {
      try (InputStream in = OpsRoutes.class.getResourceAsStream("/dashboard/" + name)) {
        if (in == null) {
          throw new IllegalStateException("the jar lacks /dashboard/" + name + ", which indicates a broken build");
        }
        assets.put(name, in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  void register(Routes r) {
    r.get("/health/live", ctx -> Requests.json(ctx, 200, Map.of("status", "UP")));
    r.get("/health/ready", this::ready);
    r.get("/health", this::health);
    r.get("/metrics", this::metrics);
    r.get("/dashboard", ctx -> asset(ctx, "index.html"));
    r.get("/dashboard/{file}", ctx -> asset(ctx, ctx.pathParam("file")));
    r.get("/v1/ops/summary", this::summary);
    r.get("/v1/ops/alerts", this::alerts);
    r.get("/openapi.json", ctx -> ctx.status(200).contentType("application/json").header("Cache-Control", "no-cache")
        .result(openApi));
  }

  private void ready(Context ctx) {
    HealthReport report = ops.health().readiness();
    if (report.status() == Health.Status.UP) {
      Requests.json(ctx, 200, Map.of("status", "UP"));
      return;
    }
    List<String> reasons =
        report.checks().entrySet().stream()
            .filter(e -> e.getValue().status() != Health.Status.UP)
            .map(e -> e.getKey() + ": " + e.getValue().details().getOrDefault("error", e.getValue().status()))
            .toList();
    ctx.header("Retry-After", Problems.RETRY_AFTER_SECONDS);
    Requests.json(ctx, 503, Map.of("status", "DOWN", "reason", String.join("; ", reasons)));
  }

  private void health(Context ctx) {
    HealthReport report = ops.health().check();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", report.status().name());
    if (isAdmin(ctx)) {
      body.put("checks", checks(report));
    }
    if (report.status() == Health.Status.DOWN) {
      ctx.header("Retry-After", Problems.RETRY_AFTER_SECONDS);
    }
    Requests.json(ctx, report.status() == Health.Status.DOWN ? 503 : 200, body);
  }

  private static Map<String, Object> checks(HealthReport report) {
    Map<String, Object> checks = new LinkedHashMap<>();
    report.checks().forEach((name, h) -> {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("status", h.status().name());
      one.putAll(h.details());
      checks.put(name, one);
    });
    return checks;
  }

  private void metrics(Context ctx) throws IOException {
    if (!ops.metrics().enabled()) {
      throw new StatekeeperException.NotFound("metrics_off", "metrics are off on this server (--metrics off)");
    }
    if (sk.config().ops().metricsRequireKey()) {
      requireAdmin(ctx, HttpServer.authenticateOptional(ctx, sk));
    }
    ctx.status(200).contentType(dev.statekeeper.ops.Metrics.CONTENT_TYPE);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(64 * 1024);
    ops.metrics().scrape(out);
    ctx.result(out.toByteArray());
  }

  /** Everything the dashboard shows besides what it reads from /metrics: health and alerts. */
  private void summary(Context ctx) {
    requireAdmin(ctx, Requests.caller(ctx));
    HealthReport report = ops.health().check();
    Map<String, Object> health = new LinkedHashMap<>();
    health.put("status", report.status().name());
    health.put("checks", checks(report));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("health", health);
    body.put("alerts", alertsBody());
    body.put("store", sk.store().dialect().name().toLowerCase(java.util.Locale.ROOT));
    body.put("metrics", ops.metrics().enabled());
    Requests.json(ctx, 200, body);
  }

  private void alerts(Context ctx) {
    requireAdmin(ctx, Requests.caller(ctx));
    Requests.json(ctx, 200, alertsBody());
  }

  private Map<String, Object> alertsBody() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("firing", ops.alerts().firing().stream().map(OpsRoutes::alert).toList());
    body.put("rules", ops.alerts().rules());
    return body;
  }

  private static Map<String, Object> alert(Alert a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", a.name());
    m.put("severity", a.severity());
    m.put("summary", a.summary());
    m.put("value", a.value());
    m.put("threshold", a.threshold());
    m.put("starts_at", a.startsAt());
    return m;
  }

  private void asset(Context ctx, String name) {
    byte[] body = assets.get(name);
    if (body == null) {
      throw new StatekeeperException.NotFound("not_found", "no such resource: GET " + ctx.path());
    }
    ctx.header("Cache-Control", "no-cache");
    ctx.header("X-Content-Type-Options", "nosniff");
    if (name.endsWith(".html")) {
      ctx.header("Content-Security-Policy", CSP);
      ctx.header("Referrer-Policy", "no-referrer");
    }
    ctx.status(200).contentType(ASSETS.get(name)).result(body);
  }

  private boolean isAdmin(Context ctx) {
    try {
      Caller c = HttpServer.authenticateOptional(ctx, sk);
      return c != null && (c.role() == Role.ADMIN || c.role() == Role.ROOT);
    } catch (StatekeeperException e) {
      return false;
    }
  }

  private static void requireAdmin(Context ctx, Caller c) {
    if (c == null) {
      throw new StatekeeperException.Unauthorized("missing_key", "send an admin key as 'Authorization: Bearer <key>'");
    }
    if (c.role() != Role.ADMIN && c.role() != Role.ROOT) {
      throw new StatekeeperException.Forbidden("admin_required", "operations data is for admin and root keys");
    }
  }
}
