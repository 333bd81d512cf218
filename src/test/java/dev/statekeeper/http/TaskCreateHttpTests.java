package dev.statekeeper.http;

import static dev.statekeeper.http.HttpAssertions.assertJson;
import static dev.statekeeper.http.HttpAssertions.assertProblem;
import static dev.statekeeper.http.HttpAssertions.fieldNames;
import static dev.statekeeper.http.HttpAssertions.id;
import static dev.statekeeper.http.HttpAssertions.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.http.TestClient.Response;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code POST /v1/tasks} and {@code POST /v1/tasks/batch}. */
interface TaskCreateHttpTests extends HttpSuite {

  @Test
  default void create_is201WithEveryFieldTheETagAndTheLocation() {
    Response r = admin().post(TASKS, "{\"type\":\"summarize\"}");

    JsonNode t = assertJson(r, 201);
    assertThat(fieldNames(t)).containsExactlyInAnyOrderElementsOf(TASK_FIELDS);
    assertThat(t.get("type").asText()).isEqualTo("summarize");
    assertThat(t.get("queue").asText()).isEqualTo("default");
    assertThat(t.get("payload")).isEqualTo(json("{}"));
    assertThat(t.get("priority").asText()).isEqualTo("NORMAL");
    assertThat(t.get("status").asText()).isEqualTo("pending");
    assertThat(t.get("sla_status").asText()).isEqualTo("none");
    assertThat(t.get("attempt").asInt()).isZero();
    assertThat(t.get("max_attempts").asInt()).isEqualTo(3);
    assertThat(t.get("version").asLong()).isEqualTo(1);
    for (String empty : List.of("claimed_by", "lease_expires_at", "deadline", "result", "error")) {
      assertThat(t.get(empty).isNull()).as(empty).isTrue();
    }
    for (String time : List.of("created_at", "updated_at", "run_after")) {
      assertThat(t.get(time).asText()).as(time).endsWith("Z");
      Instant.parse(t.get(time).asText());
    }
    assertThat(r.header("ETag")).contains("\"1\"");
    assertThat(r.header("Location")).contains("/v1/tasks/" + id(t));
    assertThat(readTask(id(t))).isEqualTo(t);
  }

  @Test
  default void create_keepsEveryGivenField_withTimesInUtc() {
    JsonNode t =
        createTask(
            """
            {"type":"index","queue":"docs","payload":{"path":"a/b.md","n":[1,2,{"x":null}]},
             "priority":"HIGH","max_attempts":5,"run_after":"2030-01-31T14:00:00+02:00",
             "deadline":"2030-02-01T00:00:00Z"}""");

    assertThat(t.get("queue").asText()).isEqualTo("docs");
    assertThat(t.get("payload")).isEqualTo(json("{\"path\":\"a/b.md\",\"n\":[1,2,{\"x\":null}]}"));
    assertThat(t.get("priority").asText()).isEqualTo("HIGH");
    assertThat(t.get("max_attempts").asInt()).isEqualTo(5);
    assertThat(Instant.parse(t.get("run_after").asText())).isEqualTo(Instant.parse("2030-01-31T12:00:00Z"));
    assertThat(Instant.parse(t.get("deadline").asText())).isEqualTo(Instant.parse("2030-02-01T00:00:00Z"));
    assertThat(t.get("sla_status").asText()).isEqualTo("pending");
  }

  @Test
  default void create_critical_getsTheDefaultDeadlineOfFiveMinutes() {
    JsonNode t = createTask("{\"type\":\"page\",\"priority\":\"CRITICAL\"}");

    Instant created = Instant.parse(t.get("created_at").asText());
    assertThat(Instant.parse(t.get("deadline").asText())).isEqualTo(created.plusSeconds(300));
    assertThat(t.get("sla_status").asText()).isEqualTo("pending");
  }

  @Test
  default void create_withSameIdempotencyKeyAndBody_is200WithTheSameTask() {
    String body = "{\"type\":\"charge\",\"payload\":{\"amount\":5}}";
    JsonNode first = assertJson(admin().withHeader("Idempotency-Key", "order-17").post(TASKS, body), 201);

    Response again =
        admin().withHeader("Idempotency-Key", "order-17").post(TASKS, "{\"payload\":{\"amount\":5},\"type\":\"charge\",\"queue\":\"default\"}");

    assertThat(assertJson(again, 200)).isEqualTo(first);
    assertThat(again.header("ETag")).contains("\"1\"");
    assertThat(allTasks()).extracting(HttpAssertions::id).containsExactly(id(first));
  }

  @Test
  default void create_withReusedIdempotencyKeyAndOtherBody_is409AndStoresNothing() {
    JsonNode first =
        assertJson(admin().withHeader("Idempotency-Key", "order-18").post(TASKS, "{\"type\":\"charge\",\"payload\":{\"amount\":5}}"), 201);

    Response r = admin().withHeader("Idempotency-Key", "order-18").post(TASKS, "{\"type\":\"charge\",\"payload\":{\"amount\":6}}");

    assertProblem(r, 409, "idempotency_key_reused");
    assertThat(allTasks()).containsExactly(first);
  }

  @Test
  default void create_withIdempotencyKeyOfAnotherTenant_makesANewTask() {
    JsonNode mine = assertJson(admin().withHeader("Idempotency-Key", "shared").post(TASKS, "{\"type\":\"x\"}"), 201);

    Response theirs = newTenant().admin().withHeader("Idempotency-Key", "shared").post(TASKS, "{\"type\":\"x\"}");

    assertThat(id(assertJson(theirs, 201))).isNotEqualTo(id(mine));
  }

  @Test
  default void create_withAnInvalidIdempotencyKey_is400AndStoresNothing() {
    Response r = admin().withHeader("Idempotency-Key", "has spaces in it").post(TASKS, "{\"type\":\"x\"}");

    assertProblem(r, 400, "invalid_idempotency_key");
    assertThat(allTasks()).isEmpty();
  }

  static Stream<Arguments> invalidTaskBodies() {
    return Stream.of(
        Arguments.of("{\"type\":\"t\",\"prority\":\"HIGH\"}", "unknown_field"),
        Arguments.of("{\"type\":\"t\",\"idempotency_key\":\"k\"}", "unknown_field"),
        Arguments.of("{\"type\":\"t\",\"max_attempts\":\"3\"}", "invalid_field"),
        Arguments.of("{\"type\":\"t\",\"max_attempts\":2.5}", "invalid_field"),
        Arguments.of("{\"type\":\"t\",\"max_attempts\":true}", "invalid_field"),
        Arguments.of("{\"type\":\"t\",\"max_attempts\":0}", "invalid_max_attempts"),
        Arguments.of("{\"type\":\"t\",\"max_attempts\":1001}", "invalid_max_attempts"),
        Arguments.of("{\"type\":\"t\",\"max_attempts\":99999999999}", null),
        Arguments.of("{\"type\":42}", "invalid_field"),
        Arguments.of("{\"type\":\"t\",\"priority\":\"URGENT\"}", "invalid_priority"),
        Arguments.of("{\"type\":\"t\",\"priority\":1}", null),
        Arguments.of("{\"type\":\"t\",\"run_after\":\"tomorrow\"}", "invalid_field"),
        Arguments.of("{\"type\":\"t\",\"run_after\":\"2030-01-31 12:00:00\"}", "invalid_field"),
        Arguments.of("{\"type\":\"t\",\"run_after\":\"2030-01-31T12:00:00\"}", "invalid_field"),
        Arguments.of("{\"type\":\"t\",\"deadline\":1900000000}", "invalid_field"),
        Arguments.of("{\"type\":\"t\"} {\"type\":\"u\"}", "invalid_json"),
        Arguments.of("{\"type\":\"t\"}x", "invalid_json"),
        Arguments.of("{\"type\":\"t\",\"type\":\"u\"}", "invalid_json"),
        Arguments.of("{\"type\":\"t\"", "invalid_json"),
        Arguments.of("{'type':'t'}", "invalid_json"),
        Arguments.of("[{\"type\":\"t\"}]", "invalid_field"),
        Arguments.of("\"t\"", "invalid_field"),
        Arguments.of("42", "invalid_field"),
        Arguments.of("null", "invalid_json"),
        Arguments.of("{}", "invalid_type"),
        Arguments.of("{\"type\":\" \"}", "invalid_type"),
        Arguments.of("{\"type\":\"a\\u0001b\"}", "invalid_type"),
        Arguments.of("{\"type\":\"t\",\"queue\":\"has space\"}", "invalid_queue"),
        Arguments.of("{\"type\":\"t\",\"payload\":[1,2]}", "invalid_payload"),
        Arguments.of("{\"type\":\"t\",\"payload\":\"text\"}", "invalid_payload"),
        // what no store can keep is refused as the body is read, whichever field holds it
        Arguments.of("{\"type\":\"t\",\"payload\":{\"a\":\"nul\\u0000byte\"}}", "invalid_json"),
        Arguments.of("{\"type\":\"t\",\"payload\":{\"deep\":[{\"k\\u0000\":1}]}}", "invalid_json"),
        Arguments.of("{\"type\":\"t\",\"payload\":{\"lone\":\"\\ud800\"}}", "invalid_json"),
        Arguments.of("{\"type\":\"fz\\udc00\"}", "invalid_json"),
        Arguments.of("{\"type\":\"t\",\"priority\":\"HIGH\\u0007\"}", "invalid_priority"),
        Arguments.of("{\"type\":\"t\",\"priority\":\" HIGH\"}", "invalid_priority"),
        Arguments.of("{\"type\":\"t\",\"priority\":\"high\"}", "invalid_priority"));
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @MethodSource("invalidTaskBodies")
  default void create_withInvalidBody_is400AndStoresNothing(String body, String code) {
    Response r = admin().post(TASKS, body);

    if (code == null) {
      assertProblem(r, 400);
    } else {
      assertProblem(r, 400, code);
    }
    assertThat(allTasks()).isEmpty();
  }

  @Test
  default void create_withAPayloadNestedTooDeeplyToAnswer_is400_andListingAndClaimingKeepWorking() {
    // Regression: a payload 997 levels deep was stored (201), then every listing and claim of the
    // tenant answered 500 because the response nests it 1,001 levels deep; the claim was kept.
    String deep = "{\"d\":" + "[".repeat(997) + "]".repeat(997) + "}";
    JsonNode held = createAndClaim("w");

    assertProblem(admin().post(TASKS, "{\"type\":\"deep\",\"payload\":" + deep + "}"), 400, "invalid_payload");
    assertProblem(admin().post(TASKS + "/" + id(held) + "/complete", "{\"agent\":\"w\",\"attempt\":1,\"result\":" + deep + "}"), 400, "invalid_result");

    assertThat(allTasks()).containsExactly(held);
    assertThat(claim("{\"agent\":\"w\"}")).isEmpty();
    String deepest = "{\"d\":" + "[".repeat(255) + "]".repeat(255) + "}";
    assertThat(createTask("{\"type\":\"ok\",\"payload\":" + deepest + "}").get("payload")).isEqualTo(json(deepest));
    assertThat(claim("{\"agent\":\"w\"}").get(0).get("payload")).isEqualTo(json(deepest));
  }

  @Test
  default void create_withANumberBeyondTheDoubleRange_is400InsteadOfStoringTheStringInfinity() {
    // Regression: {"huge":1e400} was stored and answered as {"huge":"Infinity"} (201).
    assertProblem(admin().post(TASKS, "{\"type\":\"n\",\"payload\":{\"huge\":1e400}}"), 400, "invalid_json");
    assertProblem(admin().post(TASKS, "{\"type\":\"n\",\"payload\":{\"a\":[-1e309]}}"), 400, "invalid_json");
    JsonNode held = createAndClaim("w");
    assertProblem(admin().post(TASKS + "/" + id(held) + "/complete", "{\"agent\":\"w\",\"attempt\":1,\"result\":1e400}"), 400, "invalid_json");

    assertThat(allTasks()).containsExactly(held);
  }

  @Test
  default void create_asTextPlainOrWithoutContentType_is415AndStoresNothing() {
    String body = "{\"type\":\"t\"}";
    assertProblem(
        admin().send("POST", TASKS, BodyPublishers.ofString(body), "text/plain"), 415, "unsupported_media_type");
    assertProblem(admin().send("POST", TASKS, BodyPublishers.ofString(body), null), 415, "unsupported_media_type");
    assertThat(allTasks()).isEmpty();
  }

  @Test
  default void create_withBodyOverOneMebibyte_is413AndStoresNothing() {
    byte[] body = ("{\"type\":\"t\",\"payload\":{\"s\":\"" + "x".repeat(1024 * 1024) + "\"}}").getBytes(StandardCharsets.UTF_8);

    assertProblem(admin().send("POST", TASKS, BodyPublishers.ofByteArray(body), "application/json"), 413, "body_too_large");
    assertThat(allTasks()).isEmpty();
  }

  @Test
  default void create_withChunkedBodyOverOneMebibyte_is413AndStoresNothing() {
    byte[] body = ("{\"type\":\"t\",\"payload\":{\"s\":\"" + "x".repeat(1024 * 1024) + "\"}}").getBytes(StandardCharsets.UTF_8);

    // A publisher of unknown length is sent with Transfer-Encoding: chunked.
    Response r = admin().send("POST", TASKS, BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)), "application/json");

    assertProblem(r, 413, "body_too_large");
    assertThat(allTasks()).isEmpty();
  }

  @Test
  default void create_withoutKeyOrWithUnknownKey_is401AndStoresNothing() {
    Response none = anonymous().post(TASKS, "{\"type\":\"t\"}");
    Response unknown = admin().withKey("sk_not_a_real_key_0000000000000000").post(TASKS, "{\"type\":\"t\"}");
    Response notBearer = anonymous().withHeader("Authorization", "Basic " + admin().key()).post(TASKS, "{\"type\":\"t\"}");

    assertProblem(none, 401, "missing_key");
    assertThat(none.header("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    assertProblem(unknown, 401, "invalid_key");
    assertProblem(notBearer, 401, "missing_key");
    assertThat(allTasks()).isEmpty();
  }

  @Test
  default void create_withKeyInTheQueryString_is400AndStoresNothing() {
    String key = admin().key();

    assertProblem(anonymous().post(TASKS + "?api_key=" + key, "{\"type\":\"t\"}"), 400, "key_in_query");
    assertProblem(admin().post(TASKS + "?api_key=" + key, "{\"type\":\"t\"}"), 400, "key_in_query");
    assertProblem(admin().get(TASKS + "?access_token=" + key), 400, "key_in_query");
    assertThat(allTasks()).isEmpty();
  }

  // ---------------------------------------------------------------- batch

  @Test
  default void batch_is201WithEveryItemInOrder() {
    JsonNode r =
        assertJson(
            admin().post(TASKS + "/batch", "{\"tasks\":[{\"type\":\"t0\"},{\"type\":\"t1\",\"priority\":\"LOW\"},{\"type\":\"t2\",\"queue\":\"q\"}]}"),
            201);

    assertThat(fieldNames(r)).containsExactly("items");
    List<JsonNode> items = List.copyOf(r.get("items").valueStream().toList());
    assertThat(items).extracting(t -> t.get("type").asText()).containsExactly("t0", "t1", "t2");
    assertThat(items).allSatisfy(t -> assertThat(fieldNames(t)).containsExactlyInAnyOrderElementsOf(TASK_FIELDS));
    assertThat(items.get(1).get("priority").asText()).isEqualTo("LOW");
    assertThat(items.get(2).get("queue").asText()).isEqualTo("q");
    assertThat(allTasks()).containsExactlyElementsOf(items);
  }

  @Test
  default void batch_withOneInvalidItem_is400AndStoresNothing() {
    Response r = admin().post(TASKS + "/batch", "{\"tasks\":[{\"type\":\"ok\"},{\"type\":\"ok\"},{\"type\":\"\"}]}");

    assertThat(assertProblem(r, 400, "invalid_type").get("detail").asText()).contains("task 2");
    assertThat(allTasks()).isEmpty();
  }

  @Test
  default void batch_withAWronglyTypedItem_is400AndStoresNothing() {
    Response r = admin().post(TASKS + "/batch", "{\"tasks\":[{\"type\":\"ok\"},{\"type\":\"ok\",\"max_attempts\":\"2\"}]}");

    assertProblem(r, 400, "invalid_field");
    assertThat(allTasks()).isEmpty();
  }

  static Stream<Arguments> invalidBatches() {
    String tooMany = "{\"tasks\":[" + String.join(",", java.util.Collections.nCopies(1001, "{\"type\":\"x\"}")) + "]}";
    return Stream.of(
        Arguments.of("1001 items", tooMany, "invalid_batch"),
        Arguments.of("no items", "{\"tasks\":[]}", "invalid_batch"),
        Arguments.of("no tasks field", "{}", "invalid_batch"),
        Arguments.of("null tasks", "{\"tasks\":null}", "invalid_batch"),
        Arguments.of("a null item", "{\"tasks\":[{\"type\":\"x\"},null]}", "invalid_task"),
        Arguments.of("tasks not an array", "{\"tasks\":{\"type\":\"x\"}}", "invalid_field"),
        Arguments.of("a bare array", "[{\"type\":\"x\"}]", "invalid_field"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("invalidBatches")
  default void batch_thatIsMalformed_is400AndStoresNothing(String what, String body, String code) {
    assertProblem(admin().post(TASKS + "/batch", body), 400, code);
    assertThat(allTasks()).isEmpty();
  }

  @Test
  default void batch_withThousandItems_is201() {
    String body = "{\"tasks\":[" + String.join(",", java.util.Collections.nCopies(1000, "{\"type\":\"x\"}")) + "]}";

    assertThat(assertJson(admin().post(TASKS + "/batch", body), 201).get("items")).hasSize(1000);
    assertThat(allTasks()).hasSize(1000);
  }

  @Test
  default void batch_withIdempotencyKeys_returnsEarlierTasksAndRejectsReuseWithAnotherBody() {
    String body = "{\"tasks\":[{\"type\":\"a\",\"idempotency_key\":\"k1\"},{\"type\":\"b\"}]}";
    JsonNode first = assertJson(admin().post(TASKS + "/batch", body), 201).get("items");

    JsonNode again = assertJson(admin().post(TASKS + "/batch", body), 201).get("items");
    JsonNode single = assertJson(admin().withHeader("Idempotency-Key", "k1").post(TASKS, "{\"type\":\"a\"}"), 200);
    Response reused = admin().post(TASKS + "/batch", "{\"tasks\":[{\"type\":\"new\"},{\"type\":\"other\",\"idempotency_key\":\"k1\"}]}");

    assertThat(again.get(0)).isEqualTo(first.get(0));
    assertThat(id(again.get(1))).isNotEqualTo(id(first.get(1)));
    assertThat(single).isEqualTo(first.get(0));
    assertProblem(reused, 409, "idempotency_key_reused");
    assertThat(allTasks()).extracting(t -> t.get("type").asText()).containsExactly("a", "b", "b");
  }
}
