package dev.statekeeper.http;

import static dev.statekeeper.http.HttpAssertions.assertJson;
import static dev.statekeeper.http.HttpAssertions.assertProblem;
import static dev.statekeeper.http.HttpAssertions.fieldNames;
import static dev.statekeeper.http.HttpAssertions.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.http.TestClient.Response;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code /v1/sessions}: create, read, append and page events, replace state, terminate. */
interface SessionHttpTests extends HttpSuite {

  String SESSIONS = "/v1/sessions";

  List<String> SESSION_FIELDS =
      List.of("id", "status", "agent", "user", "state", "version", "event_count", "created_at", "updated_at");

  default JsonNode createSession(String body) {
    return assertJson(admin().post(SESSIONS, body), 201);
  }

  default JsonNode readSession(String id) {
    return assertJson(admin().get(SESSIONS + "/" + id), 200);
  }

  default List<Long> seqs(JsonNode items) {
    List<Long> out = new ArrayList<>();
    items.forEach(e -> out.add(e.get("seq").asLong()));
    return out;
  }

  @Test
  default void createSession_answers201WithEveryFieldALocationAndAnETag() {
    Response r = admin().post(SESSIONS, "{\"id\":\"chat-1\",\"agent\":\"agent:planner\",\"user\":\"user:alice\",\"state\":{\"step\":0}}");

    JsonNode s = assertJson(r, 201);
    assertThat(fieldNames(s)).containsExactlyElementsOf(SESSION_FIELDS);
    assertThat(s.get("id").asText()).isEqualTo("chat-1");
    assertThat(s.get("status").asText()).isEqualTo("active");
    assertThat(s.get("state")).isEqualTo(json("{\"step\":0}"));
    assertThat(s.get("version").asLong()).isEqualTo(1);
    assertThat(s.get("event_count").asLong()).isZero();
    assertThat(r.header("Location")).contains("/v1/sessions/chat-1");
    assertThat(r.header("ETag")).contains("\"1\"");
    assertThat(readSession("chat-1")).isEqualTo(s);
  }

  @Test
  default void createSession_withoutABody_generatesTheId_andAnIdTakenIs409() {
    JsonNode s = assertJson(admin().send("POST", SESSIONS, BodyPublishers.noBody(), null), 201);
    assertThat(s.get("id").asText()).isNotBlank();
    assertThat(s.get("agent").isNull()).isTrue();
    assertThat(s.get("state")).isEqualTo(json("{}"));

    assertProblem(admin().post(SESSIONS, "{\"id\":\"" + s.get("id").asText() + "\"}"), 409, "session_exists");
  }

  @Test
  default void createSession_withBadInput_is4xxAndCreatesNothing() {
    assertProblem(admin().post(SESSIONS, "{\"id\":\"x\",\"sate\":{}}"), 400, "unknown_field");
    assertProblem(admin().post(SESSIONS, "{\"id\":\"a b\"}"), 400, "invalid_session_id");
    assertProblem(admin().post(SESSIONS, "{\"id\":\"..\"}"), 400, "invalid_session_id");
    assertProblem(admin().post(SESSIONS, "{\"id\":\"x\",\"state\":[1]}"), 400, "invalid_state");
    assertProblem(admin().post(SESSIONS, "{\"id\":\"x\",\"agent\":5}"), 400, "invalid_field");
    assertProblem(admin().send("POST", SESSIONS, BodyPublishers.ofString("{\"id\":\"x\"}"), "text/plain"), 415, "unsupported_media_type");
    String bigState = "{\"id\":\"x\",\"state\":{\"s\":\"" + "x".repeat(600_000) + "\"}}";
    assertProblem(admin().post(SESSIONS, bigState), 413, "state_too_large");
    String tooBig = "{\"id\":\"x\",\"state\":{\"s\":\"" + "x".repeat(1_100_000) + "\"}}";
    assertProblem(admin().post(SESSIONS, tooBig), 413, "body_too_large");
    assertProblem(admin().get(SESSIONS + "/x"), 404, "session_not_found");
  }

  @Test
  default void sessions_needAKey_andAnotherTenantsSessionIs404() {
    createSession("{\"id\":\"private\"}");
    assertProblem(anonymous().get(SESSIONS + "/private"), 401, "missing_key");
    TestClient other = newTenant().admin();
    assertProblem(other.get(SESSIONS + "/private"), 404, "session_not_found");
    assertProblem(other.post(SESSIONS + "/private/events", "{\"type\":\"x\"}"), 404, "session_not_found");
    assertProblem(other.get(SESSIONS + "/private/events"), 404, "session_not_found");
    assertProblem(other.withHeader("If-Match", "\"1\"").put(SESSIONS + "/private/state", "{\"state\":{}}"), 404, "session_not_found");
    assertProblem(other.post(SESSIONS + "/private/terminate", "{}"), 404, "session_not_found");
    assertThat(readSession("private").get("event_count").asLong()).isZero();
  }

  @Test
  default void aReaderKey_readsSessionsButCannotChangeThem() {
    createSession("{\"id\":\"r\"}");
    TestClient reader = keyOf("reader");
    assertProblem(reader.get(SESSIONS + "/r"), 404, "session_not_found"); // no grant yet
    assertJson(admin().post("/v1/access/grants", "{\"resource\":\"session:r\",\"relation\":\"viewer\",\"subject\":\"user:reader\"}"), 201);

    assertJson(reader.get(SESSIONS + "/r"), 200);
    assertJson(reader.get(SESSIONS + "/r/events"), 200);
    assertProblem(reader.post(SESSIONS, "{}"), 403, "read_only_key");
    assertProblem(reader.post(SESSIONS + "/r/events", "{\"type\":\"x\"}"), 403, "read_only_key");
    assertProblem(reader.withHeader("If-Match", "\"1\"").put(SESSIONS + "/r/state", "{\"state\":{}}"), 403, "read_only_key");
    assertProblem(reader.post(SESSIONS + "/r/terminate", "{}"), 403, "read_only_key");
    assertThat(readSession("r").get("status").asText()).isEqualTo("active");
  }

  @Test
  default void appendEvents_oneOrABatch_answers201WithTheirSeq_andEventsPageAfterASeq() {
    createSession("{\"id\":\"log\"}");

    JsonNode one = assertJson(admin().post(SESSIONS + "/log/events", "{\"type\":\"message\",\"data\":{\"text\":\"hi\"}}"), 201);
    JsonNode batch =
        assertJson(admin().post(SESSIONS + "/log/events", "{\"events\":[{\"type\":\"a\"},{\"type\":\"b\",\"data\":[1]},{\"type\":\"c\",\"data\":null}]}"), 201);

    assertThat(one.get("items")).hasSize(1);
    JsonNode first = one.get("items").get(0);
    assertThat(fieldNames(first)).containsExactly("seq", "type", "data", "created_at");
    assertThat(first.get("seq").asLong()).isEqualTo(1);
    assertThat(first.get("data")).isEqualTo(json("{\"text\":\"hi\"}"));
    assertThat(seqs(batch.get("items"))).containsExactly(2L, 3L, 4L);
    assertThat(readSession("log").get("event_count").asLong()).isEqualTo(4);

    JsonNode page = assertJson(admin().get(SESSIONS + "/log/events?after_seq=1&limit=2"), 200);
    assertThat(seqs(page.get("items"))).containsExactly(2L, 3L);
    assertThat(page.get("next_after_seq").asLong()).isEqualTo(3);
    JsonNode rest = assertJson(admin().get(SESSIONS + "/log/events?after_seq=3&limit=2"), 200);
    assertThat(seqs(rest.get("items"))).containsExactly(4L);
    assertThat(rest.get("next_after_seq").isNull()).isTrue();
    JsonNode all = assertJson(admin().get(SESSIONS + "/log/events"), 200);
    assertThat(all.get("items").get(0)).isEqualTo(first);
    assertThat(all.get("items")).hasSize(4);
  }

  @Test
  default void appendEvents_withBadInput_is4xxAndAppendsNothing() {
    createSession("{\"id\":\"bad\"}");
    String path = SESSIONS + "/bad/events";

    assertProblem(admin().post(path, "{}"), 400, "invalid_event_type");
    assertProblem(admin().post(path, "{\"data\":1}"), 400, "invalid_event_type");
    assertProblem(admin().post(path, "{\"type\":\"a\",\"events\":[{\"type\":\"b\"}]}"), 400, "invalid_events");
    assertProblem(admin().post(path, "{\"events\":[]}"), 400, "invalid_events");
    assertProblem(admin().post(path, "{\"events\":[{\"type\":\"a\"},{\"tpye\":\"b\"}]}"), 400, "unknown_field");
    assertProblem(admin().post(path, "{\"events\":[{\"type\":\"a\"},{\"data\":1}]}"), 400, "invalid_event_type");
    assertProblem(admin().post(path, "{\"type\":\"a\",\"data\":\"" + "x".repeat(300_000) + "\"}"), 413, "event_too_large");
    assertProblem(admin().post(path, "{\"type\":\"a\",\"data\":\"\\u0000\"}"), 400, "invalid_json");
    assertProblem(admin().get(SESSIONS + "/bad/events?after_seq=x"), 400, "invalid_after_seq");
    assertProblem(admin().get(SESSIONS + "/bad/events?after_seq=-1"), 400, "invalid_after_seq");
    assertProblem(admin().get(SESSIONS + "/bad/events?limit=0"), 400, "invalid_limit");
    assertProblem(admin().post(SESSIONS + "/nope/events", "{\"type\":\"a\"}"), 404, "session_not_found");
    assertThat(readSession("bad").get("event_count").asLong()).isZero();
  }

  @Test
  default void replaceState_needsIfMatch_andAStaleOneIs412WithTheCurrentETag() {
    createSession("{\"id\":\"st\",\"state\":{\"v\":1}}");
    String path = SESSIONS + "/st/state";

    assertProblem(admin().put(path, "{\"state\":{\"v\":2}}"), 428, "if_match_required");
    Response ok = admin().withHeader("If-Match", "\"1\"").put(path, "{\"state\":{\"v\":2}}");
    JsonNode v2 = assertJson(ok, 200);
    assertThat(ok.header("ETag")).contains("\"2\"");
    assertThat(v2.get("state")).isEqualTo(json("{\"v\":2}"));

    Response stale = admin().withHeader("If-Match", "\"1\"").put(path, "{\"state\":{\"v\":3}}");
    assertThat(assertProblem(stale, 412, "version_mismatch").get("current_version").asLong()).isEqualTo(2);
    assertThat(stale.header("ETag")).contains("\"2\"");
    assertProblem(admin().withHeader("If-Match", "two").put(path, "{\"state\":{}}"), 400, "invalid_if_match");
    assertProblem(admin().withHeader("If-Match", "\"2\"").put(path, "{\"state\":[]}"), 400, "invalid_state");
    assertProblem(admin().withHeader("If-Match", "\"2\"").put(path, "{}"), 400, "invalid_state");
    assertProblem(admin().withHeader("If-Match", "\"2\"").put(path, "{\"state\":{},\"x\":1}"), 400, "unknown_field");
    assertThat(readSession("st")).isEqualTo(v2);
    assertJson(admin().withHeader("If-Match", "*").put(path, "{\"state\":{\"any\":true}}"), 200);
  }

  @Test
  default void terminate_isFinal_laterAppendsAndStateChangesAre409_andTerminatingAgainIs200() {
    createSession("{\"id\":\"t\"}");
    assertJson(admin().post(SESSIONS + "/t/events", "{\"type\":\"a\"}"), 201);

    Response r = admin().post(SESSIONS + "/t/terminate", "");
    JsonNode done = assertJson(r, 200);
    assertThat(done.get("status").asText()).isEqualTo("terminated");
    assertThat(r.header("ETag")).contains("\"2\"");

    assertProblem(admin().post(SESSIONS + "/t/events", "{\"type\":\"b\"}"), 409, "session_terminated");
    assertProblem(admin().withHeader("If-Match", "\"2\"").put(SESSIONS + "/t/state", "{\"state\":{}}"), 409, "session_terminated");
    assertThat(assertJson(admin().post(SESSIONS + "/t/terminate", "{}"), 200)).isEqualTo(done);
    assertProblem(admin().post(SESSIONS + "/t/terminate", "{\"reason\":\"x\"}"), 400, "unknown_field");
    assertThat(readSession("t")).isEqualTo(done);
    assertThat(assertJson(admin().get(SESSIONS + "/t/events"), 200).get("items")).hasSize(1);
  }

  @Test
  default void sessionIdsThatAreNotIds_areJust404or400_neverAServerError() {
    for (String path :
        List.of(SESSIONS + "/..%2F..%2Fetc%2Fpasswd", SESSIONS + "/%2e%2e/events", SESSIONS + "/a%00b", SESSIONS + "/" + "x".repeat(200),
            SESSIONS + "/%C3%A9")) {
      Response r = admin().get(path);
      assertThat(r.status()).as(path).isBetween(400, 404);
      assertProblem(r, r.status());
    }
  }

  /**
   * The decision on the "existence oracle": ids are chosen per tenant, so within a tenant an id
   * that is taken says so (409) to anyone who tries to create it, while what it holds stays
   * behind the grants (404 to read it, nothing in the 409 about it). A client that wants
   * unguessable ids omits the id and gets a generated one.
   */
  @Test
  default void anIdTakenByAnother_is409ToCreate_and404ToRead_andTheConflictSaysNothingAboutIt() {
    TestClient a = keyFor("agent:a", "agent");
    TestClient b = keyFor("agent:b", "agent");
    assertJson(a.post("/v1/sessions", "{\"id\":\"chat-a\",\"agent\":\"agent-a-name\",\"state\":{\"secret\":\"s3cr3t\"}}"), 201);

    assertProblem(b.get("/v1/sessions/chat-a"), 404, "session_not_found");
    JsonNode conflict = assertProblem(b.post("/v1/sessions", "{\"id\":\"chat-a\"}"), 409, "session_exists");
    assertThat(conflict.toString()).doesNotContain("s3cr3t").doesNotContain("agent-a-name").doesNotContain("agent:a");
    assertThat(assertJson(a.get("/v1/sessions/chat-a"), 200).get("version").asLong()).isEqualTo(1);
    // another tenant's ids are its own
    assertJson(newTenant().admin().post("/v1/sessions", "{\"id\":\"chat-a\"}"), 201);
  }

  @Test
  default void listSessions_newestFirst_pagesWithCursors_filters_andShowsOnlyWhatTheKeyMayRead() {
    for (int i = 0; i < 5; i++) {
      createSession("{\"id\":\"ls-" + i + "\",\"agent\":\"" + (i % 2 == 0 ? "planner" : "coder") + "\"}");
    }
    TestClient agent = keyFor("agent:w1", "agent");
    assertJson(agent.post(SESSIONS, "{\"id\":\"own\"}"), 201);

    JsonNode first = assertJson(admin().get(SESSIONS + "?limit=4"), 200);
    assertThat(fieldNames(first)).containsExactly("items", "next_cursor");
    assertThat(fieldNames(first.get("items").get(0))).containsExactlyElementsOf(SESSION_FIELDS);
    List<String> ids = new ArrayList<>();
    first.get("items").forEach(x -> ids.add(x.get("id").asText()));
    JsonNode second = assertJson(admin().get(SESSIONS + "?limit=4&cursor=" + first.get("next_cursor").asText()), 200);
    second.get("items").forEach(x -> ids.add(x.get("id").asText()));
    assertThat(second.get("next_cursor").isNull()).isTrue();
    assertThat(ids).containsExactlyInAnyOrder("own", "ls-0", "ls-1", "ls-2", "ls-3", "ls-4").hasSize(6);

    JsonNode planners = assertJson(admin().get(SESSIONS + "?agent=planner&status=active"), 200);
    assertThat(planners.get("items")).hasSize(3);
    planners.get("items").forEach(x -> assertThat(x.get("agent").asText()).isEqualTo("planner"));
    JsonNode mine = assertJson(agent.get(SESSIONS), 200);
    assertThat(mine.get("items")).hasSize(1);
    assertThat(mine.get("items").get(0).get("id").asText()).isEqualTo("own");

    assertProblem(admin().get(SESSIONS + "?status=open"), 400, "invalid_status");
    assertProblem(admin().get(SESSIONS + "?cursor=zzz"), 400, "invalid_cursor");
    assertProblem(admin().get(SESSIONS + "?limit=0"), 400, "invalid_limit");
    assertProblem(admin().get(SESSIONS + "?tenant=x"), 400, "unknown_parameter");
  }

  @Test
  default void deleteSession_removesItAndItsEvents_isForTheOwnerOrAnAdmin_andIsAudited() {
    TestClient owner = keyFor("agent:owner", "agent");
    TestClient peer = keyFor("agent:peer", "agent");
    assertJson(owner.post(SESSIONS, "{\"id\":\"del\"}"), 201);
    assertJson(owner.post(SESSIONS + "/del/events", "{\"events\":[{\"type\":\"a\"},{\"type\":\"b\"}]}"), 201);
    assertJson(owner.post("/v1/access/grants", "{\"resource\":\"session:del\",\"relation\":\"editor\",\"subject\":\"agent:peer\"}"), 201);

    assertProblem(peer.delete(SESSIONS + "/del"), 403, "access_denied");
    assertProblem(keyFor("agent:owner", "reader").delete(SESSIONS + "/del"), 403, "read_only_key");
    JsonNode gone = assertJson(owner.delete(SESSIONS + "/del"), 200);
    assertThat(gone).isEqualTo(json("{\"id\":\"del\",\"deleted\":true,\"events\":2}"));
    assertProblem(owner.get(SESSIONS + "/del"), 404, "session_not_found");
    assertProblem(owner.get(SESSIONS + "/del/events"), 404, "session_not_found");
    assertProblem(owner.delete(SESSIONS + "/del"), 404, "session_not_found");

    // the same id again: no events, and the peer's old grant is gone with the old session
    assertJson(admin().post(SESSIONS, "{\"id\":\"del\"}"), 201);
    assertThat(readSession("del").get("event_count").asLong()).isZero();
    assertProblem(peer.get(SESSIONS + "/del"), 404, "session_not_found");

    JsonNode audit = assertJson(admin().get("/v1/audit"), 200);
    assertThat(audit.get("items")).hasSize(1);
    JsonNode record = audit.get("items").get(0);
    assertThat(record.get("action").asText()).isEqualTo("session.delete");
    assertThat(record.get("target").asText()).isEqualTo("session:del");
    assertThat(record.get("actor").asText()).isEqualTo("agent:owner");
    assertThat(record.get("detail")).isEqualTo(json("{\"events\":2}"));
    assertProblem(owner.get("/v1/audit"), 403, "admin_required");
  }

  @Test
  default void events_newestFirst_withBeforeSeq() {
    createSession("{\"id\":\"rev\"}");
    assertJson(admin().post(SESSIONS + "/rev/events",
        "{\"events\":[{\"type\":\"a\"},{\"type\":\"b\"},{\"type\":\"c\"},{\"type\":\"d\"},{\"type\":\"e\"}]}"), 201);

    JsonNode page = assertJson(admin().get(SESSIONS + "/rev/events?order=desc&limit=2"), 200);
    assertThat(seqs(page.get("items"))).containsExactly(5L, 4L);
    assertThat(page.get("next_before_seq").asLong()).isEqualTo(4);
    assertThat(page.get("next_after_seq").isNull()).isTrue();
    JsonNode next = assertJson(admin().get(SESSIONS + "/rev/events?order=desc&limit=2&before_seq=4"), 200);
    assertThat(seqs(next.get("items"))).containsExactly(3L, 2L);
    assertThat(seqs(assertJson(admin().get(SESSIONS + "/rev/events?after_seq=1&before_seq=4"), 200).get("items")))
        .containsExactly(2L, 3L);
    assertProblem(admin().get(SESSIONS + "/rev/events?order=up"), 400, "invalid_order");
    assertProblem(admin().get(SESSIONS + "/rev/events?before_seq=0"), 400, "invalid_before_seq");
  }
}
