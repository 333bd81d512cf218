package dev.statekeeper.http;

import static dev.statekeeper.http.HttpAssertions.assertJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.support.PrometheusText;
import dev.statekeeper.support.StoreKind;
import dev.statekeeper.support.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code
 * chromium-driver}, which {@code .ci/run} installs): the page loads from the jar's resources, takes
 * an admin key, its charts draw, and the numbers it shows are the ones {@code /metrics} serves.
 * Without Chromium the test skips with a message, unless services are required (CI).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String ROOT_KEY = "sk_test_bootstrap_root_key_0123456789";

  private Statekeeper sk;
  private HttpServer server;
  private TestClient root;
  private WebDriver browser;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      String message = "Chromium is not installed (" + CHROMIUM + ", " + CHROMEDRIVER + "; apt-get install chromium chromium-driver)";
      if (TestDatabases.servicesRequired()) {
        Assertions.fail(message + "; STATEKEEPER_TEST_REQUIRE_SERVICES/CI is set, so this fails");
      }
      Assumptions.abort(message + "; skipping the dashboard test");
    }
    StatekeeperConfig config =
        StoreKind.SQLITE.config(dir.resolve("data")).toBuilder().set(dev.statekeeper.tasks.TaskSettings.METRICS_REFRESH, Duration.ofMillis(100)).build();
    sk = Statekeeper.open(config);
    sk.bootstrapRootKey();
    server = HttpServer.start(sk);
    root = new TestClient(server.port(), ROOT_KEY);

    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1400,1800",
        "--user-data-dir=" + Files.createDirectory(dir.resolve("chromium-profile")));
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  void stop() {
    try {
      if (browser != null) browser.quit();
    } finally {
      if (server != null) server.close();
      if (sk != null) sk.close();
    }
  }

  @Test
  void theDashboard_drawsItsCharts_andShowsTheNumbersOfMetrics() throws Exception {
    TestClient admin = tenantWithTasks().admin();
    // the task gauges come from a cached census; wait until it has seen every task made above
    await().atMost(Duration.ofSeconds(20)).until(() -> scrape().value("statekeeper_tasks", Map.of("priority", "CRITICAL", "status", "completed")) == 1.0);
    PrometheusText before = scrape();

    browser.get("http://127.0.0.1:" + server.port() + "/dashboard");
    assertThat(browser.getTitle()).isEqualTo("Statekeeper dashboard");
    assertThat(browser.findElement(By.id("panels")).isDisplayed()).isFalse();
    browser.findElement(By.id("key")).sendKeys(admin.key());
    browser.findElement(By.id("connect")).click();
    // two refreshes: the second has a previous scrape to take rates and quantiles from
    await().atMost(Duration.ofSeconds(30)).until(() -> updates() >= 2);
    PrometheusText after = scrape();

    // every chart drew something on its canvas
    List<String> charts = List.of("chart-rate", "chart-latency", "chart-tasks", "chart-oldest", "chart-sla", "chart-cache", "chart-pool");
    for (String chart : charts) {
      assertThat(canvasHasInk(chart)).as("the canvas of %s has drawn pixels", chart).isTrue();
    }

    // tasks by priority and status: exactly the gauges of /metrics
    for (String p : List.of("CRITICAL", "HIGH", "NORMAL", "LOW")) {
      for (String s : List.of("pending", "claimed", "completed", "failed", "cancelled")) {
        double expected = after.value("statekeeper_tasks", Map.of("priority", p, "status", s));
        assertThat(number("task-" + p + "-" + s)).as("%s %s", p, s).isEqualTo(expected);
      }
    }
    assertThat(number("tasks-pending")).isEqualTo(after.sum("statekeeper_tasks", Map.of("status", "pending")));
    assertThat(number("task-CRITICAL-pending")).isEqualTo(1);
    assertThat(number("task-NORMAL-failed")).isEqualTo(1);

    // SLA compliance over the last hour: CRITICAL 1 met of 1; none settled elsewhere
    assertThat(number("sla-CRITICAL")).isEqualTo(100 * after.value("statekeeper_tasks_sla_compliance_ratio", Map.of("priority", "CRITICAL")));
    assertThat(text("sla-HIGH")).isEqualTo("–");

    // the oldest pending CRITICAL task's age grows; what the page shows lies between two scrapes
    double age = Double.parseDouble(browser.findElement(By.id("oldest-CRITICAL")).getAttribute("data-seconds"));
    assertThat(age)
        .isBetween(
            before.value("statekeeper_tasks_oldest_pending_age_seconds", Map.of("priority", "CRITICAL")),
            after.value("statekeeper_tasks_oldest_pending_age_seconds", Map.of("priority", "CRITICAL")));

    // counters move with every request (the page's own too): shown values lie between two scrapes
    assertThat(number("req-total"))
        .isBetween(before.sum("http_server_requests_seconds_count", Map.of()), after.sum("http_server_requests_seconds_count", Map.of()));
    assertThat(number("cache-hits"))
        .isBetween(before.sum("cache_gets_total", Map.of("result", "hit")), after.sum("cache_gets_total", Map.of("result", "hit")));
    assertThat(number("cache-misses"))
        .isBetween(before.sum("cache_gets_total", Map.of("result", "miss")), after.sum("cache_gets_total", Map.of("result", "miss")));
    assertThat(number("pool-max")).isEqualTo(after.sum("hikaricp_connections_max", Map.of()));

    // request rate and latency come from two scrapes
    assertThat(number("req-rate")).isPositive();
    double p50 = number("req-p50"), p95 = number("req-p95"), p99 = number("req-p99");
    assertThat(p50).isPositive().isLessThanOrEqualTo(p95);
    assertThat(p95).isLessThanOrEqualTo(p99);

    // health and alerts
    assertThat(text("health-status")).isEqualTo("UP");
    assertThat(browser.findElement(By.id("check-database")).getText()).contains("UP").contains("database");
    assertThat(text("alerts-count")).isEqualTo("0");

    Files.write(Path.of("target", "dashboard.png"), ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
  }

  @Test
  void aKeyThatIsNotAnAdminKey_isRefusedAndShowsNoData() {
    HttpSuite.Tenant t = newTenant();
    JsonNode reader = assertJson(t.admin().post("/v1/keys", "{\"tenant\":\"" + t.name() + "\",\"subject\":\"user:r\",\"role\":\"reader\"}"), 201);

    browser.get("http://127.0.0.1:" + server.port() + "/dashboard");
    browser.findElement(By.id("key")).sendKeys(reader.get("key").asText());
    browser.findElement(By.id("connect")).click();

    await().atMost(Duration.ofSeconds(10)).until(() -> text("message").contains("not an admin key"));
    assertThat(browser.findElement(By.id("panels")).isDisplayed()).isFalse();
  }

  // ---------------------------------------------------------------- helpers

  private HttpSuite.Tenant newTenant() {
    String name = "dash-" + System.nanoTime();
    JsonNode k = assertJson(root.post("/v1/keys", "{\"tenant\":\"" + name + "\",\"subject\":\"user:admin\",\"role\":\"admin\"}"), 201);
    return new HttpSuite.Tenant(name, root.withKey(k.get("key").asText()));
  }

  /** CRITICAL: one pending, one completed in time; HIGH: one claimed; NORMAL: one failed; LOW: one cancelled. */
  private HttpSuite.Tenant tenantWithTasks() {
    HttpSuite.Tenant t = newTenant();
    TestClient a = t.admin();
    assertJson(a.post("/v1/tasks", "{\"type\":\"done\",\"priority\":\"CRITICAL\"}"), 201);
    JsonNode c = assertJson(a.post("/v1/tasks/claim", "{\"agent\":\"w\"}"), 200).get("items").get(0);
    assertJson(a.post("/v1/tasks/" + c.get("id").asText() + "/complete", "{\"agent\":\"w\",\"attempt\":1}"), 200);
    assertJson(a.post("/v1/tasks", "{\"type\":\"f\",\"priority\":\"NORMAL\"}"), 201);
    JsonNode f = assertJson(a.post("/v1/tasks/claim", "{\"agent\":\"w\"}"), 200).get("items").get(0);
    assertJson(a.post("/v1/tasks/" + f.get("id").asText() + "/fail", "{\"agent\":\"w\",\"attempt\":1,\"error\":\"x\",\"retry\":false}"), 200);
    assertJson(a.post("/v1/tasks", "{\"type\":\"h\",\"priority\":\"HIGH\"}"), 201);
    assertJson(a.post("/v1/tasks/claim", "{\"agent\":\"w\"}"), 200);
    JsonNode low = assertJson(a.post("/v1/tasks", "{\"type\":\"l\",\"priority\":\"LOW\"}"), 201);
    assertJson(a.post("/v1/tasks/" + low.get("id").asText() + "/cancel", "{}"), 200);
    assertJson(a.post("/v1/tasks", "{\"type\":\"waiting\",\"priority\":\"CRITICAL\"}"), 201);
    return t;
  }

  private PrometheusText scrape() {
    TestClient.Response r = root.withKey(null).get("/metrics");
    assertThat(r.status()).isEqualTo(200);
    return PrometheusText.parse(r.body());
  }

  private int updates() {
    String u = browser.findElement(By.tagName("body")).getAttribute("data-updates");
    return u == null ? 0 : Integer.parseInt(u);
  }

  private String text(String id) {
    return browser.findElement(By.id(id)).getText().trim();
  }

  private double number(String id) {
    String t = text(id).replace(",", "");
    assertThat(t).as("the number in #%s", id).matches("-?[0-9]+(\\.[0-9]+)?");
    return Double.parseDouble(t);
  }

  private boolean canvasHasInk(String chartId) {
    Object r =
        ((JavascriptExecutor) browser)
            .executeScript(
                "const c = document.querySelector('#' + arguments[0] + ' canvas');"
                    + "if (!c || c.width === 0 || c.height === 0) return false;"
                    + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                    + "for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return true; }"
                    + "return false;",
                chartId);
    return Boolean.TRUE.equals(r);
  }

}
