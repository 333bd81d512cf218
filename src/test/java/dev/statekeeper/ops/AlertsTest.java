package dev.statekeeper.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.store.Store;
import dev.statekeeper.support.StoreKind;
import dev.statekeeper.tasks.Priority;
import dev.statekeeper.tasks.SlaStatus;
import dev.statekeeper.tasks.TaskCensus;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alert rules evaluated against real meters and a settable clock, notifying a local webhook receiver. */
class AlertsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final InstantSource clock = () -> now.get();
  private final List<JsonNode> received = new CopyOnWriteArrayList<>();
  private HttpServer receiver;

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", x -> {
      received.add(JSON.readTree(x.getRequestBody().readAllBytes()));
      x.sendResponseHeaders(204, -1);
      x.close();
    });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  private Alerts alerts(Store store, StatekeeperConfig config) {
    RequestWindow window = new RequestWindow(meters, config.ops().alertWindow(), clock);
    return new Alerts(config, store, List.of(), window, meters, clock, Duration.ofMillis(50));
  }

  private void requests(int n, Duration each, String status) {
    Timer t = Timer.builder(RequestWindow.TIMER).tags("method", "GET", "uri", "/v1/tasks", "status", status, "outcome", "x")
        .serviceLevelObjectives(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5))
        .register(meters);
    for (int i = 0; i < n; i++) t.record(each);
  }

  @Test
  void slowRequests_fireTheLatencyAlert_thenItResolvesOnceTheyLeaveTheWindow(@TempDir Path dir) {
    StatekeeperConfig config = StoreKind.SQLITE.config(dir).toBuilder()
        .set(dev.statekeeper.ops.OpsSettings.ALERT_WEBHOOK, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")
        .set(dev.statekeeper.ops.OpsSettings.ALERT_WINDOW, Duration.ofMinutes(5))
        .build();
    try (Store store = Store.open(config); Alerts alerts = alerts(store, config)) {
      alerts.evaluateNow(); // the window's first sample
      requests(Alerts.MIN_REQUESTS, Duration.ofSeconds(2), "200");
      now.set(now.get().plusSeconds(15));

      alerts.evaluateNow();

      assertThat(alerts.firing()).extracting(Alert::name).containsExactly("StatekeeperLatencyP99High");
      await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
      JsonNode firing = received.get(0);
      assertThat(firing.get("status").asText()).isEqualTo("firing");
      assertThat(firing.at("/alerts/0/labels/alertname").asText()).isEqualTo("StatekeeperLatencyP99High");
      assertThat(firing.at("/alerts/0/labels/severity").asText()).isEqualTo("warning");
      assertThat(firing.at("/alerts/0/annotations/threshold").asText()).isEqualTo("> 500ms");
      assertThat(firing.at("/alerts/0/startsAt").asText()).isEqualTo("2026-01-01T00:00:15Z");

      now.set(now.get().plus(Duration.ofMinutes(6)));
      alerts.evaluateNow(); // the slow requests are now older than the window

      assertThat(alerts.firing()).isEmpty();
      await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
      JsonNode resolved = received.get(1);
      assertThat(resolved.get("status").asText()).isEqualTo("resolved");
      assertThat(resolved.at("/alerts/0/endsAt").asText()).isEqualTo("2026-01-01T00:06:15Z");
    }
  }

  @Test
  void aShareOf5xxAboveTheLimit_firesTheErrorRateAlert_butTooFewRequestsDoNot(@TempDir Path dir) {
    StatekeeperConfig config = StoreKind.SQLITE.config(dir);
    try (Store store = Store.open(config); Alerts alerts = alerts(store, config)) {
      alerts.evaluateNow();
      requests(1, Duration.ofMillis(1), "503");
      now.set(now.get().plusSeconds(15));
      alerts.evaluateNow();
      assertThat(alerts.firing()).isEmpty(); // 100% of one request: too few to judge

      requests(Alerts.MIN_REQUESTS, Duration.ofMillis(1), "200");
      requests(1, Duration.ofMillis(1), "500"); // 2 of 22 = 9% > 5%
      now.set(now.get().plusSeconds(15));
      alerts.evaluateNow();

      assertThat(alerts.firing()).extracting(Alert::name).containsExactly("StatekeeperErrorRateHigh");
      assertThat(alerts.firing().get(0).value()).isEqualTo("9.1%");
    }
  }

  @Test
  void theDefaultRules_matchTheIssue_andNoneFiresOnAHealthyIdleInstance(@TempDir Path dir) {
    // the built-in rules, then those of the capabilities (tasks: the SLA rule)
    try (dev.statekeeper.Statekeeper sk = dev.statekeeper.Statekeeper.open(StoreKind.SQLITE.config(dir))) {
      Alerts alerts = sk.operations().alerts();
      assertThat(alerts.rules()).extracting(AlertRule::name, AlertRule::threshold).containsExactly(
          org.assertj.core.groups.Tuple.tuple("StatekeeperStoreUnreachable", "unreachable"),
          org.assertj.core.groups.Tuple.tuple("StatekeeperErrorRateHigh", "> 5%"),
          org.assertj.core.groups.Tuple.tuple("StatekeeperLatencyP99High", "> 500ms"),
          org.assertj.core.groups.Tuple.tuple("StatekeeperPoolBusy", "> 80%"),
          org.assertj.core.groups.Tuple.tuple("StatekeeperDiskSpaceLow", "< 10%"),
          org.assertj.core.groups.Tuple.tuple("StatekeeperSlaComplianceLow", "< 95%"));
      alerts.evaluateNow();
      assertThat(alerts.firing()).isEmpty();
    }
  }

  @Test
  void thePrometheusRulesFile_hasEveryRuleTheServerEvaluates(@TempDir Path dir) throws Exception {
    String yaml = java.nio.file.Files.readString(Path.of("docs/prometheus-alerts.yml"));
    try (dev.statekeeper.Statekeeper sk = dev.statekeeper.Statekeeper.open(StoreKind.SQLITE.config(dir))) {
      for (AlertRule rule : sk.operations().alerts().rules()) {
        assertThat(yaml).contains("- alert: " + rule.name());
      }
    }
    for (String metric : List.of("statekeeper_store_up", "statekeeper_tasks_sla_compliance_ratio", "http_server_requests_seconds_count",
        "http_server_requests_seconds_bucket", "hikaricp_connections_active", "hikaricp_connections_max", "disk_free_bytes", "disk_total_bytes")) {
      assertThat(yaml).contains(metric);
    }
  }

  @Test
  void aDiskLimitAboveTheFreeSpace_firesTheDiskAlert(@TempDir Path dir) {
    StatekeeperConfig config = StoreKind.SQLITE.config(dir).toBuilder().set(dev.statekeeper.ops.OpsSettings.DISK_MIN_FREE, (Double) (double) (100)).build();
    try (Store store = Store.open(config); Alerts alerts = alerts(store, config)) {
      alerts.evaluateNow();
      assertThat(alerts.firing()).extracting(Alert::name).containsExactly("StatekeeperDiskSpaceLow");
    }
  }

  @Test
  void aSqliteWriterBusyForTheWholeWindow_firesPoolBusy_namingTheWriter_andItResolvesWhenTheWriterRests(@TempDir Path dir)
      throws Exception {
    StatekeeperConfig config = StoreKind.SQLITE.config(dir);
    try (Store store = Store.open(config); Alerts alerts = alerts(store, config)) {
      alerts.evaluateNow(); // the writer's first reading
      CountDownLatch inside = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        Future<?> held = pool.submit(() -> store.write("held", c -> {
          inside.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return null;
        }));
        inside.await();
        now.set(now.get().plusNanos(1_000)); // the window: one microsecond, all of it spent writing
        release.countDown();
        held.get();
      }

      alerts.evaluateNow();

      assertThat(alerts.firing()).extracting(Alert::name).containsExactly("StatekeeperPoolBusy");
      assertThat(alerts.firing().get(0).value()).isEqualTo("100%");
      assertThat(alerts.firing().get(0).summary()).contains("SQLite's single writer was busy 100%");

      now.set(now.get().plusSeconds(15)); // fifteen seconds without a write
      alerts.evaluateNow();

      assertThat(alerts.firing()).isEmpty();
    }
  }


  @Test
  void aFiringAlert_showsTheReadingOfEveryEvaluation_notTheOneItStartedWith(@TempDir Path dir) {
    StatekeeperConfig config = StoreKind.SQLITE.config(dir);
    AtomicReference<String> reading = new AtomicReference<>("28.6%");
    AlertCheck compliance = new AlertCheck(new AlertRule("StatekeeperSlaComplianceLow", "critical", "SLA compliance", "< 95%"),
        () -> new AlertCheck.Outcome(true, reading.get(), "only " + reading.get() + " of CRITICAL tasks settled in the last hour met their deadline"));
    now.set(Instant.parse("2026-01-01T00:00:15.123456789Z"));
    try (Store store = Store.open(config);
        Alerts alerts = new Alerts(config, store, List.of(compliance),
            new RequestWindow(meters, config.ops().alertWindow(), clock), meters, clock, Duration.ofMillis(50))) {
      alerts.evaluateNow();
      assertThat(alerts.firing()).singleElement().satisfies(a -> {
        assertThat(a.name()).isEqualTo("StatekeeperSlaComplianceLow");
        assertThat(a.value()).isEqualTo("28.6%");
      });

      reading.set("54.2%"); // better, still below 95 %
      now.set(now.get().plusSeconds(15));
      alerts.evaluateNow();

      Alert still = alerts.firing().get(0);
      assertThat(still.value()).isEqualTo("54.2%");
      assertThat(still.summary()).isEqualTo("only 54.2% of CRITICAL tasks settled in the last hour met their deadline");
      assertThat(still.startsAt()).as("it started at the first evaluation").isEqualTo(Instant.parse("2026-01-01T00:00:15Z"));
    }
  }

  @Test
  void alertTimes_areWholeSecondsInUtc_inTheJsonTheApiAndTheDashboardRead(@TempDir Path dir) throws Exception {
    StatekeeperConfig config = StoreKind.SQLITE.config(dir).toBuilder().set(dev.statekeeper.ops.OpsSettings.DISK_MIN_FREE, (Double) (double) (100)).build();
    try (dev.statekeeper.Statekeeper sk = dev.statekeeper.Statekeeper.open(config)) {
      sk.bootstrapRootKey();
      sk.operations().alerts().evaluateNow(); // the real clock: an instant with a fraction of a second
      try (dev.statekeeper.http.HttpServer server = dev.statekeeper.http.HttpServer.start(sk)) {
        var answer = java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port() + "/v1/ops/alerts"))
                .header("Authorization", "Bearer sk_test_bootstrap_root_key_0123456789").build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        JsonNode firing = JSON.readTree(answer.body()).get("firing");
        assertThat(firing).as(answer.body()).hasSize(1);
        assertThat(firing.get(0).get("starts_at").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
      }
    }
  }
}
