package dev.statekeeper.http;

import static dev.statekeeper.http.HttpAssertions.assertJson;
import static dev.statekeeper.http.HttpAssertions.assertProblem;
import static dev.statekeeper.http.HttpAssertions.id;
import static dev.statekeeper.http.HttpAssertions.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.http.TestClient.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** PATCH, claim, heartbeat, complete, fail and cancel. */
interface TaskLifecycleHttpTests extends HttpSuite {

  // ---------------------------------------------------------------- patch

  @Test
  default void patch_withTheCurrentIfMatch_changesThePendingTaskAndBumpsTheETag() {
    JsonNode t = createTask("{\"type\":\"p\",\"payload\":{\"v\":1}}");

    Response r = admin().withHeader("If-Match", "\"1\"").patch(TASKS + "/" + id(t), "{\"priority\":\"CRITICAL\",\"payload\":{\"v\":2}}");

    JsonNode changed = assertJson(r, 200);
    assertThat(r.header("ETag")).contains("\"2\"");
    assertThat(changed.get("version").asLong()).isEqualTo(2);
    assertThat(changed.get("priority").asText()).isEqualTo("CRITICAL");
    assertThat(changed.get("payload")).isEqualTo(json("{\"v\":2}"));
    assertThat(readTask(id(t))).isEqualTo(changed);
  }

  @Test
  default void patch_withoutIfMatch_is428AndChangesNothing() {
    JsonNode t = createTask();

    assertProblem(admin().patch(TASKS + "/" + id(t), "{\"priority\":\"LOW\"}"), 428, "if_match_required");
    assertThat(readTask(id(t))).isEqualTo(t);
  }

  @Test
  default void patch_withStaleIfMatch_is412WithTheCurrentETagAndChangesNothing() {
    JsonNode t = createTask();
    JsonNode v2 = assertJson(admin().withHeader("If-Match", "\"1\"").patch(TASKS + "/" + id(t), "{\"priority\":\"HIGH\"}"), 200);

    Response stale = admin().withHeader("If-Match", "\"1\"").patch(TASKS + "/" + id(t), "{\"priority\":\"LOW\"}");

    JsonNode problem = assertProblem(stale, 412, "version_mismatch");
    assertThat(stale.header("ETag")).contains("\"2\"");
    assertThat(problem.get("current_version").asLong()).isEqualTo(2);
    assertThat(readTask(id(t))).isEqualTo(v2);
  }

  @Test
  default void patch_withMalformedIfMatch_is400AndChangesNothing() {
    JsonNode t = createTask();
    for (String bad : List.of("one", "\"1", "W/\"1\"", "\"-1\"", "\"99999999999999999999\"")) {
      assertProblem(admin().withHeader("If-Match", bad).patch(TASKS + "/" + id(t), "{\"priority\":\"LOW\"}"), 400, "invalid_if_match");
    }
    assertThat(readTask(id(t))).isEqualTo(t);
  }

  @Test
  default void patch_withInvalidBody_is400AndChangesNothing() {
    JsonNode t = createTask();
    String path = TASKS + "/" + id(t);
    TestClient c = admin().withHeader("If-Match", "\"1\"");

    assertProblem(c.patch(path, "{}"), 400, "empty_patch");
    assertProblem(c.patch(path, "{\"status\":\"completed\"}"), 400, "unknown_field");
    assertProblem(c.patch(path, "{\"priority\":\"SOON\"}"), 400, "invalid_priority");
    assertProblem(c.patch(path, "{\"payload\":[1]}"), 400, "invalid_payload");
    assertProblem(c.patch(path, "{\"run_after\":\"later\"}"), 400, "invalid_field");
    assertThat(readTask(id(t))).isEqualTo(t);
  }

  @Test
  default void patch_ofAClaimedTask_is409AndChangesNothing() {
    JsonNode held = createAndClaim("w");
    String etag = "\"" + held.get("version").asLong() + "\"";

    assertProblem(admin().withHeader("If-Match", etag).patch(TASKS + "/" + id(held), "{\"priority\":\"LOW\"}"), 409, "task_not_pending");
    assertThat(readTask(id(held))).isEqualTo(held);
  }

  @Test
  default void patch_ofAnUnknownTask_is404() {
    assertProblem(admin().withHeader("If-Match", "\"1\"").patch(TASKS + "/nope", "{\"priority\":\"LOW\"}"), 404, "task_not_found");
  }

  // ---------------------------------------------------------------- claim

  @Test
  default void claim_takesHighestPriorityFirstThenOldest() {
    createTask("{\"type\":\"low\",\"priority\":\"LOW\"}");
    createTask("{\"type\":\"n1\"}");
    createTask("{\"type\":\"n2\"}");
    createTask("{\"type\":\"crit\",\"priority\":\"CRITICAL\"}");
    createTask("{\"type\":\"high\",\"priority\":\"HIGH\"}");

    List<String> order = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      order.add(claim("{\"agent\":\"w\"}").get(0).get("type").asText());
    }

    assertThat(order).containsExactly("crit", "high", "n1", "n2", "low");
    assertThat(claim("{\"agent\":\"w\"}")).isEmpty();
  }

  @Test
  default void claim_withLimit_returnsThatManyInClaimOrderWithTheirLease() {
    for (int i = 0; i < 5; i++) {
      createTask("{\"type\":\"t" + i + "\"}");
    }
    createTask("{\"type\":\"later\",\"run_after\":\"2099-01-01T00:00:00Z\"}");

    List<JsonNode> got = claim("{\"agent\":\"w\",\"limit\":3,\"lease_seconds\":120}");

    assertThat(got).extracting(t -> t.get("type").asText()).containsExactly("t0", "t1", "t2");
    assertThat(got).allSatisfy(t -> {
      assertThat(t.get("status").asText()).isEqualTo("claimed");
      assertThat(t.get("claimed_by").asText()).isEqualTo("w");
      assertThat(t.get("attempt").asInt()).isEqualTo(1);
      assertThat(t.get("version").asLong()).isEqualTo(2);
      Instant updated = Instant.parse(t.get("updated_at").asText());
      Instant lease = Instant.parse(t.get("lease_expires_at").asText());
      assertThat(Duration.between(updated, lease)).isBetween(Duration.ofSeconds(119), Duration.ofSeconds(121));
    });
    assertThat(claim("{\"agent\":\"w\",\"limit\":100}")).extracting(t -> t.get("type").asText()).containsExactly("t3", "t4");
  }

  @Test
  default void claim_takesOnlyTheNamedQueuesAndTypes() {
    createTask("{\"type\":\"a\",\"queue\":\"q1\"}");
    createTask("{\"type\":\"b\",\"queue\":\"q2\"}");
    createTask("{\"type\":\"c\",\"queue\":\"q3\"}");

    assertThat(claim("{\"agent\":\"w\",\"queues\":[\"q2\",\"q3\"],\"types\":[\"c\"],\"limit\":10}"))
        .extracting(t -> t.get("type").asText())
        .containsExactly("c");
    assertThat(claim("{\"agent\":\"w\",\"limit\":10}")).isEmpty();
  }

  @Test
  default void claim_withWait_returnsATaskCreatedWhileItWaits() throws Exception {
    var pool = Executors.newVirtualThreadPerTaskExecutor();
    try {
      int before = waitingClaims();
      CompletableFuture<List<JsonNode>> waiting =
          CompletableFuture.supplyAsync(() -> claim("{\"agent\":\"w\",\"wait_seconds\":30}"), pool);
      await().atMost(Duration.ofSeconds(10)).until(() -> waitingClaims() > before || waiting.isDone());

      JsonNode t = createTask("{\"type\":\"arrives\"}");

      List<JsonNode> got = waiting.get(30, TimeUnit.SECONDS);
      assertThat(got).extracting(HttpAssertions::id).containsExactly(id(t));
      assertThat(readTask(id(t)).get("status").asText()).isEqualTo("claimed");
    } finally {
      pool.shutdownNow();
    }
  }

  static Stream<Arguments> invalidClaims() {
    return Stream.of(
        Arguments.of("{\"agent\":\"w\",\"limit\":0}", "invalid_limit"),
        Arguments.of("{\"agent\":\"w\",\"limit\":101}", "invalid_limit"),
        Arguments.of("{\"agent\":\"w\",\"wait_seconds\":31}", "invalid_wait"),
        Arguments.of("{\"agent\":\"w\",\"wait_seconds\":-1}", "invalid_wait"),
        Arguments.of("{\"agent\":\"w\",\"lease_seconds\":0}", "invalid_lease"),
        Arguments.of("{\"agent\":\"w\",\"lease_seconds\":3601}", "invalid_lease"),
        Arguments.of("{\"agent\":\"w\",\"lease_seconds\":1.5}", "invalid_field"),
        Arguments.of("{}", "invalid_agent"),
        Arguments.of("{\"agent\":\"\"}", "invalid_agent"),
        Arguments.of("{\"agent\":7}", "invalid_field"),
        Arguments.of("{\"agent\":\"w\",\"queues\":[]}", "invalid_queues"),
        Arguments.of("{\"agent\":\"w\",\"queues\":\"default\"}", "invalid_field"),
        Arguments.of("{\"agent\":\"w\",\"queues\":[\"bad queue\"]}", "invalid_queue"),
        Arguments.of("{\"agent\":\"w\",\"types\":[]}", "invalid_types"),
        Arguments.of("{\"agent\":\"w\",\"max\":1}", "unknown_field"));
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @MethodSource("invalidClaims")
  default void claim_withInvalidRequest_is400AndClaimsNothing(String body, String code) {
    JsonNode t = createTask();

    assertProblem(admin().post(TASKS + "/claim", body), 400, code);
    assertThat(readTask(id(t))).isEqualTo(t);
  }

  // ---------------------------------------------------------------- heartbeat, complete, fail

  @Test
  default void heartbeat_byTheHolder_extendsTheLease() {
    JsonNode held = createAndClaim("w1");

    Response r = admin().post(TASKS + "/" + id(held) + "/heartbeat", "{\"agent\":\"w1\",\"attempt\":1,\"lease_seconds\":600}");

    JsonNode beat = assertJson(r, 200);
    assertThat(Instant.parse(beat.get("lease_expires_at").asText())).isAfter(Instant.parse(held.get("lease_expires_at").asText()));
    assertThat(beat.get("version").asLong()).isEqualTo(held.get("version").asLong() + 1);
    assertThat(r.header("ETag")).contains("\"" + beat.get("version").asLong() + "\"");
    assertThat(beat.get("status").asText()).isEqualTo("claimed");
  }

  @Test
  default void actingOnALeaseYouDoNotHold_is409AndChangesNothing() {
    JsonNode held = createAndClaim("w1");
    String path = TASKS + "/" + id(held);

    assertProblem(admin().post(path + "/heartbeat", "{\"agent\":\"w2\",\"attempt\":1}"), 409, "lease_not_held");
    assertProblem(admin().post(path + "/complete", "{\"agent\":\"w2\",\"attempt\":1,\"result\":{}}"), 409, "lease_not_held");
    assertProblem(admin().post(path + "/fail", "{\"agent\":\"w2\",\"attempt\":1,\"error\":\"x\"}"), 409, "lease_not_held");
    assertThat(readTask(id(held))).isEqualTo(held);
  }

  @Test
  default void anotherKeyNamingTheHoldersAgent_is409_andTheAuditTrailKeepsTheRealHolder() {
    assertJson(admin().post("/v1/access/grants", "{\"resource\":\"queue:default\",\"relation\":\"editor\",\"subject\":\"agent:w1\"}"), 201);
    assertJson(admin().post("/v1/access/grants", "{\"resource\":\"queue:default\",\"relation\":\"editor\",\"subject\":\"agent:w2\"}"), 201);
    TestClient w1 = keyFor("agent:w1", "agent");
    TestClient w2 = keyFor("agent:w2", "agent");
    JsonNode t = createTask();
    JsonNode held = assertJson(w1.post(TASKS + "/claim", "{\"agent\":\"w1\"}"), 200).get("items").get(0);
    String path = TASKS + "/" + id(t);

    for (TestClient other : List.of(w2, admin())) {
      assertProblem(other.post(path + "/complete", "{\"agent\":\"w1\",\"attempt\":1,\"result\":{\"by\":\"w2\"}}"), 409, "lease_not_held");
      assertProblem(other.post(path + "/fail", "{\"agent\":\"w1\",\"attempt\":1,\"error\":\"x\",\"retry\":false}"), 409, "lease_not_held");
      assertProblem(other.post(path + "/heartbeat", "{\"agent\":\"w1\",\"attempt\":1}"), 409, "lease_not_held");
    }

    assertThat(readTask(id(t))).isEqualTo(held);
    assertThat(held.get("claimed_by").asText()).isEqualTo("w1");
    assertThat(held.get("claimed_by_subject").asText()).isEqualTo("agent:w1");
    JsonNode done = assertJson(w1.post(path + "/complete", "{\"agent\":\"w1\",\"attempt\":1}"), 200);
    assertThat(done.get("status").asText()).isEqualTo("completed");
    List<String> actors = new java.util.ArrayList<>();
    assertJson(admin().get(path + "/events"), 200).get("items").forEach(e -> actors.add(e.get("actor").asText()));
    assertThat(actors).containsExactly("user:admin", "agent:w1/w1", "agent:w1/w1");
  }

  @Test
  default void agentActionsWithoutAttempt_are400AndChangeNothing() {
    JsonNode held = createAndClaim("w1");
    String path = TASKS + "/" + id(held);

    assertProblem(admin().post(path + "/heartbeat", "{\"agent\":\"w1\"}"), 400, "attempt_required");
    assertProblem(admin().post(path + "/complete", "{\"agent\":\"w1\",\"result\":{}}"), 400, "attempt_required");
    assertProblem(admin().post(path + "/fail", "{\"agent\":\"w1\",\"error\":\"x\"}"), 400, "attempt_required");
    assertThat(readTask(id(held))).isEqualTo(held);
  }

  @Test
  default void actingWithAStaleAttempt_is409AndChangesNothing() {
    JsonNode held = createAndClaim("w1");
    String path = TASKS + "/" + id(held);

    assertProblem(admin().post(path + "/heartbeat", "{\"agent\":\"w1\",\"attempt\":2}"), 409, "lease_not_held");
    assertProblem(admin().post(path + "/complete", "{\"agent\":\"w1\",\"attempt\":0}"), 409, "lease_not_held");
    assertProblem(admin().post(path + "/fail", "{\"agent\":\"w1\",\"attempt\":5,\"error\":\"x\"}"), 409, "lease_not_held");
    assertThat(readTask(id(held))).isEqualTo(held);
  }

  @Test
  default void complete_byTheHolder_recordsTheResult() {
    JsonNode held = createAndClaim("w1");

    JsonNode done = assertJson(admin().post(TASKS + "/" + id(held) + "/complete", "{\"agent\":\"w1\",\"attempt\":1,\"result\":{\"ok\":true}}"), 200);

    assertThat(done.get("status").asText()).isEqualTo("completed");
    assertThat(done.get("result")).isEqualTo(json("{\"ok\":true}"));
    assertThat(done.get("lease_expires_at").isNull()).isTrue();
    assertThat(readTask(id(held))).isEqualTo(done);
    assertProblem(admin().post(TASKS + "/" + id(held) + "/complete", "{\"agent\":\"w1\",\"attempt\":1}"), 409, "lease_not_held");
  }

  @Test
  default void fail_withRetry_returnsTheTaskToPendingAfterABackoff() {
    JsonNode held = createAndClaim("w1");

    JsonNode failed = assertJson(admin().post(TASKS + "/" + id(held) + "/fail", "{\"agent\":\"w1\",\"attempt\":1,\"error\":\"timeout\"}"), 200);

    assertThat(failed.get("status").asText()).isEqualTo("pending");
    assertThat(failed.get("error").asText()).isEqualTo("timeout");
    assertThat(failed.get("claimed_by").isNull()).isTrue();
    assertThat(failed.get("attempt").asInt()).isEqualTo(1);
    assertThat(Instant.parse(failed.get("run_after").asText())).isAfter(Instant.parse(failed.get("updated_at").asText()));
    assertThat(readTask(id(held))).isEqualTo(failed);
  }

  @Test
  default void fail_withoutRetry_orOnTheLastAttempt_isFailedForGood() {
    JsonNode a = createAndClaim("w");
    createTask("{\"type\":\"once\",\"max_attempts\":1}");
    JsonNode b = claim("{\"agent\":\"w\"}").get(0);

    JsonNode noRetry = assertJson(admin().post(TASKS + "/" + id(a) + "/fail", "{\"agent\":\"w\",\"attempt\":1,\"error\":\"bad input\",\"retry\":false}"), 200);
    JsonNode lastAttempt = assertJson(admin().post(TASKS + "/" + id(b) + "/fail", "{\"agent\":\"w\",\"attempt\":1,\"error\":\"again\",\"retry\":true}"), 200);

    assertThat(noRetry.get("status").asText()).isEqualTo("failed");
    assertThat(lastAttempt.get("status").asText()).isEqualTo("failed");
    assertThat(lastAttempt.get("error").asText()).isEqualTo("again");
  }

  @Test
  default void fail_withoutAnError_is400AndChangesNothing() {
    JsonNode held = createAndClaim("w");

    assertProblem(admin().post(TASKS + "/" + id(held) + "/fail", "{\"agent\":\"w\",\"attempt\":1}"), 400, "invalid_error");
    assertProblem(admin().post(TASKS + "/" + id(held) + "/fail", "{\"agent\":\"w\",\"attempt\":1,\"error\":\"x\",\"retry\":\"no\"}"), 400, "invalid_field");
    assertThat(readTask(id(held))).isEqualTo(held);
  }

  @Test
  default void agentActionsOnAnUnknownTask_are404() {
    assertProblem(admin().post(TASKS + "/nope/heartbeat", "{\"agent\":\"w\",\"attempt\":1}"), 404, "task_not_found");
    assertProblem(admin().post(TASKS + "/nope/complete", "{\"agent\":\"w\",\"attempt\":1}"), 404, "task_not_found");
    assertProblem(admin().post(TASKS + "/nope/fail", "{\"agent\":\"w\",\"attempt\":1,\"error\":\"x\"}"), 404, "task_not_found");
    assertProblem(admin().post(TASKS + "/nope/cancel", "{}"), 404, "task_not_found");
  }

  // ---------------------------------------------------------------- cancel

  @Test
  default void cancel_ofAPendingTask_isCancelled() {
    JsonNode t = createTask();

    JsonNode cancelled = assertJson(admin().post(TASKS + "/" + id(t) + "/cancel", "{\"reason\":\"not needed\"}"), 200);

    assertThat(cancelled.get("status").asText()).isEqualTo("cancelled");
    assertThat(cancelled.get("version").asLong()).isEqualTo(2);
    assertThat(readTask(id(t))).isEqualTo(cancelled);
  }

  @Test
  default void cancel_withAnEmptyBody_isCancelled() {
    JsonNode t = createTask();

    Response r = admin().send("POST", TASKS + "/" + id(t) + "/cancel", java.net.http.HttpRequest.BodyPublishers.noBody(), null);

    assertThat(assertJson(r, 200).get("status").asText()).isEqualTo("cancelled");
  }

  @Test
  default void cancel_ofAClaimedTask_fencesOutItsHolder() {
    JsonNode held = createAndClaim("w1");

    assertJson(admin().post(TASKS + "/" + id(held) + "/cancel", "{}"), 200);

    assertProblem(admin().post(TASKS + "/" + id(held) + "/complete", "{\"agent\":\"w1\",\"attempt\":1}"), 409, "lease_not_held");
    assertThat(readTask(id(held)).get("status").asText()).isEqualTo("cancelled");
  }

  @Test
  default void cancel_ofAFinalTask_is409AndChangesNothing() {
    JsonNode held = createAndClaim("w1");
    JsonNode done = assertJson(admin().post(TASKS + "/" + id(held) + "/complete", "{\"agent\":\"w1\",\"attempt\":1}"), 200);
    JsonNode other = createTask();
    JsonNode cancelled = assertJson(admin().post(TASKS + "/" + id(other) + "/cancel", "{}"), 200);

    assertProblem(admin().post(TASKS + "/" + id(done) + "/cancel", "{}"), 409, "task_final");
    assertProblem(admin().post(TASKS + "/" + id(other) + "/cancel", "{}"), 409, "task_final");
    assertThat(readTask(id(done))).isEqualTo(done);
    assertThat(readTask(id(other))).isEqualTo(cancelled);
  }

  @Test
  default void cancel_withAControlCharacterInTheReason_is400AndChangesNothing() {
    JsonNode t = createTask();

    assertProblem(admin().post(TASKS + "/" + id(t) + "/cancel", "{\"reason\":\"a\\u0000b\"}"), 400, "invalid_json");
    assertThat(readTask(id(t))).isEqualTo(t);
  }
}
