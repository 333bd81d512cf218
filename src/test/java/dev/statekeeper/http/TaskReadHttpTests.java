package dev.statekeeper.http;

import static dev.statekeeper.http.HttpAssertions.assertJson;
import static dev.statekeeper.http.HttpAssertions.assertProblem;
import static dev.statekeeper.http.HttpAssertions.fieldNames;
import static dev.statekeeper.http.HttpAssertions.id;
import static dev.statekeeper.http.HttpAssertions.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.http.TestClient.Response;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code GET /v1/tasks/{id}}, {@code GET /v1/tasks}, {@code …/events} and {@code /v1/tasks/stats}. */
interface TaskReadHttpTests extends HttpSuite {

  List<String> STATUSES = List.of("pending", "claimed", "completed", "failed", "cancelled");
  List<String> PRIORITIES = List.of("CRITICAL", "HIGH", "NORMAL", "LOW");

  @Test
  default void get_returnsTheTaskWithItsETag() {
    JsonNode t = createTask("{\"type\":\"g\",\"payload\":{\"k\":[1,\"two\"]}}");

    Response r = admin().get(TASKS + "/" + id(t));

    assertThat(assertJson(r, 200)).isEqualTo(t);
    assertThat(r.header("ETag")).contains("\"1\"");
  }

  @Test
  default void get_ofAnUnknownTaskOrAnotherTenantsTask_is404() {
    JsonNode theirs = assertJson(newTenant().admin().post(TASKS, "{\"type\":\"secret\"}"), 201);

    assertProblem(admin().get(TASKS + "/no-such-task"), 404, "task_not_found");
    assertProblem(admin().get(TASKS + "/" + id(theirs)), 404, "task_not_found");
    assertProblem(admin().get(TASKS + "/" + id(theirs) + "/events"), 404, "task_not_found");
    assertThat(allTasks()).isEmpty();
  }

  @Test
  default void anotherTenantsTask_cannotBeChangedAndStaysAsItWas() {
    Tenant other = newTenant();
    JsonNode theirs = assertJson(other.admin().post(TASKS, "{\"type\":\"secret\"}"), 201);
    String path = TASKS + "/" + id(theirs);

    assertProblem(admin().withHeader("If-Match", "\"1\"").patch(path, "{\"priority\":\"LOW\"}"), 404, "task_not_found");
    assertProblem(admin().post(path + "/cancel", "{}"), 404, "task_not_found");
    assertProblem(admin().post(path + "/complete", "{\"agent\":\"w\",\"attempt\":1}"), 404, "task_not_found");
    assertThat(claim("{\"agent\":\"w\",\"limit\":100}")).isEmpty();
    assertThat(assertJson(other.admin().get(path), 200)).isEqualTo(theirs);
  }

  @Test
  default void list_pagesThroughEveryTaskExactlyOnceInCreationOrder() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      created.add(id(createTask("{\"type\":\"t" + i + "\"}")));
    }

    List<String> seen = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page = assertJson(admin().get(TASKS + "?limit=5" + (cursor == null ? "" : "&cursor=" + cursor)), 200);
      assertThat(fieldNames(page)).containsExactly("items", "next_cursor");
      page.get("items").forEach(t -> {
        assertThat(fieldNames(t)).containsExactlyInAnyOrderElementsOf(TASK_FIELDS);
        seen.add(id(t));
      });
      pageSizes.add(page.get("items").size());
      cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
    } while (cursor != null && pageSizes.size() < 10);

    assertThat(pageSizes).containsExactly(5, 5, 5, 5, 3);
    assertThat(seen).containsExactlyElementsOf(created);
  }

  @Test
  default void list_withAnExactMultipleOfTheLimit_endsWithoutAnEmptyPage() {
    for (int i = 0; i < 4; i++) {
      createTask();
    }

    JsonNode first = assertJson(admin().get(TASKS + "?limit=2"), 200);
    JsonNode second = assertJson(admin().get(TASKS + "?limit=2&cursor=" + first.get("next_cursor").asText()), 200);

    assertThat(second.get("items")).hasSize(2);
    assertThat(second.get("next_cursor").isNull()).isTrue();
  }

  @Test
  default void list_filtersByQueueStatusAndPriority() {
    createTask("{\"type\":\"a\",\"queue\":\"q1\",\"priority\":\"HIGH\"}");
    createTask("{\"type\":\"b\",\"queue\":\"q2\"}");
    createTask("{\"type\":\"c\",\"queue\":\"q1\"}");
    assertThat(claim("{\"agent\":\"w\",\"queues\":[\"q1\"]}")).extracting(t -> t.get("type").asText()).containsExactly("a");

    assertThat(types("?queue=q1")).containsExactly("a", "c");
    assertThat(types("?queue=q1&status=pending")).containsExactly("c");
    assertThat(types("?status=claimed")).containsExactly("a");
    assertProblem(admin().get(TASKS + "?status=CLAIMED"), 400, "invalid_status"); // spelt exactly, as answered
    assertThat(types("?priority=NORMAL")).containsExactly("b", "c");
    assertThat(types("?queue=q2&priority=HIGH")).isEmpty();
    assertThat(types("?queue=q3")).isEmpty();
  }

  private List<String> types(String query) {
    JsonNode page = assertJson(admin().get(TASKS + query), 200);
    return page.get("items").valueStream().map(t -> t.get("type").asText()).toList();
  }

  static Stream<Arguments> badListQueries() {
    return Stream.of(
        Arguments.of("?limit=0", "invalid_limit"),
        Arguments.of("?limit=1001", "invalid_limit"),
        Arguments.of("?limit=-1", "invalid_limit"),
        Arguments.of("?limit=ten", "invalid_limit"),
        Arguments.of("?limit=99999999999", "invalid_limit"),
        Arguments.of("?cursor=not-a-cursor!", "invalid_cursor"),
        Arguments.of("?cursor=aGVsbG8", "invalid_cursor"),
        Arguments.of("?status=done", "invalid_status"),
        Arguments.of("?priority=URGENT", "invalid_priority"),
        Arguments.of("?queue=bad%20queue", "invalid_queue"));
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @MethodSource("badListQueries")
  default void list_withABadParameter_is400(String query, String code) {
    createTask();

    assertProblem(admin().get(TASKS + query), 400, code);
  }

  // ---------------------------------------------------------------- events

  @Test
  default void events_listEveryTransitionInOrder() {
    JsonNode t = createTask("{\"type\":\"e\"}");
    String path = TASKS + "/" + id(t);
    assertJson(admin().withHeader("If-Match", "\"1\"").patch(path, "{\"priority\":\"HIGH\"}"), 200);
    JsonNode held = claim("{\"agent\":\"w1\"}").get(0);
    assertJson(admin().post(path + "/heartbeat", "{\"agent\":\"w1\",\"attempt\":1}"), 200);
    assertJson(admin().post(path + "/complete", "{\"agent\":\"w1\",\"attempt\":" + held.get("attempt") + "}"), 200);

    JsonNode events = assertJson(admin().get(path + "/events"), 200);

    assertThat(fieldNames(events)).containsExactly("items");
    List<JsonNode> items = events.get("items").valueStream().toList();
    assertThat(items).allSatisfy(e -> assertThat(fieldNames(e)).contains("at", "actor", "action", "from_status", "to_status", "detail"));
    assertThat(items).extracting(e -> e.get("action").asText()).containsExactly("created", "updated", "claimed", "completed");
    assertThat(items).extracting(e -> e.get("from_status").asText(null)).containsExactly(null, "pending", "pending", "claimed");
    assertThat(items).extracting(e -> e.get("to_status").asText()).containsExactly("pending", "pending", "claimed", "completed");
    assertThat(items).extracting(e -> e.get("actor").asText()).containsExactly("user:admin", "user:admin", "user:admin/w1", "user:admin/w1");
  }

  @Test
  default void events_recordFailuresAndCancellationsWithTheirDetail() {
    JsonNode a = createAndClaim("w");
    assertJson(admin().post(TASKS + "/" + id(a) + "/fail", "{\"agent\":\"w\",\"attempt\":1,\"error\":\"boom\",\"retry\":false}"), 200);
    JsonNode b = createTask();
    assertJson(admin().post(TASKS + "/" + id(b) + "/cancel", "{\"reason\":\"not needed\"}"), 200);

    List<JsonNode> failed = assertJson(admin().get(TASKS + "/" + id(a) + "/events"), 200).get("items").valueStream().toList();
    List<JsonNode> cancelled = assertJson(admin().get(TASKS + "/" + id(b) + "/events"), 200).get("items").valueStream().toList();

    assertThat(failed).extracting(e -> e.get("action").asText()).containsExactly("created", "claimed", "failed");
    assertThat(failed.get(2).get("to_status").asText()).isEqualTo("failed");
    assertThat(failed.get(2).get("detail").get("error").asText()).isEqualTo("boom");
    assertThat(cancelled).extracting(e -> e.get("action").asText()).containsExactly("created", "cancelled");
    assertThat(cancelled.get(1).get("detail").get("reason").asText()).isEqualTo("not needed");
  }

  // ---------------------------------------------------------------- stats

  @Test
  default void stats_ofAnEmptyTenant_hasTheContractShapeWithZerosAndNulls() {
    JsonNode s = assertJson(admin().get(TASKS + "/stats"), 200);

    assertStatsShape(s);
    assertThat(s.get("counts").valueStream().map(JsonNode::asLong)).containsOnly(0L);
    assertThat(s.get("oldest_pending_age_seconds").valueStream().map(JsonNode::isNull)).containsOnly(true);
    assertThat(s.get("sla").valueStream().map(JsonNode::asLong)).containsOnly(0L);
  }

  @Test
  default void stats_countsByStatusAndPriority_andSlaOutcomes() {
    createTask("{\"type\":\"c1\",\"priority\":\"CRITICAL\"}"); // stays pending, SLA pending
    createTask("{\"type\":\"h1\",\"priority\":\"HIGH\"}");
    createTask("{\"type\":\"n1\",\"deadline\":\"2099-01-01T00:00:00Z\"}");
    createTask("{\"type\":\"l1\",\"priority\":\"LOW\"}");
    createTask("{\"type\":\"l2\",\"priority\":\"LOW\",\"queue\":\"other\"}");
    createTask("{\"type\":\"c2\",\"priority\":\"CRITICAL\",\"queue\":\"fast\"}");
    JsonNode held = claim("{\"agent\":\"w\",\"queues\":[\"fast\"]}").get(0);
    assertJson(admin().post(TASKS + "/" + id(held) + "/complete", "{\"agent\":\"w\",\"attempt\":1}"), 200); // SLA met
    assertThat(claim("{\"agent\":\"w\"}").get(0).get("type").asText()).isEqualTo("c1"); // stays claimed
    JsonNode next = claim("{\"agent\":\"w\"}").get(0);
    assertThat(next.get("type").asText()).isEqualTo("h1");
    assertJson(admin().post(TASKS + "/" + id(next) + "/cancel", "{}"), 200);

    JsonNode s = assertJson(admin().get(TASKS + "/stats"), 200);

    assertStatsShape(s);
    assertThat(s.get("counts")).isEqualTo(json("{\"pending\":3,\"claimed\":1,\"completed\":1,\"failed\":0,\"cancelled\":1}"));
    JsonNode byPriority = s.get("by_priority");
    assertThat(byPriority.get("CRITICAL")).isEqualTo(json("{\"pending\":0,\"claimed\":1,\"completed\":1,\"failed\":0,\"cancelled\":0}"));
    assertThat(byPriority.get("HIGH")).isEqualTo(json("{\"pending\":0,\"claimed\":0,\"completed\":0,\"failed\":0,\"cancelled\":1}"));
    assertThat(byPriority.get("NORMAL").get("pending").asLong()).isEqualTo(1);
    assertThat(byPriority.get("LOW").get("pending").asLong()).isEqualTo(2);
    JsonNode oldest = s.get("oldest_pending_age_seconds");
    assertThat(oldest.get("CRITICAL").isNull()).isTrue();
    assertThat(oldest.get("HIGH").isNull()).isTrue();
    assertThat(oldest.get("NORMAL").isNumber()).isTrue();
    assertThat(oldest.get("LOW").asDouble()).isGreaterThanOrEqualTo(0);
    assertThat(s.get("sla")).isEqualTo(json("{\"pending\":2,\"met\":1,\"violated\":0}"));

    JsonNode other = assertJson(admin().get(TASKS + "/stats?queue=other"), 200);
    assertStatsShape(other);
    assertThat(other.get("counts")).isEqualTo(json("{\"pending\":1,\"claimed\":0,\"completed\":0,\"failed\":0,\"cancelled\":0}"));
    assertThat(other.get("by_priority").get("LOW").get("pending").asLong()).isEqualTo(1);
    assertThat(other.get("sla")).isEqualTo(json("{\"pending\":0,\"met\":0,\"violated\":0}"));
  }

  @Test
  default void stats_withABadQueue_is400() {
    assertProblem(admin().get(TASKS + "/stats?queue=bad%20queue"), 400, "invalid_queue");
  }

  private static void assertStatsShape(JsonNode s) {
    assertThat(fieldNames(s)).containsExactlyInAnyOrder("counts", "by_priority", "oldest_pending_age_seconds", "sla");
    assertThat(fieldNames(s.get("counts"))).containsExactlyInAnyOrderElementsOf(STATUSES);
    assertThat(fieldNames(s.get("by_priority"))).containsExactlyInAnyOrderElementsOf(PRIORITIES);
    for (String p : PRIORITIES) {
      assertThat(fieldNames(s.get("by_priority").get(p))).as(p).containsExactlyInAnyOrderElementsOf(STATUSES);
    }
    assertThat(fieldNames(s.get("oldest_pending_age_seconds"))).containsExactlyInAnyOrderElementsOf(PRIORITIES);
    assertThat(fieldNames(s.get("sla"))).containsExactlyInAnyOrder("pending", "met", "violated");
    Set<JsonNode> values = new HashSet<>();
    s.get("counts").forEach(values::add);
    assertThat(values).allSatisfy(v -> assertThat(v.isIntegralNumber()).isTrue());
  }
}
