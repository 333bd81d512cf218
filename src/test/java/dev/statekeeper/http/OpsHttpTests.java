package dev.statekeeper.http;

import static dev.statekeeper.http.HttpAssertions.assertJson;
import static dev.statekeeper.http.HttpAssertions.assertProblem;
import static dev.statekeeper.http.HttpAssertions.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.http.TestClient.Response;
import dev.statekeeper.support.PrometheusText;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Metrics, request ids, the operations endpoints and the dashboard's files. */
interface OpsHttpTests extends HttpSuite {

  default PrometheusText scrape() {
    Response r = anonymous().get("/metrics");
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.header("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
    return PrometheusText.parse(r.body());
  }

  @Test
  default void metrics_countRequestsByRouteTemplate_neverByRawPath() {
    JsonNode t = createTask();
    readTask(id(t));
    assertProblem(admin().get(TASKS + "/no-such-task"), 404, "task_not_found");
    assertProblem(anonymous().get(TASKS + "/" + id(t)), 401, "missing_key");

    PrometheusText m = scrape();

    assertThat(m.value("http_server_requests_seconds_count",
        Map.of("method", "GET", "uri", "/v1/tasks/{id}", "status", "404", "outcome", "CLIENT_ERROR"))).isGreaterThanOrEqualTo(1);
    assertThat(m.value("http_server_requests_seconds_count",
        Map.of("method", "GET", "uri", "/v1/tasks/{id}", "status", "401", "outcome", "CLIENT_ERROR"))).isGreaterThanOrEqualTo(1);
    assertThat(m.value("http_server_requests_seconds_count",
        Map.of("method", "POST", "uri", "/v1/tasks", "status", "201", "outcome", "SUCCESS"))).isGreaterThanOrEqualTo(1);
    assertThat(m.samples("http_server_requests_seconds_bucket", Map.of("uri", "/v1/tasks/{id}", "status", "200", "le", "+Inf"))).isNotEmpty();
    assertThat(m.samples("http_server_requests_seconds_count", Map.of()))
        .allSatisfy(s -> assertThat(s.labels().get("uri")).doesNotContain(id(t)).doesNotContain("no-such-task"));
  }

  @Test
  default void metrics_haveTheStandardFamilies() {
    claim("{\"agent\":\"w\"}");
    PrometheusText m = scrape();
    for (String name : new String[] {
        "jvm_memory_used_bytes", "jvm_threads_live_threads", "process_uptime_seconds", "system_cpus", "process_cpu_seconds_total",
        "hikaricp_connections_active", "hikaricp_connections_max", "cache_gets_total", "statekeeper_tasks",
        "statekeeper_tasks_oldest_pending_age_seconds", "statekeeper_tasks_sla_compliance_ratio",
        "statekeeper_task_claim_seconds_count", "statekeeper_task_pickup_seconds_bucket", "statekeeper_alerts_firing",
        "statekeeper_background_failures_total", "statekeeper_store_up", "disk_free_bytes", "disk_total_bytes"}) {
      assertThat(m.has(name)).as("/metrics has %s", name).isTrue();
    }
    assertThat(m.samples("cache_gets_total", Map.of("cache", "api_keys", "level", "local", "result", "hit"))).hasSize(1);
    assertThat(m.value("statekeeper_task_claim_seconds_count", Map.of("outcome", "empty"))).isGreaterThanOrEqualTo(1);
  }

  @Test
  default void accessChecks_areCountedByResult_timed_andTheirCacheHitsCountedPerLevel() {
    assertJson(admin().post("/v1/access/grants", "{\"resource\":\"memory:metered\",\"relation\":\"viewer\",\"subject\":\"user:reader\"}"), 201);
    TestClient reader = keyOf("reader");
    PrometheusText before = scrape();
    double allowed0 = before.value("statekeeper_access_checks_total", Map.of("result", "allowed"));
    double denied0 = before.value("statekeeper_access_checks_total", Map.of("result", "denied"));
    double timed0 = before.value("statekeeper_access_check_seconds_count", Map.of());
    double hits0 = before.value("cache_gets_total", Map.of("cache", "access_decisions", "level", "local", "result", "hit"));

    for (int i = 0; i < 3; i++) {
      assertProblem(reader.get(MemoryHttpTests.MEMORY + "/metered/k"), 404, "memory_not_found"); // allowed, then absent
      assertProblem(reader.get(MemoryHttpTests.MEMORY + "/secret/k"), 403, "access_denied");
    }

    PrometheusText after = scrape();
    assertThat(after.value("statekeeper_access_checks_total", Map.of("result", "allowed")) - allowed0).isGreaterThanOrEqualTo(3);
    assertThat(after.value("statekeeper_access_checks_total", Map.of("result", "denied")) - denied0).isGreaterThanOrEqualTo(3);
    assertThat(after.value("statekeeper_access_check_seconds_count", Map.of()) - timed0).isGreaterThanOrEqualTo(6);
    assertThat(after.samples("statekeeper_access_check_seconds_bucket", Map.of())).isNotEmpty();
    // the first of each is loaded, the repeats come from this node's cache
    assertThat(after.value("cache_gets_total", Map.of("cache", "access_decisions", "level", "local", "result", "hit")) - hits0)
        .isGreaterThanOrEqualTo(4);
    assertThat(after.has("statekeeper_access_invalidations_total")).isTrue();
  }

  @Test
  default void theTaskGauges_comeFromARefreshingCensus_overEveryTenant() {
    PrometheusText m = scrape();
    assertThat(m.samples("statekeeper_tasks", Map.of())).hasSize(20); // 4 priorities × 5 statuses
    assertThat(m.samples("statekeeper_tasks_sla_compliance_ratio", Map.of())).hasSize(4);
    double before = m.value("statekeeper_tasks", Map.of("priority", "LOW", "status", "cancelled"));

    JsonNode t = createTask("{\"type\":\"t\",\"priority\":\"LOW\"}");
    assertJson(admin().post(TASKS + "/" + id(t) + "/cancel", "{}"), 200);

    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
        .until(() -> scrape().value("statekeeper_tasks", Map.of("priority", "LOW", "status", "cancelled")) >= before + 1);
  }

  @Test
  default void everyAnswer_carriesARequestId_andASaneIncomingOneIsKept() {
    Response ok = anonymous().get("/health/live");
    Response problem = anonymous().get(TASKS);
    Response notFound = anonymous().get("/nothing-here");
    for (Response r : new Response[] {ok, problem, notFound}) {
      assertThat(r.header("X-Request-Id")).as("%s", r).get().asString().matches("[0-9a-f-]{36}");
    }
    assertThat(ok.header("X-Request-Id")).isNotEqualTo(problem.header("X-Request-Id"));

    assertThat(anonymous().withHeader("X-Request-Id", "trace-42.a:b").get("/health/live").header("X-Request-Id")).contains("trace-42.a:b");
    assertThat(anonymous().withHeader("X-Request-Id", "bad id <script>").get("/health/live").header("X-Request-Id"))
        .get().asString().matches("[0-9a-f-]{36}");
  }

  @Test
  default void theOperationsEndpoints_areForAdminAndRootKeys() {
    assertProblem(anonymous().get("/v1/ops/summary"), 401, "missing_key");
    assertProblem(keyOf("reader").get("/v1/ops/summary"), 403, "admin_required");
    assertProblem(keyOf("agent").get("/v1/ops/alerts"), 403, "admin_required");

    JsonNode summary = assertJson(admin().get("/v1/ops/summary"), 200);
    assertThat(summary.at("/health/status").asText()).isEqualTo("UP");
    assertThat(summary.at("/health/checks/database/status").asText()).isEqualTo("UP");
    assertThat(summary.at("/alerts/firing").isArray()).isTrue();
    JsonNode alerts = assertJson(root().get("/v1/ops/alerts"), 200);
    assertThat(alerts.get("rules").findValuesAsText("name")).contains("StatekeeperStoreUnreachable", "StatekeeperSlaComplianceLow");
  }

  @Test
  default void theDashboard_loadsWithoutAKey_fromTheJar_withAStrictContentSecurityPolicy() {
    Response page = anonymous().get("/dashboard");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.mediaType()).isEqualTo("text/html");
    assertThat(page.header("Content-Security-Policy")).get().asString().contains("script-src 'self'").contains("default-src 'none'");
    assertThat(page.body()).contains("<script src=\"/dashboard/dashboard.js\"></script>").doesNotContain("http://").doesNotContain("https://");
    for (String asset : new String[] {"dashboard.js", "dashboard.css", "uPlot.iife.min.js", "uPlot.min.css"}) {
      assertThat(anonymous().get("/dashboard/" + asset).status()).as(asset).isEqualTo(200);
    }
    assertProblem(anonymous().get("/dashboard/VENDORED.md"), 404, "not_found");
    assertProblem(anonymous().get("/dashboard/..%2Fdb"), 404);
  }

  @Test
  default void health_withAnAdminKey_showsEveryBuiltInCheck() {
    JsonNode h = assertJson(admin().get("/health"), 200);
    assertThat(h.get("checks").has("database")).isTrue();
    for (String check : new String[] {"database", "disk", "lease_reaper"}) {
      assertThat(h.at("/checks/" + check + "/status").asText()).as(check).isEqualTo("UP");
    }
    // the pool is read at one instant, while the other checks (and background jobs) hold
    // connections of a test-sized pool: busy may cross its threshold (BuiltInChecks.pool), which
    // made this test fail now and then under load
    assertThat(h.at("/checks/pool/status").asText()).isIn("UP", "DEGRADED");
    assertThat(h.at("/checks/pool/max").asInt()).isPositive();
    assertThat(h.at("/checks/database/latency_ms").isNumber()).isTrue();
    assertThat(h.at("/checks/disk/free_percent").asDouble()).isPositive();
  }
}
