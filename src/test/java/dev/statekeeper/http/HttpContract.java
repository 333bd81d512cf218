package dev.statekeeper.http;

import static dev.statekeeper.http.HttpAssertions.assertJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.Statekeeper;
import dev.statekeeper.StatekeeperConfig;
import dev.statekeeper.support.StoreKind;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP contract (docs/http-api.md) against a real server on port 0, run once
 * per store by the subclasses. The tests live in the interfaces this class implements, one per
 * area; each test works in a tenant of its own, made through {@code POST /v1/keys} with the root
 * key, so tests share one server without seeing each other's rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HttpContract
    implements TaskCreateHttpTests,
        BolaHttpTests,
        TaskReadHttpTests,
        TaskLifecycleHttpTests,
        KeyHttpTests,
        HealthAndErrorHttpTests,
        MalformedInputHttpTests,
        SessionHttpTests,
        MemoryHttpTests,
        DocumentHttpTests,
        OpsHttpTests {

  static final String ROOT_KEY = "sk_test_bootstrap_root_key_0123456789";

  private Statekeeper sk;
  private HttpServer server;
  private TestClient root;
  private Tenant current;

  abstract StoreKind kind();

  /** The configuration under test: the store's test defaults, served on port 0. */
  StatekeeperConfig config(Path dir) {
    return kind().config(dir).toBuilder().set(dev.statekeeper.tasks.TaskSettings.METRICS_REFRESH, java.time.Duration.ofMillis(100)).build();
  }

  @BeforeAll
  void startServer(@TempDir Path dir) {
    StatekeeperConfig config = config(dir);
    assertThat(config.keys().bootstrapKey()).isEqualTo(ROOT_KEY);
    sk = Statekeeper.open(config);
    sk.bootstrapRootKey();
    server = HttpServer.start(sk);
    root = new TestClient(server.port(), ROOT_KEY);
  }

  @AfterAll
  void stopServer() {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      if (sk != null) {
        sk.close();
      }
    }
  }

  @BeforeEach
  void freshTenant() {
    current = newTenant();
  }

  @Override
  public TestClient root() {
    return root;
  }

  @Override
  public TestClient anonymous() {
    return root.withKey(null);
  }

  @Override
  public String tenant() {
    return current.name();
  }

  @Override
  public TestClient admin() {
    return current.admin();
  }

  @Override
  public int waitingClaims() {
    return sk.tasks().waitingClaims();
  }

  @Override
  public Tenant newTenant() {
    String name = "t-" + UUID.randomUUID();
    JsonNode key =
        assertJson(
            root.post("/v1/keys", "{\"tenant\":\"" + name + "\",\"subject\":\"user:admin\",\"role\":\"admin\"}"),
            201);
    return new Tenant(name, root.withKey(key.get("key").asText()));
  }
}
