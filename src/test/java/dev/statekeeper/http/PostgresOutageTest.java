package dev.statekeeper.http;

import static dev.statekeeper.http.HttpAssertions.assertJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.support.StoreKind;
import dev.statekeeper.support.TcpForwarder;
import dev.statekeeper.support.TestDatabases;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL going away and coming back while the server runs, made real with a {@link
 * TcpForwarder} between them that the test cuts and restores: requests get 503 {@code
 * store_unavailable} with {@code Retry-After} (never 500, never a hang), readiness goes down, an
 * alert fires and resolves, everything works again soon after the database returns, and
 * every write that was acknowledged is in the database afterwards.
 */
class PostgresOutageTest {

  private static final String ROOT_KEY = "sk_test_bootstrap_root_key_0123456789";

  private final List<AutoCloseable> resources = new ArrayList<>();

  private record Running(TcpForwarder forwarder, HttpServer server, TestClient root, String directUrl) {}

  private Running start(Path dir, StatekeeperConfig.Builder tweaks) {
    String direct = TestDatabases.postgresUrl();
    URI u = URI.create(direct.substring("jdbc:".length()));
    TcpForwarder forwarder = new TcpForwarder(u.getHost(), u.getPort());
    resources.add(forwarder);
    String viaForwarder = direct.replace(u.getHost() + ":" + u.getPort(), "127.0.0.1:" + forwarder.port());
    StatekeeperConfig config = tweaks.dataDir(dir).databaseUrl(viaForwarder).build();
    Statekeeper sk = Statekeeper.open(config);
    resources.add(sk);
    sk.bootstrapRootKey();
    HttpServer server = HttpServer.start(sk);
    resources.add(server);
    return new Running(forwarder, server, new TestClient(server.port(), ROOT_KEY), direct);
  }

  private static StatekeeperConfig.Builder testConfig(Path dir) {
    // The SLA rule looks at every tenant of the shared test database, where other tests' clocks
    // settled CRITICAL tasks late: only the outage's own alert is under test here.
    return StoreKind.POSTGRES.config(dir).toBuilder().set(dev.statekeeper.store.StoreSettings.POOL_SIZE, 8)
        .set(dev.statekeeper.http.HttpSettings.RATE_LIMIT_ADMIN, null).set(dev.statekeeper.tasks.TaskSettings.ALERT_SLA_MIN, null);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  @Test
  void anOutageDuringAWriteLoad_answers503_thenRecovers_andLosesNoAcknowledgedWrite(@TempDir Path dir) throws Exception {
    Running r = start(dir, testConfig(dir));
    String tenant = "outage-" + System.nanoTime();
    TestClient admin = adminOf(r.root(), tenant);
    TestClient anonymous = r.root().withKey(null);

    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    List<String> unexpected = new CopyOnWriteArrayList<>();
    AtomicLong lastSuccessNanos = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Future<?>> workers = new ArrayList<>();
    var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    for (int w = 0; w < 8; w++) {
      int worker = w;
      workers.add(executor.submit(() -> {
        int n = 0;
        while (running.get() && n < 20_000) { // bounded, whatever happens
          TestClient.Response resp;
          try {
            resp = admin.post("/v1/tasks", "{\"type\":\"load\",\"payload\":{\"w\":" + worker + ",\"n\":" + n++ + "}}");
          } catch (RuntimeException e) {
            unexpected.add(e.toString());
            continue;
          }
          statuses.computeIfAbsent(resp.status(), k -> new AtomicInteger()).incrementAndGet();
          if (resp.status() == 201) {
            acknowledged.add(resp.json().get("id").asText());
            lastSuccessNanos.set(System.nanoTime());
          } else if (resp.status() != 503
              || !resp.header("Retry-After").isPresent()
              || !resp.json().path("code").asText().equals("store_unavailable")) {
            unexpected.add(resp.toString() + " Retry-After=" + resp.header("Retry-After"));
          }
        }
      }));
    }
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> acknowledged.size() >= 50);

      r.forwarder().cut();
      long cutAt = System.nanoTime();
      await().atMost(Duration.ofSeconds(15))
          .alias("503s during the outage; statuses " + statuses + ", unexpected " + unexpected)
          .until(() -> statuses.getOrDefault(503, new AtomicInteger()).get() >= 8);
      TestClient.Response ready = anonymous.get("/health/ready");
      assertThat(ready.status()).as("readiness during the outage: %s", ready).isEqualTo(503);
      assertThat(ready.header("Retry-After")).isPresent();
      TestClient.Response health = r.root().get("/health");
      assertThat(health.status()).isEqualTo(503);
      assertThat(health.json().get("status").asText()).isEqualTo("DOWN");
      assertThat(health.json().at("/checks/database/status").asText()).isEqualTo("DOWN");
      long successesDuringOutage = lastSuccessNanos.get();
      int refusedSoFar = statuses.get(503).get();
      // the outage goes on under load: as many refusals again as there are workers
      await().atMost(Duration.ofSeconds(30)).until(() -> statuses.get(503).get() >= refusedSoFar + 8);

      r.forwarder().restore();
      long restoredAt = System.nanoTime();
      // everything works again once the database is back (how soon is a benchmark's figure, not a test's)
      await().atMost(Duration.ofSeconds(30)).until(() -> lastSuccessNanos.get() > restoredAt);
      await().atMost(Duration.ofSeconds(30)).until(() -> anonymous.get("/health/ready").status() == 200);
      assertThat(successesDuringOutage).isLessThan(cutAt + Duration.ofSeconds(1).toNanos());
      int before = acknowledged.size();
      await().atMost(Duration.ofSeconds(10)).until(() -> acknowledged.size() >= before + 50);
    } finally {
      running.set(false);
      for (Future<?> f : workers) f.get();
      executor.close();
    }

    assertThat(unexpected).as("answers other than 201 and 503 store_unavailable with Retry-After").isEmpty();
    assertThat(statuses.keySet()).containsExactlyInAnyOrder(201, 503);
    // every acknowledged write is in the database (read directly, not through the forwarder)
    Set<String> stored = new HashSet<>();
    try (Connection c = DriverManager.getConnection(r.directUrl());
        PreparedStatement ps = c.prepareStatement("SELECT id FROM tasks WHERE tenant = ?")) {
      ps.setString(1, tenant);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) stored.add(rs.getString(1));
      }
    }
    assertThat(stored).containsAll(acknowledged);
  }

  @Test
  void theStoreUnreachableAlert_firesToTheWebhook_andResolves(@TempDir Path dir) throws Exception {
    List<JsonNode> received = new CopyOnWriteArrayList<>();
    AtomicInteger posts = new AtomicInteger();
    com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", (HttpExchange x) -> {
      byte[] body = x.getRequestBody().readAllBytes();
      // the first POST fails: the notification must be retried
      int status = posts.getAndIncrement() == 0 ? 500 : 200;
      if (status == 200) received.add(TestClient.JSON.readTree(new String(body, StandardCharsets.UTF_8)));
      x.sendResponseHeaders(status, -1);
      x.close();
    });
    receiver.start();
    resources.add(() -> receiver.stop(0));
    Running r = start(dir, testConfig(dir)
        .set(dev.statekeeper.ops.OpsSettings.ALERT_WEBHOOK, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")
        .set(dev.statekeeper.ops.OpsSettings.ALERT_INTERVAL, Duration.ofMillis(200)));

    assertThat(assertJson(r.root().get("/v1/ops/alerts"), 200).get("firing")).isEmpty();

    r.forwarder().cut();
    await().atMost(Duration.ofSeconds(20)).until(() -> received.stream().anyMatch(n -> isAlert(n, "firing")));
    JsonNode firing = received.stream().filter(n -> isAlert(n, "firing")).findFirst().orElseThrow();
    assertThat(firing.get("version").asText()).isEqualTo("4");
    assertThat(firing.at("/alerts/0/labels/severity").asText()).isEqualTo("critical");
    assertThat(firing.at("/alerts/0/annotations/summary").asText()).contains("does not answer");
    assertThat(firing.at("/alerts/0/endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
    // the root key was read before the outage, so the alerts stay visible during it
    JsonNode listed = assertJson(r.root().get("/v1/ops/alerts"), 200);
    assertThat(listed.get("firing").findValuesAsText("name")).contains("StatekeeperStoreUnreachable");

    r.forwarder().restore();
    await().atMost(Duration.ofSeconds(20)).until(() -> received.stream().anyMatch(n -> isAlert(n, "resolved")));
    JsonNode resolved = received.stream().filter(n -> isAlert(n, "resolved")).findFirst().orElseThrow();
    assertThat(resolved.at("/alerts/0/endsAt").asText()).isNotEqualTo("0001-01-01T00:00:00Z");
    assertThat(posts.get()).as("POSTs, the first refused and retried").isGreaterThanOrEqualTo(3);
    assertThat(assertJson(r.root().get("/v1/ops/alerts"), 200).get("firing")).isEmpty();
  }

  @Test
  void aKeyRevokedJustBeforeAnOutage_isNotRecognisedDuringIt(@TempDir Path dir) {
    Running r = start(dir, testConfig(dir));
    TestClient admin = adminOf(r.root(), "revoked-" + System.nanoTime());
    assertJson(admin.get("/v1/ops/alerts"), 200); // read once: the outage fallback knows it now
    assertJson(r.root().get("/v1/ops/alerts"), 200);
    String keyId = admin.key().substring(3, 19);
    assertJson(r.root().delete("/v1/keys/" + keyId), 200);

    r.forwarder().cut();

    TestClient.Response during = admin.get("/v1/ops/alerts");
    assertThat(during.status()).as("the revoked key during the outage: %s", during).isEqualTo(503);
    assertThat(r.root().get("/v1/ops/alerts").status()).as("a valid key is still recognised").isEqualTo(200);
  }

  private static boolean isAlert(JsonNode n, String status) {
    return n.get("status").asText().equals(status)
        && n.at("/alerts/0/labels/alertname").asText().equals("StatekeeperStoreUnreachable");
  }

  private static TestClient adminOf(TestClient root, String tenant) {
    JsonNode k = assertJson(root.post("/v1/keys", "{\"tenant\":\"" + tenant + "\",\"subject\":\"user:admin\",\"role\":\"admin\"}"), 201);
    return root.withKey(k.get("key").asText());
  }
}
