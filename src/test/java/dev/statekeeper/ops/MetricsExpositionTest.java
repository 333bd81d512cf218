package dev.statekeeper.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.http.HttpServer;
import dev.statekeeper.store.Store;
import dev.statekeeper.support.PrometheusText;
import dev.statekeeper.support.StoreKind;
import dev.statekeeper.support.TestDatabases;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What {@code /metrics} of a running server exposes, checked by Prometheus' own {@code promtool}
 * (Debian's {@code prometheus} package; {@code .ci/run} installs it). Without promtool those
 * checks skip with a message, unless STATEKEEPER_TEST_REQUIRE_SERVICES=1 or CI is set.
 */
class MetricsExpositionTest {

  private static final String ROOT_KEY = "sk_test_bootstrap_root_key_0123456789";

  @TempDir Path dir;

  /** The data directory does not exist before the server starts, as on a first start. */
  private StatekeeperConfig config(StoreKind kind) {
    return kind.config(dir.resolve("data"));
  }

  /** Starts a server, sends a few requests so every family has samples, and returns one scrape. */
  private static String scrapeAfterSomeRequests(StatekeeperConfig config) throws Exception {
    try (Statekeeper sk = Statekeeper.open(config)) {
      sk.bootstrapRootKey();
      try (HttpServer server = HttpServer.start(sk)) {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + server.port();
        for (String[] call : List.of(
            new String[] {"POST", "/v1/tasks", "{\"type\":\"t\",\"priority\":\"CRITICAL\"}"},
            new String[] {"POST", "/v1/tasks/claim", "{\"agent\":\"w\"}"},
            new String[] {"GET", "/v1/tasks/no-such-task", null},
            new String[] {"PUT", "/v1/memory/notes/k", "{\"value\":1}"},
            new String[] {"GET", "/health", null})) {
          HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + call[1])).header("Authorization", "Bearer " + ROOT_KEY);
          b.method(call[0], call[2] == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(call[2]));
          if (call[2] != null) b.header("Content-Type", "application/json");
          http.send(b.build(), HttpResponse.BodyHandlers.discarding());
        }
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        return metrics.body();
      }
    }
  }

  /** The promtool on the PATH; skips (or, where services are required, fails) without one. */
  private static String promtool() {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      Path p = Path.of(d, "promtool");
      if (Files.isExecutable(p)) return p.toString();
    }
    String message = "promtool is not installed (Debian: apt-get install prometheus)";
    if (TestDatabases.servicesRequired()) {
      Assertions.fail(message + "; STATEKEEPER_TEST_REQUIRE_SERVICES/CI is set, so this fails");
    }
    Assumptions.abort(message + "; skipping the promtool checks on this machine");
    return null;
  }

  record Outcome(int code, String output) {}

  private static Outcome run(String stdin, String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s ends", String.join(" ", command)).isTrue();
    return new Outcome(p.exitValue(), output);
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void metrics_ofARunningServer_passPromtoolCheckMetrics(StoreKind kind) throws Exception {
    String promtool = promtool();
    String scrape = scrapeAfterSomeRequests(config(kind));

    Outcome checked = run(scrape, promtool, "check", "metrics");

    assertThat(checked.output()).as("promtool's complaints").isEmpty();
    assertThat(checked.code()).isZero();
  }

  @Test
  void theAlertRules_passPromtoolCheckRules_andTheirUnitTests() throws Exception {
    String promtool = promtool();

    Outcome rules = run(null, promtool, "check", "rules", "docs/prometheus-alerts.yml");
    Outcome tests = run(null, promtool, "test", "rules", "docs/prometheus-alerts.test.yml");

    assertThat(rules.code()).as(rules.output()).isZero();
    assertThat(tests.code()).as(tests.output()).isZero();
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void theCpuMeters_haveNamesPromtoolAccepts_inSeconds(StoreKind kind) throws Exception {
    PrometheusText m = PrometheusText.parse(scrapeAfterSomeRequests(config(kind)));

    assertThat(m.has("process_cpu_time_ns_total")).isFalse();
    assertThat(m.has("system_cpu_count")).isFalse();
    assertThat(m.value("system_cpus", Map.of())).isEqualTo(Runtime.getRuntime().availableProcessors());
    double cpuSeconds = m.value("process_cpu_seconds_total", Map.of());
    assertThat(cpuSeconds).isPositive().isLessThan(1e6); // seconds, not nanoseconds
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void diskFreeBytes_isLabelledWithTheDataDirectory_notTheDirectoryAboveIt(StoreKind kind) throws Exception {
    StatekeeperConfig config = config(kind);

    PrometheusText m = PrometheusText.parse(scrapeAfterSomeRequests(config));

    String expected = kind == StoreKind.SQLITE ? config.store().dataDir().toAbsolutePath().toString() : dir.toAbsolutePath().toString();
    assertThat(m.samples("disk_free_bytes", Map.of())).singleElement()
        .satisfies(s -> assertThat(s.labels()).containsEntry("path", expected));
    assertThat(m.samples("disk_total_bytes", Map.of("path", expected))).hasSize(1);
  }

  @Test
  void theSqliteWriter_isExportedBesideTheReadPool_soThePoolBusyRuleSeesIt() throws Exception {
    PrometheusText m = PrometheusText.parse(scrapeAfterSomeRequests(config(StoreKind.SQLITE)));

    Map<String, String> writer = Map.of("pool", Store.SQLITE_WRITER_POOL);
    assertThat(m.value("statekeeper_sqlite_writer_busy_seconds_total", writer)).isPositive();
    assertThat(m.value("statekeeper_sqlite_writer_groups_total", writer)).isGreaterThanOrEqualTo(3); // key, task, claim, memory
    assertThat(m.value("statekeeper_sqlite_writer_waiting", writer)).isZero();
    assertThat(m.value("statekeeper_sqlite_writer_active", writer)).isBetween(0.0, 1.0);
    assertThat(m.samples("hikaricp_connections_active", Map.of("pool", "statekeeper-sqlite-read"))).hasSize(1);
    assertThat(Files.readString(Path.of("docs/prometheus-alerts.yml"))).contains("statekeeper_sqlite_writer_busy_seconds_total");
  }
}
