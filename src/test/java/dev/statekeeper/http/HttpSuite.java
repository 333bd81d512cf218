package dev.statekeeper.http;

import static dev.statekeeper.http.HttpAssertions.assertJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What every part of the HTTP contract suite shares: the running server (through {@link
 * HttpContract}), the tenant of the current test, and assertions on answers. The parts are
 * interfaces with default test methods so that one server per store runs all of them.
 */
interface HttpSuite {

  String TASKS = "/v1/tasks";

  List<String> TASK_FIELDS =
      List.of(
          "id", "queue", "type", "payload", "priority", "status", "attempt", "max_attempts", "version",
          "created_at", "updated_at", "run_after", "claimed_by", "claimed_by_subject", "lease_expires_at", "deadline",
          "sla_status", "result", "error");

  /** A client with the bootstrap root key. */
  TestClient root();

  /** A client without any key. */
  TestClient anonymous();

  /** The tenant the current test works in (fresh for every test). */
  String tenant();

  /** A client with an admin key of {@link #tenant()}. */
  TestClient admin();

  /** A new tenant with an admin key of its own. */
  Tenant newTenant();

  /** How many claims are long-polling on the server right now. */
  int waitingClaims();

  record Tenant(String name, TestClient admin) {}

  /** A client with a new key of {@code role} ({@code agent}, {@code reader}, …) in the test's tenant. */
  default TestClient keyOf(String role) {
    return keyFor("user:" + role, role);
  }

  /** A client with a new key of {@code subject} and {@code role} in the test's tenant. */
  default TestClient keyFor(String subject, String role) {
    String body = "{\"tenant\":\"" + tenant() + "\",\"subject\":\"" + subject + "\",\"role\":\"" + role + "\"}";
    JsonNode k = assertJson(admin().post("/v1/keys", body), 201);
    return admin().withKey(k.get("key").asText());
  }

  // ---------------------------------------------------------------- task helpers

  /** Creates a task with this body in the test's tenant; asserts 201. */
  default JsonNode createTask(String body) {
    return assertJson(admin().post(TASKS, body), 201);
  }

  default JsonNode createTask() {
    return createTask("{\"type\":\"t\"}");
  }

  default JsonNode readTask(String id) {
    return assertJson(admin().get(TASKS + "/" + id), 200);
  }

  /** Every task of the tenant, paging through the whole listing. */
  default List<JsonNode> allTasks(TestClient client) {
    List<JsonNode> out = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page = assertJson(client.get(TASKS + "?limit=1000" + (cursor == null ? "" : "&cursor=" + cursor)), 200);
      page.get("items").forEach(out::add);
      cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
    } while (cursor != null);
    return out;
  }

  default List<JsonNode> allTasks() {
    return allTasks(admin());
  }

  /** Claims with this body; asserts 200 and returns the claimed tasks. */
  default List<JsonNode> claim(String body) {
    JsonNode r = assertJson(admin().post(TASKS + "/claim", body), 200);
    List<JsonNode> items = new ArrayList<>();
    r.get("items").forEach(items::add);
    return items;
  }

  /** Creates a task and claims it as {@code agent}; returns the claimed task. */
  default JsonNode createAndClaim(String agent) {
    JsonNode t = createTask();
    List<JsonNode> got = claim("{\"agent\":\"" + agent + "\"}");
    assertThat(got).hasSize(1);
    assertThat(got.get(0).get("id").asText()).isEqualTo(t.get("id").asText());
    return got.get(0);
  }
}
