package dev.statekeeper.http;

import static dev.statekeeper.http.HttpAssertions.assertJson;
import static dev.statekeeper.http.HttpAssertions.assertProblem;
import static dev.statekeeper.http.HttpAssertions.fieldNames;
import static dev.statekeeper.http.HttpAssertions.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statekeeper.http.TestClient.Response;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The health probes, and requests the HTTP layer itself rejects. */
interface HealthAndErrorHttpTests extends HttpSuite {

  @Test
  default void liveAndReady_are200WithoutAKey() {
    assertThat(assertJson(anonymous().get("/health/live"), 200).get("status").asText()).isEqualTo("UP");
    assertThat(assertJson(anonymous().get("/health/ready"), 200).get("status").asText()).isEqualTo("UP");
  }

  @Test
  default void health_withoutAnAdminKey_showsOnlyTheStatus() {
    for (TestClient c : List.of(anonymous(), keyOf("reader"), keyOf("agent"), admin().withKey("sk_unknown_000000000000"))) {
      JsonNode h = assertJson(c.get("/health"), 200);
      assertThat(fieldNames(h)).containsExactly("status");
      assertThat(h.get("status").asText()).isEqualTo("UP");
    }
  }

  @Test
  default void health_withAnAdminOrRootKey_showsTheChecks() {
    for (TestClient c : List.of(admin(), root())) {
      JsonNode h = assertJson(c.get("/health"), 200);
      assertThat(fieldNames(h)).containsExactly("status", "checks");
      assertThat(h.get("checks").get("database").get("status").asText()).isEqualTo("UP");
    }
  }

  @Test
  default void anUnknownPath_is404Problem() {
    assertProblem(admin().get("/v1/nothing-here"), 404, "not_found");
    assertProblem(anonymous().get("/nothing-here"), 404, "not_found");
    assertProblem(admin().get(TASKS + "/some-id/unknown"), 404, "not_found");
  }

  @Test
  default void aWrongMethod_is405ProblemAndChangesNothing() {
    JsonNode t = createTask();

    assertProblem(admin().delete(TASKS), 405, "method_not_allowed");
    assertProblem(admin().delete(TASKS + "/" + id(t)), 405, "method_not_allowed");
    assertProblem(admin().send("PUT", TASKS + "/" + id(t), BodyPublishers.ofString("{}"), "application/json"), 405, "method_not_allowed");
    assertProblem(admin().post(TASKS + "/" + id(t), "{}"), 405, "method_not_allowed");
    assertProblem(admin().send("PUT", TASKS, BodyPublishers.ofString("{}"), "application/json"), 405, "method_not_allowed");
    assertThat(readTask(id(t))).isEqualTo(t);
  }

  @Test
  default void aPathWithABadPercentEncoding_is400Problem() {
    Response r = admin().raw(List.of("GET /v1/tasks/%ZZ HTTP/1.1", "Host: localhost", "Authorization: Bearer " + admin().key()), new byte[0]);

    assertProblem(r, 400);
  }

  @Test
  default void aPathWithAnEncodedSlashOrNul_isAProblemNotA500() {
    for (String path : List.of("/v1/tasks/a%2Fb", "/v1/tasks/%00", "/v1/tasks/%C0%AF", "/v1/tasks/..%2F..%2Fkeys")) {
      Response r = admin().raw(List.of("GET " + path + " HTTP/1.1", "Host: localhost", "Authorization: Bearer " + admin().key()), new byte[0]);
      assertThat(r.status()).as("%s: %s", path, r).isBetween(400, 499);
      assertProblem(r, r.status());
    }
  }

  @Test
  default void aVeryLongUri_is414Problem() {
    Response r = admin().raw(List.of("GET /v1/tasks/" + "a".repeat(20_000) + " HTTP/1.1", "Host: localhost"), new byte[0]);

    assertProblem(r, 414, "uri_too_long");
  }

  @Test
  default void aVeryLargeHeader_is431Problem() {
    Response r =
        admin().raw(List.of("GET /v1/tasks HTTP/1.1", "Host: localhost", "Authorization: Bearer " + admin().key(), "X-Big: " + "b".repeat(20_000)), new byte[0]);

    assertProblem(r, 431, "headers_too_large");
  }

  @Test
  default void aMalformedRequestLine_is400Problem() {
    Response r = admin().raw(List.of("GET /v1/tasks HTTP/9", "Host: localhost"), new byte[0]);

    assertThat(r.status()).as("%s", r).isBetween(400, 505).isNotEqualTo(500);
    assertProblem(r, r.status());
  }

  @Test
  default void aBodyThatIsNotUtf8_is400AndStoresNothing() {
    byte[] body = {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

    Response r = admin().send("POST", TASKS, BodyPublishers.ofByteArray(body), "application/json");

    assertProblem(r, 400); // the code is invalid_field: Jackson reports the bad byte while reading "type"
    assertThat(allTasks()).isEmpty();
  }
}
