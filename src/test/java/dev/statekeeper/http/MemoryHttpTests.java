package dev.statekeeper.http;

import static dev.statekeeper.http.HttpAssertions.assertJson;
import static dev.statekeeper.http.HttpAssertions.assertProblem;
import static dev.statekeeper.http.HttpAssertions.fieldNames;
import static dev.statekeeper.http.HttpAssertions.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.http.TestClient.Response;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code /v1/memory}: versioned writes with preconditions, reads, history, delete, listing, search. */
interface MemoryHttpTests extends HttpSuite {

  String MEMORY = "/v1/memory";

  List<String> ENTRY_FIELDS =
      List.of("namespace", "key", "version", "type", "value", "text", "metadata", "deleted", "created_at", "updated_at", "written_by",
          "ttl_seconds", "expires_at");

  default JsonNode putMemory(String path, String body) {
    Response r = admin().put(MEMORY + "/" + path, body);
    assertThat(r.status()).as("%s", r).isIn(200, 201);
    return r.json();
  }

  default List<String> keysOf(JsonNode items) {
    List<String> out = new ArrayList<>();
    items.forEach(e -> out.add(e.get("namespace").asText() + "/" + e.get("key").asText()));
    return out;
  }

  @Test
  default void put_creates201ThenUpdates200_withTheVersionAsETag() {
    Response created = admin().put(MEMORY + "/user:alice/prefs", "{\"value\":{\"tea\":true},\"text\":\"likes tea\",\"metadata\":{\"src\":\"chat\"}}");

    JsonNode v1 = assertJson(created, 201);
    assertThat(fieldNames(v1)).containsExactlyElementsOf(ENTRY_FIELDS);
    assertThat(v1.get("version").asLong()).isEqualTo(1);
    assertThat(v1.get("type").asText()).isEqualTo("semantic");
    assertThat(v1.get("deleted").asBoolean()).isFalse();
    assertThat(created.header("ETag")).contains("\"1\"");
    assertThat(created.header("Location")).contains("/v1/memory/user:alice/prefs");

    Response updated = admin().put(MEMORY + "/user:alice/prefs", "{\"value\":{\"tea\":false},\"type\":\"episodic\"}");
    JsonNode v2 = assertJson(updated, 200);
    assertThat(updated.header("ETag")).contains("\"2\"");
    assertThat(v2.get("type").asText()).isEqualTo("episodic");
    assertThat(v2.get("text").isNull()).isTrue();

    Response read = admin().get(MEMORY + "/user:alice/prefs");
    assertThat(assertJson(read, 200)).isEqualTo(v2);
    assertThat(read.header("ETag")).contains("\"2\"");
    assertThat(assertJson(admin().get(MEMORY + "/user:alice/prefs?version=1"), 200)).isEqualTo(v1);
  }

  @Test
  default void preconditions_giveCompareAndSet_andAFailedOneIs412WithTheCurrentETag() {
    String path = MEMORY + "/cas/k";
    assertJson(admin().withHeader("If-None-Match", "*").put(path, "{\"value\":1}"), 201);
    Response again = admin().withHeader("If-None-Match", "*").put(path, "{\"value\":2}");
    assertThat(assertProblem(again, 412, "version_mismatch").get("current_version").asLong()).isEqualTo(1);

    assertJson(admin().withHeader("If-Match", "\"1\"").put(path, "{\"value\":3}"), 200);
    Response stale = admin().withHeader("If-Match", "\"1\"").put(path, "{\"value\":4}");
    assertProblem(stale, 412, "version_mismatch");
    assertThat(stale.header("ETag")).contains("\"2\"");
    assertJson(admin().withHeader("If-Match", "*").put(path, "{\"value\":5}"), 200);
    assertProblem(admin().withHeader("If-Match", "*").put(MEMORY + "/cas/missing", "{\"value\":1}"), 412, "version_mismatch");
    assertProblem(admin().withHeader("If-Match", "\"1\"").put(MEMORY + "/cas/missing", "{\"value\":1}"), 412, "version_mismatch");

    assertProblem(admin().withHeader("If-None-Match", "\"3\"").put(path, "{\"value\":6}"), 400, "invalid_if_none_match");
    assertProblem(admin().withHeader("If-Match", "\"3\"").withHeader("If-None-Match", "*").put(path, "{\"value\":6}"), 400, "invalid_precondition");
    assertProblem(admin().withHeader("If-Match", "three").put(path, "{\"value\":6}"), 400, "invalid_if_match");
    assertThat(assertJson(admin().get(path), 200).get("value").asInt()).isEqualTo(5);
    assertProblem(admin().get(MEMORY + "/cas/missing"), 404, "memory_not_found");
  }

  @Test
  default void delete_writesATombstone_thenGetIs404_andHistoryKeepsEverything() {
    putMemory("notes/n1", "{\"value\":\"a\"}");
    putMemory("notes/n1", "{\"value\":\"b\"}");

    assertProblem(admin().withHeader("If-Match", "\"1\"").delete(MEMORY + "/notes/n1"), 412, "version_mismatch");
    Response deleted = admin().delete(MEMORY + "/notes/n1");
    JsonNode tomb = assertJson(deleted, 200);
    assertThat(tomb.get("deleted").asBoolean()).isTrue();
    assertThat(tomb.get("version").asLong()).isEqualTo(3);
    assertThat(tomb.get("value").isNull()).isTrue();
    assertThat(deleted.header("ETag")).contains("\"3\"");

    assertProblem(admin().get(MEMORY + "/notes/n1"), 404, "memory_not_found");
    assertProblem(admin().delete(MEMORY + "/notes/n1"), 404, "memory_not_found");
    JsonNode history = assertJson(admin().get(MEMORY + "/notes/n1/history"), 200);
    assertThat(history.get("items")).hasSize(3);
    assertThat(history.get("items").get(1).get("value").asText()).isEqualTo("b");
    assertThat(history.get("items").get(2)).isEqualTo(tomb);
    assertThat(history.get("next_cursor").isNull()).isTrue();
    assertThat(assertJson(admin().get(MEMORY + "/notes/n1?version=3"), 200)).isEqualTo(tomb);
    assertProblem(admin().get(MEMORY + "/notes/n1?version=4"), 404, "memory_version_not_found");
    assertProblem(admin().get(MEMORY + "/notes/n1?version=x"), 400, "invalid_version");
    assertProblem(admin().get(MEMORY + "/notes/n1?version=0"), 400, "invalid_version");
    assertProblem(admin().get(MEMORY + "/notes/never/history"), 404, "memory_not_found");

    assertThat(assertJson(admin().put(MEMORY + "/notes/n1", "{\"value\":\"c\"}"), 201).get("version").asLong()).isEqualTo(4);
  }

  @Test
  default void history_pagesWithACursor() {
    for (int i = 0; i < 5; i++) {
      putMemory("h/k", "{\"value\":" + i + "}");
    }
    JsonNode p1 = assertJson(admin().get(MEMORY + "/h/k/history?limit=2"), 200);
    JsonNode p2 = assertJson(admin().get(MEMORY + "/h/k/history?limit=2&cursor=" + p1.get("next_cursor").asText()), 200);
    JsonNode p3 = assertJson(admin().get(MEMORY + "/h/k/history?limit=2&cursor=" + p2.get("next_cursor").asText()), 200);

    List<Long> versions = new ArrayList<>();
    for (JsonNode p : List.of(p1, p2, p3)) p.get("items").forEach(e -> versions.add(e.get("version").asLong()));
    assertThat(versions).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(p3.get("next_cursor").isNull()).isTrue();
    assertProblem(admin().get(MEMORY + "/h/k/history?cursor=zzz"), 400, "invalid_cursor");
    assertProblem(admin().get(MEMORY + "/h/k/history?limit=1001"), 400, "invalid_limit");
  }

  @Test
  default void put_withBadInput_is4xxAndWritesNothing() {
    String path = MEMORY + "/in/k";
    assertProblem(admin().put(path, "{}"), 400, "invalid_value");
    assertProblem(admin().put(path, "{\"value\":null}"), 400, "invalid_value");
    assertProblem(admin().put(path, "{\"value\":1,\"type\":\"fact\"}"), 400, "invalid_memory_type");
    assertProblem(admin().put(path, "{\"value\":1,\"metadata\":[1]}"), 400, "invalid_metadata");
    assertProblem(admin().put(path, "{\"value\":1,\"text\":5}"), 400, "invalid_field");
    assertProblem(admin().put(path, "{\"value\":1,\"vaule\":2}"), 400, "unknown_field");
    assertProblem(admin().put(path, "{\"value\":\"" + "x".repeat(300_000) + "\"}"), 413, "value_too_large");
    assertProblem(admin().send("PUT", path, BodyPublishers.ofString("{\"value\":1}"), "text/plain"), 415, "unsupported_media_type");
    assertProblem(admin().get(path), 404, "memory_not_found");
    assertProblem(admin().get(path + "/history"), 404, "memory_not_found");
  }

  @Test
  default void namespacesInThePath_areCheckedByTheSameRules() {
    assertJson(admin().put(MEMORY + "/a:b:c:d:e:f:g:h/k", "{\"value\":1}"), 201);
    assertProblem(admin().put(MEMORY + "/a:b:c:d:e:f:g:h:i/k", "{\"value\":1}"), 400, "invalid_namespace");
    assertProblem(admin().put(MEMORY + "/a::b/k", "{\"value\":1}"), 400, "invalid_namespace");
    assertProblem(admin().put(MEMORY + "/user%20alice/k", "{\"value\":1}"), 400, "invalid_namespace");
    assertProblem(admin().put(MEMORY + "/us%C3%A9r/k", "{\"value\":1}"), 400, "invalid_namespace");
    assertProblem(admin().put(MEMORY + "/user:..:x/k", "{\"value\":1}"), 400, "invalid_namespace");
    assertProblem(admin().put(MEMORY + "/ns/k%20ey", "{\"value\":1}"), 400, "invalid_key");
    assertProblem(admin().get(MEMORY + "/user:*/k"), 400, "invalid_namespace");
    // traversal text never reaches a handler as anything but an invalid name or an unknown path
    for (String path : List.of(MEMORY + "/..%2F..%2Fetc%2Fpasswd/k", MEMORY + "/%2e%2e/k", MEMORY + "/ns/%2e%2e", MEMORY + "/..%5C..%5Cwin/k")) {
      Response r = admin().put(path, "{\"value\":1}");
      assertThat(r.status()).as(path).isBetween(400, 405);
      assertProblem(r, r.status());
    }
    assertThat(assertJson(admin().get(MEMORY + "?limit=1000"), 200).get("items")).hasSize(1);
  }

  @Test
  default void list_byPrefixMatchesWholeSegments_filtersByType_andPages() {
    for (String ns : List.of("user:alice", "user:alice:prefs", "user:alice2", "user:al", "team")) {
      putMemory(ns + "/k1", "{\"value\":1}");
      putMemory(ns + "/k2", "{\"value\":2,\"type\":\"procedural\"}");
    }
    putMemory("user:alice/gone", "{\"value\":1}");
    assertJson(admin().delete(MEMORY + "/user:alice/gone"), 200);

    JsonNode all = assertJson(admin().get(MEMORY + "?prefix=user:alice"), 200);
    assertThat(keysOf(all.get("items")))
        .containsExactly("user:alice/k1", "user:alice/k2", "user:alice:prefs/k1", "user:alice:prefs/k2");
    assertThat(all.get("next_cursor").isNull()).isTrue();
    assertThat(fieldNames(all.get("items").get(0))).containsExactlyElementsOf(ENTRY_FIELDS);
    assertThat(keysOf(assertJson(admin().get(MEMORY + "?prefix=user:al&type=procedural"), 200).get("items"))).containsExactly("user:al/k2");

    JsonNode p1 = assertJson(admin().get(MEMORY + "?prefix=user&limit=3"), 200);
    JsonNode p2 = assertJson(admin().get(MEMORY + "?prefix=user&limit=3&cursor=" + p1.get("next_cursor").asText()), 200);
    JsonNode p3 = assertJson(admin().get(MEMORY + "?prefix=user&limit=3&cursor=" + p2.get("next_cursor").asText()), 200);
    List<String> paged = new ArrayList<>();
    for (JsonNode p : List.of(p1, p2, p3)) paged.addAll(keysOf(p.get("items")));
    assertThat(paged).hasSize(8).doesNotHaveDuplicates().isSorted();
    assertThat(p3.get("next_cursor").isNull()).isTrue();
    assertThat(assertJson(admin().get(MEMORY), 200).get("items")).hasSize(10);

    assertProblem(admin().get(MEMORY + "?prefix=user:"), 400, "invalid_prefix");
    assertProblem(admin().get(MEMORY + "?prefix=a%20b"), 400, "invalid_prefix");
    assertProblem(admin().get(MEMORY + "?type=fact"), 400, "invalid_memory_type");
    assertProblem(admin().get(MEMORY + "?limit=x"), 400, "invalid_limit");
    assertProblem(admin().get(MEMORY + "?cursor=%21%21"), 400, "invalid_cursor");
  }

  @Test
  default void search_rankedWithScores_inEachMode_andBadModesAre400() {
    putMemory("kb/tea", "{\"value\":1,\"text\":\"Alice prefers green tea\"}");
    putMemory("kb/coffee", "{\"value\":2,\"text\":\"Bob prefers black coffee\"}");
    putMemory("other/tea", "{\"value\":3,\"text\":\"green tea fields\",\"type\":\"episodic\"}");

    JsonNode r = assertJson(admin().post(MEMORY + "/search", "{\"query\":\"green tea\",\"mode\":\"keyword\"}"), 200);
    assertThat(keysOf(r.get("items"))).containsExactlyInAnyOrder("kb/tea", "other/tea");
    JsonNode hit = r.get("items").get(0);
    assertThat(fieldNames(hit)).startsWith("namespace", "key", "version", "score").contains("value", "text", "type", "metadata");
    assertThat(hit.get("score").isNumber()).isTrue();

    JsonNode filtered =
        assertJson(admin().post(MEMORY + "/search", "{\"query\":\"prefers\",\"prefix\":\"kb\",\"mode\":\"keyword\",\"limit\":1}"), 200);
    assertThat(filtered.get("items")).hasSize(1);
    assertThat(keysOf(assertJson(admin().post(MEMORY + "/search", "{\"query\":\"tea\",\"type\":\"episodic\"}"), 200).get("items")))
        .containsExactly("other/tea");
    assertThat(assertJson(admin().post(MEMORY + "/search", "{\"query\":\"\\\"tea* OR (\",\"mode\":\"keyword\"}"), 200).get("items")).hasSize(2);

    // hybrid (the default) finds by keyword at once, before the background worker embedded anything
    assertThat(keysOf(assertJson(admin().post(MEMORY + "/search", "{\"query\":\"green tea\"}"), 200).get("items")))
        .contains("kb/tea", "other/tea");
    assertThat(keysOf(assertJson(admin().post(MEMORY + "/search", "{\"query\":\"tea\",\"mode\":\"hybrid\"}"), 200).get("items")))
        .contains("kb/tea", "other/tea");
    await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode semantic = assertJson(admin().post(MEMORY + "/search", "{\"query\":\"a cup of green tea\",\"mode\":\"semantic\",\"prefix\":\"kb\"}"), 200);
      assertThat(keysOf(semantic.get("items"))).startsWith("kb/tea");
      assertThat(semantic.get("items").get(0).get("score").asDouble()).isBetween(-1.0, 1.0);
    });
    assertProblem(admin().post(MEMORY + "/search", "{\"query\":\"tea\",\"mode\":\"fuzzy\"}"), 400, "invalid_search_mode");
    JsonNode browse = assertJson(admin().post(MEMORY + "/search", "{}"), 200);
    assertThat(keysOf(browse.get("items"))).as("no query: newest updated first").startsWith("other/tea");
    assertThat(browse.get("items").get(0).get("score").isNull()).isTrue();
    assertProblem(admin().post(MEMORY + "/search", "{\"query\":\"" + "x".repeat(1001) + "\"}"), 400, "invalid_query");
    assertProblem(admin().post(MEMORY + "/search", "{\"query\":\"tea\",\"limit\":0}"), 400, "invalid_limit");
    assertProblem(admin().post(MEMORY + "/search", "{\"query\":\"tea\",\"prefix\":\"a b\"}"), 400, "invalid_prefix");
    assertProblem(admin().post(MEMORY + "/search", "{\"query\":\"tea\",\"k\":1}"), 400, "unknown_field");
    assertProblem(admin().get(MEMORY + "/search"), 405, "method_not_allowed");
  }

  @Test
  default void memory_isPerTenant_andReaderKeysOnlyRead() {
    putMemory("private/k", "{\"value\":1,\"text\":\"hidden treasure\"}");
    TestClient other = newTenant().admin();
    assertProblem(other.get(MEMORY + "/private/k"), 404, "memory_not_found");
    assertProblem(other.get(MEMORY + "/private/k/history"), 404, "memory_not_found");
    assertProblem(other.delete(MEMORY + "/private/k"), 404, "memory_not_found");
    assertThat(assertJson(other.get(MEMORY + "?prefix=private"), 200).get("items")).isEmpty();
    assertThat(assertJson(other.post(MEMORY + "/search", "{\"query\":\"treasure\"}"), 200).get("items")).isEmpty();

    TestClient reader = keyOf("reader");
    assertProblem(reader.get(MEMORY + "/private/k"), 403, "access_denied"); // no grant yet
    assertThat(assertJson(reader.get(MEMORY + "?prefix=private"), 200).get("items")).isEmpty();
    assertJson(admin().post("/v1/access/grants", "{\"resource\":\"memory:private\",\"relation\":\"viewer\",\"subject\":\"user:reader\"}"), 201);
    assertJson(reader.get(MEMORY + "/private/k"), 200);
    assertThat(assertJson(reader.get(MEMORY + "?prefix=private"), 200).get("items")).hasSize(1);
    assertProblem(reader.put(MEMORY + "/private/k", "{\"value\":2}"), 403, "read_only_key");
    assertProblem(reader.delete(MEMORY + "/private/k"), 403, "read_only_key");
    assertProblem(anonymous().get(MEMORY + "/private/k"), 401, "missing_key");
    assertThat(assertJson(admin().get(MEMORY + "/private/k"), 200).get("version").asLong()).isEqualTo(1);
  }

  @Test
  default void anAgentKey_writesMemory_andTheEntryNamesItsSubject() {
    TestClient agent = keyOf("agent");
    assertProblem(agent.put(MEMORY + "/team:ops/runbook", "{\"value\":\"x\"}"), 403, "access_denied");
    assertJson(admin().post("/v1/access/grants", "{\"resource\":\"memory:team:ops\",\"relation\":\"editor\",\"subject\":\"user:agent\"}"), 201);
    JsonNode e = assertJson(agent.put(MEMORY + "/team:ops/runbook", "{\"value\":\"restart it\",\"type\":\"procedural\"}"), 201);
    assertThat(e.get("written_by").asText()).isEqualTo("user:agent");
    assertThat(json(admin().get(MEMORY + "/team:ops/runbook").body()).get("type").asText()).isEqualTo("procedural");
  }

  // ---------------------------------------------------------------- v1.1: what agent frameworks' stores need

  @Test
  default void batch_appliesEveryOpOrNone_andA412NamesTheFailedOp() {
    putMemory("b/k1", "{\"value\":1}");
    JsonNode done = assertJson(admin().post(MEMORY + "/batch", """
        {"ops":[{"op":"put","namespace":"b","key":"k1","value":2,"if_version":1},
                {"op":"put","namespace":"b","key":"k2","value":{"x":1},"if_absent":true,"ttl_seconds":60},
                {"op":"delete","namespace":"b","key":"absent"}]}"""), 200);
    assertThat(done.get("items")).hasSize(3);
    assertThat(fieldNames(done.get("items").get(0))).containsExactly("op", "namespace", "key", "entry", "created");
    assertThat(done.get("items").get(0).get("entry").get("version").asLong()).isEqualTo(2);
    assertThat(done.get("items").get(1).get("created").asBoolean()).isTrue();
    assertThat(done.get("items").get(1).get("entry").get("ttl_seconds").asLong()).isEqualTo(60);
    assertThat(done.get("items").get(1).get("entry").get("expires_at").isTextual()).isTrue();
    assertThat(done.get("items").get(2).get("entry").isNull()).as("deleting an absent entry is a no-op").isTrue();

    JsonNode refused = assertProblem(admin().post(MEMORY + "/batch", """
        {"ops":[{"op":"put","namespace":"b","key":"k3","value":3},
                {"op":"put","namespace":"b","key":"k1","value":9,"if_version":1}]}"""), 412, "version_mismatch");
    assertThat(refused.get("op_index").asInt()).isEqualTo(1);
    assertProblem(admin().get(MEMORY + "/b/k3"), 404, "memory_not_found");
    assertThat(assertJson(admin().get(MEMORY + "/b/k1"), 200).get("value").asInt()).isEqualTo(2);

    assertProblem(admin().post(MEMORY + "/batch", "{\"ops\":[]}"), 400, "invalid_batch");
    assertProblem(admin().post(MEMORY + "/batch", "{\"ops\":[{\"op\":\"merge\",\"namespace\":\"b\",\"key\":\"k\"}]}"), 400, "invalid_op");
    StringBuilder many = new StringBuilder("{\"ops\":[");
    for (int i = 0; i < 501; i++) many.append(i == 0 ? "" : ",").append("{\"op\":\"delete\",\"namespace\":\"b\",\"key\":\"k").append(i).append("\"}");
    assertProblem(admin().post(MEMORY + "/batch", many.append("]}").toString()), 400, "batch_too_large");
  }

  @Test
  default void list_inEitherOrder_withKeyBounds_andAFilter() {
    for (int i = 1; i <= 5; i++) {
      putMemory("ck/c" + i, "{\"value\":{\"n\":" + i + "},\"metadata\":{\"step\":" + i + ",\"source\":\"" + (i % 2 == 0 ? "loop" : "input") + "\"}}");
    }
    JsonNode newest = assertJson(admin().get(MEMORY + "?namespace=ck&order=desc&limit=1"), 200);
    assertThat(keysOf(newest.get("items"))).containsExactly("ck/c5");
    assertThat(keysOf(assertJson(admin().get(MEMORY + "?namespace=ck&order=desc&end_before=c4"), 200).get("items")))
        .containsExactly("ck/c3", "ck/c2", "ck/c1");
    assertThat(keysOf(assertJson(admin().get(MEMORY + "?namespace=ck&start_after=c2&end_before=c5"), 200).get("items")))
        .containsExactly("ck/c3", "ck/c4");
    String filter = java.net.URLEncoder.encode("{\"metadata\":{\"source\":\"loop\",\"step\":{\"$gte\":3}}}", java.nio.charset.StandardCharsets.UTF_8);
    assertThat(keysOf(assertJson(admin().get(MEMORY + "?namespace=ck&filter=" + filter), 200).get("items")))
        .containsExactly("ck/c4");
    String bad = java.net.URLEncoder.encode("{\"metadata\":{\"step\":{\"$regex\":\"x\"}}}", java.nio.charset.StandardCharsets.UTF_8);
    assertProblem(admin().get(MEMORY + "?namespace=ck&filter=" + bad), 400, "invalid_filter");
    assertProblem(admin().get(MEMORY + "?namespace=ck&order=newest"), 400, "invalid_order");
  }

  @Test
  default void namespaces_withPrefixSuffixAndDepth() {
    putMemory("app:users:alice:prefs/k", "{\"value\":1}");
    putMemory("app:users:bob:prefs/k", "{\"value\":1}");
    putMemory("app:docs/k", "{\"value\":1}");
    JsonNode all = assertJson(admin().get(MEMORY + "/namespaces?prefix=app"), 200);
    assertThat(all.get("items")).extracting(JsonNode::asText)
        .containsExactly("app:docs", "app:users:alice:prefs", "app:users:bob:prefs");
    assertThat(assertJson(admin().get(MEMORY + "/namespaces?prefix=app&max_depth=2"), 200).get("items"))
        .extracting(JsonNode::asText).containsExactly("app:docs", "app:users");
    assertThat(assertJson(admin().get(MEMORY + "/namespaces?suffix=prefs&limit=1&offset=1"), 200).get("items"))
        .extracting(JsonNode::asText).containsExactly("app:users:bob:prefs");
    assertProblem(admin().get(MEMORY + "/namespaces?max_depth=0"), 400, "invalid_max_depth");
  }

  @Test
  default void purge_ofAnEntryAndOfASubtree_removesTheHistory_isForAdmins_andIsAudited() {
    putMemory("p:a/k", "{\"value\":1}");
    assertJson(admin().put(MEMORY + "/p:a/k", "{\"value\":2}"), 200);
    putMemory("p:b/k", "{\"value\":1}");
    TestClient agent = keyOf("agent");

    assertProblem(admin().delete(MEMORY + "?prefix=p"), 400, "purge_required");
    assertProblem(agent.delete(MEMORY + "?prefix=p&purge=true"), 403);
    JsonNode one = assertJson(admin().delete(MEMORY + "/p:a/k?purge=true"), 200);
    assertThat(one.get("versions").asLong()).isEqualTo(2);
    assertProblem(admin().get(MEMORY + "/p:a/k/history"), 404, "memory_not_found");
    JsonNode subtree = assertJson(admin().delete(MEMORY + "?prefix=p&purge=true"), 200);
    assertThat(subtree.get("entries").asLong()).isEqualTo(1);
    assertProblem(admin().get(MEMORY + "/p:b/k"), 404, "memory_not_found");
    assertThat(assertJson(admin().delete(MEMORY + "?prefix=p&purge=true"), 200).get("entries").asLong())
        .as("an empty subtree: nothing to purge, nothing audited").isZero();
    assertProblem(admin().delete(MEMORY + "/p:a/k?purge=true"), 404, "memory_not_found");

    JsonNode audit = assertJson(admin().get("/v1/audit"), 200).get("items");
    assertThat(audit).extracting(a -> a.get("action").asText()).containsExactly("memory.purge", "memory.purge");
    assertThat(audit.get(0).get("target").asText()).isEqualTo("memory:p");
  }

  @Test
  default void ttl_isAFieldOfEveryEntry_andRefreshTtlIsARead() {
    JsonNode e = putMemory("t/k", "{\"value\":1,\"ttl_seconds\":3600}");
    assertThat(e.get("ttl_seconds").asLong()).isEqualTo(3600);
    java.time.Instant expires = java.time.Instant.parse(e.get("expires_at").asText());
    assertThat(expires).isAfter(java.time.Instant.parse(e.get("updated_at").asText()));
    JsonNode refreshed = assertJson(admin().get(MEMORY + "/t/k?refresh_ttl=true"), 200);
    assertThat(java.time.Instant.parse(refreshed.get("expires_at").asText())).isAfterOrEqualTo(expires);
    assertThat(putMemory("t/never", "{\"value\":1}").get("expires_at").isNull()).isTrue();
    assertProblem(admin().put(MEMORY + "/t/k", "{\"value\":1,\"ttl_seconds\":0}"), 400, "invalid_ttl");
    assertProblem(admin().get(MEMORY + "/t/k?refresh_ttl=true&version=1"), 400, "invalid_parameter");
    assertProblem(keyOf("reader").get(MEMORY + "/t/k?refresh_ttl=true"), 403);
  }
}
