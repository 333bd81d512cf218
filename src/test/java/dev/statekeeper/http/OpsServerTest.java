package dev.statekeeper.http;

import static dev.statekeeper.http.HttpAssertions.assertJson;
import static dev.statekeeper.http.HttpAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.Role;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.support.StoreKind;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Operations behaviour that depends on settings: rate limits, /metrics access, request logs, graceful stop. */
class OpsServerTest {

  private static final String ROOT_KEY = "sk_test_bootstrap_root_key_0123456789";

  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();
  private Statekeeper sk;
  private HttpServer server;

  private TestClient start(UnaryOperator<StatekeeperConfig.Builder> settings) {
    sk = Statekeeper.open(settings.apply(StoreKind.SQLITE.config(dir).toBuilder()).build());
    open.add(sk);
    sk.bootstrapRootKey();
    server = HttpServer.start(sk);
    open.add(server);
    return new TestClient(server.port(), ROOT_KEY);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
  }

  private static TestClient key(TestClient root, String tenant, String role) {
    JsonNode k = assertJson(root.post("/v1/keys", "{\"tenant\":\"" + tenant + "\",\"subject\":\"user:" + role + "\",\"role\":\"" + role + "\"}"), 201);
    return root.withKey(k.get("key").asText());
  }

  @Test
  void aKeyOverItsRolesBudget_gets429WithRetryAfter_andOtherKeysDoNot() {
    TestClient root = start(b -> b.set(dev.statekeeper.http.HttpSettings.RATE_LIMIT_AGENT, new dev.statekeeper.http.HttpSettings.RateLimit(3, Duration.ofMinutes(1))));
    TestClient agent = key(root, "rl", "agent");
    TestClient other = key(root, "rl", "agent");
    TestClient admin = key(root, "rl", "admin");

    for (int i = 0; i < 3; i++) {
      assertJson(agent.get("/v1/tasks"), 200);
    }
    JsonNode p = assertProblem(agent.get("/v1/tasks"), 429, "rate_limited");
    TestClient.Response limited = agent.post("/v1/tasks", "{\"type\":\"t\"}");

    assertThat(limited.status()).isEqualTo(429);
    long retryAfter = Long.parseLong(limited.header("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 60L);
    assertThat(p.get("retry_after_seconds").asLong()).isBetween(1L, 60L);
    assertThat(p.get("detail").asText()).contains("3 requests per 1m");
    assertJson(other.get("/v1/tasks"), 200); // budgets are per key
    for (int i = 0; i < 10; i++) {
      assertJson(admin.get("/v1/tasks"), 200); // admin: no limit configured
    }
    assertThat(assertJson(admin.get("/v1/tasks"), 200).get("items")).isEmpty(); // the refused create stored nothing
    assertThat(sk.operations().metrics().scrape()).contains("statekeeper_http_rate_limited_total{role=\"agent\"} 2.0");
  }

  @Test
  void withMetricsRequireKey_metricsAreForAdminAndRootKeysOnly() {
    TestClient root = start(b -> b.set(dev.statekeeper.ops.OpsSettings.METRICS_REQUIRE_KEY, true));
    assertProblem(root.withKey(null).get("/metrics"), 401, "missing_key");
    assertProblem(key(root, "m", "reader").get("/metrics"), 403, "admin_required");
    assertProblem(root.withKey("sk_0123456789abcdef_nope").get("/metrics"), 401, "invalid_key");
    assertThat(key(root, "m", "admin").get("/metrics").status()).isEqualTo(200);
  }

  @Test
  void withMetricsOff_thereIsNoMetricsEndpoint_andTheServerStillServes() {
    TestClient root = start(b -> b.set(dev.statekeeper.ops.OpsSettings.METRICS, false));
    assertProblem(root.withKey(null).get("/metrics"), 404, "metrics_off");
    assertJson(root.post("/v1/tasks", "{\"type\":\"t\"}"), 201);
    assertThat(assertJson(root.get("/health"), 200).get("status").asText()).isEqualTo("UP");
  }

  @Test
  void everyRequest_logsOneLine_withItsRequestIdAndKeyId_butNeverTheSecret() {
    Logger log = (Logger) LoggerFactory.getLogger("dev.statekeeper.http.requests");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    Level level = log.getLevel();
    log.setLevel(Level.INFO);
    log.addAppender(lines);
    try {
      TestClient root = start(b -> b);
      TestClient admin = key(root, "logs", "admin");
      String secret = admin.key();
      lines.list.clear();

      TestClient.Response r = admin.withHeader("X-Request-Id", "req-1").get("/v1/tasks?limit=5&token=x");
      admin.withKey(secret + "tampered").get("/v1/tasks/abc");

      await().atMost(Duration.ofSeconds(5)).until(() -> lines.list.size() >= 2);
      ILoggingEvent first = lines.list.get(0);
      String line = first.getFormattedMessage() + " " + first.getKeyValuePairs();
      assertThat(r.status()).isEqualTo(400); // a key-like query parameter is refused
      assertThat(first.getFormattedMessage()).isEqualTo("GET /v1/tasks 400 " + first.getFormattedMessage().split(" ")[3] + " ms");
      assertThat(line).contains("request_id=\"req-1\"").contains("route=\"/v1/tasks\"").contains("key_id=\"" + secret.substring(3, 19) + "\"");
      ILoggingEvent second = lines.list.get(1);
      String secondLine = second.getFormattedMessage() + " " + second.getKeyValuePairs();
      assertThat(secondLine).contains("401").contains("route=\"/v1/tasks/{id}\"");
      for (ILoggingEvent e : lines.list) {
        String all = e.getFormattedMessage() + " " + e.getKeyValuePairs();
        assertThat(all).doesNotContain(secret.substring(20)).doesNotContain("token=x").doesNotContain("limit=5");
      }
    } finally {
      log.detachAppender(lines);
      log.setLevel(level);
    }
  }

  @Test
  void stopping_finishesRequestsInFlight_thenRefusesConnections() throws Exception {
    TestClient root = start(b -> b.set(dev.statekeeper.http.HttpSettings.SHUTDOWN_TIMEOUT, Duration.ofSeconds(10)));
    int port = server.port();
    CompletableFuture<TestClient.Response> longPoll =
        CompletableFuture.supplyAsync(() -> root.post("/v1/tasks/claim", "{\"agent\":\"w\",\"wait_seconds\":30}"));
    await().atMost(Duration.ofSeconds(10)).until(() -> sk.tasks().waitingClaims() == 1);

    // wakes the 30 s long poll and returns once it has answered; had it kept waiting, the 10 s
    // shutdown timeout would have cut its connection and the client would see an error
    server.close();

    assertThat(sk.tasks().waitingClaims()).isZero();
    TestClient.Response answered = longPoll.get(10, java.util.concurrent.TimeUnit.SECONDS); // answered, not cut off
    assertThat(answered.status()).as("%s", answered).isEqualTo(200);
    assertThat(answered.json().get("items")).isEmpty();
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
  }
}
