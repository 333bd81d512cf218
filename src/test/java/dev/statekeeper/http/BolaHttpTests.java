package dev.statekeeper.http;

import static dev.statekeeper.http.HttpAssertions.assertJson;
import static dev.statekeeper.http.HttpAssertions.assertProblem;
import static dev.statekeeper.http.HttpAssertions.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.http.TestClient.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The BOLA matrix (OWASP API1/API5): every /v1 endpoint on an object, called by its owner, by
 * another user of the tenant, by another tenant, with a revoked key and with no key. Only the
 * owner succeeds; the others learn nothing: the same answer as for an object that does not
 * exist, nothing in listings, nothing in headers.
 */
interface BolaHttpTests extends HttpSuite {

  /** One call on one object, given the client and the object's id. */
  record Call(String name, java.util.function.BiFunction<TestClient, String, Response> send) {}

  private TestClient grantedAgent(String subject, String resource, String relation) {
    TestClient agent = keyAs(subject, "agent");
    assertJson(admin().post("/v1/access/grants",
        "{\"resource\":\"" + resource + "\",\"relation\":\"" + relation + "\",\"subject\":\"" + subject + "\"}"), 201);
    return agent;
  }

  private TestClient keyAs(String subject, String role) {
    JsonNode k = assertJson(admin().post("/v1/keys",
        "{\"tenant\":\"" + tenant() + "\",\"subject\":\"" + subject + "\",\"role\":\"" + role + "\"}"), 201);
    return admin().withKey(k.get("key").asText());
  }

  private TestClient revoked(TestClient client) {
    String keyId = client.key().substring(3, 19);
    assertJson(admin().delete("/v1/keys/" + keyId), 200);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(2))
        .until(() -> client.get(TASKS).status() == 401);
    return client;
  }

  @Test
  default void tasks_onlyTheirOwnerSeesOrTouchesThem() {
    TestClient owner = grantedAgent("agent:owner", "queue:private", "editor");
    TestClient otherUser = keyAs("agent:other", "agent");
    TestClient otherTenant = newTenant().admin();
    TestClient revokedKey = revoked(grantedAgent("agent:gone", "queue:private", "editor"));
    TestClient noKey = anonymous();

    JsonNode task = assertJson(owner.post(TASKS, "{\"type\":\"secret\",\"queue\":\"private\",\"payload\":{\"s\":\"hush\"}}"), 201);
    String taskId = id(task);
    String missing = "00000000-0000-7000-8000-000000000000";

    List<Call> onObject = List.of(
        new Call("GET task", (c, id) -> c.get(TASKS + "/" + id)),
        new Call("GET events", (c, id) -> c.get(TASKS + "/" + id + "/events")),
        new Call("PATCH", (c, id) -> c.withHeader("If-Match", "\"1\"").patch(TASKS + "/" + id, "{\"priority\":\"HIGH\"}")),
        new Call("heartbeat", (c, id) -> c.post(TASKS + "/" + id + "/heartbeat", "{\"agent\":\"x\",\"attempt\":1}")),
        new Call("complete", (c, id) -> c.post(TASKS + "/" + id + "/complete", "{\"agent\":\"x\",\"attempt\":1}")),
        new Call("fail", (c, id) -> c.post(TASKS + "/" + id + "/fail", "{\"agent\":\"x\",\"attempt\":1,\"error\":\"e\"}")),
        new Call("cancel", (c, id) -> c.post(TASKS + "/" + id + "/cancel", "{}")));

    List<String> failures = new ArrayList<>();
    for (Call call : onObject) {
      for (var who : List.of(java.util.Map.entry("other user", otherUser), java.util.Map.entry("other tenant", otherTenant))) {
        Response onTask = call.send().apply(who.getValue(), taskId);
        Response onNothing = call.send().apply(who.getValue(), missing);
        if (onTask.status() != 404 || !onTask.json().get("code").equals(onNothing.json().get("code"))) {
          failures.add(call.name() + " by " + who.getKey() + ": " + onTask + " vs missing " + onNothing);
        }
        if (onTask.body().contains("hush") || onTask.body().contains("agent:owner")) {
          failures.add(call.name() + " by " + who.getKey() + " leaks: " + onTask.body());
        }
      }
      for (var who : List.of(java.util.Map.entry("revoked key", revokedKey), java.util.Map.entry("no key", noKey))) {
        Response r = call.send().apply(who.getValue(), taskId);
        if (r.status() != 401) failures.add(call.name() + " by " + who.getKey() + ": " + r);
      }
    }
    assertThat(failures).isEmpty();

    // the owner may do all of it
    assertJson(owner.get(TASKS + "/" + taskId), 200);
    assertJson(owner.get(TASKS + "/" + taskId + "/events"), 200);

    // listings, stats and claims show nothing to the others
    assertThat(assertJson(otherUser.get(TASKS), 200).get("items")).isEmpty();
    assertThat(assertJson(otherTenant.get(TASKS), 200).get("items")).isEmpty();
    assertThat(assertJson(otherUser.get(TASKS + "/stats"), 200).get("counts").get("pending").asInt()).isZero();
    assertProblem(otherUser.post(TASKS + "/claim", "{\"agent\":\"thief\",\"queues\":[\"private\"]}"), 403, "access_denied");
    assertThat(assertJson(otherTenant.post(TASKS + "/claim", "{\"agent\":\"thief\",\"queues\":[\"private\"]}"), 200).get("items")).isEmpty();
    assertProblem(otherUser.post(TASKS, "{\"type\":\"x\",\"queue\":\"private\"}"), 403, "access_denied");
    assertThat(assertJson(owner.get(TASKS), 200).get("items")).hasSize(1);

    // and the task is as it was
    JsonNode after = assertJson(owner.get(TASKS + "/" + taskId), 200);
    assertThat(after.get("status").asText()).isEqualTo("pending");
    assertThat(after.get("priority").asText()).isEqualTo("NORMAL");
  }

  /**
   * Runs every call by the other user and the other tenant (each must answer exactly as for
   * {@code missing}, with {@code status}, and leak none of {@code secrets}) and by a revoked key
   * and no key (401); returns what went wrong.
   */
  private List<String> outsiders(List<Call> calls, String object, String missing, int status,
      List<String> secrets, TestClient otherUser, TestClient otherTenant, TestClient revokedKey) {
    List<String> failures = new ArrayList<>();
    for (Call call : calls) {
      for (var who : List.of(java.util.Map.entry("other user", otherUser), java.util.Map.entry("other tenant", otherTenant))) {
        Response onObject = call.send().apply(who.getValue(), object);
        if (onObject.status() != status) {
          failures.add(call.name() + " by " + who.getKey() + ": " + onObject);
        }
        if (status == 404) {
          Response onNothing = call.send().apply(who.getValue(), missing);
          if (!onObject.json().get("code").equals(onNothing.json().get("code"))) {
            failures.add(call.name() + " by " + who.getKey() + ": " + onObject + " vs missing " + onNothing);
          }
        }
        for (String secret : secrets) {
          if (onObject.body().contains(secret)) failures.add(call.name() + " by " + who.getKey() + " leaks: " + onObject.body());
        }
      }
      for (var who : List.of(java.util.Map.entry("revoked key", revokedKey), java.util.Map.entry("no key", anonymous()))) {
        Response r = call.send().apply(who.getValue(), object);
        if (r.status() != 401) failures.add(call.name() + " by " + who.getKey() + ": " + r);
      }
    }
    return failures;
  }

  @Test
  default void sessions_onlyTheirCreatorSeesOrTouchesThem() {
    TestClient owner = keyAs("agent:owner", "agent");
    TestClient otherUser = keyAs("agent:other", "agent");
    TestClient otherTenant = newTenant().admin();
    TestClient revokedKey = revoked(keyAs("agent:gone", "agent"));

    JsonNode session = assertJson(owner.post("/v1/sessions", "{\"state\":{\"s\":\"hush\"}}"), 201);
    String sid = id(session);
    assertJson(owner.post("/v1/sessions/" + sid + "/events", "{\"type\":\"msg\",\"data\":\"whisper\"}"), 201);

    List<Call> onObject = List.of(
        new Call("GET session", (c, id) -> c.get("/v1/sessions/" + id)),
        new Call("GET events", (c, id) -> c.get("/v1/sessions/" + id + "/events")),
        new Call("append", (c, id) -> c.post("/v1/sessions/" + id + "/events", "{\"type\":\"x\"}")),
        new Call("PUT state", (c, id) -> c.withHeader("If-Match", "\"1\"").put("/v1/sessions/" + id + "/state", "{\"state\":{}}")),
        new Call("terminate", (c, id) -> c.post("/v1/sessions/" + id + "/terminate", "{}")));
    assertThat(outsiders(onObject, sid, "no-such-session", 404, List.of("hush", "whisper"), otherUser, otherTenant, revokedKey))
        .isEmpty();

    // the creator may do all of it, and nothing the others tried changed anything
    JsonNode after = assertJson(owner.get("/v1/sessions/" + sid), 200);
    assertThat(after.get("status").asText()).isEqualTo("active");
    assertThat(after.get("state").get("s").asText()).isEqualTo("hush");
    assertThat(assertJson(owner.get("/v1/sessions/" + sid + "/events"), 200).get("items")).hasSize(1);
    assertThat(assertJson(admin().get("/v1/access/grants?resource=session:" + sid), 200).get("items").get(0).get("subject").asText())
        .isEqualTo("agent:owner");
  }

  @Test
  default void memory_onlyWhoHoldsAGrantOnTheNamespaceSeesOrTouchesIt() {
    TestClient owner = grantedAgent("agent:owner", "memory:user:alice", "owner");
    TestClient otherUser = grantedAgent("agent:other", "memory:user:bob", "owner");
    TestClient otherTenant = newTenant().admin();
    TestClient revokedKey = revoked(grantedAgent("agent:gone", "memory:user:alice", "owner"));
    assertJson(owner.put("/v1/memory/user:alice/diary", "{\"value\":\"hush\",\"text\":\"whisper\"}"), 201);

    List<Call> onObject = List.of(
        new Call("GET entry", (c, ns) -> c.get("/v1/memory/" + ns + "/diary")),
        new Call("GET version", (c, ns) -> c.get("/v1/memory/" + ns + "/diary?version=1")),
        new Call("GET history", (c, ns) -> c.get("/v1/memory/" + ns + "/diary/history")),
        new Call("PUT", (c, ns) -> c.put("/v1/memory/" + ns + "/diary", "{\"value\":\"overwritten\"}")),
        new Call("DELETE", (c, ns) -> c.delete("/v1/memory/" + ns + "/diary")));
    // the other user named a namespace it holds no grant on: 403 (the name was its own guess);
    // in the other tenant the namespace is another one, empty (a PUT there would create that
    // tenant's own entry); neither learns the value
    assertThat(outsiders(onObject, "user:alice", "user:nobody", 403, List.of("hush", "whisper"), otherUser, keyAs("agent:x", "agent"), revokedKey))
        .isEmpty();
    for (Call call : onObject) {
      if (call.name().equals("PUT")) continue;
      Response r = call.send().apply(otherTenant, "user:alice");
      assertThat(r.status()).as("%s by the other tenant: %s", call.name(), r).isIn(404);
      assertThat(r.body()).doesNotContain("hush");
    }

    // listings and searches show the others nothing of it
    for (TestClient c : List.of(otherUser, otherTenant)) {
      assertThat(assertJson(c.get("/v1/memory"), 200).get("items")).isEmpty();
      assertThat(assertJson(c.get("/v1/memory?prefix=user"), 200).get("items")).isEmpty();
      assertThat(assertJson(c.post("/v1/memory/search", "{\"query\":\"whisper\"}"), 200).get("items")).isEmpty();
    }
    JsonNode entry = assertJson(owner.get("/v1/memory/user:alice/diary"), 200);
    assertThat(entry.get("version").asLong()).isEqualTo(1);
    assertThat(entry.get("value").asText()).isEqualTo("hush");
    assertThat(assertJson(owner.get("/v1/memory?prefix=user"), 200).get("items")).hasSize(1);
  }

  @Test
  default void grantsKeysAndBackups_areForTheirAdminsOnly() {
    TestClient agent = keyAs("agent:plain", "agent");
    TestClient otherTenant = newTenant().admin();
    assertJson(admin().post("/v1/access/grants", "{\"resource\":\"memory:hr\",\"relation\":\"viewer\",\"subject\":\"user:hr\"}"), 201);

    assertProblem(agent.post("/v1/access/grants", "{\"resource\":\"memory:hr\",\"relation\":\"owner\",\"subject\":\"agent:plain\"}"), 403, "share_forbidden");
    assertThat(assertJson(agent.get("/v1/access/grants"), 200).get("items")).isEmpty();
    assertThat(assertJson(otherTenant.get("/v1/access/grants"), 200).get("items")).isEmpty();
    String hrGrant = "{\"resource\":\"memory:hr\",\"relation\":\"viewer\",\"subject\":\"user:hr\"}";
    assertProblem(otherTenant.send("DELETE", "/v1/access/grants",
        java.net.http.HttpRequest.BodyPublishers.ofString(hrGrant), "application/json"), 404, "grant_not_found");
    assertProblem(agent.send("DELETE", "/v1/access/grants",
        java.net.http.HttpRequest.BodyPublishers.ofString(hrGrant), "application/json"), 403, "share_forbidden");
    assertThat(assertJson(admin().get("/v1/access/grants?resource=memory:hr"), 200).get("items")).hasSize(1);
    assertProblem(agent.post("/v1/access/check", "{\"subject\":\"user:hr\",\"action\":\"read\",\"resource\":\"memory:hr\"}"), 403, "check_forbidden");
    assertProblem(agent.get("/v1/keys"), 403, "admin_required");
    assertProblem(agent.post("/v1/admin/backups", "{}"), 403, "root_required");
    assertProblem(admin().post("/v1/admin/backups", "{}"), 403, "root_required");
  }
}
