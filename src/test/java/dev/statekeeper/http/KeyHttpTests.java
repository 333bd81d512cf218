package dev.statekeeper.http;

import static dev.statekeeper.http.HttpAssertions.assertJson;
import static dev.statekeeper.http.HttpAssertions.assertProblem;
import static dev.statekeeper.http.HttpAssertions.fieldNames;
import static dev.statekeeper.http.HttpAssertions.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.http.TestClient.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code /v1/keys}, roles, and acting in a tenant. */
interface KeyHttpTests extends HttpSuite {

  String KEYS = "/v1/keys";

  private static String keyBody(String tenant, String subject, String role) {
    return "{\"tenant\":\"" + tenant + "\",\"subject\":\"" + subject + "\",\"role\":\"" + role + "\"}";
  }

  /** Every key of the test's tenant as root sees them. */
  private List<JsonNode> keysOfTenant(String tenant) {
    return assertJson(root().get(KEYS + "?tenant=" + tenant), 200).get("items").valueStream().toList();
  }

  @Test
  default void createKey_byRoot_is201WithTheSecretShownOnce() {
    String tenant = "t-" + UUID.randomUUID();

    JsonNode k = assertJson(root().post(KEYS, keyBody(tenant, "agent:worker-1", "agent")), 201);

    assertThat(fieldNames(k)).containsExactlyInAnyOrder("id", "key", "tenant", "subject", "role");
    assertThat(k.get("tenant").asText()).isEqualTo(tenant);
    assertThat(k.get("subject").asText()).isEqualTo("agent:worker-1");
    assertThat(k.get("role").asText()).isEqualTo("agent");
    String secret = k.get("key").asText();
    assertJson(root().withKey(secret).get(TASKS), 200);
    Response listed = root().get(KEYS + "?tenant=" + tenant);
    assertThat(listed.body()).doesNotContain(secret);
    assertThat(assertJson(listed, 200).get("items")).extracting(HttpAssertions::id).containsExactly(id(k));
  }

  @Test
  default void createKey_byAdminInItsOwnTenant_is201() {
    JsonNode k = assertJson(admin().post(KEYS, keyBody(tenant(), "agent:w", "agent")), 201);

    assertThat(k.get("tenant").asText()).isEqualTo(tenant());
    assertThat(keysOfTenant(tenant())).extracting(HttpAssertions::id).contains(id(k));
  }

  @Test
  default void createKey_thatTheCallerMayNotMake_is403AndStoresNothing() {
    String elsewhere = "t-" + UUID.randomUUID();
    List<JsonNode> before = keysOfTenant(tenant());

    assertProblem(admin().post(KEYS, keyBody(elsewhere, "user:x", "admin")), 403, "tenant_forbidden");
    assertProblem(admin().post(KEYS, keyBody(tenant(), "user:x", "root")), 403, "role_forbidden");
    List<JsonNode> afterAdmin = keysOfTenant(tenant());
    TestClient agent = keyOf("agent");
    TestClient reader = keyOf("reader");
    List<JsonNode> withWorkers = keysOfTenant(tenant());
    assertProblem(agent.post(KEYS, keyBody(tenant(), "user:x", "agent")), 403, "admin_required");
    assertProblem(reader.post(KEYS, keyBody(tenant(), "user:x", "reader")), 403, "admin_required");

    assertThat(afterAdmin).isEqualTo(before);
    assertThat(keysOfTenant(elsewhere)).isEmpty();
    assertThat(keysOfTenant(tenant())).isEqualTo(withWorkers);
  }

  static Stream<Arguments> invalidKeyBodies() {
    return Stream.of(
        Arguments.of(keyBody("bad tenant", "user:x", "agent"), "invalid_tenant"),
        Arguments.of(keyBody("", "user:x", "agent"), "invalid_tenant"),
        Arguments.of(keyBody("-starts-with-dash", "user:x", "agent"), "invalid_tenant"),
        Arguments.of(keyBody("t".repeat(65), "user:x", "agent"), "invalid_tenant"),
        Arguments.of("{\"subject\":\"user:x\",\"role\":\"agent\"}", "invalid_tenant"),
        Arguments.of(keyBody("TENANT", "alice", "agent"), "invalid_subject"),
        Arguments.of(keyBody("TENANT", "group:x", "agent"), "invalid_subject"),
        Arguments.of(keyBody("TENANT", "user:", "agent"), "invalid_subject"),
        Arguments.of(keyBody("TENANT", "user:x", "owner"), "invalid_role"),
        Arguments.of("{\"tenant\":\"TENANT\",\"subject\":\"user:x\"}", "invalid_role"),
        Arguments.of("{\"tenant\":\"TENANT\",\"subject\":\"user:x\",\"role\":1}", null),
        Arguments.of("{\"tenant\":\"TENANT\",\"subject\":\"user:x\",\"role\":\"agent\",\"secret\":\"s\"}", "unknown_field"));
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @MethodSource("invalidKeyBodies")
  default void createKey_withInvalidInput_is400AndStoresNothing(String body, String code) {
    List<JsonNode> before = keysOfTenant(tenant());

    Response r = admin().post(KEYS, body.replace("TENANT", tenant()));

    if (code == null) {
      assertProblem(r, 400);
    } else {
      assertProblem(r, 400, code);
    }
    assertThat(keysOfTenant(tenant())).isEqualTo(before);
  }

  @Test
  default void listKeys_showsNoSecretsAndAnAdminOnlyItsOwnTenant() {
    Tenant other = newTenant();
    String agentSecret = keyOf("agent").key();

    Response mine = admin().get(KEYS);
    Response asRoot = root().get(KEYS);
    JsonNode theirs = assertJson(admin().get(KEYS + "?tenant=" + other.name()), 200);

    for (Response r : List.of(mine, asRoot)) {
      JsonNode body = assertJson(r, 200);
      assertThat(fieldNames(body)).containsExactly("items");
      assertThat(body.findValues("key")).isEmpty();
      assertThat(body.findValues("secret")).isEmpty();
      assertThat(body.findValues("secret_hash")).isEmpty();
      assertThat(r.body()).doesNotContain(agentSecret).doesNotContain(admin().key()).doesNotContain(HttpContract.ROOT_KEY);
    }
    List<JsonNode> items = mine.json().get("items").valueStream().toList();
    assertThat(items).hasSize(2).allSatisfy(k -> assertThat(k.get("tenant").asText()).isEqualTo(tenant()));
    assertThat(items).allSatisfy(k -> assertThat(fieldNames(k)).contains("id", "tenant", "subject", "role"));
    assertThat(theirs.get("items")).isEmpty();
    assertThat(asRoot.json().get("items").valueStream().map(k -> k.get("tenant").asText())).contains(tenant(), other.name());
  }

  @Test
  default void listKeys_byAnAgentOrReader_is403() {
    assertProblem(keyOf("agent").get(KEYS), 403, "admin_required");
    assertProblem(keyOf("reader").get(KEYS), 403, "admin_required");
  }

  @Test
  default void revokeKey_makesTheKeyUnauthorized_onEveryLaterRequest() {
    JsonNode k = assertJson(admin().post(KEYS, keyBody(tenant(), "agent:w", "agent")), 201);
    TestClient agent = admin().withKey(k.get("key").asText());
    assertJson(agent.get(TASKS), 200);

    JsonNode revoked = assertJson(admin().delete(KEYS + "/" + id(k)), 200);

    assertThat(revoked.get("id").asText()).isEqualTo(id(k));
    assertThat(revoked.get("revoked_at").isNull()).isFalse();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(
        () -> assertProblem(agent.get(TASKS), 401, "invalid_key"));
    assertProblem(agent.post(TASKS, "{\"type\":\"t\"}"), 401, "invalid_key");
    assertThat(allTasks()).isEmpty();
    assertThat(assertJson(admin().delete(KEYS + "/" + id(k)), 200).get("revoked_at")).isEqualTo(revoked.get("revoked_at"));
  }

  @Test
  default void revokeKey_ofAnUnknownKeyOrAnotherTenantsKey_is404AndTheKeyStillWorks() {
    Tenant other = newTenant();
    JsonNode theirs = assertJson(other.admin().post(KEYS, keyBody(other.name(), "agent:w", "agent")), 201);

    assertProblem(admin().delete(KEYS + "/no-such-key"), 404, "key_not_found");
    assertProblem(admin().delete(KEYS + "/" + id(theirs)), 404, "key_not_found");
    assertJson(other.admin().withKey(theirs.get("key").asText()).get(TASKS), 200);
  }

  @Test
  default void revokeKey_ofTheLastRootKey_is409AndTheKeyStillWorks() {
    JsonNode second = assertJson(root().post(KEYS, keyBody("default", "user:root2", "root")), 201);
    assertThat(second.get("role").asText()).isEqualTo("root");
    assertJson(root().delete(KEYS + "/" + id(second)), 200);
    List<String> otherActiveRoots = new ArrayList<>();
    JsonNode bootstrap = null;
    for (JsonNode k : assertJson(root().get(KEYS), 200).get("items")) {
      if (k.get("role").asText().equals("root") && k.get("revoked_at").isNull()) {
        if (k.get("subject").asText().equals("user:root") && k.get("tenant").asText().equals("default")) {
          bootstrap = k;
        } else {
          otherActiveRoots.add(id(k));
        }
      }
    }
    assertThat(otherActiveRoots).as("root keys left active by other tests").isEmpty();
    assertThat(bootstrap).isNotNull();

    assertProblem(root().delete(KEYS + "/" + id(bootstrap)), 409, "last_root_key");
    assertJson(root().get(KEYS), 200);
  }

  @Test
  default void aReaderKey_mayReadWhatItIsGranted_butNeverWrite() {
    JsonNode t = createTask();
    TestClient reader = keyOf("reader");
    assertProblem(reader.get(TASKS + "/" + id(t)), 404, "task_not_found"); // no grant yet: it does not exist for them
    assertJson(admin().post("/v1/access/grants", "{\"resource\":\"queue:default\",\"relation\":\"editor\",\"subject\":\"user:reader\"}"), 201);

    assertProblem(reader.post(TASKS, "{\"type\":\"t\"}"), 403, "read_only_key");
    assertProblem(reader.post(TASKS + "/" + id(t) + "/cancel", "{}"), 403, "read_only_key");
    assertProblem(reader.post(TASKS + "/claim", "{\"agent\":\"r\"}"), 403, "read_only_key");
    assertJson(reader.get(TASKS), 200);
    assertThat(assertJson(reader.get(TASKS + "/" + id(t)), 200)).isEqualTo(t);
    assertJson(reader.get(TASKS + "/stats"), 200);
    assertThat(allTasks()).containsExactly(t);
  }

  @Test
  default void aReaderKey_cannotCreateOrDeleteGrants_evenOnWhatItsSubjectOwns() {
    TestClient owner = keyFor("user:carol", "agent");
    assertJson(owner.post("/v1/sessions", "{\"id\":\"carols\"}"), 201); // user:carol owns session:carols
    TestClient reader = keyFor("user:carol", "reader");
    String grant = "{\"resource\":\"session:carols\",\"relation\":\"viewer\",\"subject\":\"user:mallory\"}";

    assertProblem(reader.post("/v1/access/grants", grant), 403, "read_only_key");
    String own = "{\"resource\":\"session:carols\",\"relation\":\"owner\",\"subject\":\"user:carol\"}";
    assertProblem(reader.delete("/v1/access/grants", own), 403, "read_only_key");

    JsonNode grants = assertJson(admin().get("/v1/access/grants?resource=session:carols"), 200).get("items");
    assertThat(grants).hasSize(1);
    assertThat(grants.get(0).get("subject").asText()).isEqualTo("user:carol");
    assertJson(reader.get("/v1/sessions/carols"), 200); // reading is still fine
  }

  @Test
  default void rootWithTheTenantHeader_actsInThatTenant() {
    JsonNode t = assertJson(root().withHeader("Statekeeper-Tenant", tenant()).post(TASKS, "{\"type\":\"from-root\"}"), 201);
    JsonNode inDefault = assertJson(root().post(TASKS, "{\"type\":\"root-default\"}"), 201);

    assertThat(allTasks()).containsExactly(t);
    assertProblem(admin().get(TASKS + "/" + id(inDefault)), 404, "task_not_found");
    assertThat(allTasks(root().withHeader("Statekeeper-Tenant", tenant()))).containsExactly(t);
    assertProblem(root().withHeader("Statekeeper-Tenant", "bad tenant!").get(TASKS), 400, "invalid_tenant");
  }

  @Test
  default void anAdminNamingAnotherTenantInTheHeader_is403() {
    Tenant other = newTenant();
    assertJson(other.admin().post(TASKS, "{\"type\":\"theirs\"}"), 201);

    assertProblem(admin().withHeader("Statekeeper-Tenant", other.name()).get(TASKS), 403, "tenant_forbidden");
    assertProblem(admin().withHeader("Statekeeper-Tenant", other.name()).post(TASKS, "{\"type\":\"t\"}"), 403, "tenant_forbidden");
    assertJson(admin().withHeader("Statekeeper-Tenant", tenant()).get(TASKS), 200);
    assertThat(allTasks()).isEmpty();
    assertThat(allTasks(other.admin())).hasSize(1);
  }
}
